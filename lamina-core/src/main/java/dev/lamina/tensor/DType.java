package dev.lamina.tensor;

/**
 * The element type of a {@link Tensor}: what its storage array holds.
 *
 * <ul>
 *   <li>{@link #F32}: 32-bit IEEE floats in a {@code float[]}; every arithmetic op, every module and autograd work on
 *       these (and only on these).</li>
 *   <li>{@link #I64}: 64-bit signed integers in a {@code long[]}, like PyTorch's {@code torch.long}: class targets,
 *       gather / index_select indices, token ids, exact beyond the 2^24 where integer-valued floats stop being.</li>
 *   <li>{@link #BOOL}: truth values in a {@code boolean[]}: masks. A {@code boolean[]} rather than a {@code byte[]}
 *       because it costs the same (HotSpot stores one byte per element), matches PyTorch's one-byte {@code torch.bool},
 *       and cannot hold a value other than true and false, so no kernel has to define what a 2 means.</li>
 * </ul>
 *
 * Views (reshape, permute, slicing, squeeze, expand, split...) work on every dtype, being metadata only; so do copies,
 * concatenation, gather, index_select and conversion ({@link Tensor#to}). A floating-point op on an integer or bool
 * tensor is refused with an error that names the op and says to convert with {@code to(DType.F32)}.
 *
 * <p>Planned, not yet here: {@code F16} and {@code BF16} (half-precision storage with float32 compute). No constant
 * is declared before it works.
 */
public enum DType {
    /** 32-bit float, {@code float[]} storage; the default and the only dtype arithmetic and autograd accept. */
    F32(4),
    /** 64-bit signed integer, {@code long[]} storage. */
    I64(8),
    /** Boolean, {@code boolean[]} storage (one byte per element). */
    BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element in memory. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether tensors of this dtype can take part in arithmetic and carry gradients. */
    public boolean isFloatingPoint() {
        return this == F32;
    }
}
