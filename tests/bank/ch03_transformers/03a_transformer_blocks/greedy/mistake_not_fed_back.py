# diagnosis: every step predicts from the <bos> position only
class Translator(Transformer):
    @torch.no_grad()
    def greedy(self, src, steps):
        """src (B, S) -> tokens (B, steps): at each step the most likely next token, fed back in."""
        memory, src_mask = self.encode(src)
        start = torch.full((src.shape[0], 1), self.config.bos_id, dtype=torch.long, device=src.device)
        tokens = []
        for _ in range(steps):
            tokens.append(self.decode(start, memory, src_mask)[:, -1].argmax(-1))
        return torch.stack(tokens, 1)
