# Index assignment on a copy (x[mask] = [M]: the hidden rows, picked with the boolean mask), the
# sequence built in a preallocated tensor, and the head as a matmul with its weights.
class MaskedImageModel(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        self.config = c = as_config(config)
        self.patch_embed = nn.Linear(c.in_chans * c.patch_size ** 2, c.dim)
        self.mask_token = nn.Parameter(0.02 * torch.randn(c.dim))            # [M]
        self.cls_token = nn.Parameter(0.02 * torch.randn(1, 1, c.dim))
        self.pos_embed = nn.Parameter(0.02 * torch.randn(1, 1 + c.num_patches, c.dim))
        layer = nn.TransformerEncoderLayer(c.dim, c.heads, c.mlp_dim, dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, c.depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(c.dim)
        self.head = nn.Linear(c.dim, c.out_dim)

    def forward(self, images, mask):
        """images (B, C, H, W), mask (B, L) bool with True = hidden -> one prediction per patch (B, L, out_dim)."""
        B, L = mask.shape
        emb = self.patch_embed(patchify(images, self.config.patch_size)).clone()
        emb[mask] = self.mask_token.to(emb.dtype)
        seq = emb.new_empty(B, 1 + L, emb.shape[-1])
        seq[:, 0] = self.cls_token[0, 0]
        seq[:, 1:] = emb
        seq = self.norm(self.blocks(seq + self.pos_embed))
        return seq[:, 1:] @ self.head.weight.T + self.head.bias
