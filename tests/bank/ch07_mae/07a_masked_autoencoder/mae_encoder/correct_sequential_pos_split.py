class MAEEncoder(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        self.config = c = as_config(config)
        self.patch_embed = nn.Linear(c.in_chans * c.patch_size ** 2, c.dim)
        self.cls_token = nn.Parameter(0.02 * torch.randn(1, 1, c.dim))
        self.register_buffer("pos_embed", position_table(c.grid, c.dim))  # (1, 1+L, D), fixed
        self.blocks = nn.ModuleList([Block(dim=c.dim, heads=c.heads, mlp_dim=c.mlp_dim) for _ in range(c.depth)])
        self.norm = nn.LayerNorm(c.dim)

    def forward(self, images, mask_ratio=0.75, noise=None):
        """images (B, C, H, W) -> latent (B, 1+K, D), mask (B, L) with 1 = removed, ids_restore (B, L)."""
        # The table split into the class row and the patch rows; the blocks run as one nn.Sequential.
        B = images.shape[0]
        cls_pos, patch_pos = self.pos_embed.split([1, self.config.num_patches], dim=1)
        tokens = self.patch_embed(patchify(images, self.config.patch_size)) + patch_pos
        if noise is None:
            noise = torch.rand(B, tokens.shape[1], device=images.device)
        visible, mask, ids_restore = random_masking(tokens, mask_ratio, noise)
        cls = (self.cls_token + cls_pos).repeat(B, 1, 1)
        latent = nn.Sequential(*self.blocks)(torch.cat((cls, visible), dim=1))
        return self.norm(latent), mask, ids_restore
