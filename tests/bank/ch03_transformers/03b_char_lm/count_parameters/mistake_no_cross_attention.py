# diagnosis: the decoder blocks of an encoder-decoder have a cross-attention
def count_parameters(cfg):
    """cfg: an ArchConfig -> the number of parameters (int)."""
    d, f = cfg.d_model, cfg.d_ff
    attention = 4 * d * d + 4 * d
    ffn = d * f + f + f * d + d
    norm = 2 * d
    encoder_block = attention + ffn + 2 * norm
    decoder_block = encoder_block
    blocks = {"encoder": cfg.n_layer * encoder_block,
              "decoder": cfg.n_layer * encoder_block,
              "encoder-decoder": cfg.n_layer * (encoder_block + decoder_block)}[cfg.kind]
    embeddings = (cfg.vocab_size + cfg.n_positions + cfg.n_segments) * d
    extras = norm * cfg.embedding_norm + norm * cfg.final_norm + (d * d + d) * cfg.pooler
    return embeddings + blocks + extras
