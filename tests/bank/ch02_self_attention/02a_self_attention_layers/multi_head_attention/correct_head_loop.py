class MultiHeadSelfAttention(nn.Module):
    def __init__(self, *, dim, num_heads, bias=True, fused=False):
        super().__init__()
        assert dim % num_heads == 0, "dim must be a multiple of num_heads"
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.fused = fused  # True: F.scaled_dot_product_attention, no weights returned
        self.qkv = nn.Linear(dim, 3 * dim, bias=bias)
        self.proj = nn.Linear(dim, dim, bias=bias)

    def forward(self, x, mask=None):
        """x (B, T, C); mask None or bool broadcastable to (B, T, T), True = may attend
        -> out (B, T, C), weights (B, num_heads, T, T) (None on the fused path)."""
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        outs, maps = [], []
        for r in range(self.num_heads):
            cols = slice(r * self.head_dim, (r + 1) * self.head_dim)
            q_r, k_r, v_r = q[..., cols], k[..., cols], v[..., cols]  # (B, T, hs)
            if self.fused:
                outs.append(F.scaled_dot_product_attention(q_r, k_r, v_r, attn_mask=mask))
                continue
            scores = q_r @ k_r.transpose(1, 2) * self.scale
            if mask is not None:
                scores = scores.masked_fill(~mask, float("-inf"))
            maps.append(scores.softmax(-1))
            outs.append(maps[-1] @ v_r)
        weights = None if self.fused else torch.stack(maps, dim=1)
        return self.proj(torch.cat(outs, dim=-1)), weights
