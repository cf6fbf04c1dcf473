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
        batch = torch.arange(hidden.size(0), device=hidden.device).unsqueeze(1)  # (B, 1) broadcasts with (B, P)
        h = hidden[batch, positions]                                            # (B, P, H)
        h = self.LayerNorm(F.gelu(F.linear(h, self.dense.weight, self.dense.bias)))
        return h @ self.decoder.weight.T + self.bias


def pretraining_loss(mlm_logits, mlm_labels, nsp_logits, nsp_labels):
    """(B, P, V), (B, P) with -100 = no prediction, (B, 2), (B,) -> dict of scalars: total, mlm, nsp."""
    chosen = mlm_labels != -100
    log_p = mlm_logits.log_softmax(-1)
    picked = log_p.gather(-1, mlm_labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)   # (B, P); junk at -100
    mlm = -(picked * chosen).sum() / chosen.sum()
    nsp = -nsp_logits.log_softmax(-1)[torch.arange(len(nsp_labels)), nsp_labels].mean()
    return {"total": mlm + nsp, "mlm": mlm, "nsp": nsp}
