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
 * concatenation, gather, index_select and conversion ({@link Tensor#to}). {@link Tensor}'s arithmetic stays float: a
 * floating-point op on an integer or bool tensor is refused with an error that names the op and says to convert with
 * {@code to(DType.F32)}. Integer and bool computation is asked for by name through {@link TypedOps}: exact I64
 * arithmetic (add, sub, mul, div truncating toward zero, mod and fmod, min, max, pow, neg, abs, sign) and reductions
 * (sum, prod, max, min), comparisons of two F32 or two I64 tensors giving BOOL, and/or/xor/not on BOOL, and a
 * {@code where} for every dtype; each is a primitive of the backend seam ({@code backend.TensorOps}).
 *
 * <p>Planned, not yet here: {@code F16} and {@code BF16} (half-precision storage with float32 compute). No constant
 * is declared before it works.
 */
public enum DType {
    /** 32-bit float, {@code float[]} storage; the default and the only dtype arithmetic and autograd accept. */
    F32(4),
    /** 64-bit signed integer, {@code long[]} storage; arithmetic through {@link TypedOps}. */
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
