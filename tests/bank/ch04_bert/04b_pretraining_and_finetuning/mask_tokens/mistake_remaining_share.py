# diagnosis: replaces split[1] of the tokens *left after masking* by random ones
# visible: fails (about 10% of the chosen tokens stay unchanged: here 18%)
# Hugging Face's collator, with its 0.8 and 0.5 replaced by split[0] and split[1]: but its 0.5 is a
# share of the tokens left after masking (0.5 of 20% = 10%), so split[1] there gives 10% of 20% = 2%.
def mask_tokens(input_ids, special_mask, *, vocab_size, mask_id, first_normal_id, generator, p=0.15,
                split=(0.8, 0.1, 0.1)):
    """input_ids (B, L) long, special_mask (B, L) bool -> corrupted (B, L) long, labels (B, L) long (-100: not chosen)."""
    labels = input_ids.clone()
    probability = torch.full(input_ids.shape, p)
    probability.masked_fill_(special_mask, 0.0)
    chosen = torch.bernoulli(probability, generator=generator).bool()
    labels[~chosen] = -100
    corrupted = input_ids.clone()
    replaced = torch.bernoulli(torch.full(input_ids.shape, split[0]), generator=generator).bool() & chosen
    corrupted[replaced] = mask_id
    randomised = torch.bernoulli(torch.full(input_ids.shape, split[1]), generator=generator).bool() & chosen & ~replaced
    random_words = torch.randint(first_normal_id, vocab_size, input_ids.shape, generator=generator)
    corrupted[randomised] = random_words[randomised]
    return corrupted, labels
