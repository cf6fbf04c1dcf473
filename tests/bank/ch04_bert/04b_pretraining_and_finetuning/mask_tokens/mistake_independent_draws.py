# diagnosis: replaces split[1] of the tokens *left after masking* by random ones
# visible: fails (about 10% of the chosen tokens stay unchanged: here 18%)
# Two independent coins, split[0] for [MASK] and split[1] for a random token; where both come up,
# [MASK] wins, so only split[1] of the tokens left after masking become random.
def mask_tokens(input_ids, special_mask, *, vocab_size, mask_id, first_normal_id, generator, p=0.15,
                split=(0.8, 0.1, 0.1)):
    """input_ids (B, L) long, special_mask (B, L) bool -> corrupted (B, L) long, labels (B, L) long (-100: not chosen)."""
    shape = input_ids.shape
    chosen = (torch.rand(shape, generator=generator) < p) & ~special_mask
    to_mask = chosen & (torch.rand(shape, generator=generator) < split[0])
    to_random = chosen & (torch.rand(shape, generator=generator) < split[1])
    corrupted = input_ids.clone()
    corrupted[to_random] = torch.randint(first_normal_id, vocab_size, (int(to_random.sum()),), generator=generator)
    corrupted[to_mask] = mask_id
    labels = input_ids.masked_fill(~chosen, -100)
    return corrupted, labels
