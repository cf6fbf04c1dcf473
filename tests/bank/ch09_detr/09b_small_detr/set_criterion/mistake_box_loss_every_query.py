# diagnosis: puts a box loss on every query (the unmatched ones against an all-zero box)
# visible: fails (an unmatched prediction gets no box gradient)
# A (B, Q, 4) box target like the class target: the unmatched queries get an all-zero box and are
# pulled towards the corner.
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
        target_boxes = torch.zeros(B, Q, 4)
        for b, ((src, tgt), t) in enumerate(zip(indices, targets)):
            target_classes[b, src] = t["labels"][tgt]
            target_boxes[b, src] = t["boxes"][tgt]
        loss_ce = F.cross_entropy(logits.reshape(B * Q, -1), target_classes.reshape(-1), weight=self.empty_weight)
        num_boxes = max(sum(len(t["labels"]) for t in targets), 1)
        loss_bbox = (boxes - target_boxes).abs().sum() / num_boxes
        giou = torch.diag(generalized_box_iou(box_cxcywh_to_xyxy(boxes.reshape(-1, 4)),
                                              box_cxcywh_to_xyxy(target_boxes.reshape(-1, 4))))
        loss_giou = (1 - giou).sum() / num_boxes
        return {"loss_ce": loss_ce, "loss_bbox": loss_bbox, "loss_giou": loss_giou}
