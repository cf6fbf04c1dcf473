# diagnosis: holds prediction indices outside 0 .. Q-1
# visible: fails
# The batch flattened as DETR's code does, but then solved as one assignment over the whole (B*Q, sum M_b)
# matrix and split by object afterwards: an image's objects may take another image's predictions.
class HungarianMatcher(nn.Module):
    def __init__(self, *, w_class=1.0, w_l1=5.0, w_giou=2.0):
        super().__init__()
        self.w_class, self.w_l1, self.w_giou = w_class, w_l1, w_giou

    @torch.no_grad()  # matching chooses pairs; the loss on them is what trains
    def forward(self, outputs, targets):
        """-> [(pred_idx (M_b,), tgt_idx (M_b,)) for each image b], pred_idx sorted."""
        logits = outputs["pred_logits"].flatten(0, 1)              # (B*Q, C+1)
        boxes = outputs["pred_boxes"].flatten(0, 1)                # (B*Q, 4)
        labels = torch.cat([t["labels"] for t in targets])
        tgt_boxes = torch.cat([t["boxes"] for t in targets])
        cost = matching_cost(logits, boxes, labels, tgt_boxes,
                             w_class=self.w_class, w_l1=self.w_l1, w_giou=self.w_giou)  # (B*Q, sum M_b)
        rows, cols = linear_sum_assignment(cost.cpu().numpy())
        rows, cols = torch.as_tensor(rows), torch.as_tensor(cols)
        indices, start = [], 0
        for t in targets:
            m = len(t["labels"])
            mine = (cols >= start) & (cols < start + m)            # the pairs of this image's objects
            indices.append((rows[mine], cols[mine] - start))
            start += m
        return indices
