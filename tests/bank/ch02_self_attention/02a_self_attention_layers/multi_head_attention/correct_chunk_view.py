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
        q, k, v = self.qkv(x).chunk(3, dim=-1)  # (B, T, C) each
        q, k, v = (t.view(B, T, self.num_heads, self.head_dim).transpose(1, 2) for t in (q, k, v))
        if mask is not None:
            mask = mask.unsqueeze(-3)
        if self.fused:
            y, weights = F.scaled_dot_product_attention(q, k, v, attn_mask=mask), None
        else:
            scores = torch.einsum("bhid,bhjd->bhij", q, k) / math.sqrt(self.head_dim)
            if mask is not None:
                scores = scores.masked_fill(mask.logical_not(), float("-inf"))
            weights = F.softmax(scores, dim=-1)
            y = torch.einsum("bhij,bhjd->bhid", weights, v)
        return self.proj(y.transpose(1, 2).flatten(2)), weights
