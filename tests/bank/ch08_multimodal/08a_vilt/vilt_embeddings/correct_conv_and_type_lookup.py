# The patches as a strided convolution with patch_proj's weights (a (C, P, P) kernel per output), the
# types looked up per token with an index tensor, the mask from torch.ones; the same values.
class ViltEmbeddings(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        c = self.config = as_config(config)
        self.word_embeddings = nn.Embedding(c.vocab_size, c.dim)
        self.text_position = nn.Embedding(c.max_text_len, c.dim)
        self.text_norm = nn.LayerNorm(c.dim)
        self.patch_proj = nn.Linear(c.in_chans * c.patch_size ** 2, c.dim)
        self.image_cls = nn.Parameter(0.02 * torch.randn(1, 1, c.dim))
        self.image_position = nn.Parameter(0.02 * torch.randn(1, 1 + c.num_patches, c.dim))
        self.token_type = nn.Embedding(2, c.dim)  # row 0: text, row 1: image
        self.drop = nn.Dropout(c.dropout)

    def forward(self, text_ids, text_mask, images):
        """text_ids (B, Lt), text_mask (B, Lt) bool, images (B, C, H, W) -> x (B, Lt+1+N, D), mask (B, Lt+1+N)."""
        c = self.config
        B, Lt = text_ids.shape
        positions = torch.arange(Lt, device=text_ids.device)
        text = self.text_norm(self.word_embeddings(text_ids) + self.text_position(positions)[None])
        text = text + self.token_type(torch.zeros_like(text_ids))
        kernel = self.patch_proj.weight.view(c.dim, c.in_chans, c.patch_size, c.patch_size)
        grid = F.conv2d(images, kernel, self.patch_proj.bias, stride=c.patch_size)   # (B, D, H/P, W/P)
        patches = grid.flatten(2).transpose(1, 2)                                    # (B, N, D), row by row
        image = torch.cat([self.image_cls.repeat(B, 1, 1), patches], dim=1) + self.image_position
        kinds = torch.ones(B, image.shape[1], dtype=torch.long, device=images.device)
        image = image + self.token_type(kinds)
        image_mask = torch.ones(B, image.shape[1], dtype=torch.bool, device=text_mask.device)
        mask = torch.cat([text_mask.bool(), image_mask], 1)
        return self.drop(torch.cat([text, image], dim=1)), mask
