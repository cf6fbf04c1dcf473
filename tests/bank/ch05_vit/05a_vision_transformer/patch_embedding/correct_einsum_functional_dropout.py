# The projection by hand, the positions added to the class token and to the patches separately,
# and dropout through the functional form with the module's own rate and mode.
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
        patches = patchify(images, self.patch_size)
        x = torch.einsum("bnk,dk->bnd", patches, self.proj.weight) + self.proj.bias
        pos = self.pos_embed[0]                                       # (N+1, D)
        cls = (self.cls_token[0] + pos[:1]).expand(x.shape[0], 1, -1)  # (B, 1, D)
        x = torch.cat([cls, x + pos[1:]], dim=1)
        return F.dropout(x, p=self.pos_drop.p, training=self.training)
