# One image at a time: its weighted negative log-likelihoods summed with their weights (PyTorch's
# weighted mean done by hand), its matched boxes' L1 and 1 - GIoU summed, all divided at the end.
class SetCriterion(nn.Module):
    def __init__(self, *, num_classes, eos_coef=0.1):
        super().__init__()
        self.num_classes = num_classes            # C; "no object" is class C, the last of the C + 1 logits
        empty_weight = torch.ones(num_classes + 1)
        empty_weight[-1] = eos_coef               # no-object targets weigh less: most queries have one
        self.register_buffer("empty_weight", empty_weight)

    def forward(self, outputs, targets, indices):
        """-> {"loss_ce", "loss_bbox", "loss_giou"}: scalars, the weights applied by the caller."""
        nll_sum, weight_sum = 0.0, 0.0
        l1_sum, giou_sum, num_boxes = 0.0, 0.0, 0
        for logits, boxes, t, (src, tgt) in zip(outputs["pred_logits"], outputs["pred_boxes"], targets, indices):
            classes = torch.full((logits.shape[0],), self.num_classes, dtype=torch.long)
            classes[src] = t["labels"][tgt]
            log_p = logits.log_softmax(-1)
            w = self.empty_weight[classes]
            nll_sum = nll_sum - (w * log_p[torch.arange(len(classes)), classes]).sum()
            weight_sum = weight_sum + w.sum()
            pred, true = boxes[src], t["boxes"][tgt]
            l1_sum = l1_sum + (pred - true).abs().sum()
            for p, q in zip(box_cxcywh_to_xyxy(pred), box_cxcywh_to_xyxy(true)):
                giou_sum = giou_sum + 1 - generalized_box_iou(p[None], q[None])[0, 0]
            num_boxes += len(t["labels"])
        num_boxes = max(num_boxes, 1)
        loss_bbox = l1_sum / num_boxes + 0 * outputs["pred_boxes"].sum()   # a tensor even without objects
        loss_giou = giou_sum / num_boxes + 0 * outputs["pred_boxes"].sum()
        return {"loss_ce": nll_sum / weight_sum, "loss_bbox": loss_bbox, "loss_giou": loss_giou}
