# The tokens kept flat (B, 1 + T*N, D): the patches' slice is updated with out-of-place additions.
class DividedBlock(nn.Module):
    def __init__(self, *, dim, heads, mlp_dim, dropout=0.0):
        super().__init__()
        self.temporal_norm1 = nn.LayerNorm(dim)
        self.temporal_attn = Attention(dim=dim, heads=heads, dropout=dropout)
        self.temporal_fc = nn.Linear(dim, dim)
        nn.init.zeros_(self.temporal_fc.weight)  # a fresh block ignores time: it starts as an image block
        nn.init.zeros_(self.temporal_fc.bias)
        self.norm1, self.attn = nn.LayerNorm(dim), Attention(dim=dim, heads=heads, dropout=dropout)
        self.norm2, self.mlp = nn.LayerNorm(dim), Mlp(dim=dim, hidden=mlp_dim, dropout=dropout)

    def forward(self, x, T, N):
        """x (B, 1 + T*N, D): the class token, then frame by frame -> (B, 1 + T*N, D)."""
        B, L, D = x.shape
        grid = lambda t: t.unflatten(1, (T, N))                 # (B, T*N, D) -> (B, T, N, D)
        timed = time_attention(grid(self.temporal_norm1(x[:, 1:])), self.temporal_attn)  # (B, T, N, D)
        xt = x[:, 1:] + self.temporal_fc(timed).flatten(1, 2)  # (B, T*N, D)
        cls = x[:, 0]                                           # (B, D)
        frames = torch.cat([cls.view(B, 1, 1, D).repeat(1, T, 1, 1), grid(xt)], dim=2)
        out = space_attention(self.norm1(frames), self.attn)   # (B, T, 1 + N, D)
        x = torch.cat([(cls + out[:, :, 0].mean(1)).unsqueeze(1), xt + out[:, :, 1:].flatten(1, 2)], dim=1)
        return x + self.mlp(self.norm2(x))
