# diagnosis: the LayerNorm is applied to the word embeddings only, before the sum
# visible: fails (compared with LayerNorm(word + position + segment))
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
        words = self.LayerNorm(self.word_embeddings(input_ids))  # normalise the token vectors, then add
        positions = self.position_embeddings(torch.arange(input_ids.shape[1]))
        return self.dropout(words + positions + self.token_type_embeddings(token_type_ids))
