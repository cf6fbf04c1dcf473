# diagnosis: flattens the video patch by patch
# visible: fails (frame 2, patch 1: projection + when + where + modality)
# The embeddings are right, but the tokens are gathered location by location (all frames of patch 0,
# then of patch 1 ...), as a time-attention block would group them.
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
        Lt, T = text_ids.shape[1], clips.shape[2]
        text = self.text_norm(self.word_embeddings(text_ids) + self.text_position.weight[:Lt])
        text = text + self.token_type.weight[0]
        video = self.patch_proj(clip_patches(clips, self.config.patch_size))   # (B, T, N, D)
        video = video + self.spatial.weight + self.token_type.weight[1]
        if self.config.temporal:
            video = video + self.temporal.weight[:T, None]
        video = video.transpose(1, 2).reshape(video.shape[0], -1, video.shape[-1])  # (B, N*T, D)
        return torch.cat([text, video], dim=1)
