package dev.lamina.tensor;

import dev.lamina.autograd.Autograd;
import dev.lamina.autograd.GradFn;
import dev.lamina.autograd.MultiGradFn;
import dev.lamina.autograd.Node;
import dev.lamina.backend.Backend;
import dev.lamina.backend.Backends;

import java.util.Arrays;
import java.util.List;

/**
 * A dense tensor: a {@link Storage} on a {@link Device}, an offset, a shape and strides (row-major when contiguous),
 * a {@link DType} and the {@link Backend} that computes its ops. The backends here keep their storage on the Java heap
 * ({@link HostStorage}): a {@code float[]} for {@link DType#F32} (the default, and the only dtype arithmetic and
 * autograd accept), a {@code long[]} for {@link DType#I64} and a {@code boolean[]} for {@link DType#BOOL}; a backend
 * for another device brings a storage of its own ({@link #onBackend(Backend, Storage, int...)}). Reshape, transpose, permute, slicing, squeeze and
 * expand return views that share storage (metadata only, the same on every backend); every other op asks the
 * backend for a new contiguous tensor and records its gradient rule beside the call. This class is the facade: the
 * ops live by concern in {@code ElementwiseOps}, {@code ReductionOps}, {@code MatmulOps}, {@code ViewOps} and
 * {@code IndexOps}, each forward next to its gradient rule.
 *
 * <p>Autograd is define-by-run: an op whose input {@link #requiresGrad()} records a {@link Node} holding its
 * inputs and its gradient rule, written right next to the forward computation. {@link #backward()} walks the
 * tape. Integer data (class indices, gather indices, token ids) is best held as {@link DType#I64}
 * ({@link #ofLongs}), exact over the whole long range; integer-valued F32 tensors are still accepted as indices
 * (exact up to 2^24). A float op on an I64 or BOOL tensor is refused with an error naming the op; convert with
 * {@link #to(DType)}, or compute on integers and truth values exactly with {@link TypedOps}.
 *
 * <p>Tensors are immutable through this API except for their gradient and the explicit in-place methods whose
 * names end in an underscore (used by initialisers and optimizers, never on the tape).
 */
public final class Tensor {
    final Backend backend;
    /** The elements, shared with every view; on the host for the backends in this repository. */
    final Storage storage;
    /** F32 host array (the storage's), or null: read on every float kernel call, so kept at hand. */
    final float[] data;
    final DType dtype;
    final int offset;
    final int[] shape;
    final int[] strides;

    boolean requiresGrad;
    private Tensor grad;
    private Node node;

    private Tensor(Backend backend, float[] data, int offset, int[] shape, int[] strides) {
        this(backend, HostStorage.of(data), offset, shape, strides);
    }

