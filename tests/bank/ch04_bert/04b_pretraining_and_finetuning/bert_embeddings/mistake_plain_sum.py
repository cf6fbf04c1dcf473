# diagnosis: the LayerNorm is missing
# visible: fails (compared with LayerNorm(word + position + segment))
# The three embeddings summed, as in chapter 3's Transformer, with no normalisation.
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
        seq_len = input_ids.shape[1]
        x = self.word_embeddings(input_ids)
        x = x + self.position_embeddings.weight[:seq_len]
        x = x + self.token_type_embeddings(token_type_ids)
        return self.dropout(x)
