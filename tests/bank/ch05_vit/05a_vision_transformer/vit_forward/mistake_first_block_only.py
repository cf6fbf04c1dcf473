# diagnosis: applies only the first block
# visible: fails (depth 2, compared with nn.TransformerEncoderLayer)
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
        x = self.blocks[0](self.patch_embed(images))
        x = self.norm(x)
        x = x[:, 0] if self.config.pool == "cls" else x[:, 1:].mean(dim=1)
        return self.head(x)
