# Explicit index tensors over the flattened sequence and embedding lookups (module calls, not .weight):
# token k of the video is frame k // N, patch k % N; the temporal rows are multiplied by the flag.
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
        positions = torch.arange(Lt, device=text_ids.device).expand(B, Lt)
        text = self.text_norm(self.word_embeddings(text_ids) + self.text_position(positions))
        text = text + self.token_type(torch.zeros_like(text_ids))
        k = torch.arange(T * N, device=clips.device)
        frame_idx, patch_idx = k // N, k % N
        video = self.patch_proj(clip_patches(clips, self.config.patch_size)).reshape(B, T * N, -1)
        video = video + self.spatial(patch_idx) + self.token_type(torch.ones_like(k))
        video = video + float(self.config.temporal) * self.temporal(frame_idx)
        return torch.cat((text, video), 1)
