package dev.lamina.backend;

import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.kernels.Elementwise.Unary;
import dev.lamina.tensor.Device;
import dev.lamina.tensor.Tensor;

import java.util.List;

/**
 * The primitives every {@link Backend} provides. Where tensor ops run: the seam between the autodiff layer ({@link Tensor}'s ops and the ops in
 * {@code nn.functional}, which check shapes, record tape nodes and keep each gradient rule beside its forward) and
 * the loops that compute values. Split as Burn splits it: the tensor ops declared here are what a backend must
 * provide; module ops (convolution, pooling, normalisation, attention, recurrent sequences, optimizer updates) extend
 * this interface with default bodies composed from these primitives, so a new backend starts from the primitives and
 * overrides what it can do faster.
 *
 * <p>Contract: every method receives tensors of this backend (any strides unless it says contiguous), never mutates
 * its inputs unless its name ends in an underscore, and returns a new contiguous tensor of this backend that is not
 * on the tape. Shapes are validated by the caller; a backend may assume them.
 *
 * <p>Dtypes: every method takes and returns {@link dev.lamina.tensor.DType#F32} tensors, except the data movers
 * {@link #copy}, {@link #copyInto_}, {@link #cat}, {@link #gather} and {@link #indexSelect}, which take tensors of any
 * dtype (I64's {@code long[]}, BOOL's {@code boolean[]} storage) and return the input's dtype, and the typed
 * primitives of the last section (integer arithmetic and reductions on I64, comparisons giving BOOL, logic on BOOL,
 * {@link #whereAny} on every dtype), each of which says what it takes. The caller guarantees the dtypes each method
 * states; the facades ({@code Tensor}'s float ops, {@link dev.lamina.tensor.TypedOps}) refuse other dtypes, naming
 * the op and the dtypes, before they get here.
 *
 * <p>Implementations: {@code backend.cpu.CpuBackend} (Vector API kernels, multi-threaded; the default) and
 * {@code backend.reference.ReferenceBackend} (plain loops, one thread, the primitives only: every module op runs
 * its default body). They are found through {@link java.util.ServiceLoader} and chosen by {@link Backends}.
 */
public interface TensorOps {
    /** The name the {@code lamina.backend} system property selects, e.g. {@code cpu}. */
    String name();

    /** The device this backend's tensors live on: host memory for the CPU and reference backends. */
    default Device device() {
        return Device.CPU;
    }

    // ------------------------------------------------------------------------------------------------ data

    /** A contiguous tensor of this backend holding {@code values} (the array becomes its storage; no copy). */
    Tensor wrap(float[] values, int... shape);

    /** A row-major copy of the values as a host array. */
    float[] toHost(Tensor x);

    /** A contiguous copy of {@code x} (any strides, any dtype), shape and dtype kept. */
    Tensor copy(Tensor x);

    /** Writes {@code src} (same shape and dtype, any strides) into the view {@code dst} (any strides, any dtype). */
    void copyInto_(Tensor src, Tensor dst);

    /** Sets every element of the view {@code dst} to {@code value}. */
    void fill_(Tensor dst, float value);

    /** acc += g elementwise; {@code acc} contiguous, same shape as {@code g}. */
    void addInto_(Tensor acc, Tensor g);

    // ------------------------------------------------------------------------------------------------ elementwise

    /** f(x) elementwise. */
    Tensor unary(Unary op, Tensor x);

    /** a op b with broadcasting to {@code outShape} (already checked by the caller). */
    Tensor binary(Binary op, Tensor a, Tensor b, int[] outShape);

    /** a op s. */
    Tensor binaryScalar(Binary op, Tensor a, float s);

    /** s op a. */
    Tensor scalarBinary(Binary op, float s, Tensor a);

    /** f(x; alpha) for the pointwise functions that have a parameter or no fused kernel. */
    Tensor pointwise(Pointwise f, float alpha, Tensor x);

    /** g · f'(x; alpha), the gradient of {@link #pointwise}. */
    Tensor pointwiseBackward(Pointwise f, float alpha, Tensor x, Tensor g);

    /** g where y &gt; 0 else 0: ReLU's gradient from its output {@code y} (same shape as g). */
    Tensor reluBackward(Tensor g, Tensor y);

    /** min(max(x, lo), hi) elementwise, with Math.max/min's NaN and signed-zero results (NaN stays NaN). */
    Tensor clamp(Tensor x, float lo, float hi);

    /** g where lo ≤ x ≤ hi else 0 (NaN in x gives 0): the gradient of {@link #clamp}, as torch.clamp's. */
    Tensor clampBackward(Tensor g, Tensor x, float lo, float hi);

    /** Exact GELU, x·Φ(x); {@code cdf} (same shape, contiguous) receives Φ(x) when not null. */
    Tensor gelu(Tensor x, Tensor cdf);

