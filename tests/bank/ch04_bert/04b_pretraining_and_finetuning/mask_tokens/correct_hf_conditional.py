def mask_tokens(input_ids, special_mask, *, vocab_size, mask_id, first_normal_id, generator, p=0.15,
                split=(0.8, 0.1, 0.1)):
    """input_ids (B, L) long, special_mask (B, L) bool -> corrupted (B, L) long, labels (B, L) long (-100: not chosen)."""
    # Hugging Face's collator: [MASK] with split[0]; of the rest, random with split[1] / (split[1] + split[2])
    shape = input_ids.shape
    labels = input_ids.clone()
    chosen = torch.bernoulli(torch.full(shape, p), generator=generator).bool() & ~special_mask
    labels[~chosen] = -100
    corrupted = input_ids.clone()
    replaced = torch.bernoulli(torch.full(shape, float(split[0])), generator=generator).bool() & chosen
    corrupted[replaced] = mask_id
    rest = split[1] + split[2]
    share = split[1] / rest if rest > 0 else 0.0
    randomised = torch.bernoulli(torch.full(shape, share), generator=generator).bool() & chosen & ~replaced
    corrupted[randomised] = torch.randint(first_normal_id, vocab_size, shape, generator=generator)[randomised]
    return corrupted, labels
