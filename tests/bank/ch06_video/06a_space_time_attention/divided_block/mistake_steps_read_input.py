# diagnosis: lets the space step read the block's input instead of the time step's output
# The two steps written as two branches on x, their updates added: a parallel block.  A fresh block
# (temporal_fc = 0) cannot tell.
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
        B, _, D = x.shape
        cls, patches = x[:, :1], x[:, 1:].reshape(B, T, N, D)
        time_update = self.temporal_fc(time_attention(self.temporal_norm1(patches), self.temporal_attn))
        frames = torch.cat([cls[:, None].expand(B, T, 1, D), patches], dim=2)
        out = space_attention(self.norm1(frames), self.attn)
        cls = cls + out[:, :, 0].mean(dim=1, keepdim=True)
        patches = patches + time_update + out[:, :, 1:]
        x = torch.cat([cls, patches.reshape(B, T * N, D)], dim=1)
        return x + self.mlp(self.norm2(x))
