def mask_tokens(input_ids, special_mask, *, vocab_size, mask_id, first_normal_id, generator, p=0.15,
                split=(0.8, 0.1, 0.1)):
    """input_ids (B, L) long, special_mask (B, L) bool -> corrupted (B, L) long, labels (B, L) long (-100: not chosen)."""
    probability = torch.full(input_ids.shape, float(p)).masked_fill(special_mask, 0.0)
    chosen = torch.bernoulli(probability, generator=generator).bool()
    labels = input_ids.masked_fill(~chosen, -100)
    n = int(chosen.sum())
    corrupted = input_ids.clone()
    if n == 0:
        return corrupted, labels
    # what each chosen token becomes: 0 = [MASK], 1 = random, 2 = unchanged
    kind = torch.multinomial(torch.tensor(split, dtype=torch.float), n, replacement=True, generator=generator)
    fresh = torch.randint(first_normal_id, vocab_size, (n,), generator=generator)
    picked = corrupted[chosen]
    picked = torch.where(kind == 0, torch.tensor(mask_id), torch.where(kind == 1, fresh, picked))
    corrupted[chosen] = picked
    return corrupted, labels
