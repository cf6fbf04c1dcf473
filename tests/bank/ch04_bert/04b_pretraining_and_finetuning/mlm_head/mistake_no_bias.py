# diagnosis: the output bias is missing
# visible: fails (compared with the formula at one position)
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
        rows = torch.arange(hidden.shape[0])[:, None]
        h = self.LayerNorm(self.act(self.dense(hidden[rows, positions])))
        return self.decoder(h)  # decoder = the word embeddings (bias=False)


def pretraining_loss(mlm_logits, mlm_labels, nsp_logits, nsp_labels):
    """(B, P, V), (B, P) with -100 = no prediction, (B, 2), (B,) -> dict of scalars: total, mlm, nsp."""
    mlm = F.cross_entropy(mlm_logits.reshape(-1, mlm_logits.shape[-1]), mlm_labels.reshape(-1))
    nsp = F.cross_entropy(nsp_logits, nsp_labels)
    return {"total": mlm + nsp, "mlm": mlm, "nsp": nsp}
