# diagnosis: the share of chosen tokens is p of all positions
# visible: fails (about 0.15 of the normal tokens are chosen)
# round(p * L) positions per sequence, drawn among its normal tokens: L counts the specials and padding.
def mask_tokens(input_ids, special_mask, *, vocab_size, mask_id, first_normal_id, generator, p=0.15,
                split=(0.8, 0.1, 0.1)):
    """input_ids (B, L) long, special_mask (B, L) bool -> corrupted (B, L) long, labels (B, L) long (-100: not chosen)."""
    b, l = input_ids.shape
    k = round(p * l)
    scores = torch.rand(b, l, generator=generator).masked_fill(special_mask, 2.0)  # specials sort last
    picked = scores.argsort(dim=1)[:, :k]
    chosen = torch.zeros(b, l, dtype=torch.bool).scatter(1, picked, True) & ~special_mask
    labels = torch.where(chosen, input_ids, -100)
    u = torch.rand(b, l, generator=generator)
    corrupted = input_ids.clone()
    corrupted[chosen & (u < split[0])] = mask_id
    to_random = chosen & (u >= split[0]) & (u < split[0] + split[1])
    corrupted[to_random] = torch.randint(first_normal_id, vocab_size, (int(to_random.sum()),), generator=generator)
    return corrupted, labels
