package dev.lamina.tensor;

import dev.lamina.autograd.Autograd;
import dev.lamina.backend.Backend;
import dev.lamina.backend.Backends;
import dev.lamina.backend.Pointwise;
import dev.lamina.backend.TensorOps;
import dev.lamina.autograd.GradFn;
import dev.lamina.autograd.MultiGradFn;
import dev.lamina.autograd.Node;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.kernels.Elementwise.Unary;

import java.util.Arrays;
import java.util.List;

/**
 * A dense float32 tensor on the Java heap: a {@code float[]} storage, an offset, a shape and strides (row-major
 * when contiguous), and the {@link Backend} that computes its ops. Reshape, transpose, permute, slicing, squeeze and
 * expand return views that share storage (metadata only, the same on every backend); every other op asks the
 * backend for a new contiguous tensor and records its gradient rule here, beside the call.
 *
 * <p>Autograd is define-by-run: an op whose input {@link #requiresGrad()} records a {@link Node} holding its
 * inputs and its gradient rule, written right next to the forward computation. {@link #backward()} walks the
 * tape. Integer data (class indices, gather indices) is held as integer-valued floats, exact up to 2^24.
 *
 * <p>Tensors are immutable through this API except for their gradient and the explicit in-place methods whose
 * names end in an underscore (used by initialisers and optimizers, never on the tape).
 */
public final class Tensor {
    private final Backend backend;
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int[] strides;

    private boolean requiresGrad;
    private Tensor grad;
    private Node node;

