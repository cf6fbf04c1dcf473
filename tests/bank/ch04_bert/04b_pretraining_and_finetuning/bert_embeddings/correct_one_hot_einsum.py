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
        def lookup(table, ids):  # a one-hot row picks a row of the table
            return torch.einsum("blv,vh->blh", F.one_hot(ids, table.num_embeddings).to(table.weight.dtype), table.weight)

        l = input_ids.shape[1]
        positions = torch.arange(l).unsqueeze(0).expand_as(input_ids)
        x = (lookup(self.word_embeddings, input_ids) + lookup(self.position_embeddings, positions)
             + lookup(self.token_type_embeddings, token_type_ids))
        x = F.layer_norm(x, x.shape[-1:], self.LayerNorm.weight, self.LayerNorm.bias, self.LayerNorm.eps)
        return self.dropout(x)
