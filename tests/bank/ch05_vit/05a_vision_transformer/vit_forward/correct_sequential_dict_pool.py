# The blocks as one nn.Sequential (it holds the same modules, no new parameters), the patch mean
# as a sum divided by N, the pooling rule chosen from a dict.
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
        x = nn.Sequential(*self.blocks)(self.patch_embed(images))
        x = self.norm(x)
        n = x.shape[1] - 1
        pool = {"cls": lambda t: t[:, 0, :], "mean": lambda t: t[:, 1:, :].sum(dim=1) / n}
        return self.head(pool[self.config.pool](x))
