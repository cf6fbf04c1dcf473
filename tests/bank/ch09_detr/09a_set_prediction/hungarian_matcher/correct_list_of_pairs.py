# The pairs gathered as Python tuples and sorted explicitly; the cost matrix moved to NumPy once.
class HungarianMatcher(nn.Module):
    def __init__(self, *, w_class=1.0, w_l1=5.0, w_giou=2.0):
        super().__init__()
        self.w_class, self.w_l1, self.w_giou = w_class, w_l1, w_giou

    @torch.no_grad()  # matching chooses pairs; the loss on them is what trains
    def forward(self, outputs, targets):
        """-> [(pred_idx (M_b,), tgt_idx (M_b,)) for each image b], pred_idx sorted."""
        weights = {"w_class": self.w_class, "w_l1": self.w_l1, "w_giou": self.w_giou}
        result = []
        for b in range(len(targets)):
            cost = matching_cost(outputs["pred_logits"][b], outputs["pred_boxes"][b],
                                 targets[b]["labels"], targets[b]["boxes"], **weights)
            pairs = sorted(zip(*linear_sum_assignment(cost.detach().numpy())))
            pred_idx = torch.tensor([int(i) for i, _ in pairs], dtype=torch.int64)
            tgt_idx = torch.tensor([int(j) for _, j in pairs], dtype=torch.int64)
            result.append((pred_idx, tgt_idx))
        return result
