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
        # Mask first, by masking each token's position row along with it: random_masking on the
        # patches and their (B, L, D) position rows stacked as one feature axis, then split, so the
        # projection runs on the K visible patches only.  The class token is built by the same linear
        # pieces (F.linear with the module's own weight, an explicit add).
        P, D = self.config.patch_size, self.config.dim
        patches = patchify(images, P)                                   # (B, L, C*P*P)
        B, L, _ = patches.shape
        rows = self.pos_embed[:, 1:].expand(B, -1, -1)                  # (B, L, D)
        if noise is None:
            noise = torch.rand(B, L, device=images.device)
        both, mask, ids_restore = random_masking(torch.cat([patches, rows], dim=-1), mask_ratio, noise)
        kept_patches, kept_rows = both.split([patches.shape[-1], D], dim=-1)
        x = F.linear(kept_patches, self.patch_embed.weight, self.patch_embed.bias) + kept_rows  # (B, K, D)
        x = torch.cat([(self.cls_token + self.pos_embed[:, :1]).expand(B, 1, D), x], dim=1)
        for block in self.blocks:
            x = block(x)
        return self.norm(x), mask, ids_restore
