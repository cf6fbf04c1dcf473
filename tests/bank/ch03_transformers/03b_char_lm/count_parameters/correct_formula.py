def count_parameters(cfg):
    """cfg: an ArchConfig -> the number of parameters (int)."""
    d, f, L = cfg.d_model, cfg.d_ff, cfg.n_layer
    per_block = 4 * d * d + 2 * d * f + 9 * d + f   # attention, FFN and two layer norms
    cross = 4 * d * d + 6 * d                      # cross-attention and a third layer norm
    n = L * per_block * (2 if cfg.kind == "encoder-decoder" else 1)
    n += L * cross if cfg.kind == "encoder-decoder" else 0
    n += d * (cfg.vocab_size + cfg.n_positions + cfg.n_segments)
    final_norms = int(cfg.final_norm) * (2 if cfg.kind == "encoder-decoder" else 1)
    n += 2 * d * (int(cfg.embedding_norm) + final_norms) + (d * d + d) * int(cfg.pooler)
    return n
