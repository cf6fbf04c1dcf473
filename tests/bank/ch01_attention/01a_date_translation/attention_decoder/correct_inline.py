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
        # Everything written out with the layers themselves instead of the earlier helpers.
        query = self.W_q(h_prev).unsqueeze(1)  # (B, 1, A)
        keys = self.W_k(enc_outputs)  # (B, S, A)
        scores = torch.tanh(query + keys) @ self.v  # (B, S)
        weights = torch.softmax(scores.masked_fill(~enc_mask, float("-inf")), dim=-1)
        context = torch.einsum("bs,bse->be", weights, enc_outputs)  # (B, E)
        h = self.gru(torch.cat([self.embedding(y_prev), context], dim=-1), h_prev)
        return self.out(torch.cat([h, context], dim=-1)), h, weights
