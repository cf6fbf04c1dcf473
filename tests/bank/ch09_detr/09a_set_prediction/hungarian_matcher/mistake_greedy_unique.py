# diagnosis: matches greedily
# Greedy without repeats: the cheapest remaining (prediction, object) pair is taken, again and again.
# Every object gets its own prediction, but the total is not the lowest possible.
class HungarianMatcher(nn.Module):
    def __init__(self, *, w_class=1.0, w_l1=5.0, w_giou=2.0):
        super().__init__()
        self.w_class, self.w_l1, self.w_giou = w_class, w_l1, w_giou

    @torch.no_grad()  # matching chooses pairs; the loss on them is what trains
    def forward(self, outputs, targets):
        """-> [(pred_idx (M_b,), tgt_idx (M_b,)) for each image b], pred_idx sorted."""
        indices = []
        for b, target in enumerate(targets):
            cost = matching_cost(outputs["pred_logits"][b], outputs["pred_boxes"][b], target["labels"],
                                 target["boxes"], w_class=self.w_class, w_l1=self.w_l1, w_giou=self.w_giou).clone()
            pairs = []
            for _ in range(cost.shape[1]):
                flat = int(cost.argmin())
                i, j = divmod(flat, cost.shape[1])
                pairs.append((i, j))
                cost[i, :] = float("inf")
                cost[:, j] = float("inf")
            pairs.sort()
            rows = torch.tensor([i for i, _ in pairs], dtype=torch.long)
            cols = torch.tensor([j for _, j in pairs], dtype=torch.long)
            indices.append((rows, cols))
        return indices
