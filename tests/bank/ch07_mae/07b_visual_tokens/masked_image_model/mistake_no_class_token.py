# diagnosis: has no class token
# No [CLS]: the task predicts per patch, so it looks unnecessary; the positions are sliced to fit.
class MaskedImageModel(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        self.config = c = as_config(config)
        self.patch_embed = nn.Linear(c.in_chans * c.patch_size ** 2, c.dim)
        self.mask_token = nn.Parameter(0.02 * torch.randn(c.dim))            # [M]
        self.cls_token = nn.Parameter(0.02 * torch.randn(1, 1, c.dim))
        self.pos_embed = nn.Parameter(0.02 * torch.randn(1, 1 + c.num_patches, c.dim))
        layer = nn.TransformerEncoderLayer(c.dim, c.heads, c.mlp_dim, dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, c.depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(c.dim)
        self.head = nn.Linear(c.dim, c.out_dim)

    def forward(self, images, mask):
        """images (B, C, H, W), mask (B, L) bool with True = hidden -> one prediction per patch (B, L, out_dim)."""
        x = self.patch_embed(patchify(images, self.config.patch_size))
        x = torch.where(mask.unsqueeze(-1), self.mask_token, x)
        x = x + self.pos_embed[:, 1:]
        x = self.norm(self.blocks(x))
        return self.head(x)
