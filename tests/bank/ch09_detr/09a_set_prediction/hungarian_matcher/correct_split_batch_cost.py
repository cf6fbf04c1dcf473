# DETR's own layout: one cost matrix for the whole batch, (B, Q, sum M_b), split by image along the objects;
# each image's block solved on its own, transposed so that SciPy walks the objects, then sorted by prediction.
class HungarianMatcher(nn.Module):
    def __init__(self, *, w_class=1.0, w_l1=5.0, w_giou=2.0):
        super().__init__()
        self.w_class, self.w_l1, self.w_giou = w_class, w_l1, w_giou

    @torch.no_grad()  # matching chooses pairs; the loss on them is what trains
    def forward(self, outputs, targets):
        """-> [(pred_idx (M_b,), tgt_idx (M_b,)) for each image b], pred_idx sorted."""
        batch, queries = outputs["pred_logits"].shape[:2]
        labels = torch.cat([t["labels"] for t in targets])
        tgt_boxes = torch.cat([t["boxes"] for t in targets])
        cost = matching_cost(outputs["pred_logits"].flatten(0, 1), outputs["pred_boxes"].flatten(0, 1), labels,
                             tgt_boxes, w_class=self.w_class, w_l1=self.w_l1, w_giou=self.w_giou)
        cost = cost.view(batch, queries, -1).cpu()
        sizes = [len(t["boxes"]) for t in targets]
        indices = []
        for b, block in enumerate(cost.split(sizes, dim=-1)):
            objects, preds = linear_sum_assignment(block[b].T.numpy())   # (M_b, Q): row j is object j
            order = preds.argsort()
            indices.append((torch.from_numpy(preds[order]).long(), torch.from_numpy(objects[order]).long()))
        return indices
