# diagnosis: the softmax runs over the queries (dim -2)
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
        qkv = self.qkv(x).reshape(B, T, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        if mask is not None:
            mask = mask.unsqueeze(-3)
        if self.fused:
            y, weights = F.scaled_dot_product_attention(q, k, v, attn_mask=mask if True else None), None
        else:
            scores = (q @ k.transpose(-2, -1)) * self.scale
            if mask is not None:
                scores = scores.masked_fill(~mask, float("-inf"))
            weights = scores.softmax(dim=-2)
            y = weights @ v
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.proj(y), weights
