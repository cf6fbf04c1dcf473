# The sequence assembled first and the modality types added in one go from a (T,) index of types;
# LayerNorm and dropout written with torch.nn.functional on the module's own parameters.
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
        D = self.config.dim
        words = self.word_embeddings.weight[text_ids] + self.text_position.weight[:Lt]
        text = F.layer_norm(words, (D,), self.text_norm.weight, self.text_norm.bias, self.text_norm.eps)
        patches = patchify(images, self.config.patch_size) @ self.patch_proj.weight.T + self.patch_proj.bias
        image = torch.cat([self.image_cls.expand(B, 1, D), patches], dim=1) + self.image_position
        n_image = image.shape[1]
        types = torch.cat([torch.zeros(Lt, dtype=torch.long), torch.ones(n_image, dtype=torch.long)])
        x = torch.cat([text, image], dim=1) + self.token_type.weight[types.to(text.device)]
        x = F.dropout(x, p=self.drop.p, training=self.training)
        mask = F.pad(text_mask, (0, n_image), value=True)
        return x, mask
