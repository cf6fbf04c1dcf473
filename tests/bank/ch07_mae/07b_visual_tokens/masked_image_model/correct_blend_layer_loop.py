# An arithmetic blend x * (1 - m) + m * [M] (exact: m is 0 or 1), the class token and its position
# added apart from the patches', the blocks run one layer at a time, and the norm after slicing
# (LayerNorm is per token, so slicing first changes nothing).
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
        P = self.config.patch_size
        tokens = self.patch_embed(patchify(images, P))                       # (B, L, D)
        m = mask[..., None].float()
        tokens = tokens * (1.0 - m) + m * self.mask_token.view(1, 1, -1)
        tokens = tokens + self.pos_embed[:, 1:]
        cls = self.cls_token + self.pos_embed[:, :1]                         # (1, 1, D)
        h = torch.cat([cls.repeat(tokens.size(0), 1, 1), tokens], dim=1)
        for layer in self.blocks.layers:
            h = layer(h)
        return self.head(self.norm(h[:, 1:, :]))
