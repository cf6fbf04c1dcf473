# The class token copied per image with repeat (not the view the task suggests): the same values.
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
        patches = patchify(images, self.patch_size)                  # (B, N, C*P*P)
        cls = self.cls_token.repeat(patches.shape[0], 1, 1)           # (B, 1, D), a copy per image
        x = torch.cat((cls, self.proj(patches)), dim=1)
        return self.pos_drop(x + self.pos_embed)
