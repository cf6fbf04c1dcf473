# diagnosis: the source padding mask is not passed to decode
class Translator(Transformer):
    @torch.no_grad()
    def greedy(self, src, steps):
        """src (B, S) -> tokens (B, steps): at each step the most likely next token, fed back in."""
        memory, _ = self.encode(src)
        everything = torch.ones(src.shape, dtype=torch.bool, device=src.device)
        ys = torch.full((src.shape[0], 1), self.config.bos_id, dtype=torch.long, device=src.device)
        for _ in range(steps):
            next_token = self.decode(ys, memory, everything)[:, -1].argmax(-1, keepdim=True)
            ys = torch.cat([ys, next_token], dim=1)
        return ys[:, 1:]
