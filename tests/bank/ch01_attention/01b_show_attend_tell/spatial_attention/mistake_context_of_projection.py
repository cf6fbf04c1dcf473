# diagnosis: the context averages the projected features W_f(features)
class SpatialAttention(nn.Module):
    def __init__(self, *, feature_dim, hidden_dim, attn_dim):
        super().__init__()
        self.W_f = nn.Linear(feature_dim, attn_dim, bias=False)  # projects every grid position
        self.W_h = nn.Linear(hidden_dim, attn_dim)  # projects the decoder state; holds the bias b
        self.v = nn.Linear(attn_dim, 1, bias=False)  # one score per position

    def forward(self, features, hidden):
        """features (B, N, C), hidden (B, H) -> context (B, C), weights (B, N)."""
        keys = self.W_f(features)  # (B, N, A)
        scores = self.v(torch.tanh(keys + self.W_h(hidden).unsqueeze(1))).squeeze(-1)  # (B, N)
        weights = torch.softmax(scores, dim=-1)
        context = torch.bmm(weights.unsqueeze(1), keys).squeeze(1)
        return context, weights
