class BertEmbeddings(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        cfg = as_config(config)
        self.word_embeddings = nn.Embedding(cfg.vocab_size, cfg.hidden)
        self.position_embeddings = nn.Embedding(cfg.max_position, cfg.hidden)
        self.token_type_embeddings = nn.Embedding(cfg.type_vocab_size, cfg.hidden)
        self.LayerNorm = nn.LayerNorm(cfg.hidden, eps=1e-12)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, input_ids, token_type_ids):
        """input_ids, token_type_ids (B, L) long -> (B, L, H)."""
        b, l = input_ids.shape
        h = self.word_embeddings.weight.shape[1]
        words = self.word_embeddings.weight.index_select(0, input_ids.reshape(-1)).view(b, l, h)
        segments = self.token_type_embeddings.weight.index_select(0, token_type_ids.reshape(-1)).view(b, l, h)
        positions = self.position_embeddings.weight[:l]          # rows 0 .. L-1, broadcast over the batch
        return self.dropout(self.LayerNorm(words + segments + positions))
