# diagnosis: every weight is 1: the softmax ran over a dimension of size 1
class SpatialAttention(nn.Module):
    def __init__(self, *, feature_dim, hidden_dim, attn_dim):
        super().__init__()
        self.W_f = nn.Linear(feature_dim, attn_dim, bias=False)  # projects every grid position
        self.W_h = nn.Linear(hidden_dim, attn_dim)  # projects the decoder state; holds the bias b
        self.v = nn.Linear(attn_dim, 1, bias=False)  # one score per position

    def forward(self, features, hidden):
        """features (B, N, C), hidden (B, H) -> context (B, C), weights (B, N)."""
        keys = self.W_f(features)  # (B, N, A)
        query = self.W_h(hidden).unsqueeze(1)  # (B, 1, A)
        scores = self.v(torch.tanh(keys + query))  # (B, N, 1)
        weights = F.softmax(scores, dim=-1).squeeze(-1)  # (B, N)
        context = torch.bmm(weights.unsqueeze(1), features).squeeze(1)
        return context, weights
