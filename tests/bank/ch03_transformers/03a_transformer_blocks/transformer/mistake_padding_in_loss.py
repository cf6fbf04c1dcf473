# diagnosis: padding counts in the loss
class Transformer(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        cfg = self.config = as_config(config)
        self.src_embed = nn.Embedding(cfg.src_vocab_size, cfg.d_model)
        self.tgt_embed = nn.Embedding(cfg.tgt_vocab_size, cfg.d_model)
        self.register_buffer("pos", sinusoidal_positions(cfg.max_len, cfg.d_model), persistent=False)
        self.drop = nn.Dropout(cfg.dropout)
        self.encoder = nn.ModuleList([EncoderBlock(config=cfg) for _ in range(cfg.n_layer)])
        self.decoder = nn.ModuleList([DecoderBlock(config=cfg) for _ in range(cfg.n_layer)])
        self.enc_norm = LayerNorm(dim=cfg.d_model) if cfg.norm_first else nn.Identity()
        self.dec_norm = LayerNorm(dim=cfg.d_model) if cfg.norm_first else nn.Identity()
        self.lm_head = nn.Linear(cfg.d_model, cfg.tgt_vocab_size)
        for table in (self.src_embed, self.tgt_embed):  # std 1/sqrt(d): after the sqrt(d) scaling, unit size like the positions
            nn.init.normal_(table.weight, std=cfg.d_model ** -0.5)

    def embed(self, table, ids):
        """table: an nn.Embedding, ids (B, T) -> (B, T, C): scaled token embeddings plus positions."""
        T = ids.shape[1]
        return self.drop(table(ids) * math.sqrt(self.config.d_model) + self.pos[:T])

    def encode(self, src):
        """src (B, S) ids, pad_id = padding -> memory (B, S, C), src_mask (B, S) bool (True = real token)."""
        src_mask = src != self.config.pad_id
        x = self.embed(self.src_embed, src)
        for block in self.encoder:
            x = block(x, src_mask)
        return self.enc_norm(x), src_mask

    def decode(self, tgt_in, memory, src_mask):
        """tgt_in (B, T) ids starting with <bos> -> logits (B, T, V) for the next token at every position."""
        y = self.embed(self.tgt_embed, tgt_in)
        for block in self.decoder:
            y = block(y, memory, src_mask)
        return self.lm_head(self.dec_norm(y))

    def forward(self, src, tgt):
        """Teacher forcing.  src (B, S); tgt (B, L) = <bos> y_1 ... <eos> <pad> ... -> logits (B, L-1, V), loss."""
        memory, src_mask = self.encode(src)
        logits = self.decode(tgt[:, :-1], memory, src_mask)
        loss = F.cross_entropy(logits.flatten(0, 1), tgt[:, 1:].flatten())
        return logits, loss
