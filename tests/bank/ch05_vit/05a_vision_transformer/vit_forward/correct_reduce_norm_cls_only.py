# The blocks folded with functools.reduce; for the class token, pooling before the final LayerNorm
# is the same (LayerNorm acts on each token alone), for the mean it is not, so it normalises first.
class ViT(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        self.config = c = as_config(config)
        if c.pool not in ("cls", "mean"):
            raise ValueError(f"pool must be 'cls' or 'mean', not {c.pool!r}")
        self.patch_embed = PatchEmbedding(config=c)
        self.blocks = nn.ModuleList([Block(dim=c.dim, heads=c.heads, mlp_dim=c.mlp_dim, dropout=c.dropout)
                                     for _ in range(c.depth)])
        self.norm = nn.LayerNorm(c.dim)
        self.head = nn.Linear(c.dim, c.num_classes)

    def forward(self, images):
        """images (B, C, H, W) -> logits (B, K)."""
        import functools

        x = functools.reduce(lambda t, block: block(t), self.blocks, self.patch_embed(images))
        if self.config.pool == "cls":
            return self.head(self.norm(x[:, 0]))
        return self.head(self.norm(x).narrow(1, 1, x.shape[1] - 1).mean(dim=1))
