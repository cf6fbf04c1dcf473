# diagnosis: adds no position embedding to the class token
# visible: fails (token 0 = class token + its position)
# The positions are added to the patches only, as if pos_embed[:, 0] were not a position.
class PatchEmbedding(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        c = as_config(config)
        self.patch_size = c.patch_size
        self.proj = nn.Linear(c.in_chans * c.patch_size ** 2, c.dim)        # E
        self.cls_token = nn.Parameter(torch.zeros(1, 1, c.dim))              # x_class
        self.pos_embed = nn.Parameter(0.02 * torch.randn(1, c.num_patches + 1, c.dim))  # E_pos, timm's init scale
        self.pos_drop = nn.Dropout(c.dropout)

    def forward(self, images):
        """images (B, C, H, W) -> tokens (B, N+1, D), the class token first."""
        tokens = self.proj(patchify(images, self.patch_size)) + self.pos_embed[:, 1:]  # (B, N, D)
        cls = self.cls_token.expand(tokens.shape[0], -1, -1)
        return self.pos_drop(torch.cat([cls, tokens], dim=1))
