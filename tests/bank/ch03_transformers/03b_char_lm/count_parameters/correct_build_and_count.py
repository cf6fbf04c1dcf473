def count_parameters(cfg):
    """cfg: an ArchConfig -> the number of parameters (int)."""
    def linear(n_in, n_out):
        return n_in * n_out + n_out

    d = cfg.d_model
    attention = 4 * linear(d, d)
    ffn = linear(d, cfg.d_ff) + linear(cfg.d_ff, d)
    layer_norm = 2 * d
    total = cfg.vocab_size * d + cfg.n_positions * d + cfg.n_segments * d
    if cfg.kind in ("encoder", "decoder", "encoder-decoder"):
        total += cfg.n_layer * (attention + ffn + 2 * layer_norm)
    if cfg.kind == "encoder-decoder":
        total += cfg.n_layer * (2 * attention + ffn + 3 * layer_norm)
    if cfg.embedding_norm:
        total += layer_norm
    if cfg.final_norm:  # one after each stack
        total += layer_norm * (2 if cfg.kind == "encoder-decoder" else 1)
    if cfg.pooler:
        total += linear(d, d)
    return int(total)
