# diagnosis: the labels at the chosen positions must be the original (uncorrupted) ids
# visible: fails (labels must be the original ids at the chosen positions)
def mask_tokens(input_ids, special_mask, *, vocab_size, mask_id, first_normal_id, generator, p=0.15,
                split=(0.8, 0.1, 0.1)):
    """input_ids (B, L) long, special_mask (B, L) bool -> corrupted (B, L) long, labels (B, L) long (-100: not chosen)."""
    chosen = (torch.rand(input_ids.shape, generator=generator) < p) & ~special_mask
    u = torch.rand(input_ids.shape, generator=generator)
    corrupted = input_ids.clone()
    corrupted[chosen & (u < split[0])] = mask_id
    to_random = chosen & (u >= split[0]) & (u < split[0] + split[1])
    corrupted[to_random] = torch.randint(first_normal_id, vocab_size, (int(to_random.sum()),), generator=generator)
    labels = corrupted.masked_fill(~chosen, -100)  # the chosen tokens, as the model sees them
    return corrupted, labels
