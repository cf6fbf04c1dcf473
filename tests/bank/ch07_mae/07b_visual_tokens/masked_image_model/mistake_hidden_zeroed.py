# diagnosis: zeroes the hidden patches' embeddings
# Hidden = zero, as in a dropout mask: no pixel leaks, but the learned [M] token is never used.
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
        x = x.masked_fill(mask[..., None], 0.0)                        # hide the patches
        cls = self.cls_token.expand(len(x), -1, -1)
        x = torch.cat((cls, x), dim=1) + self.pos_embed
        return self.head(self.norm(self.blocks(x))[:, 1:])
