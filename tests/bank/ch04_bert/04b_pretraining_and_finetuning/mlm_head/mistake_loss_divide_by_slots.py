# diagnosis: the MLM loss is averaged over all P slots, -100 included
# visible: fails (the MLM loss is the mean over the three chosen positions)
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
        h = torch.gather(hidden, 1, positions.unsqueeze(-1).expand(-1, -1, hidden.shape[-1]))
        return self.decoder(self.LayerNorm(self.act(self.dense(h)))) + self.bias


def pretraining_loss(mlm_logits, mlm_labels, nsp_logits, nsp_labels):
    """(B, P, V), (B, P) with -100 = no prediction, (B, 2), (B,) -> dict of scalars: total, mlm, nsp."""
    b, p, v = mlm_logits.shape
    mlm = F.cross_entropy(mlm_logits.view(b * p, v), mlm_labels.view(b * p), reduction="sum") / (b * p)
    nsp = F.cross_entropy(nsp_logits, nsp_labels)
    return {"total": mlm + nsp, "mlm": mlm, "nsp": nsp}
