# diagnosis: computes the cross-entropy on the matched queries only
# visible: fails (loss_ce)
# Classification read as "the matched predictions should give their object's class": the unmatched
# queries are never taught to say "no object".
class SetCriterion(nn.Module):
    def __init__(self, *, num_classes, eos_coef=0.1):
        super().__init__()
        self.num_classes = num_classes            # C; "no object" is class C, the last of the C + 1 logits
        empty_weight = torch.ones(num_classes + 1)
        empty_weight[-1] = eos_coef               # no-object targets weigh less: most queries have one
        self.register_buffer("empty_weight", empty_weight)

    def forward(self, outputs, targets, indices):
        """-> {"loss_ce", "loss_bbox", "loss_giou"}: scalars, the weights applied by the caller."""
        logits, boxes = outputs["pred_logits"], outputs["pred_boxes"]
        batch_idx = torch.cat([torch.full_like(src, b) for b, (src, _) in enumerate(indices)])
        pred_idx = torch.cat([src for src, _ in indices])
        labels = torch.cat([t["labels"][tgt] for t, (_, tgt) in zip(targets, indices)])
        loss_ce = F.cross_entropy(logits[batch_idx, pred_idx], labels, weight=self.empty_weight)
        num_boxes = max(len(labels), 1)
        src_boxes = boxes[batch_idx, pred_idx]
        tgt_boxes = torch.cat([t["boxes"][tgt] for t, (_, tgt) in zip(targets, indices)])
        loss_bbox = (src_boxes - tgt_boxes).abs().sum() / num_boxes
        giou = torch.diag(generalized_box_iou(box_cxcywh_to_xyxy(src_boxes), box_cxcywh_to_xyxy(tgt_boxes)))
        loss_giou = (1 - giou).sum() / num_boxes
        return {"loss_ce": loss_ce, "loss_bbox": loss_bbox, "loss_giou": loss_giou}
