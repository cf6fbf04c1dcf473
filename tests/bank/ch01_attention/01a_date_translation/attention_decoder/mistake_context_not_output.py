# diagnosis: the context vector is not passed to the output layer
class AttentionDecoder(nn.Module):
    def __init__(self, *, vocab_size, embed_dim, hidden_dim, enc_dim, attn_dim):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.W_q = nn.Linear(hidden_dim, attn_dim, bias=False)
        self.W_k = nn.Linear(enc_dim, attn_dim, bias=False)
        self.v = nn.Parameter(torch.randn(attn_dim) / math.sqrt(attn_dim))
        self.gru = nn.GRUCell(embed_dim + enc_dim, hidden_dim)
        self.out = nn.Linear(hidden_dim + enc_dim, vocab_size)

    def step(self, y_prev, h_prev, enc_outputs, enc_mask):
        """y_prev (B,) ids, h_prev (B, H), enc_outputs (B, S, E), enc_mask (B, S)
        -> logits (B, V), h (B, H), weights (B, S)."""
        scores = additive_score(h_prev, enc_outputs, self.W_q.weight, self.W_k.weight, self.v)
        context, weights = attention_pool(scores, enc_outputs, enc_mask)
        h = self.gru(torch.cat([self.embedding(y_prev), context], -1), h_prev)
        logits = self.out(torch.cat([h, torch.zeros_like(context)], -1))  # only the state predicts
        return logits, h, weights
