# diagnosis: changes its input input_ids in place
# visible: fails (mask_tokens changed its input in place)
def mask_tokens(input_ids, special_mask, *, vocab_size, mask_id, first_normal_id, generator, p=0.15,
                split=(0.8, 0.1, 0.1)):
    """input_ids (B, L) long, special_mask (B, L) bool -> corrupted (B, L) long, labels (B, L) long (-100: not chosen)."""
    labels = input_ids.clone()
    chosen = (torch.rand(input_ids.shape, generator=generator) < p) & ~special_mask
    labels[~chosen] = -100
    u = torch.rand(input_ids.shape, generator=generator)
    to_random = chosen & (u >= split[0]) & (u < split[0] + split[1])
    random_ids = torch.randint(first_normal_id, vocab_size, input_ids.shape, generator=generator)
    input_ids[chosen & (u < split[0])] = mask_id          # corrupts the caller's tensor
    input_ids[to_random] = random_ids[to_random]
    return input_ids, labels
