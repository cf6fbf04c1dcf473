# diagnosis: decoding starts from padding (id 0)
class Translator(Transformer):
    @torch.no_grad()
    def greedy(self, src, steps):
        """src (B, S) -> tokens (B, steps): at each step the most likely next token, fed back in."""
        memory, src_mask = self.encode(src)
        ys = torch.zeros(src.shape[0], 1, dtype=torch.long, device=src.device)
        for _ in range(steps):
            next_token = self.decode(ys, memory, src_mask)[:, -1].argmax(-1, keepdim=True)
            ys = torch.cat([ys, next_token], dim=1)
        return ys[:, 1:]
