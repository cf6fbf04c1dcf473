class SpatialAttention(nn.Module):
    def __init__(self, *, feature_dim, hidden_dim, attn_dim):
        super().__init__()
        self.W_f = nn.Linear(feature_dim, attn_dim, bias=False)  # projects every grid position
        self.W_h = nn.Linear(hidden_dim, attn_dim)  # projects the decoder state; holds the bias b
        self.v = nn.Linear(attn_dim, 1, bias=False)  # one score per position

    def forward(self, features, hidden):
        """features (B, N, C), hidden (B, H) -> context (B, C), weights (B, N)."""
        energy = torch.tanh(self.W_f(features) + self.W_h(hidden)[:, None, :])  # (B, N, A)
        scores = torch.einsum("bna,a->bn", energy, self.v.weight[0])  # v as a vector
        weights = scores.softmax(dim=1)  # dim 1: the positions
        return torch.einsum("bn,bnc->bc", weights, features), weights
