# One (T, N, D) table of every (frame, patch) row, built by broadcasting and expanded to the batch,
# the projection as a matmul with the layer's weights, and the sequence written into a preallocated tensor.
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
        D = self.word_embeddings.embedding_dim
        patches = clip_patches(clips, self.config.patch_size)               # (B, T, N, C*P*P)
        T, N = patches.shape[1], patches.shape[2]
        where_when = self.spatial.weight.unsqueeze(0).expand(T, N, D)
        if self.config.temporal:
            where_when = where_when + self.temporal.weight[:T].unsqueeze(1).expand(T, N, D)
        video = patches @ self.patch_proj.weight.T + self.patch_proj.bias + where_when + self.token_type.weight[1]
        out = video.new_empty(B, Lt + T * N, D)
        out[:, :Lt] = (self.text_norm(self.word_embeddings.weight[text_ids] + self.text_position.weight[:Lt])
                       + self.token_type.weight[0])
        out[:, Lt:] = video.reshape(B, T * N, D)
        return out
