# The batch flattened to B*Q rows, F.nll_loss on log_softmax with the class weights; the matched
# pairs gathered with flat indices b * Q + q.
class SetCriterion(nn.Module):
    def __init__(self, *, num_classes, eos_coef=0.1):
        super().__init__()
        self.num_classes = num_classes            # C; "no object" is class C, the last of the C + 1 logits
        empty_weight = torch.ones(num_classes + 1)
        empty_weight[-1] = eos_coef               # no-object targets weigh less: most queries have one
        self.register_buffer("empty_weight", empty_weight)

    def forward(self, outputs, targets, indices):
        """-> {"loss_ce", "loss_bbox", "loss_giou"}: scalars, the weights applied by the caller."""
        B, Q, K = outputs["pred_logits"].shape
        flat = torch.cat([b * Q + src for b, (src, _) in enumerate(indices)]).long()
        labels = torch.cat([t["labels"][tgt] for t, (_, tgt) in zip(targets, indices)]).long()
        true = torch.cat([t["boxes"][tgt] for t, (_, tgt) in zip(targets, indices)]).reshape(-1, 4)
        classes = torch.full((B * Q,), K - 1, dtype=torch.long).index_put((flat,), labels)
        loss_ce = F.nll_loss(F.log_softmax(outputs["pred_logits"].reshape(B * Q, K), dim=1), classes,
                             weight=self.empty_weight)
        pred = outputs["pred_boxes"].reshape(B * Q, 4).index_select(0, flat)
        n = torch.tensor(float(len(labels))).clamp(min=1)
        loss_bbox = torch.sum(torch.abs(pred - true)) / n
        giou = generalized_box_iou(box_cxcywh_to_xyxy(pred), box_cxcywh_to_xyxy(true)).diagonal()
        loss_giou = torch.sum(1 - giou) / n
        return {"loss_ce": loss_ce, "loss_bbox": loss_bbox, "loss_giou": loss_giou}
