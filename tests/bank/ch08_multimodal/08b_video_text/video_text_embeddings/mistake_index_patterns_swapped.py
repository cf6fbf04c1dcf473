# diagnosis: builds the frame and patch indices of the flattened video the wrong way round
# visible: fails (frame 2, patch 1: projection + when + where + modality)
# Index tensors over the flattened sequence, with repeat and repeat_interleave mixed up: the frame
# index cycles 0..T-1 and the patch index is repeated T times, where it should be the other way round.
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
        B, Lt = text_ids.shape
        T, N = clips.shape[2], self.config.num_patches
        text = self.text_norm(self.word_embeddings(text_ids) + self.text_position(torch.arange(Lt)))
        text = text + self.token_type(torch.zeros_like(text_ids))
        video = self.patch_proj(clip_patches(clips, self.config.patch_size)).flatten(1, 2)  # (B, T*N, D)
        frame_idx = torch.arange(T).repeat(N)             # meant: frame of each token
        patch_idx = torch.arange(N).repeat_interleave(T)  # meant: patch of each token
        video = video + self.spatial(patch_idx) + self.token_type(torch.ones(T * N, dtype=torch.long))
        if self.config.temporal:
            video = video + self.temporal(frame_idx)
        return torch.cat([text, video], dim=1)
