# The batch flattened to (B * N, C) with an offset of b * N added to cloud b's indices, the layers
# applied to the gathered neighbours themselves (psi(x_j) = psi applied to x_j), and the softmax
# written out with exp, stabilised by the maximum over the neighbours.
class PointTransformerLayer(nn.Module):
    """Point Transformer's vector self-attention (Zhao et al., 2021, Eq. 3-4), names as in the paper."""

    def __init__(self, *, dim):
        super().__init__()
        self.phi, self.psi, self.alpha = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.theta = nn.Sequential(nn.Linear(3, dim), nn.ReLU(), nn.Linear(dim, dim))   # position encoding
        self.gamma = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))  # attention weights

    def forward(self, x, pos, idx):
        """x (B, N, C), pos (B, N, 3), idx (B, N, k) -> (B, N, C)."""
        B, N, C = x.shape
        flat_idx = idx + N * torch.arange(B).view(B, 1, 1)               # (B, N, k) into B * N rows
        x_j = x.reshape(B * N, C)[flat_idx]                               # (B, N, k, C)
        p_j = pos.reshape(B * N, 3)[flat_idx]                             # (B, N, k, 3)
        delta = self.theta(pos.unsqueeze(2) - p_j)
        logits = self.gamma(self.phi(x).unsqueeze(2) - self.psi(x_j) + delta)
        e = torch.exp(logits - logits.max(dim=2, keepdim=True).values)
        attn = e / e.sum(dim=2, keepdim=True)
        out = attn * (self.alpha(x_j) + delta)
        return out.sum(dim=2)
