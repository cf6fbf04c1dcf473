# diagnosis: the word embeddings are scaled by sqrt(H)
# visible: fails (compared with LayerNorm(word + position + segment))
# Chapter 3's recipe for the token embeddings, carried over.
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
        words = self.word_embeddings(input_ids) * math.sqrt(self.word_embeddings.embedding_dim)
        positions = self.position_embeddings(torch.arange(l).expand(b, l))
        x = words + positions + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(x))