    private Tensor(Backend backend, float[] data, int offset, int[] shape, int[] strides) {
        this.backend = backend;
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    private static Tensor fresh(int[] shape) {
        return wrap(new float[Shape.size(shape)], shape);
    }

    /** A tensor of the current backend over host values. */
    private static Tensor wrap(float[] data, int[] shape) {
        return new Tensor(Backends.current(), data, 0, shape, Shape.contiguousStrides(shape));
    }

    /** A view of this tensor's storage (same backend, no tape). */
    private Tensor viewOf(int offset, int[] shape, int[] strides) {
        return new Tensor(backend, data, offset, shape, strides);
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

    /** A tape-free view of {@code base}'s storage with another offset, shape and strides (for backends: broadcasts, windows). */
    public static Tensor view(Tensor base, int offset, int[] shape, int[] strides) {
        return base.viewOf(offset, shape.clone(), strides.clone());
    }

    /** The backend that runs this tensor's ops. */
    public Backend backend() {
        return backend;
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

    /** The backing array (shared with views). For kernels; index with {@link #storageOffset()} and strides. */
    public float[] storage() {
        return data;
    }

    /**
     * An object that is the same for exactly the tensors that share storage (a tensor and its views): a key for memory
     * planning, compared by identity, never read.
     */
    public Object storageIdentity() {
        return data;
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

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new ShapeException("item: tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, not 1");
        return data[offset];
    }

    /** The value at a full index. */
    public float get(int... index) {
        if (index.length != shape.length) throw new ShapeException("get: index of rank " + index.length + " for a tensor of shape " + Shape.str(shape));
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) throw new IndexOutOfBoundsException("get: index " + Arrays.toString(index) + " out of bounds for shape " + Shape.str(shape));
            p += index[i] * strides[i];
        }
        return data[p];
    }

    /** A row-major copy of the values. */
    public float[] toArray() {
        return backend.toHost(this);
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
        float[] v = toArray();
        sb.append(' ').append('[');
        for (int i = 0; i < Math.min(v.length, 8); i++) sb.append(i == 0 ? "" : ", ").append(v[i]);
        if (v.length > 8) sb.append(", ...");
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

    private Tensor detachedContiguousCopy() {
        return backend.copy(this);
    }

    /** Records a node for {@code out} when grad mode is on and any input requires grad. */
    private static Tensor record(String op, Tensor out, GradFn rule, Tensor... inputs) {
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
        if (!isContiguous()) throw new IllegalStateException("copyFrom_ needs a contiguous destination");
        backend.copyInto_(values, this);
        return this;
    }

    /** Fills with one value; not recorded on the tape. */
    public Tensor fill_(float value) {
        if (!isContiguous()) throw new IllegalStateException("fill_ needs a contiguous tensor");
        backend.fill_(this, value);
        return this;
    }

    // ------------------------------------------------------------------------------------------------ elementwise

    public Tensor add(Tensor b) {
        Tensor out = binary("add", Binary.ADD, this, b);
        return record("add", out, g -> new Tensor[] {g, g}, this, b);
    }

    public Tensor sub(Tensor b) {
        Tensor out = binary("sub", Binary.SUB, this, b);
        return record("sub", out, g -> new Tensor[] {g, b.requiresGrad ? g.neg() : null}, this, b);
    }

    public Tensor mul(Tensor b) {
        Tensor a = this;
        Tensor out = binary("mul", Binary.MUL, a, b);
        return record("mul", out, g -> new Tensor[] {a.requiresGrad ? g.mul(b) : null, b.requiresGrad ? g.mul(a) : null}, a, b);
    }

    public Tensor div(Tensor b) {
        Tensor a = this;
        Tensor out = binary("div", Binary.DIV, a, b);
        return record("div", out, g -> new Tensor[] {
                a.requiresGrad ? g.div(b) : null,
                b.requiresGrad ? g.mul(out).div(b).neg() : null}, a, b);
    }

    /** a^b elementwise; the gradient w.r.t. b uses log(a), so a must be positive where b needs a gradient. */
    public Tensor pow(Tensor b) {
        Tensor a = this;
        Tensor out = binary("pow", Binary.POW, a, b);
        return record("pow", out, g -> new Tensor[] {
                a.requiresGrad ? g.mul(b).mul(a.pow(b.sub(1f))) : null,
                b.requiresGrad ? g.mul(out).mul(a.log()) : null}, a, b);
    }

    /** Elementwise maximum; at ties the gradient goes to the first input. */
    public Tensor maximum(Tensor b) {
        Tensor a = this;
        Tensor out = binary("maximum", Binary.MAX, a, b);
        return record("maximum", out, g -> {
            Tensor takeA = a.ge(b);
            return new Tensor[] {g.mul(takeA), g.mul(takeA.rsub(1f))};
        }, a, b);
    }

    /** Elementwise minimum; at ties the gradient goes to the first input. */
    public Tensor minimum(Tensor b) {
        Tensor a = this;
        Tensor out = binary("minimum", Binary.MIN, a, b);
        return record("minimum", out, g -> {
            Tensor takeA = a.le(b);
            return new Tensor[] {g.mul(takeA), g.mul(takeA.rsub(1f))};
        }, a, b);
    }

    public Tensor add(float s) {
        return record("add", scalarOp(Binary.ADD, s), g -> new Tensor[] {g}, this);
    }

    public Tensor sub(float s) {
        return add(-s);
    }

    /** s - this. */
    public Tensor rsub(float s) {
        Tensor out = backend.scalarBinary(Binary.SUB, s, this);
        return record("rsub", out, g -> new Tensor[] {g.neg()}, this);
    }

    public Tensor mul(float s) {
        return record("mul", scalarOp(Binary.MUL, s), g -> new Tensor[] {g.mul(s)}, this);
    }

    public Tensor div(float s) {
        return record("div", scalarOp(Binary.DIV, s), g -> new Tensor[] {g.div(s)}, this);
    }

    public Tensor pow(float p) {
        Tensor x = this;
        Tensor out = p == 2f ? unary(Unary.SQUARE) : scalarOp(Binary.POW, p);
        return record("pow", out, g -> new Tensor[] {g.mul(x.pow(p - 1f)).mul(p)}, this);
    }

    public Tensor neg() {
        return record("neg", unary(Unary.NEG), g -> new Tensor[] {g.neg()}, this);
    }

    public Tensor exp() {
        Tensor out = unary(Unary.EXP);
        return record("exp", out, g -> new Tensor[] {g.mul(out)}, this);
    }

    public Tensor log() {
        Tensor x = this;
        return record("log", unary(Unary.LOG), g -> new Tensor[] {g.div(x)}, this);
    }

    public Tensor sqrt() {
        Tensor out = unary(Unary.SQRT);
        return record("sqrt", out, g -> new Tensor[] {g.div(out).mul(0.5f)}, this);
    }

    /** |x|; the gradient at 0 is 0, as in PyTorch. */
    public Tensor abs() {
        Tensor x = this;
        return record("abs", unary(Unary.ABS), g -> new Tensor[] {g.mul(x.sign())}, this);
    }

    /** -1, 0 or 1; no gradient. */
    public Tensor sign() {
        return unary(Unary.SIGN);
    }

    public Tensor square() {
        Tensor x = this;
        return record("square", unary(Unary.SQUARE), g -> new Tensor[] {g.mul(x).mul(2f)}, this);
    }

    public Tensor reciprocal() {
        Tensor out = unary(Unary.RECIPROCAL);
        return record("reciprocal", out, g -> new Tensor[] {g.mul(out.square()).neg()}, this);
    }

    public Tensor tanh() {
        Tensor out = unary(Unary.TANH);
        return record("tanh", out, g -> new Tensor[] {g.mul(out.square().rsub(1f))}, this);
    }

    public Tensor sigmoid() {
        Tensor out = unary(Unary.SIGMOID);
        return record("sigmoid", out, g -> new Tensor[] {g.mul(out).mul(out.rsub(1f))}, this);
    }

    public Tensor relu() {
        Tensor out = unary(Unary.RELU);
        return record("relu", out, g -> new Tensor[] {backend.reluBackward(g, out)}, this);
    }

    /** Applies f elementwise; its gradient rule multiplies the incoming gradient by f'(x). */
    private Tensor pointwise(String op, Pointwise f, float alpha) {
        Tensor x = this;
        return record(op, backend.pointwise(f, alpha, x), g -> new Tensor[] {backend.pointwiseBackward(f, alpha, x, g)}, this);
    }

    /** max(x, 0) + slope * min(x, 0). */
    public Tensor leakyRelu(float slope) {
        return pointwise("leaky_relu", Pointwise.LEAKY_RELU, slope);
    }

    /** x for x > 0, alpha * (exp(x) - 1) otherwise. */
    public Tensor elu(float alpha) {
        return pointwise("elu", Pointwise.ELU, alpha);
    }

    /** Exact GELU: x * Φ(x), with Φ the standard normal CDF. */
    public Tensor gelu() {
        Tensor x = this;
        Tensor cdf = gradWanted(this) ? backend.wrap(new float[numel()], shape) : null; // Φ(x), cached for backward
        return record("gelu", backend.gelu(x, cdf), g -> new Tensor[] {backend.geluBackward(x, cdf, g)}, this);
    }

    /** GELU with the tanh approximation (PyTorch's approximate='tanh'). */
    public Tensor geluTanh() {
        return pointwise("gelu_tanh", Pointwise.GELU_TANH, 0f);
    }

    /** x * sigmoid(x). */
    public Tensor silu() {
        return pointwise("silu", Pointwise.SILU, 0f);
    }

    /** Clamps into [min, max]; the gradient is zero where clamped. */
    public Tensor clamp(float min, float max) {
        Tensor x = this;
        Tensor out = scalarOp(Binary.MAX, min).scalarOp(Binary.MIN, max);
        return record("clamp", out, g -> new Tensor[] {g.mul(x.ge(min).mul(x.le(max)))}, this);
    }

    // comparisons: 1.0 where true, 0.0 where false; no gradient

    public Tensor gt(Tensor b) { return binary("gt", Binary.GT, this, b); }
    public Tensor lt(Tensor b) { return binary("lt", Binary.LT, this, b); }
    public Tensor ge(Tensor b) { return binary("ge", Binary.GE, this, b); }
    public Tensor le(Tensor b) { return binary("le", Binary.LE, this, b); }
    public Tensor eq(Tensor b) { return binary("eq", Binary.EQ, this, b); }
    public Tensor ne(Tensor b) { return binary("ne", Binary.NE, this, b); }
    public Tensor gt(float s) { return scalarOp(Binary.GT, s); }
    public Tensor lt(float s) { return scalarOp(Binary.LT, s); }
    public Tensor ge(float s) { return scalarOp(Binary.GE, s); }
    public Tensor le(float s) { return scalarOp(Binary.LE, s); }
    public Tensor eq(float s) { return scalarOp(Binary.EQ, s); }

    /** Elementwise select: {@code a} where {@code cond} is non-zero, else {@code b}; all three broadcast. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] outShape = Shape.broadcast("where", Shape.broadcast("where", cond.shape, a.shape), b.shape);
        Backend be = a.backend;
        Tensor mask = be.copy(cond.broadcastTo(outShape));
        return record("where", be.where(cond, a, b, outShape), g -> new Tensor[] {null, g.mul(mask), g.mul(mask.eq(0f))}, cond, a, b);
    }

    /** True if any element is NaN or infinite. */
    public boolean hasNonFinite() {
        return backend.hasNonFinite(this);
    }

    private Tensor unary(Unary op) {
        return backend.unary(op, this);
    }

    private Tensor scalarOp(Binary op, float s) {
        return backend.binaryScalar(op, this, s);
    }

    /** Broadcasting binary op without tape. */
    private static Tensor binary(String name, Binary op, Tensor a, Tensor b) {
        int[] outShape = Arrays.equals(a.shape, b.shape) ? a.shape.clone() : Shape.broadcast(name, a.shape, b.shape);
        return sameBackend(name, a, b).binary(op, a, b, outShape);
    }

    /** The backend of a and b; an op across two backends is refused. */
    private static Backend sameBackend(String op, Tensor a, Tensor b) {
        if (a.backend != b.backend) {
            throw new IllegalArgumentException(op + ": operands live on different backends (" + a.backend.name() + ", " + b.backend.name() + ")");
        }
        return a.backend;
    }

    // ------------------------------------------------------------------------------------------------ reductions

    /** Sum of all elements (0-d). */
    public Tensor sum() {
        double s = backend.sumAll(this);
        int[] inShape = shape.clone();
        return record("sum", backend.wrap(new float[] {(float) s}), g -> new Tensor[] {g.expand(inShape)}, this);
    }

    /** Mean of all elements (0-d). */
    public Tensor mean() {
        return sum().div(Math.max(numel(), 1));
    }

    public Tensor sum(int dim, boolean keepDim) {
        return sum(new int[] {dim}, keepDim);
    }

    /** Sum over the given dimensions. */
    public Tensor sum(int[] dims, boolean keepDim) {
        boolean[] reduce = reducedAxes("sum", dims);
        Tensor out = this;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (reduce[d]) out = out.sumAxisKeep(d);
        }
        if (!keepDim) out = out.dropAxes(reduce);
        return out;
    }

    public Tensor mean(int dim, boolean keepDim) {
        return mean(new int[] {dim}, keepDim);
    }

    public Tensor mean(int[] dims, boolean keepDim) {
        boolean[] reduce = reducedAxes("mean", dims);
        int count = 1;
        for (int d = 0; d < shape.length; d++) if (reduce[d]) count *= shape[d];
        return sum(dims, keepDim).div(Math.max(count, 1));
    }

    /** Variance over dims; {@code unbiased} divides by n - 1 like PyTorch's default. */
    public Tensor var(int[] dims, boolean unbiased, boolean keepDim) {
        boolean[] reduce = reducedAxes("var", dims);
        int count = 1;
        for (int d = 0; d < shape.length; d++) if (reduce[d]) count *= shape[d];
        Tensor centered = sub(mean(dims, true));
        return centered.square().sum(dims, keepDim).div(Math.max(unbiased ? count - 1 : count, 1));
    }

    public Tensor var(int dim, boolean unbiased, boolean keepDim) {
        return var(new int[] {dim}, unbiased, keepDim);
    }

    public Tensor std(int dim, boolean unbiased, boolean keepDim) {
        return var(dim, unbiased, keepDim).sqrt();
    }

    /** Maximum of all elements (0-d); the gradient goes to the first maximal element. */
    public Tensor max() {
        return reshape(-1).max(0, false);
    }

    /** Maximum along a dimension; the gradient flows to the first arg-max. */
    public Tensor max(int dim, boolean keepDim) {
        return extremum("max", dim, keepDim, true);
    }

    public Tensor min(int dim, boolean keepDim) {
        return extremum("min", dim, keepDim, false);
    }

    /** Index (as float) of the first maximum along a dimension; no gradient. */
    public Tensor argmax(int dim, boolean keepDim) {
        return argExtremum("argmax", dim, keepDim, true);
    }

    public Tensor argmin(int dim, boolean keepDim) {
        return argExtremum("argmin", dim, keepDim, false);
    }

    /** log(sum(exp(x))) along a dimension, computed stably. */
    public Tensor logSumExp(int dim, boolean keepDim) {
        Tensor m = max(dim, true).detach();
        Tensor out = sub(m).exp().sum(dim, true).log().add(m);
        return keepDim ? out : out.squeeze(dim);
    }

    private boolean[] reducedAxes(String op, int[] dims) {
        boolean[] reduce = new boolean[shape.length];
        for (int d : dims) {
            int a = Shape.axis(op, d, shape.length);
            if (reduce[a]) throw new IllegalArgumentException(op + ": dimension " + d + " listed twice");
            reduce[a] = true;
        }
        return reduce;
    }

    private Tensor dropAxes(boolean[] drop) {
        int kept = 0;
        for (boolean b : drop) if (!b) kept++;
        int[] s = new int[kept];
        int j = 0;
        for (int d = 0; d < shape.length; d++) if (!drop[d]) s[j++] = shape[d];
        return reshape(s);
    }

    /** Sum over one axis, keeping it with size 1. */
    private Tensor sumAxisKeep(int axis) {
        int[] inShape = shape.clone();
        return record("sum", backend.sumAxis(this, axis), g -> new Tensor[] {g.expand(inShape)}, this);
    }

    private Tensor extremum(String op, int dim, boolean keepDim, boolean isMax) {
        int axis = Shape.axis(op, dim, shape.length);
        if (shape[axis] == 0) throw new ShapeException(op + ": cannot reduce an empty dimension " + axis + " of shape " + Shape.str(shape));
        TensorOps.Extremum e = backend.extremum(this, axis, isMax);
        int[] inShape = shape.clone();
        Tensor out = record(op, e.values(), g -> {
            int[] idx = e.indices().toIntArray(op, inShape[axis]);
            return new Tensor[] {backend.gatherBackward(g.reshape(e.indices().shape), axis, idx, inShape)};
        }, this);
        return keepDim ? out : out.squeeze(axis);
    }

    private Tensor argExtremum(String op, int dim, boolean keepDim, boolean isMax) {
        int axis = Shape.axis(op, dim, shape.length);
        if (shape[axis] == 0) throw new ShapeException(op + ": cannot reduce an empty dimension " + axis + " of shape " + Shape.str(shape));
        Tensor out = backend.extremum(this, axis, isMax).indices();
        return keepDim ? out : out.squeeze(axis);
    }

    /** Sums a broadcast gradient back to {@code target}'s shape (the reverse of broadcasting). */
    public Tensor sumTo(int[] target) {
        if (Arrays.equals(shape, target)) return this;
        int lead = shape.length - target.length;
        if (lead < 0) throw new ShapeException("sumTo: cannot reduce shape " + Shape.str(shape) + " to the larger " + Shape.str(target));
        int count = 0;
        for (int d = 0; d < shape.length; d++) {
            if (d < lead || (target[d - lead] == 1 && shape[d] != 1)) count++;
            else if (target[d - lead] != shape[d]) throw new ShapeException("sumTo: shape " + Shape.str(shape) + " is not a broadcast of " + Shape.str(target));
        }
        int[] dims = new int[count];
        int j = 0;
        for (int d = 0; d < shape.length; d++) if (d < lead || (target[d - lead] == 1 && shape[d] != 1)) dims[j++] = d;
        return sum(dims, true).reshape(target);
    }

    // ------------------------------------------------------------------------------------------------ softmax

    /** Softmax along a dimension. */
    public Tensor softmax(int dim) {
        int axis = Shape.axis("softmax", dim, shape.length);
        Tensor y = softmaxCore(axis, false);
        return record("softmax", y, g -> {
            // dx = y * (g - sum(g * y, dim))
            Tensor gy = g.mul(y);
            return new Tensor[] {gy.sub(y.mul(gy.sum(axis, true)))};
        }, this);
    }

    /** Log-softmax along a dimension, computed stably. */
    public Tensor logSoftmax(int dim) {
        int axis = Shape.axis("log_softmax", dim, shape.length);
        Tensor y = softmaxCore(axis, true);
        return record("log_softmax", y, g -> {
            // dx = g - softmax * sum(g, dim)
            Tensor p = y.exp();
            return new Tensor[] {g.sub(p.mul(g.sum(axis, true)))};
        }, this);
    }

    private Tensor softmaxCore(int axis, boolean log) {
        return backend.softmax(this, axis, log);
    }

    // ------------------------------------------------------------------------------------------------ matmul

    /**
     * Matrix product with PyTorch's rules: 1-D·1-D is a dot product, a 1-D operand is promoted to a matrix and the
     * added dimension removed, and batch dimensions of N-D operands broadcast. [..., m, k] · [..., k, n] → [..., m, n].
     */
    public Tensor matmul(Tensor b) {
        Tensor a = this;
        if (a.dim() == 0 || b.dim() == 0) throw new ShapeException("matmul: both operands need at least 1 dimension, got " + Shape.str(a.shape) + " and " + Shape.str(b.shape));
        if (a.dim() == 1 && b.dim() == 1) return a.unsqueeze(0).matmul(b.unsqueeze(1)).reshape();
        if (a.dim() == 1) return a.unsqueeze(0).matmul(b).squeeze(-2);
        if (b.dim() == 1) return a.matmul(b.unsqueeze(1)).squeeze(-1);
        int m = a.shape[a.dim() - 2], k = a.shape[a.dim() - 1];
        int kb = b.shape[b.dim() - 2], n = b.shape[b.dim() - 1];
        if (k != kb) {
            throw new ShapeException("matmul: inner dimensions differ: " + Shape.str(a.shape) + " · " + Shape.str(b.shape) + " (" + k + " vs " + kb + ")");
        }
        if (b.dim() == 2 && a.dim() > 2) {
            // fold a's batch dimensions into its rows: one large GEMM instead of many small ones
            int[] outShape = a.shape.clone();
            outShape[outShape.length - 1] = n;
            return a.reshape(-1, k).matmul(b).reshape(outShape);
        }
        int[] aBatch = Arrays.copyOf(a.shape, a.dim() - 2);
        int[] bBatch = Arrays.copyOf(b.shape, b.dim() - 2);
        int[] batch = Shape.broadcast("matmul", aBatch, bBatch);
        Tensor out = sameBackend("matmul", a, b).matmul(a, b, batch);
        return record("matmul", out, g -> new Tensor[] {
                a.requiresGrad ? g.matmul(b.transpose(-1, -2)) : null,
                b.requiresGrad ? a.transpose(-1, -2).matmul(g) : null}, a, b);
    }

    // ------------------------------------------------------------------------------------------------ views

    /** A view (or, for non-contiguous input, a copy) with a new shape; one dimension may be -1. */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new ShapeException("reshape: only one dimension can be -1, got " + Shape.str(newShape));
                infer = i;
            } else {
                known *= s[i];
            }
        }
        int n = numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) throw new ShapeException("reshape: cannot reshape " + Shape.str(shape) + " (" + n + " elements) to " + Shape.str(newShape));
            s[infer] = n / known;
        }
        if (Shape.size(s) != n) throw new ShapeException("reshape: cannot reshape " + Shape.str(shape) + " (" + n + " elements) to " + Shape.str(newShape));
        Tensor src = isContiguous() ? this : contiguous();
        Tensor out = src.viewOf(src.offset, s, Shape.contiguousStrides(s));
        int[] inShape = shape.clone();
        return record("reshape", out, g -> new Tensor[] {g.reshape(inShape)}, src);
    }

    /** Alias of {@link #reshape}. */
    public Tensor view(int... newShape) {
        return reshape(newShape);
    }

    /** Flattens dimensions startDim..endDim (inclusive) into one. */
    public Tensor flatten(int startDim, int endDim) {
        if (shape.length == 0) return reshape(1);
        int s = Shape.axis("flatten", startDim, shape.length), e = Shape.axis("flatten", endDim, shape.length);
        if (s > e) throw new IllegalArgumentException("flatten: start dimension " + startDim + " after end dimension " + endDim);
        int[] ns = new int[shape.length - (e - s)];
        int j = 0, prod = 1;
        for (int d = 0; d < shape.length; d++) {
            if (d < s || d > e) ns[j++] = shape[d];
            else {
                prod *= shape[d];
                if (d == e) ns[j++] = prod;
            }
        }
        return reshape(ns);
    }

    /** Swaps two dimensions (a view). */
    public Tensor transpose(int d0, int d1) {
        int[] perm = new int[shape.length];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        int a = Shape.axis("transpose", d0, shape.length), b = Shape.axis("transpose", d1, shape.length);
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /** Transpose of a 2-D tensor. */
    public Tensor t() {
        if (shape.length != 2) throw new ShapeException("t: expects a 2-D tensor, got " + Shape.str(shape));
        return transpose(0, 1);
    }

    /** Reorders dimensions (a view): output dimension i is input dimension perm[i]. */
    public Tensor permute(int... perm) {
        if (perm.length != shape.length) throw new ShapeException("permute: " + perm.length + " dimensions given for a tensor of shape " + Shape.str(shape));
        int[] s = new int[perm.length], st = new int[perm.length], inverse = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int p = Shape.axis("permute", perm[i], shape.length);
            if (seen[p]) throw new IllegalArgumentException("permute: dimension " + p + " repeated in " + Arrays.toString(perm));
            seen[p] = true;
            s[i] = shape[p];
            st[i] = strides[p];
            inverse[p] = i;
        }
        return record("permute", viewOf(offset, s, st), g -> new Tensor[] {g.permute(inverse)}, this);
    }

    /** Elements start..start+length-1 along a dimension (a view). */
    public Tensor narrow(int dim, int start, int length) {
        return slice(dim, start, start + length, 1);
    }

    /** Python-style slice start:end:step along a dimension (a view); negative start/end count from the end. */
    public Tensor slice(int dim, int start, int end, int step) {
        int axis = Shape.axis("slice", dim, shape.length);
        int n = shape[axis];
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        int s = start < 0 ? start + n : start, e = end < 0 ? end + n : end;
        s = Math.max(0, Math.min(s, n));
        e = Math.max(s, Math.min(e, n));
        int len = (e - s + step - 1) / step;
        int[] ns = shape.clone(), nst = strides.clone();
        ns[axis] = len;
        nst[axis] = strides[axis] * step;
        Tensor out = viewOf(offset + s * strides[axis], ns, nst);
        int[] inShape = shape.clone();
        final int fs = s;
        return record("slice", out, g -> {
            Tensor gi = backend.wrap(new float[Shape.size(inShape)], inShape);
            Tensor window = gi.viewOf(0, ns, Shape.contiguousStrides(inShape)).sliceStrides(axis, fs, step);
            backend.copyInto_(g, window);
            return new Tensor[] {gi};
        }, this);
    }

    /** Same storage, with the slice offset/stride along one axis applied to contiguous strides (no tape). */
    private Tensor sliceStrides(int axis, int start, int step) {
        int[] st = strides.clone();
        st[axis] *= step;
        return viewOf(offset + start * strides[axis], shape, st);
    }

    /** The slice at {@code index} along a dimension, with that dimension removed (a view). */
    public Tensor select(int dim, int index) {
        int axis = Shape.axis("select", dim, shape.length);
        if (index < -shape[axis] || index >= shape[axis]) throw new IndexOutOfBoundsException("select: index " + index + " out of range for dimension " + dim + " of shape " + Shape.str(shape));
        int i = index < 0 ? index + shape[axis] : index;
        return slice(axis, i, i + 1, 1).squeeze(axis);
    }

    /** Removes a dimension of size 1 (a view). */
    public Tensor squeeze(int dim) {
        int axis = Shape.axis("squeeze", dim, shape.length);
        if (shape[axis] != 1) return this;
        int[] s = new int[shape.length - 1], st = new int[shape.length - 1];
        for (int d = 0, j = 0; d < shape.length; d++) {
            if (d == axis) continue;
            s[j] = shape[d];
            st[j++] = strides[d];
        }
        int[] inShape = shape.clone();
        return record("squeeze", viewOf(offset, s, st), g -> new Tensor[] {g.reshape(inShape)}, this);
    }

    /** Inserts a dimension of size 1 at {@code dim} (a view); dim may be dim() for the end. */
    public Tensor unsqueeze(int dim) {
        int axis = Shape.axis("unsqueeze", dim, shape.length + 1);
        int[] s = new int[shape.length + 1], st = new int[shape.length + 1];
        for (int d = 0, j = 0; d < s.length; d++) {
            if (d == axis) {
                s[d] = 1;
                st[d] = axis < shape.length ? strides[axis] * shape[axis] : 1;
            } else {
                s[d] = shape[j];
                st[d] = strides[j++];
            }
        }
        int[] inShape = shape.clone();
        return record("unsqueeze", viewOf(offset, s, st), g -> new Tensor[] {g.reshape(inShape)}, this);
    }

    /** Broadcasts to a larger shape without copying (stride-0 view); -1 keeps a dimension. */
    public Tensor expand(int... newShape) {
        int[] target = newShape.clone();
        int lead = target.length - shape.length;
        if (lead < 0) throw new ShapeException("expand: cannot expand " + Shape.str(shape) + " to fewer dimensions " + Shape.str(newShape));
        for (int d = 0; d < shape.length; d++) {
            if (target[lead + d] == -1) target[lead + d] = shape[d];
            if (shape[d] != 1 && shape[d] != target[lead + d]) throw new ShapeException("expand: cannot expand " + Shape.str(shape) + " to " + Shape.str(newShape));
        }
        if (Arrays.equals(target, shape)) return this;
        return record("expand", broadcastTo(target), g -> new Tensor[] {g}, this);
    }

    /** Stride-0 view of this tensor as {@code target} (no tape); shapes must be broadcast-compatible. */
    private Tensor broadcastTo(int[] target) {
        if (Arrays.equals(target, shape)) return this;
        Shape.broadcast("broadcast", shape, target);
        return viewOf(offset, target.clone(), Shape.broadcastStrides(shape, strides, target));
    }

    // ------------------------------------------------------------------------------------------------ join / split

    /** Concatenates along an existing dimension. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("cat: no tensors");
        Tensor first = tensors.get(0);
        int axis = Shape.axis("cat", dim, first.dim());
        int total = 0;
        for (Tensor t : tensors) {
            if (t.dim() != first.dim()) throw new ShapeException("cat: tensors of shapes " + Shape.str(first.shape) + " and " + Shape.str(t.shape) + " have different ranks");
            for (int d = 0; d < first.dim(); d++) {
                if (d != axis && t.shape[d] != first.shape[d]) throw new ShapeException("cat: shapes " + Shape.str(first.shape) + " and " + Shape.str(t.shape) + " differ outside dimension " + dim);
            }
            total += t.shape[axis];
        }
        int at = 0;
        int[] starts = new int[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            sameBackend("cat", first, tensors.get(i));
            starts[i] = at;
            at += tensors.get(i).shape[axis];
        }
        Tensor out = first.backend.cat(tensors, axis);
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        return record("cat", out, g -> {
            Tensor[] gs = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) gs[i] = g.narrow(axis, starts[i], inputs[i].shape[axis]);
            return gs;
        }, inputs);
    }

    /** Stacks equal-shaped tensors along a new dimension. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack: no tensors");
        int axis = Shape.axis("stack", dim, tensors.get(0).dim() + 1);
        for (Tensor t : tensors) {
            if (!Arrays.equals(t.shape, tensors.get(0).shape)) throw new ShapeException("stack: shapes " + Shape.str(tensors.get(0).shape) + " and " + Shape.str(t.shape) + " differ");
        }
        return cat(tensors.stream().map(t -> t.unsqueeze(axis)).toList(), axis);
    }

    /** Splits into consecutive pieces of the given sizes along a dimension (views). */
    public List<Tensor> split(int[] sizes, int dim) {
        int axis = Shape.axis("split", dim, shape.length);
        int sum = 0;
        for (int s : sizes) sum += s;
        if (sum != shape[axis]) throw new ShapeException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum + ", dimension " + dim + " of " + Shape.str(shape) + " has " + shape[axis]);
        Tensor[] parts = new Tensor[sizes.length];
        int at = 0;
        for (int i = 0; i < sizes.length; i++) {
            parts[i] = narrow(axis, at, sizes[i]);
            at += sizes[i];
        }
        return List.of(parts);
    }

    /** Splits into {@code chunks} nearly equal pieces along a dimension (views). */
    public List<Tensor> chunk(int chunks, int dim) {
        int axis = Shape.axis("chunk", dim, shape.length);
        int each = (shape[axis] + chunks - 1) / chunks;
        int count = each == 0 ? 0 : (shape[axis] + each - 1) / each;
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) sizes[i] = Math.min(each, shape[axis] - i * each);
        return split(sizes, axis);
    }

    // ------------------------------------------------------------------------------------------------ indexing

    /** Picks entries along {@code dim} by an index tensor of the same rank: out[i][j] = x[i][index[i][j]] for dim 1. */
    public Tensor gather(int dim, Tensor index) {
        int axis = Shape.axis("gather", dim, shape.length);
        if (index.dim() != shape.length) throw new ShapeException("gather: index of shape " + Shape.str(index.shape) + " must have the rank of the input " + Shape.str(shape));
        for (int d = 0; d < shape.length; d++) {
            if (d != axis && index.shape[d] > shape[d]) throw new ShapeException("gather: index shape " + Shape.str(index.shape) + " exceeds input shape " + Shape.str(shape) + " in dimension " + d);
        }
        int[] idx = index.toIntArray("gather", shape[axis]);
        int[] outShape = index.shape.clone(), inShape = shape.clone();
        return record("gather", backend.gather(this, axis, idx, outShape), g -> new Tensor[] {backend.gatherBackward(g, axis, idx, inShape)}, this);
    }

    /** Rows (or slices along {@code dim}) chosen by a 1-D index tensor; repeated indices are allowed. */
    public Tensor indexSelect(int dim, Tensor index) {
        if (index.dim() != 1) throw new ShapeException("index_select: index must be 1-D, got " + Shape.str(index.shape));
        int axis = Shape.axis("index_select", dim, shape.length);
        return indexSelect(axis, index.toIntArray("index_select", shape[axis]));
    }

    /** Rows (or slices along {@code dim}) chosen by indices; repeated indices are allowed. */
    public Tensor indexSelect(int dim, int[] index) {
        int axis = Shape.axis("index_select", dim, shape.length);
        int dn = shape[axis];
        for (int i : index) if (i < 0 || i >= dn) throw new IndexOutOfBoundsException("index_select: index " + i + " out of range [0, " + dn + ") for dimension " + dim + " of shape " + Shape.str(shape));
        int[] inShape = shape.clone();
        int[] idx = index.clone();
        return record("index_select", backend.indexSelect(this, axis, idx), g -> new Tensor[] {backend.indexSelectBackward(g, axis, idx, inShape)}, this);
    }

    /** The values as ints, checking each is a whole number in [0, bound). */
    public int[] toIntArray(String op, int bound) {
        float[] v = toArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            float f = v[i];
            if (f != Math.rint(f) || f < 0 || f >= bound) {
                throw new IndexOutOfBoundsException(op + ": index " + f + " at position " + i + " is out of range [0, " + bound + ")");
            }
            out[i] = (int) f;
        }
        return out;
    }
}
