package dev.lamina.nn;

import dev.lamina.backend.AttentionOps.Heads;
import dev.lamina.backend.AttentionOps.OutLayout;
import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.nn.functional.AttentionOp;
import dev.lamina.nn.functional.LinearOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Multi-head attention with PyTorch's parameters: {@code in_proj_weight} [3E, E] (Q, K, V projections stacked,
 * Xavier-uniform), {@code in_proj_bias} [3E] (zeros), {@code out_proj.weight} [E, E], {@code out_proj.bias} [E]
 * (zeros). Inputs are [L, B, E], or [B, L, E] with {@code batchFirst}, or unbatched [L, E].
 *
 * <p>With key and value sizes {@code kdim}, {@code vdim} other than E (PyTorch's {@code kdim}/{@code vdim}), the
 * projections are separate, as in PyTorch: {@code q_proj_weight} [E, E], {@code k_proj_weight} [E, kdim],
 * {@code v_proj_weight} [E, vdim] (each Xavier-uniform), {@code in_proj_bias} [3E] still one tensor, and no
 * {@code in_proj_weight}. Keys are then [.., kdim] and values [.., vdim]; everything else is unchanged (the same
 * attention kernel), except that cached self-attention needs the packed layout.
 *
 * <p>Self-attention (query, key and value the same tensor) projects Q, K and V with one GEMM and the attention
 * reads the heads in place from that [N, 3E] result (no permute copies); its output comes back already in
 * [N, E] row order for {@code out_proj}. Cross-attention projects the query alone and key/value together when
 * they are the same tensor.
 *
 * <p>{@link #forwardCached} decodes incrementally with a {@link KVCache}: the new steps' keys and values are appended
 * and the new queries attend over everything cached (causally among themselves).
 */
public final class MultiheadAttention extends Module {
    /**
     * What a MultiheadAttention is built from: embed_dim, heads, attention-weight dropout, whether the projections
     * have biases, key and value sizes (kdim = vdim = embed_dim: the packed {@code in_proj_weight}), batch-first layout.
     */
    public record Config(int embedDim, int numHeads, double dropout, boolean bias, int kdim, int vdim, boolean batchFirst) implements LayerConfig {
        @Override
        public MultiheadAttention build(Rng rng) {
            return new MultiheadAttention(embedDim, numHeads, dropout, bias, kdim, vdim, batchFirst, rng);
        }

        /** Whether Q, K and V share the packed [3E, E] {@code in_proj_weight} (kdim = vdim = embed_dim). */
        public boolean packedProjection() {
            return kdim == embedDim && vdim == embedDim;
        }
    }

    private final int embedDim;
    private final int numHeads;
    private final int headDim;
    private final double dropout;
    private final boolean batchFirst;
    private final int kdim;
    private final int vdim;
    /** Packed [3E, E], or null when kdim or vdim differs from E (then the three separate weights below). */
    private final Tensor inProjWeight;
    private final Tensor qProjWeight;
    private final Tensor kProjWeight;
    private final Tensor vProjWeight;
    private final Tensor inProjBias;
    private final Linear outProj;
    private final Rng rng;
    private Consumer<Tensor> weightsObserver;

    public MultiheadAttention(int embedDim, int numHeads) {
        this(embedDim, numHeads, 0.0, true, false, Rng.global());
    }

    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst, Rng rng) {
        this(embedDim, numHeads, dropout, bias, embedDim, embedDim, batchFirst, rng);
    }

    /**
     * PyTorch's {@code nn.MultiheadAttention(embed_dim, num_heads, dropout, bias, kdim=kdim, vdim=vdim, batch_first)}:
     * keys have {@code kdim} features and values {@code vdim}; unless both equal embed_dim, the projections are the
     * separate {@code q_proj_weight}, {@code k_proj_weight}, {@code v_proj_weight} (as PyTorch, also for kdim = vdim ≠ E).
     */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, int kdim, int vdim, boolean batchFirst, Rng rng) {
        if (embedDim <= 0 || numHeads <= 0) throw new IllegalArgumentException("MultiheadAttention: embed_dim and num_heads must be positive, got " + embedDim + " and " + numHeads);
        if (embedDim % numHeads != 0) throw new IllegalArgumentException("MultiheadAttention: embed_dim " + embedDim + " is not divisible by num_heads " + numHeads);
        if (!(dropout >= 0 && dropout <= 1)) throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1], got " + dropout);
        if (kdim <= 0 || vdim <= 0) throw new IllegalArgumentException("MultiheadAttention: kdim and vdim must be positive, got kdim " + kdim + " and vdim " + vdim + " (embed_dim " + embedDim + ")");
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.headDim = embedDim / numHeads;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        this.kdim = kdim;
        this.vdim = vdim;
        if (kdim == embedDim && vdim == embedDim) {
            this.inProjWeight = registerParameter("in_proj_weight", Init.xavierUniform(Tensor.zeros(3 * embedDim, embedDim), 1.0, rng));
            this.qProjWeight = this.kProjWeight = this.vProjWeight = null;
        } else {
            this.inProjWeight = null;
            this.qProjWeight = registerParameter("q_proj_weight", Init.xavierUniform(Tensor.zeros(embedDim, embedDim), 1.0, rng));
            this.kProjWeight = registerParameter("k_proj_weight", Init.xavierUniform(Tensor.zeros(embedDim, kdim), 1.0, rng));
            this.vProjWeight = registerParameter("v_proj_weight", Init.xavierUniform(Tensor.zeros(embedDim, vdim), 1.0, rng));
        }
        this.inProjBias = bias ? registerParameter("in_proj_bias", Tensor.zeros(3 * embedDim)) : null;
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, rng));
        if (bias) outProj.bias().fill_(0f);
        this.rng = registerRng("rng", rng.split());
    }

    /** Self-attention without masks: x [L, B, E] ([B, L, E] with batchFirst, or [L, E]) → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, null, false, true).output();
    }

    /**
     * @param query [Lq, B, E] ([B, Lq, E] with batchFirst, or unbatched [Lq, E])
     * @param key [Lk, B, kdim] (likewise)
     * @param value [Lk, B, vdim] (likewise)
     * @param keyPaddingMask null or [B, Lk] ([Lk] unbatched): keys to ignore
     * @param attnMask null, [Lq, Lk] or [B·numHeads, Lq, Lk]
     * @param needWeights also return the attention weights
     * @param averageAttnWeights average the weights over heads: [B, Lq, Lk], else [B, numHeads, Lq, Lk] (no B unbatched)
     * @return output shaped like query, and the weights or null
     */
    public AttentionOp.Result forward(Tensor query, Tensor key, Tensor value, AttentionMask keyPaddingMask, AttentionMask attnMask,
                                      boolean needWeights, boolean averageAttnWeights) {
        return forward(query, key, value, keyPaddingMask, attnMask, needWeights, averageAttnWeights, false);
    }

    /**
     * As {@link #forward(Tensor, Tensor, Tensor, AttentionMask, AttentionMask, boolean, boolean)}; with {@code causal},
     * query i also ignores keys after position i + (Lk − Lq) (applied inside the kernel, no mask tensor needed).
     */
    public AttentionOp.Result forward(Tensor query, Tensor key, Tensor value, AttentionMask keyPaddingMask, AttentionMask attnMask,
                                      boolean needWeights, boolean averageAttnWeights, boolean causal) {
        String who = describe();
        int qd = query.dim();
        if (qd != 2 && qd != 3) throw shapeError(batchFirst ? "[B, L, " + embedDim + "] or [L, " + embedDim + "]" : "[L, B, " + embedDim + "] or [L, " + embedDim + "]", query);
        if (key.dim() != qd || value.dim() != qd) {
            throw new ShapeException(who + ": query " + Shape.str(query.shape()) + ", key " + Shape.str(key.shape()) + " and value " + Shape.str(value.shape()) + " must all be batched (3-D) or all unbatched (2-D)");
        }
        if (query.size(-1) != embedDim) throw new ShapeException(who + ": query " + Shape.str(query.shape()) + " has " + query.size(-1) + " features, expected embed_dim " + embedDim);
        if (key.size(-1) != kdim) {
            throw new ShapeException(who + ": key " + Shape.str(key.shape()) + " must have " + kdim + " features (kdim" + (kdim == embedDim ? " = embed_dim" : "")
                    + "), got " + key.size(-1) + " (query " + Shape.str(query.shape()) + ", value " + Shape.str(value.shape()) + ")");
        }
        if (value.size(-1) != vdim) {
            throw new ShapeException(who + ": value " + Shape.str(value.shape()) + " must have " + vdim + " features (vdim" + (vdim == embedDim ? " = embed_dim" : "")
                    + "), got " + value.size(-1) + " (query " + Shape.str(query.shape()) + ", key " + Shape.str(key.shape()) + ")");
        }
        boolean unbatched = qd == 2;
        int bAxis = unbatched ? -1 : batchFirst ? 0 : 1, lAxis = unbatched ? 0 : batchFirst ? 1 : 0;
        int b = unbatched ? 1 : query.size(bAxis), lq = query.size(lAxis), lk = key.size(lAxis);
        if (!Arrays.equals(Arrays.copyOf(key.shape(), qd - 1), Arrays.copyOf(value.shape(), qd - 1))) {
            throw new ShapeException(who + ": key " + Shape.str(key.shape()) + " and value " + Shape.str(value.shape()) + " must have the same shape but for the last dimension");
        }
        if (!unbatched && key.size(bAxis) != b) throw new ShapeException(who + ": query " + Shape.str(query.shape()) + " and key " + Shape.str(key.shape()) + " have different batch sizes");
        int e = embedDim, h = numHeads, d = headDim;
        // rows of the [N, E] views: row of (batch bi, position l) = bi*rowB + l*rowL
        int rowB = unbatched || batchFirst ? lq : 1, rowL = unbatched || batchFirst ? 1 : b;
        int kRowB = unbatched || batchFirst ? lk : 1, kRowL = unbatched || batchFirst ? 1 : b;
        Heads qh, kh, vh;
        if (inProjWeight == null) {
            // separate projections: one GEMM each (query, key and value have different widths in general)
            qh = Heads.packed(LinearOp.linear(query.reshape(-1, e), qProjWeight, biasPart(0, e)), 0, d, rowB, rowL);
            kh = Heads.packed(LinearOp.linear(key.reshape(-1, kdim), kProjWeight, biasPart(e, e)), 0, d, kRowB, kRowL);
            vh = Heads.packed(LinearOp.linear(value.reshape(-1, vdim), vProjWeight, biasPart(2 * e, e)), 0, d, kRowB, kRowL);
        } else if (query == key && key == value) {
            Tensor qkv = LinearOp.linear(query.reshape(-1, e), inProjWeight, inProjBias);
            qh = Heads.packed(qkv, 0, d, rowB, rowL);
            kh = Heads.packed(qkv, e, d, rowB, rowL);
            vh = Heads.packed(qkv, 2 * e, d, rowB, rowL);
        } else {
            Tensor qp = LinearOp.linear(query.reshape(-1, e), inProjWeight.narrow(0, 0, e), biasPart(0, e));
            qh = Heads.packed(qp, 0, d, rowB, rowL);
            if (key == value) {
                Tensor kv = LinearOp.linear(key.reshape(-1, e), inProjWeight.narrow(0, e, 2 * e), biasPart(e, 2 * e));
                kh = Heads.packed(kv, 0, d, kRowB, kRowL);
                vh = Heads.packed(kv, e, d, kRowB, kRowL);
            } else {
                kh = Heads.packed(LinearOp.linear(key.reshape(-1, e), inProjWeight.narrow(0, e, e), biasPart(e, e)), 0, d, kRowB, kRowL);
                vh = Heads.packed(LinearOp.linear(value.reshape(-1, e), inProjWeight.narrow(0, 2 * e, e), biasPart(2 * e, e)), 0, d, kRowB, kRowL);
            }
        }
        AttentionMask kpm = paddingMask(keyPaddingMask, unbatched, b, lk);
        AttentionMask am = attnMask(attnMask, b, lq, lk);
        OutLayout out = new OutLayout(new int[] {b * lq, e}, rowB * e, d, rowL * e);
        double p = isTraining() ? dropout : 0.0;
        Consumer<Tensor> observer = weightsObserver;
        AttentionOp.Result r = AttentionOp.attend(who, qh, kh, vh, b, h, lq, lk, d, d, am, kpm, causal, 1 / Math.sqrt(d), p, rng,
                needWeights || observer != null, out);
        Tensor y = outProj.forward(r.output()).reshape(query.shape());
        if (observer != null) observer.accept(r.weights().detach());
        Tensor w = needWeights ? r.weights() : null;
        if (w != null) {
            if (averageAttnWeights) w = w.mean(1, false);
            if (unbatched) w = w.squeeze(0);
        }
        return new AttentionOp.Result(y, w);
    }

    private Tensor biasPart(int start, int length) {
        return inProjBias == null ? null : inProjBias.narrow(0, start, length);
    }

    private AttentionMask paddingMask(AttentionMask m, boolean unbatched, int b, int lk) {
        if (m == null) return null;
        Tensor t = m.values();
        int[] expected = unbatched ? new int[] {lk} : new int[] {b, lk};
        if (!Arrays.equals(t.shape(), expected)) {
            throw new ShapeException(describe() + ": key_padding_mask of shape " + Shape.str(t.shape()) + " does not fit; expected " + Shape.str(expected) + (unbatched ? " ([Lk])" : " ([B, Lk])"));
        }
        return unbatched ? new AttentionMask(t.reshape(1, lk), m.additive()) : m;
    }

    private AttentionMask attnMask(AttentionMask m, int b, int lq, int lk) {
        if (m == null) return null;
        Tensor t = m.values();
        int[] two = {lq, lk}, three = {b * numHeads, lq, lk};
        if (Arrays.equals(t.shape(), two)) return m;
        if (Arrays.equals(t.shape(), three)) return new AttentionMask(t.reshape(b, numHeads, lq, lk), m.additive());
        throw new ShapeException(describe() + ": attn_mask of shape " + Shape.str(t.shape()) + " does not fit; expected " + Shape.str(two)
                + " ([Lq, Lk]) or " + Shape.str(three) + " ([B*num_heads, Lq, Lk])");
    }

    // ------------------------------------------------------------------------------------------------ KV cache

    /** Keys and values of the steps decoded so far, per batch row and head: [B, H, capacity, d], grown by doubling. */
    public final class KVCache {
        private final int batch;
        private Tensor k, v;
        private int capacity, length;

        private KVCache(int batch, int capacity) {
            this.batch = batch;
            this.capacity = Math.max(1, capacity);
            this.k = Tensor.zeros(batch, numHeads, this.capacity, headDim);
            this.v = Tensor.zeros(batch, numHeads, this.capacity, headDim);
        }

        /** Number of cached steps. */
        public int length() {
            return length;
        }

        public int batch() {
            return batch;
        }

        /** Clears the cache (keeps its memory). */
        public void reset() {
            length = 0;
        }

        /** Steps [from, from + n) of every (batch row, head) of a [B, H, cap, d] cache tensor, as a [B, H, n, d] view. */
        private Tensor steps(Tensor cacheTensor, int cap, int from, int n) {
            return Tensor.view(cacheTensor, cacheTensor.storageOffset() + from * headDim, new int[] {batch, numHeads, n, headDim},
                    new int[] {numHeads * cap * headDim, cap * headDim, headDim, 1});
        }

        private void ensure(int needed) {
            if (needed <= capacity) return;
            int cap = Math.max(needed, 2 * capacity);
            Tensor nk = Tensor.zeros(batch, numHeads, cap, headDim), nv = Tensor.zeros(batch, numHeads, cap, headDim);
            nk.backend().copyInto_(steps(k, capacity, 0, length), steps(nk, cap, 0, length));
            nv.backend().copyInto_(steps(v, capacity, 0, length), steps(nv, cap, 0, length));
            k = nk;
            v = nv;
            capacity = cap;
        }

        /** Appends steps from a packed [N, 3E] projection (row of (b, l) = b*rowB + l*rowL). */
        private void append(Tensor qkv, int steps, int rowB, int rowL) {
            ensure(length + steps);
            int w = 3 * embedDim;
            int[] shape = {batch, numHeads, steps, headDim}, strides = {rowB * w, headDim, rowL * w, 1};   // (b, h, l, j) of one third
            k.backend().copyInto_(Tensor.view(qkv, qkv.storageOffset() + embedDim, shape, strides), steps(k, capacity, length, steps));
            v.backend().copyInto_(Tensor.view(qkv, qkv.storageOffset() + 2 * embedDim, shape, strides), steps(v, capacity, length, steps));
            length += steps;
        }
    }

    /** An empty cache for {@code batch} sequences, with room for {@code capacity} steps before it grows. */
    public KVCache newCache(int batch, int capacity) {
        if (batch <= 0) throw new IllegalArgumentException(describe() + ": cache batch must be positive, got " + batch);
        return new KVCache(batch, capacity);
    }

    /**
     * Incremental self-attention: x holds the next steps [t, B, E] ([B, t, E] with batchFirst); their keys and
     * values are appended to {@code cache} and each new query attends to every cached step up to its own position.
     * For inference: the cached keys and values carry no gradient (call it under {@code Autograd.noGrad()}).
     * Self-attention needs kdim = vdim = embed_dim (the packed layout).
     *
     * @param keyPaddingMask null, or [B, cache length after the append]
     * @return [t, B, E] ([B, t, E] with batchFirst)
     */
    public Tensor forwardCached(Tensor x, KVCache cache, AttentionMask keyPaddingMask) {
        if (inProjWeight == null) {
            throw new ShapeException(describe() + ": cached self-attention needs kdim = vdim = embed_dim " + embedDim + ", this layer has kdim " + kdim + " and vdim " + vdim);
        }
        if (x.dim() != 3 || x.size(-1) != embedDim) throw shapeError(batchFirst ? "[B, t, " + embedDim + "]" : "[t, B, " + embedDim + "]", x);
        int b = x.size(batchFirst ? 0 : 1), t = x.size(batchFirst ? 1 : 0);
        if (b != cache.batch) throw new ShapeException(describe() + ": input " + Shape.str(x.shape()) + " has batch " + b + " but the cache was made for batch " + cache.batch);
        int e = embedDim, d = headDim, h = numHeads;
        int rowB = batchFirst ? t : 1, rowL = batchFirst ? 1 : b;
        Tensor qkv = LinearOp.linear(x.reshape(-1, e), inProjWeight, inProjBias);
        cache.append(qkv.detach(), t, rowB, rowL);
        int lk = cache.length, cap = cache.capacity;
        Tensor kt = cache.k, vt = cache.v;   // [B, H, cap, d]: the first lk steps are read
        Heads kh = new Heads(kt, kt.storageOffset(), h * cap * d, cap * d, d, 1, 0, 0, 0, 0);
        Heads vh = new Heads(vt, vt.storageOffset(), h * cap * d, cap * d, d, 1, 0, 0, 0, 0);
        AttentionMask kpm = paddingMask(keyPaddingMask, false, b, lk);
        OutLayout out = new OutLayout(new int[] {b * t, e}, rowB * e, d, rowL * e);
        AttentionOp.Result r = AttentionOp.attend(describe(), Heads.packed(qkv, 0, d, rowB, rowL), kh, vh, b, h, t, lk, d, d, null, kpm, true,
                1 / Math.sqrt(d), 0.0, rng, false, out);
        return outProj.forward(r.output()).reshape(x.shape());
    }

    /**
     * Hands the per-head attention weights [B, heads, Lq, Lk] of every later forward (detached; for an unbatched input
     * B = 1) to {@code observer}; null stops. For tools that show what a layer attends to inside a model whose code
     * asks for no weights (lamina inspect's attention maps). While observed, the weights are computed every forward.
     */
    public void observeWeights(Consumer<Tensor> observer) {
        this.weightsObserver = observer;
    }

    /** {@code in_proj_weight} [3E, E], or null in the separate layout ({@link #packedProjection()} false). */
    @Override
    public Config config() {
        return new Config(embedDim, numHeads, dropout, inProjBias != null, kdim, vdim, batchFirst);
    }

    public Tensor inProjWeight() {
        return inProjWeight;
    }

    /** True when Q, K and V share the packed {@code in_proj_weight} (kdim = vdim = embed_dim; PyTorch's {@code _qkv_same_embed_dim}). */
    public boolean packedProjection() {
        return inProjWeight != null;
    }

    /** {@code q_proj_weight} [E, E], or null in the packed layout. */
    public Tensor qProjWeight() {
        return qProjWeight;
    }

    /** {@code k_proj_weight} [E, kdim], or null in the packed layout. */
    public Tensor kProjWeight() {
        return kProjWeight;
    }

    /** {@code v_proj_weight} [E, vdim], or null in the packed layout. */
    public Tensor vProjWeight() {
        return vProjWeight;
    }

    public int kdim() {
        return kdim;
    }

    public int vdim() {
        return vdim;
    }

    /** {@code in_proj_bias}, or null without bias. */
    public Tensor inProjBias() {
        return inProjBias;
    }

    public Linear outProj() {
        return outProj;
    }

    public int embedDim() {
        return embedDim;
    }

    public int numHeads() {
        return numHeads;
    }

    public boolean batchFirst() {
        return batchFirst;
    }

    @Override
    protected String extraRepr() {
        String kv = inProjWeight == null ? ", kdim=" + kdim + ", vdim=" + vdim : "";
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads + ", dropout=" + dropout + ", bias=" + (inProjBias != null) + kv + ", batch_first=" + batchFirst;
    }
}
