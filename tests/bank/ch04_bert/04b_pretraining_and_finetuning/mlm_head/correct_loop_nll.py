class MLMHead(nn.Module):
    def __init__(self, *, config, word_embeddings):
        super().__init__()
        cfg = as_config(config)
        self.dense = nn.Linear(cfg.hidden, cfg.hidden)
        self.act = nn.GELU()
        self.LayerNorm = nn.LayerNorm(cfg.hidden, eps=1e-12)
        self.decoder = nn.Linear(cfg.hidden, cfg.vocab_size, bias=False)
        self.decoder.weight = word_embeddings.weight  # tied: one (V, H) Parameter for input and output
        self.bias = nn.Parameter(torch.zeros(cfg.vocab_size))

    def forward(self, hidden, positions):
        """hidden (B, L, H), positions (B, P) long -> logits (B, P, V) at the chosen positions only."""
        picked = torch.stack([seq.index_select(0, pos) for seq, pos in zip(hidden, positions)])  # (B, P, H)
        transformed = self.LayerNorm(self.act(self.dense(picked)))
        return F.linear(transformed, self.decoder.weight, self.bias)


def pretraining_loss(mlm_logits, mlm_labels, nsp_logits, nsp_labels):
    """(B, P, V), (B, P) with -100 = no prediction, (B, 2), (B,) -> dict of scalars: total, mlm, nsp."""
    keep = mlm_labels.reshape(-1) != -100
    logits = mlm_logits.reshape(-1, mlm_logits.size(-1))[keep]
    mlm = F.nll_loss(F.log_softmax(logits, dim=-1), mlm_labels.reshape(-1)[keep])
    nsp = F.cross_entropy(nsp_logits, nsp_labels, reduction="mean")
    return dict(mlm=mlm, nsp=nsp, total=mlm + nsp)
