class Translator(Transformer):
    @torch.no_grad()
    def greedy(self, src, steps):
        """src (B, S) -> tokens (B, steps): at each step the most likely next token, fed back in."""
        memory, src_mask = self.encode(src)
        tokens = [torch.full((src.shape[0],), self.config.bos_id, dtype=torch.long, device=src.device)]
        for _ in range(steps):
            probs = self.decode(torch.stack(tokens, 1), memory, src_mask).softmax(-1)
            tokens.append(probs[:, -1].argmax(-1))
        return torch.stack(tokens[1:], 1)
