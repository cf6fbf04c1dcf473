# A loop over the frames: each frame's N tokens built on their own, then everything concatenated
# along the sequence; the text's LayerNorm written out with F.layer_norm and the module's weights.
class VideoTextEmbeddings(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        c = self.config = as_config(config)
        self.word_embeddings = nn.Embedding(c.vocab_size, c.dim)
        self.text_position = nn.Embedding(c.text_len, c.dim)
        self.text_norm = nn.LayerNorm(c.dim)
        self.patch_proj = nn.Linear(c.in_chans * c.patch_size ** 2, c.dim)
        self.temporal = nn.Embedding(c.frames, c.dim)     # when: one row per frame index
        self.spatial = nn.Embedding(c.num_patches, c.dim)  # where: one row per patch index
        self.token_type = nn.Embedding(2, c.dim)           # row 0: text, row 1: video

    def forward(self, text_ids, clips):
        """text_ids (B, Lt), clips (B, C, T, H, W) -> tokens (B, Lt + T*N, D): the words, then the frames in order."""
        Lt = text_ids.shape[1]
        ln = self.text_norm
        words = self.word_embeddings(text_ids) + self.text_position.weight[:Lt].unsqueeze(0)
        pieces = [F.layer_norm(words, ln.normalized_shape, ln.weight, ln.bias, ln.eps) + self.token_type.weight[0]]
        patches = clip_patches(clips, self.config.patch_size)  # (B, T, N, C*P*P)
        for t in range(patches.shape[1]):
            frame = self.patch_proj(patches[:, t]) + self.spatial.weight + self.token_type.weight[1]  # (B, N, D)
            if self.config.temporal:
                frame = frame + self.temporal.weight[t]
            pieces.append(frame)
        return torch.cat(pieces, dim=1)
