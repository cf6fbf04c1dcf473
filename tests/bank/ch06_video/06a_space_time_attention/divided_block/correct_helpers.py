# Each step a small method; the class token's T copies averaged with a sum over the frames / T.
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

    def _time(self, patches):
        return patches + self.temporal_fc(time_attention(self.temporal_norm1(patches), self.temporal_attn))

    def _space(self, cls, patches):
        B, T, N, D = patches.shape
        copies = cls.reshape(B, 1, 1, D).expand(-1, T, -1, -1)
        out = space_attention(self.norm1(torch.cat((copies, patches), 2)), self.attn)
        return cls + out[:, :, :1].sum(1) / T, patches + out[:, :, 1:]

    def forward(self, x, T, N):
        """x (B, 1 + T*N, D): the class token, then frame by frame -> (B, 1 + T*N, D)."""
        B, _, D = x.shape
        cls, patches = self._space(x[:, :1], self._time(x[:, 1:].view(B, T, N, D)))
        x = torch.cat((cls, patches.flatten(1, 2)), 1)
        return x + self.mlp(self.norm2(x))
