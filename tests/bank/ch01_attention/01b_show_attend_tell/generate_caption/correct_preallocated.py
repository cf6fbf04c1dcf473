class Captioner(nn.Module):
    PAD, BOS, EOS = vocab.pad_id, vocab.bos_id, vocab.eos_id  # 0, 1, 2 in every course vocabulary

    def __init__(self, *, vocab_size, feature_dim, embed_dim, hidden_dim, attn_dim):
        super().__init__()
        self.encoder = ConvEncoder(feature_dim=feature_dim)
        self.init_h = nn.Linear(feature_dim, hidden_dim)
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.attention = SpatialAttention(feature_dim=feature_dim, hidden_dim=hidden_dim, attn_dim=attn_dim)
        self.gru = nn.GRUCell(embed_dim + feature_dim, hidden_dim)
        self.out = nn.Linear(hidden_dim + feature_dim, vocab_size)

    def init_state(self, features):
        """features (B, N, C) -> the first decoder state (B, H), from the mean feature."""
        return torch.tanh(self.init_h(features.mean(1)))

    def step(self, token, hidden, features):
        """token (B,) ids, hidden (B, H), features (B, N, C) -> logits (B, V), hidden (B, H), weights (B, N)."""
        context, weights = self.attention(features, hidden)  # where to look, given what was said so far
        hidden = self.gru(torch.cat([self.embedding(token), context], -1), hidden)
        return self.out(torch.cat([hidden, context], -1)), hidden, weights

    def forward(self, images, captions):
        """Teacher forcing: captions (B, L) start with <bos>; returns logits (B, L-1, V) and the loss."""
        features = self.encoder(images)
        hidden = self.init_state(features)
        logits = []
        for t in range(captions.shape[1] - 1):
            step_logits, hidden, _ = self.step(captions[:, t], hidden, features)
            logits.append(step_logits)
        logits = torch.stack(logits, 1)
        loss = F.cross_entropy(logits.flatten(0, 1), captions[:, 1:].flatten(), ignore_index=self.PAD)
        return logits, loss

    @torch.no_grad()
    def generate(self, images, max_len):
        """Greedy decoding: images (B, 3, S, S) -> tokens (B, max_len) long, weights (B, max_len, N)."""
        features = self.encoder(images)  # (B, N, C)
        B, N, _ = features.shape
        hidden = self.init_state(features)
        tokens = torch.full((B, max_len), self.PAD, dtype=torch.long, device=images.device)
        weights = features.new_zeros(B, max_len, N)
        previous = torch.full((B,), self.BOS, dtype=torch.long, device=images.device)
        for t in range(max_len):
            logits, hidden, weights[:, t] = self.step(previous, hidden, features)
            tokens[:, t] = previous = logits.argmax(dim=-1)
        for row in tokens:  # rows are few and short: a plain loop is clear enough
            ends = (row == self.EOS).nonzero()
            if len(ends):
                row[ends[0, 0] + 1:] = self.PAD
        return tokens, weights
