# diagnosis: none
def count_parameters(cfg):
    """cfg: an ArchConfig -> the number of parameters (int)."""
    d, f = cfg.d_model, cfg.d_ff
    block = 4 * d * d + 4 * d + 2 * d * f + f + d + 4 * d
    n = cfg.n_layer * block * (2.5 if cfg.kind == "encoder-decoder" else 1)   # "a decoder block is about 1.5 encoder blocks"
    n += 2 * d * (cfg.embedding_norm + cfg.final_norm * (2 if cfg.kind == "encoder-decoder" else 1)) + (d * d + d) * cfg.pooler
    return int(n + (cfg.vocab_size + cfg.n_positions + cfg.n_segments) * d)
