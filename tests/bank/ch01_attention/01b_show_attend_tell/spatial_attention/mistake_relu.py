# diagnosis: you used ReLU where the additive score uses tanh
class SpatialAttention(nn.Module):
    def __init__(self, *, feature_dim, hidden_dim, attn_dim):
        super().__init__()
        self.W_f = nn.Linear(feature_dim, attn_dim, bias=False)  # projects every grid position
        self.W_h = nn.Linear(hidden_dim, attn_dim)  # projects the decoder state; holds the bias b
        self.v = nn.Linear(attn_dim, 1, bias=False)  # one score per position

    def forward(self, features, hidden):
        """features (B, N, C), hidden (B, H) -> context (B, C), weights (B, N)."""
        energy = torch.relu(self.W_f(features) + self.W_h(hidden).unsqueeze(1))  # (B, N, A)
        weights = torch.softmax(self.v(energy).squeeze(-1), dim=-1)  # (B, N)
        context = (weights.unsqueeze(-1) * features).sum(1)
        return context, weights
