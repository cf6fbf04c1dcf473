# diagnosis: leaves out the class token
# visible: fails (against FlopCounterMode)
# The patches only: N tokens per frame, T*N in the joint sequence.
def attention_flops(variant, *, T, N, D):
    """FLOPs of Q K^T and A V in one block: 2 L L' D per product, summed over the sequences."""
    qk_and_av = lambda seqs, L: seqs * 2 * 2 * L * L * D
    counts = {"space": qk_and_av(T, N), "joint": qk_and_av(1, T * N),
              "divided": qk_and_av(N, T) + qk_and_av(T, N)}
    return counts[variant]
