# diagnosis: averages the box losses image by image
# visible: fails (loss_bbox)
# Each image's box losses divided by its own number of objects, then the images averaged: an object
# alone in its image weighs more than one of three.
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
        B, Q, _ = logits.shape
        target_classes = torch.full((B, Q), self.num_classes, dtype=torch.long)
        loss_bbox, loss_giou = 0.0, 0.0
        for b, ((src, tgt), t) in enumerate(zip(indices, targets)):
            target_classes[b, src] = t["labels"][tgt]
            pred, true = boxes[b, src], t["boxes"][tgt]
            n = max(len(tgt), 1)
            loss_bbox = loss_bbox + (pred - true).abs().sum() / n
            giou = torch.diag(generalized_box_iou(box_cxcywh_to_xyxy(pred), box_cxcywh_to_xyxy(true)))
            loss_giou = loss_giou + (1 - giou).sum() / n
        loss_ce = F.cross_entropy(logits.transpose(1, 2), target_classes, weight=self.empty_weight)
        return {"loss_ce": loss_ce, "loss_bbox": loss_bbox / B, "loss_giou": loss_giou / B}
