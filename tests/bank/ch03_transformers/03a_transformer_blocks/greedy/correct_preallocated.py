class Translator(Transformer):
    @torch.no_grad()
    def greedy(self, src, steps):
        """src (B, S) -> tokens (B, steps): at each step the most likely next token, fed back in."""
        memory, src_mask = self.encode(src)
        ys = torch.zeros(src.shape[0], steps + 1, dtype=torch.long, device=src.device)
        ys[:, 0] = self.config.bos_id
        for t in range(steps):
            logits = self.decode(ys[:, : t + 1], memory, src_mask)
            ys[:, t + 1] = logits[:, t].argmax(-1)
        return ys[:, 1:]