    private Tensor(Backend backend, Storage storage, int offset, int[] shape, int[] strides) {
        this.backend = backend;
        this.storage = storage;
        this.data = storage instanceof HostStorage h ? h.floats : null;
        this.dtype = storage.dtype();
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    /** This tensor's values brought to host memory, as a view of the copy with the same offset and strides, on the default backend. */
    private Tensor onHost() {
        return new Tensor(Backends.defaultBackend(), host(), offset, shape, strides);
    }

    /** The storage in host memory (a copy from the device for a device backend's tensor). */
    private HostStorage host() {
        return storage.toHost();
    }

    static Tensor fresh(int[] shape) {
        return wrap(new float[Shape.size(shape)], shape);
    }

    /** A tensor of the current backend over host values. */
    static Tensor wrap(float[] data, int[] shape) {
        return new Tensor(Backends.current(), data, 0, shape, Shape.contiguousStrides(shape));
    }

    /** A view of this tensor's storage (same backend, no tape). */
    Tensor viewOf(int offset, int[] shape, int[] strides) {
        return new Tensor(backend, storage, offset, shape, strides);
    }

    /**
     * A contiguous tensor of {@code backend} over {@code data} (no copy), not on the tape: how a backend hands out the
     * results it computed ({@link Backend#wrap}).
     */
    public static Tensor onBackend(Backend backend, float[] data, int... shape) {
        int[] s = shape.clone();
        if (Shape.size(s) != data.length) {
            throw new ShapeException(backend.name() + " backend: " + data.length + " values cannot have shape " + Shape.str(s));
        }
        return new Tensor(backend, data, 0, s, Shape.contiguousStrides(s));
    }

    /** A contiguous I64 tensor of {@code backend} over {@code data} (no copy), not on the tape: for backends. */
    public static Tensor onBackend(Backend backend, long[] data, int... shape) {
        int[] s = shape.clone();
        if (Shape.size(s) != data.length) {
            throw new ShapeException(backend.name() + " backend: " + data.length + " longs cannot have shape " + Shape.str(s));
        }
        return new Tensor(backend, HostStorage.of(data), 0, s, Shape.contiguousStrides(s));
    }

    /** A contiguous BOOL tensor of {@code backend} over {@code data} (no copy), not on the tape: for backends. */
    public static Tensor onBackend(Backend backend, boolean[] data, int... shape) {
        int[] s = shape.clone();
        if (Shape.size(s) != data.length) {
            throw new ShapeException(backend.name() + " backend: " + data.length + " booleans cannot have shape " + Shape.str(s));
        }
        return new Tensor(backend, HostStorage.of(data), 0, s, Shape.contiguousStrides(s));
    }

    /**
     * A contiguous tensor of {@code backend} over {@code storage} (no copy), not on the tape: how a backend whose
     * tensors live on another device hands out its results.
     */
    public static Tensor onBackend(Backend backend, Storage storage, int... shape) {
        int[] s = shape.clone();
        if (Shape.size(s) != storage.length()) {
            throw new ShapeException(backend.name() + " backend: storage of " + storage.length() + " elements cannot have shape " + Shape.str(s));
        }
        return new Tensor(backend, storage, 0, s, Shape.contiguousStrides(s));
    }

    /** A tape-free view of {@code base}'s storage with another offset, shape and strides (for backends: broadcasts, windows). */
    public static Tensor view(Tensor base, int offset, int[] shape, int[] strides) {
        return base.viewOf(offset, shape.clone(), strides.clone());
    }

    /** Where this tensor's elements live. */
    public Device device() {
        return storage.device();
    }

    /** The backend that runs this tensor's ops. */
    public Backend backend() {
        return backend;
    }

    /** The element type: what the storage holds. */
    public DType dtype() {
        return dtype;
    }

    // ------------------------------------------------------------------------------------------------ creation

    /** Wraps {@code data} (no copy) as a contiguous tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.clone();
        if (Shape.size(s) != data.length) {
            throw new ShapeException("Tensor.of: " + data.length + " values cannot have shape " + Shape.str(s));
        }
        return wrap(data, s);
    }

    /** A 1-D tensor holding a copy of the values. */
    public static Tensor vector(float... values) {
        return wrap(values.clone(), new int[] {values.length});
    }

    /** A 2-D tensor copied from rows of equal length. */
    public static Tensor matrix(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] d = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) throw new ShapeException("Tensor.matrix: row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            System.arraycopy(rows[i], 0, d, i * cols, cols);
        }
        return wrap(d, new int[] {rows.length, cols});
    }

    /** A 0-d tensor. */
    public static Tensor scalar(float value) {
        return wrap(new float[] {value}, new int[0]);
    }

    public static Tensor zeros(int... shape) {
        return fresh(shape.clone());
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = fresh(shape.clone());
        Arrays.fill(t.data, value);
        return t;
    }

    /** 0, 1, ..., n-1 as floats. */
    public static Tensor arange(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return wrap(d, new int[] {n});
    }

    /** Standard normal samples. */
    public static Tensor randn(Rng rng, int... shape) {
        Tensor t = fresh(shape.clone());
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) rng.nextGaussian();
        return t;
    }

    /** Uniform samples in [0, 1). */
    public static Tensor rand(Rng rng, int... shape) {
        return uniform(rng, 0, 1, shape);
    }

    /** Uniform samples in [low, high). */
    public static Tensor uniform(Rng rng, double low, double high, int... shape) {
        Tensor t = fresh(shape.clone());
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) (low + (high - low) * rng.nextDouble());
        return t;
    }

    public static Tensor zerosLike(Tensor t) {
        return zeros(t.shape);
    }

    /** Wraps {@code data} (no copy) as a contiguous {@link DType#I64} tensor of the given shape. */
    public static Tensor ofLongs(long[] data, int... shape) {
        int[] s = shape.clone();
        if (Shape.size(s) != data.length) {
            throw new ShapeException("Tensor.ofLongs: " + data.length + " values cannot have shape " + Shape.str(s));
        }
        return new Tensor(Backends.current(), HostStorage.of(data), 0, s, Shape.contiguousStrides(s));
    }

    /** Wraps {@code data} (no copy) as a contiguous {@link DType#BOOL} tensor of the given shape. */
    public static Tensor ofBooleans(boolean[] data, int... shape) {
        int[] s = shape.clone();
        if (Shape.size(s) != data.length) {
            throw new ShapeException("Tensor.ofBooleans: " + data.length + " values cannot have shape " + Shape.str(s));
        }
        return new Tensor(Backends.current(), HostStorage.of(data), 0, s, Shape.contiguousStrides(s));
    }

    // ------------------------------------------------------------------------------------------------ dtypes

    /**
     * This tensor as {@code target} (this tensor itself when it already is; a new contiguous tensor otherwise, not on
     * the tape). The rules, PyTorch's: F32 → I64 truncates toward zero (like {@code .long()}) and refuses NaN, infinity
     * and values outside the long range; I64 → F32 rounds to the nearest float (exact up to 2^24); BOOL → F32 or I64
     * gives 0 and 1; F32 or I64 → BOOL is {@code value != 0} (NaN is true).
     */
    public Tensor to(DType target) {
        if (target == dtype) return this;
        int n = numel();
        switch (target) {
            case F32 -> {
                float[] out = new float[n];
                if (dtype == DType.I64) {
                    long[] v = toLongArray();
                    for (int i = 0; i < n; i++) out[i] = v[i];
                } else {
                    boolean[] v = toBooleanArray();
                    for (int i = 0; i < n; i++) out[i] = v[i] ? 1f : 0f;
                }
                return onBackend(backend, out, shape);
            }
            case I64 -> {
                long[] out = new long[n];
                if (dtype == DType.F32) {
                    float[] v = toArray();
                    for (int i = 0; i < n; i++) {
                        float f = v[i];
                        if (Float.isNaN(f) || Float.isInfinite(f) || f >= 0x1p63f || f < -0x1p63f) {
                            throw new ArithmeticException("to(I64): value " + f + " at position " + i + " of a tensor of shape " + Shape.str(shape)
                                    + " has no long value (NaN, infinite or beyond the long range); clean it first, e.g. with where or clamp");
                        }
                        out[i] = (long) f;   // truncates toward zero
                    }
                } else {
                    boolean[] v = toBooleanArray();
                    for (int i = 0; i < n; i++) out[i] = v[i] ? 1L : 0L;
                }
                return onBackend(backend, out, shape);
            }
            case BOOL -> {
                boolean[] out = new boolean[n];
                if (dtype == DType.F32) {
                    float[] v = toArray();
                    for (int i = 0; i < n; i++) out[i] = v[i] != 0f;
                } else {
                    long[] v = toLongArray();
                    for (int i = 0; i < n; i++) out[i] = v[i] != 0L;
                }
                return onBackend(backend, out, shape);
            }
            default -> throw new IllegalArgumentException("to: unsupported dtype " + target);
        }
    }

    /** A row-major copy of the values of an {@link DType#I64} tensor (any other dtype is refused; convert with {@link #to}). */
    public long[] toLongArray() {
        if (dtype != DType.I64) throw new IllegalStateException("toLongArray: the tensor is " + dtype + ", not I64; convert first with to(DType.I64)");
        if (!(storage instanceof HostStorage)) return onHost().toLongArray();
        if (isContiguous()) return Arrays.copyOfRange(host().longs, offset, offset + numel());
        return backend.copy(this).host().longs;
    }

    /** A row-major copy of the values of a {@link DType#BOOL} tensor (any other dtype is refused; convert with {@link #to}). */
    public boolean[] toBooleanArray() {
        if (dtype != DType.BOOL) throw new IllegalStateException("toBooleanArray: the tensor is " + dtype + ", not BOOL; convert first with to(DType.BOOL)");
        if (!(storage instanceof HostStorage)) return onHost().toBooleanArray();
        if (isContiguous()) return Arrays.copyOfRange(host().booleans, offset, offset + numel());
        return backend.copy(this).host().booleans;
    }

    /** The single value of a one-element I64 tensor. */
    public long itemLong() {
        if (numel() != 1) throw new ShapeException("itemLong: tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, not 1");
        return toLongArray()[0];
    }

    /** Refuses a non-float tensor in a float op, naming the op and the fix. A field check: free on the F32 path. */
    static void requireFloat(String op, Tensor t) {
        if (t.dtype != DType.F32) {
            throw new IllegalArgumentException(op + ": needs a floating-point (F32) tensor, got " + t.dtype + " of shape " + Shape.str(t.shape)
                    + "; " + t.dtype + " tensors support views, copies, cat, gather, index_select, use as indices and the exact integer and bool ops of TypedOps."
                    + " Convert first with .to(DType.F32)");
        }
    }

    /** long → float, refused when the float would not be the same number. */
    private static float exactFloat(String op, long v, int position) {
        float f = v;
        if ((long) f != v || f == 0x1p63f) {
            throw new ArithmeticException(op + ": I64 value " + v + " at position " + position + " has no exact float value; read it with toLongArray() or itemLong()");
        }
        return f;
    }

    // ------------------------------------------------------------------------------------------------ accessors

    public int[] shape() {
        return shape.clone();
    }

    public int dim() {
        return shape.length;
    }

    /** Size of one dimension; negative counts from the end. */
    public int size(int dim) {
        return shape[Shape.axis("size", dim, shape.length)];
    }

    public int numel() {
        return Shape.size(shape);
    }

    public int[] strides() {
        return strides.clone();
    }

    /**
     * The backing float array (shared with views). For kernels; index with {@link #storageOffset()} and strides.
     * Refused for a tensor that is not {@link DType#F32}: every float kernel reads its input through here, so an
     * integer or bool tensor that reaches one fails with this message rather than computing garbage.
     */
    public float[] storage() {
        if (data == null && dtype == DType.F32) throw notOnHost("storage");
        if (data == null) throw new IllegalArgumentException("a float kernel got a " + dtype + " tensor of shape " + Shape.str(shape)
                + "; float ops need F32 tensors. Convert first with .to(DType.F32)");
        return data;
    }

    /** The backing array of an {@link DType#I64} tensor (shared with views); for backends. */
    public long[] longStorage() {
        if (dtype != DType.I64) throw new IllegalStateException("longStorage: the tensor is " + dtype + ", not I64");
        if (!(storage instanceof HostStorage h)) throw notOnHost("longStorage");
        return h.longs;
    }

    /** The backing array of a {@link DType#BOOL} tensor (shared with views); for backends. */
    public boolean[] booleanStorage() {
        if (dtype != DType.BOOL) throw new IllegalStateException("booleanStorage: the tensor is " + dtype + ", not BOOL");
        if (!(storage instanceof HostStorage h)) throw notOnHost("booleanStorage");
        return h.booleans;
    }

    private IllegalStateException notOnHost(String what) {
        return new IllegalStateException(what + ": the tensor of shape " + Shape.str(shape) + " lives on " + storage.device()
                + ", not in host memory; a kernel of its own backend must read it, or copy it out with toArray()");
    }

    /**
     * An object that is the same for exactly the tensors that share storage (a tensor and its views): a key for memory
     * planning, compared by identity, never read.
     */
    public Object storageIdentity() {
        return storage instanceof HostStorage h ? h.array() : storage;
    }

    public int storageOffset() {
        return offset;
    }

    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /**
     * The single value of a one-element tensor, as a float: BOOL gives 0 or 1; I64 gives its value when a float holds
     * it exactly and is refused otherwise (use {@link #itemLong()}).
     */
    public float item() {
        if (numel() != 1) throw new ShapeException("item: tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, not 1");
        HostStorage h = host();
        if (dtype == DType.I64) return exactFloat("item", h.longs[offset], 0);
        if (dtype == DType.BOOL) return h.booleans[offset] ? 1f : 0f;
        return h.floats[offset];
    }

    /** The value at a full index. */
    public float get(int... index) {
        if (index.length != shape.length) throw new ShapeException("get: index of rank " + index.length + " for a tensor of shape " + Shape.str(shape));
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) throw new IndexOutOfBoundsException("get: index " + Arrays.toString(index) + " out of bounds for shape " + Shape.str(shape));
            p += index[i] * strides[i];
        }
        HostStorage h = host();
        if (dtype == DType.I64) return exactFloat("get", h.longs[p], 0);
        if (dtype == DType.BOOL) return h.booleans[p] ? 1f : 0f;
        return h.floats[p];
    }

    /**
     * A row-major copy of the values as floats. F32 as stored; BOOL as 0 and 1; I64 value by value when a float holds
     * it exactly (every integer up to 2^24 in magnitude, and larger ones that happen to be representable), refused
     * otherwise, never rounded silently: read those with {@link #toLongArray()}.
     */
    public float[] toArray() {
        if (!(storage instanceof HostStorage)) return onHost().toArray();
        if (dtype == DType.F32) return backend.toHost(this);
        if (dtype == DType.BOOL) {
            boolean[] v = toBooleanArray();
            float[] out = new float[v.length];
            for (int i = 0; i < v.length; i++) out[i] = v[i] ? 1f : 0f;
            return out;
        }
        long[] v = toLongArray();
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = exactFloat("toArray", v[i], i);
        return out;
    }

    /** This tensor if it is contiguous and starts its storage at offset 0, else a contiguous copy. */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        return record("contiguous", backend.copy(this), g -> new Tensor[] {g}, this);
    }

    /** A copy that does not share storage (kept on the tape). */
    public Tensor copy() {
        return record("copy", backend.copy(this), g -> new Tensor[] {g}, this);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Shape.str(shape));
        if (dtype != DType.F32) sb.append(' ').append(dtype);
        int n = numel();
        Object v = dtype == DType.F32 ? toArray() : dtype == DType.I64 ? toLongArray() : toBooleanArray();
        sb.append(' ').append('[');
        for (int i = 0; i < Math.min(n, 8); i++) sb.append(i == 0 ? "" : ", ").append(java.lang.reflect.Array.get(v, i));
        if (n > 8) sb.append(", ...");
        sb.append(']');
        if (requiresGrad) sb.append(node == null ? " requiresGrad" : " grad_fn=" + node.op());
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as one whose gradient backward() should compute. */
    public Tensor requiresGrad(boolean value) {
        if (node != null && !value) throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor; use detach()");
        if (value && dtype != DType.F32) throw new IllegalArgumentException("requiresGrad(true): only floating-point (F32) tensors can require gradients, this one is " + dtype + "; convert first with .to(DType.F32)");
        this.requiresGrad = value;
        return this;
    }

    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) throw new ShapeException("setGrad: gradient shape " + Shape.str(g.shape) + " does not match tensor shape " + Shape.str(shape));
        this.grad = g == null ? null : g.detachedContiguousCopy();
    }

    public void zeroGrad() {
        this.grad = null;
    }

    /** The op that produced this tensor, or null for a leaf. */
    public Node node() {
        return node;
    }

    public boolean isLeaf() {
        return node == null;
    }

    /** Same storage, cut from the tape. */
    public Tensor detach() {
        return viewOf(offset, shape, strides);
    }

    /** Back-propagates from this scalar. */
    public void backward() {
        Autograd.backward(this, null);
    }

    /** Back-propagates from this tensor with an explicit output gradient. */
    public void backward(Tensor gradOutput) {
        Autograd.backward(this, gradOutput);
    }

    /** Adds {@code g} into this leaf's gradient (called by the autograd engine). */
    public void accumulateGrad(Tensor g) {
        if (grad == null) {
            grad = g.detachedContiguousCopy();
        } else {
            grad.backend.addInto_(grad, g);
        }
    }

    Tensor detachedContiguousCopy() {
        return backend.copy(this);
    }

    /** Records a node for {@code out} when grad mode is on and any input requires grad. */
    static Tensor record(String op, Tensor out, GradFn rule, Tensor... inputs) {
        if (gradWanted(inputs)) {
            out.requiresGrad = true;
            out.node = Node.single(op, inputs, out, rule);
        }
        return out;
    }

    /**
     * Whether an op on these inputs would be recorded on the tape (grad mode on and an input requires grad): a fused
     * op may skip what only its backward needs when not. Null inputs are ignored.
     */
    public static boolean gradWanted(Tensor... inputs) {
        if (!Autograd.isGradEnabled()) return false;
        for (Tensor in : inputs) if (in != null && in.requiresGrad) return true;
        return false;
    }

    /**
     * Records a fused op from outside this package (conv, LSTM, attention, losses): {@code out} gets a tape node
     * with {@code rule} when grad mode is on and an input requires grad. Returns {@code out}.
     */
    public static Tensor fromOp(String op, Tensor out, GradFn rule, Tensor... inputs) {
        if (out.node != null) throw new IllegalStateException(op + ": output already belongs to the tape");
        return record(op, out, rule, inputs);
    }

    /**
     * Records a fused op with several outputs (LSTM: output, h_n, c_n; attention: output, weights) as one tape node:
     * when grad mode is on and an input requires grad, every output gets the node, and backward calls {@code rule}
     * once with the gradients of all outputs (null for those the loss does not reach). Returns {@code outs}.
     */
    public static Tensor[] fromOps(String op, Tensor[] outs, MultiGradFn rule, Tensor... inputs) {
        for (Tensor out : outs) if (out.node != null) throw new IllegalStateException(op + ": output already belongs to the tape");
        if (gradWanted(inputs)) {
            Node node = Node.multi(op, inputs, outs, rule);
            for (Tensor out : outs) {
                out.requiresGrad = true;
                out.node = node;
            }
        }
        return outs;
    }

    /**
     * A contiguous tensor of the given shape over {@code data} from {@code offset} (no copy): how a fused op hands
     * out several results that live in one buffer it computed, as independent tensors.
     */
    public static Tensor ofRegion(float[] data, int offset, int... shape) {
        int[] s = shape.clone();
        if (offset < 0 || offset + Shape.size(s) > data.length) {
            throw new ShapeException("Tensor.ofRegion: " + Shape.str(s) + " from offset " + offset + " does not fit in " + data.length + " values");
        }
        return new Tensor(Backends.current(), data, offset, s, Shape.contiguousStrides(s));
    }

    // ------------------------------------------------------------------------------------------------ in place

    /** Overwrites this tensor's values (a contiguous leaf) with {@code values}; not recorded on the tape. */
    public Tensor copyFrom_(Tensor values) {
        if (!Arrays.equals(values.shape, shape)) throw new ShapeException("copyFrom_: source shape " + Shape.str(values.shape) + " does not match " + Shape.str(shape));
        if (values.dtype != dtype) throw new IllegalArgumentException("copyFrom_: source is " + values.dtype + ", destination is " + dtype + "; convert the source first with .to(DType." + dtype + ")");
        if (!isContiguous()) throw new IllegalStateException("copyFrom_ needs a contiguous destination");
        backend.copyInto_(values, this);
        return this;
    }

    /** Fills with one value; not recorded on the tape. */
    public Tensor fill_(float value) {
        if (!isContiguous()) throw new IllegalStateException("fill_ needs a contiguous tensor");
        requireFloat("fill_", this);
        backend.fill_(this, value);
        return this;
    }

    // ------------------------------------------------------------------------------------------------ elementwise

    public Tensor add(Tensor b) {
        return ElementwiseOps.add(this, b);
    }

    public Tensor sub(Tensor b) {
        return ElementwiseOps.sub(this, b);
    }

    public Tensor mul(Tensor b) {
        return ElementwiseOps.mul(this, b);
    }

    public Tensor div(Tensor b) {
        return ElementwiseOps.div(this, b);
    }

    /** a^b elementwise; the gradient w.r.t. b uses log(a), so a must be positive where b needs a gradient. */
    public Tensor pow(Tensor b) {
        return ElementwiseOps.pow(this, b);
    }

    /** Elementwise maximum; at ties the gradient goes to the first input. */
    public Tensor maximum(Tensor b) {
        return ElementwiseOps.maximum(this, b);
    }

    /** Elementwise minimum; at ties the gradient goes to the first input. */
    public Tensor minimum(Tensor b) {
        return ElementwiseOps.minimum(this, b);
    }

    public Tensor add(float s) {
        return ElementwiseOps.add(this, s);
    }

    public Tensor sub(float s) {
        return ElementwiseOps.sub(this, s);
    }

    /** s - this. */
    public Tensor rsub(float s) {
        return ElementwiseOps.rsub(this, s);
    }

    public Tensor mul(float s) {
        return ElementwiseOps.mul(this, s);
    }

    public Tensor div(float s) {
        return ElementwiseOps.div(this, s);
    }

    public Tensor pow(float p) {
        return ElementwiseOps.pow(this, p);
    }

    public Tensor neg() {
        return ElementwiseOps.neg(this);
    }

    public Tensor exp() {
        return ElementwiseOps.exp(this);
    }

    public Tensor log() {
        return ElementwiseOps.log(this);
    }

    public Tensor sqrt() {
        return ElementwiseOps.sqrt(this);
    }

    /** |x|; the gradient at 0 is 0, as in PyTorch. */
    public Tensor abs() {
        return ElementwiseOps.abs(this);
    }

    /** -1, 0 or 1; no gradient. */
    public Tensor sign() {
        return ElementwiseOps.sign(this);
    }

    public Tensor square() {
        return ElementwiseOps.square(this);
    }

    public Tensor reciprocal() {
        return ElementwiseOps.reciprocal(this);
    }

    public Tensor tanh() {
        return ElementwiseOps.tanh(this);
    }

    public Tensor sigmoid() {
        return ElementwiseOps.sigmoid(this);
    }

    public Tensor relu() {
        return ElementwiseOps.relu(this);
    }

    /** max(x, 0) + slope * min(x, 0). */
    public Tensor leakyRelu(float slope) {
        return ElementwiseOps.leakyRelu(this, slope);
    }

    /** x for x > 0, alpha * (exp(x) - 1) otherwise. */
    public Tensor elu(float alpha) {
        return ElementwiseOps.elu(this, alpha);
    }

    /** Exact GELU: x * Φ(x), with Φ the standard normal CDF. */
    public Tensor gelu() {
        return ElementwiseOps.gelu(this);
    }

    /** GELU with the tanh approximation (PyTorch's approximate='tanh'). */
    public Tensor geluTanh() {
        return ElementwiseOps.geluTanh(this);
    }

    /** x * sigmoid(x). */
    public Tensor silu() {
        return ElementwiseOps.silu(this);
    }

    /** Clamps into [min, max]; the gradient is zero where clamped. */
    public Tensor clamp(float min, float max) {
        return ElementwiseOps.clamp(this, min, max);
    }

    // comparisons: 1.0 where true, 0.0 where false; no gradient

    public Tensor gt(Tensor b) {
        return ElementwiseOps.gt(this, b);
    }
    public Tensor lt(Tensor b) {
        return ElementwiseOps.lt(this, b);
    }
    public Tensor ge(Tensor b) {
        return ElementwiseOps.ge(this, b);
    }
    public Tensor le(Tensor b) {
        return ElementwiseOps.le(this, b);
    }
    public Tensor eq(Tensor b) {
        return ElementwiseOps.eq(this, b);
    }
    public Tensor ne(Tensor b) {
        return ElementwiseOps.ne(this, b);
    }
    public Tensor gt(float s) {
        return ElementwiseOps.gt(this, s);
    }
    public Tensor lt(float s) {
        return ElementwiseOps.lt(this, s);
    }
    public Tensor ge(float s) {
        return ElementwiseOps.ge(this, s);
    }
    public Tensor le(float s) {
        return ElementwiseOps.le(this, s);
    }
    public Tensor eq(float s) {
        return ElementwiseOps.eq(this, s);
    }

    /** Elementwise select: {@code a} where {@code cond} is non-zero, else {@code b}; all three broadcast. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return ElementwiseOps.where(cond, a, b);
    }

    /** True if any element is NaN or infinite. */
    public boolean hasNonFinite() {
        return ElementwiseOps.hasNonFinite(this);
    }

    // ------------------------------------------------------------------------------------------------ reductions

    /** Sum of all elements (0-d). */
    public Tensor sum() {
        return ReductionOps.sum(this);
    }

    /** Mean of all elements (0-d). */
    public Tensor mean() {
        return ReductionOps.mean(this);
    }

    public Tensor sum(int dim, boolean keepDim) {
        return ReductionOps.sum(this, dim, keepDim);
    }

    /** Sum over the given dimensions. */
    public Tensor sum(int[] dims, boolean keepDim) {
        return ReductionOps.sum(this, dims, keepDim);
    }

    public Tensor mean(int dim, boolean keepDim) {
        return ReductionOps.mean(this, dim, keepDim);
    }

    public Tensor mean(int[] dims, boolean keepDim) {
        return ReductionOps.mean(this, dims, keepDim);
    }

    /** Variance over dims; {@code unbiased} divides by n - 1 like PyTorch's default. */
    public Tensor var(int[] dims, boolean unbiased, boolean keepDim) {
        return ReductionOps.var(this, dims, unbiased, keepDim);
    }

    public Tensor var(int dim, boolean unbiased, boolean keepDim) {
        return ReductionOps.var(this, dim, unbiased, keepDim);
    }

    public Tensor std(int dim, boolean unbiased, boolean keepDim) {
        return ReductionOps.std(this, dim, unbiased, keepDim);
    }

    /** Maximum of all elements (0-d); the gradient goes to the first maximal element. */
    public Tensor max() {
        return ReductionOps.max(this);
    }

    /** Maximum along a dimension; the gradient flows to the first arg-max. */
    public Tensor max(int dim, boolean keepDim) {
        return ReductionOps.max(this, dim, keepDim);
    }

    public Tensor min(int dim, boolean keepDim) {
        return ReductionOps.min(this, dim, keepDim);
    }

    /**
     * Index (as an F32 value, PyTorch's is int64) of the first maximum along a dimension; no gradient. Exact for
     * dimensions up to 2^24; {@code .to(DType.I64)} gives the I64 tensor.
     */
    public Tensor argmax(int dim, boolean keepDim) {
        return ReductionOps.argmax(this, dim, keepDim);
    }

    public Tensor argmin(int dim, boolean keepDim) {
        return ReductionOps.argmin(this, dim, keepDim);
    }

    /** log(sum(exp(x))) along a dimension, computed stably. */
    public Tensor logSumExp(int dim, boolean keepDim) {
        return ReductionOps.logSumExp(this, dim, keepDim);
    }

    /** Sums a broadcast gradient back to {@code target}'s shape (the reverse of broadcasting). */
    public Tensor sumTo(int[] target) {
        return ReductionOps.sumTo(this, target);
    }

    // ------------------------------------------------------------------------------------------------ softmax

    /** Softmax along a dimension. */
    public Tensor softmax(int dim) {
        return ReductionOps.softmax(this, dim);
    }

    /** Log-softmax along a dimension, computed stably. */
    public Tensor logSoftmax(int dim) {
        return ReductionOps.logSoftmax(this, dim);
    }

    // ------------------------------------------------------------------------------------------------ matmul

    /**
     * Matrix product with PyTorch's rules: 1-D·1-D is a dot product, a 1-D operand is promoted to a matrix and the
     * added dimension removed, and batch dimensions of N-D operands broadcast. [..., m, k] · [..., k, n] → [..., m, n].
     */
    public Tensor matmul(Tensor b) {
        return MatmulOps.matmul(this, b);
    }

    // ------------------------------------------------------------------------------------------------ views

    /** A view (or, for non-contiguous input, a copy) with a new shape; one dimension may be -1. */
    public Tensor reshape(int... newShape) {
        return ViewOps.reshape(this, newShape);
    }

    /** Alias of {@link #reshape}. */
    public Tensor view(int... newShape) {
        return ViewOps.view(this, newShape);
    }

    /** Flattens dimensions startDim..endDim (inclusive) into one. */
    public Tensor flatten(int startDim, int endDim) {
        return ViewOps.flatten(this, startDim, endDim);
    }

    /** Swaps two dimensions (a view). */
    public Tensor transpose(int d0, int d1) {
        return ViewOps.transpose(this, d0, d1);
    }

    /** Transpose of a 2-D tensor. */
    public Tensor t() {
        return ViewOps.t(this);
    }

    /** Reorders dimensions (a view): output dimension i is input dimension perm[i]. */
    public Tensor permute(int... perm) {
        return ViewOps.permute(this, perm);
    }

    /** Elements start..start+length-1 along a dimension (a view). */
    public Tensor narrow(int dim, int start, int length) {
        return ViewOps.narrow(this, dim, start, length);
    }

    /** Python-style slice start:end:step along a dimension (a view); negative start/end count from the end. */
    public Tensor slice(int dim, int start, int end, int step) {
        return ViewOps.slice(this, dim, start, end, step);
    }

    /** The slice at {@code index} along a dimension, with that dimension removed (a view). */
    public Tensor select(int dim, int index) {
        return ViewOps.select(this, dim, index);
    }

    /** Removes a dimension of size 1 (a view). */
    public Tensor squeeze(int dim) {
        return ViewOps.squeeze(this, dim);
    }

    /** Inserts a dimension of size 1 at {@code dim} (a view); dim may be dim() for the end. */
    public Tensor unsqueeze(int dim) {
        return ViewOps.unsqueeze(this, dim);
    }

    /** Broadcasts to a larger shape without copying (stride-0 view); -1 keeps a dimension. */
    public Tensor expand(int... newShape) {
        return ViewOps.expand(this, newShape);
    }

    // ------------------------------------------------------------------------------------------------ join / split

    /** Concatenates along an existing dimension. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return IndexOps.cat(tensors, dim);
    }

    /** Stacks equal-shaped tensors along a new dimension. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return IndexOps.stack(tensors, dim);
    }

    /** Splits into consecutive pieces of the given sizes along a dimension (views). */
    public List<Tensor> split(int[] sizes, int dim) {
        return IndexOps.split(this, sizes, dim);
    }

    /** Splits into {@code chunks} nearly equal pieces along a dimension (views). */
    public List<Tensor> chunk(int chunks, int dim) {
        return IndexOps.chunk(this, chunks, dim);
    }

    // ------------------------------------------------------------------------------------------------ indexing

    /**
     * Picks entries along {@code dim} by an index tensor of the same rank: out[i][j] = x[i][index[i][j]] for dim 1.
     * The index is I64 or integer-valued F32; the input may be of any dtype.
     */
    public Tensor gather(int dim, Tensor index) {
        return IndexOps.gather(this, dim, index);
    }

    /** Rows (or slices along {@code dim}) chosen by a 1-D I64 or integer-valued F32 index tensor; repeated indices are allowed. */
    public Tensor indexSelect(int dim, Tensor index) {
        return IndexOps.indexSelect(this, dim, index);
    }

    /** Rows (or slices along {@code dim}) chosen by indices; repeated indices are allowed. */
    public Tensor indexSelect(int dim, int[] index) {
        return IndexOps.indexSelect(this, dim, index);
    }

    /** The values (I64, or integer-valued F32) as ints, checking each is a whole number in [0, bound). */
    public int[] toIntArray(String op, int bound) {
        return IndexOps.toIntArray(this, op, bound);
    }
}