    /** g · (Φ(x) + x·φ(x)), with Φ(x) from {@link #gelu}. */
    Tensor geluBackward(Tensor x, Tensor cdf, Tensor g);

    /** a where cond ≠ 0 else b, all three broadcast to {@code outShape}. */
    Tensor where(Tensor cond, Tensor a, Tensor b, int[] outShape);

    /** Whether any element is NaN or infinite. */
    boolean hasNonFinite(Tensor x);

    // ------------------------------------------------------------------------------------------------ reductions

    /** Sum of all elements, accumulated in double. */
    double sumAll(Tensor x);

    /** Sum over one axis, kept with size 1. */
    Tensor sumAxis(Tensor x, int axis);

    /** Values and first indices (as floats) of the maximum or minimum along {@code axis}, kept with size 1. */
    Extremum extremum(Tensor x, int axis, boolean max);

    /** The maximum or minimum along one axis and where it is; both have the input's shape with the axis at 1. */
    record Extremum(Tensor values, Tensor indices) {}

    /** Softmax (or log-softmax) along {@code axis}. */
    Tensor softmax(Tensor x, int axis, boolean log);

    // ------------------------------------------------------------------------------------------------ matmul

    /**
     * Batched matrix product [..., m, k] · [..., k, n] → [..., m, n] (both at least 2-D, any strides), batch
     * dimensions broadcast to {@code batch}.
     */
    Tensor matmul(Tensor a, Tensor b, int[] batch);

    // ------------------------------------------------------------------------------------------------ indexing

    /** Concatenation along {@code axis} (shapes and one common dtype checked by the caller); any dtype. */
    Tensor cat(List<Tensor> parts, int axis);

    /**
     * out[p] = x[pos(p)] where pos replaces coordinate {@code axis} of p by {@code index[p]}: PyTorch's gather; index
     * has the output's shape and holds whole numbers in range. {@code x} may be of any dtype.
     */
    Tensor gather(Tensor x, int axis, int[] index, int[] outShape);

    /** The reverse of {@link #gather}: a zero tensor of {@code inShape} with g scattered (added) into it. */
    Tensor gatherBackward(Tensor g, int axis, int[] index, int[] inShape);

    /** Slices along {@code axis} picked by {@code index} (repeats allowed); {@code x} may be of any dtype. */
    Tensor indexSelect(Tensor x, int axis, int[] index);

    /** The reverse of {@link #indexSelect}: slices of g added into a zero tensor of {@code inShape}. */
    Tensor indexSelectBackward(Tensor g, int axis, int[] index, int[] inShape);

    // ------------------------------------------------------------------------------------------------ typed (I64, BOOL)

    /** a op b on two I64 tensors broadcast to {@code outShape} → I64; {@link IntegerBinary} defines each op. */
    Tensor integerBinary(IntegerBinary op, Tensor a, Tensor b, int[] outShape);

    /** f(x) on an I64 tensor → I64. */
    Tensor integerUnary(IntegerUnary op, Tensor x);

    /**
     * a op b broadcast to {@code outShape} → BOOL; a and b are both F32, both I64, or (for EQ and NE) both BOOL.
     */
    Tensor compare(Comparison op, Tensor a, Tensor b, int[] outShape);

    /** a op b on two BOOL tensors broadcast to {@code outShape} → BOOL. */
    Tensor logical(Logical op, Tensor a, Tensor b, int[] outShape);

    /** ¬x on a BOOL tensor → BOOL. */
    Tensor logicalNot(Tensor x);

    /**
     * a where cond else b, all three broadcast to {@code outShape}: cond BOOL, a and b of one dtype (any), the result
     * of that dtype. Not on the tape (the F32 {@link #where} is the differentiable one).
     */
    Tensor whereAny(Tensor cond, Tensor a, Tensor b, int[] outShape);

    /** The reduction of an I64 tensor along {@code axis} → I64 with the axis kept at size 1 (an empty axis gives the identity). */
    Tensor integerReduce(IntegerReduction op, Tensor x, int axis);

    /**
     * The position (I64, axis kept at size 1) of the first maximum (or minimum) along {@code axis} of an I64 tensor,
     * compared exactly; the axis is not empty.
     */
    Tensor integerArgExtremum(Tensor x, int axis, boolean max);

    /**
     * Running sums along {@code axis} of an F32 or I64 tensor, same shape and dtype: F32 accumulated in double and
     * rounded per element, I64 exact (wrapping as {@code long} does). {@code exclusive} leaves each element's own value
     * out of its sum; {@code reverse} runs from the end of the axis.
     */
    Tensor cumsum(Tensor x, int axis, boolean exclusive, boolean reverse);

    /**
     * The coordinates of the non-zero elements of x (any dtype: ≠ 0, a NaN counts, or true) as I64 [rank, count], in
     * row-major order of the elements; x has at least one dimension.
     */
    Tensor nonZero(Tensor x);
}
