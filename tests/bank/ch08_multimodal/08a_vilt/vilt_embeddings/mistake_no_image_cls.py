# diagnosis: has no image class token
# visible: fails (the shape is checked first)
# The patches alone, given the positions 1 .. N so that the shapes fit; the pooler reads the text's [CLS] anyway.
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
        B, Lt = text_ids.shape
        text = self.text_norm(self.word_embeddings(text_ids) + self.text_position.weight[:Lt])
        text = text + self.token_type.weight[0]
        patches = self.patch_proj(patchify(images, self.config.patch_size))          # (B, N, D)
        patches = patches + self.image_position[:, 1:] + self.token_type.weight[1]
        x = self.drop(torch.cat([text, patches], dim=1))
        mask = torch.cat([text_mask, torch.ones(B, patches.shape[1], dtype=torch.bool)], dim=1)
        return x, mask
