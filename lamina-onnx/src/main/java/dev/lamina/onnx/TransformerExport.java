package dev.lamina.onnx;

import static dev.lamina.onnx.OnnxExport.intAttr;
import static dev.lamina.onnx.OnnxExport.ints;

import dev.lamina.models.CharLstm;
import dev.lamina.models.CharTransformer;
import dev.lamina.models.LanguageModel;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.GELU;
import dev.lamina.nn.LayerNorm;
import dev.lamina.nn.LearnedPositionalEncoding;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Module;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.SinusoidalPositionalEncoding;
import dev.lamina.nn.TransformerEncoder;
import dev.lamina.nn.TransformerEncoderLayer;
import dev.lamina.onnx.OnnxExport.Traced;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The attention part of {@link OnnxExport}: self-attention, encoder layers and stacks, positional encodings and the
 * character language models, written so that the sequence length stays free in the graph (every Reshape keeps the
 * leading dimensions with 0; lengths come from {@code Shape}).
 *
 * <p>Self-attention ({@link MultiheadAttention}, batch-first [N, L, E] or sequence-first [L, N, E]):
 * <pre>
 *   qkv = x · in_proj_weightᵀ + in_proj_bias          one MatMul  [.., .., 3E]
 *   Reshape [0, 0, 3H, d] → Transpose → [N, 3H, L, d] → Split (axis 1) → Q, K, V [N, H, L, d]
 *   S = (Q · Kᵀ) · (1/√d)   (+ causal mask)           MatMul, Mul (Lamina scales the product, not Q)
 *   O = Softmax(S, -1) · V → Transpose → Reshape [0, 0, E] → out_proj (MatMul + Add)
 * </pre>
 * The causal mask is additive and built at run time for the actual length L: {@code ConstantOfShape([L, L], −∞)}
 * then {@code Trilu(upper, k = 1)} keeps −∞ where key j &gt; query i and zeros elsewhere (softmax then gives those
 * keys weight exactly 0, as Lamina's kernel does). Positional tables are sliced to the first L rows with
 * {@code Slice(table, 0, Shape(x)[L axis])}. On import, {@link AttentionFusion} turns each attention chain back into
 * Lamina's kernel.
 */
final class TransformerExport {
    private final OnnxExport e;
    private final Map<String, String> constants = new HashMap<>();
    private final Map<String, String> masks = new HashMap<>();
    /** For a language model: the graph input whose axis 1 is the sequence length (shared by every layer), else null. */
    private String lengthInput;
    private String sharedLength, sharedMask;

    /** Registers the attention family: each call reaches the graph's own TransformerExport (it keeps per-graph state). */
    static void registerAll() {
        OnnxExport.register(MultiheadAttention.class, (e, prefix, where, a, x, y) -> e.transformer().attention(prefix, where, a, x));
        OnnxExport.register(TransformerEncoderLayer.class, (e, prefix, where, l, x, y) -> e.transformer().encoderLayer(prefix, where, l, x));
        OnnxExport.register(TransformerEncoder.class, (e, prefix, where, enc, x, y) -> e.transformer().encoder(prefix, where, enc, x));
        OnnxExport.register(LearnedPositionalEncoding.class, (e, prefix, where, p, x, y) -> e.transformer().positions(prefix + "weight", where, p.weight(), p.batchFirst(), x));
        OnnxExport.register(SinusoidalPositionalEncoding.class, (e, prefix, where, p, x, y) -> e.transformer().positions(prefix + "pe", where, p.pe(), p.batchFirst(), x));
    }

    TransformerExport(OnnxExport e) {
        this.e = e;
    }

    /** The traced output of {@code m}: its {@code forward}, or the causal forward of attention layers when exporting causally. */
    Tensor trace(Module m, Tensor x) {
        if (m instanceof MultiheadAttention a) requirePackedProjection(a.path().isEmpty() ? "MultiheadAttention" : a.path(), a);
        if (e.causal) {
            switch (m) {
                case MultiheadAttention a -> {
                    return a.forward(x, x, x, null, null, false, true, true).output();
                }
                case TransformerEncoderLayer l -> {
                    return l.forward(x, null, null, true);
                }
                case TransformerEncoder enc -> {
                    return enc.forward(x, null, null, true);
                }
                default -> { }
            }
        }
        return m.forward(x);
    }

    /**
     * For a model of attention layers or positional encodings, all of one layout, and otherwise only layers whose
     * export keeps the first two dimensions free (Linear, LayerNorm over the last dimension, ReLU, GELU, dropout): the
     * names of those two dimensions, {@code [N, L]} batch-first or {@code [L, N]} sequence-first; else null.
     */
    static String[] freeDims(Module model) {
        int[] layout = {0}; // 0: no attention layer seen, 1: batch-first, 2: sequence-first, -1: mixed
        if (!agnostic(model, layout) || layout[0] <= 0) return null;
        return layout[0] == 1 ? new String[] {"N", "L"} : new String[] {"L", "N"};
    }

    private static boolean agnostic(Module m, int[] layout) {
        if (m instanceof Sequential s) {
            for (Module c : s.layers()) if (!agnostic(c, layout)) return false;
            return true;
        }
        Boolean batchFirst = switch (m) {
            case MultiheadAttention a -> a.batchFirst();
            case TransformerEncoderLayer l -> l.selfAttn().batchFirst();
            case TransformerEncoder enc -> enc.layer(0).selfAttn().batchFirst();
            case LearnedPositionalEncoding p -> p.batchFirst();
            case SinusoidalPositionalEncoding p -> p.batchFirst();
            default -> null;
        };
        if (batchFirst != null) {
            int kind = batchFirst ? 1 : 2;
            layout[0] = layout[0] == 0 || layout[0] == kind ? kind : -1;
            return true;
        }
        return switch (m) {
            case LayerNorm l -> l.normalizedShape().length == 1;
            case Linear l -> true;
            case ReLU r -> true;
            case GELU g -> true;
            case Dropout d -> true;
            default -> false;
        };
    }

    // ------------------------------------------------------------------------------------------------ language models

    /**
     * CharLstm: embed (Gather) → lstm (ONNX LSTM) → head; CharTransformer: embed + pos (sliced to T) → causal
     * pre-norm encoder layers → norm → head. {@code ids} is the graph input [N, T] (traced on a probe).
     */
    Traced languageModel(LanguageModel model, Traced ids) {
        List<String> chain = switch (model) {
            case CharLstm c -> List.of("embed", "lstm", "head");
            case CharTransformer t -> List.of("embed", "pos", "encoder", "norm", "head");
            default -> throw new IllegalArgumentException("export: cannot export language model " + model.getClass().getSimpleName()
                    + ": only CharLstm and CharTransformer are supported");
        };
        lengthInput = ids.name();
        Map<String, Module> children = model.children();
        Traced cur = ids;
        for (String name : chain) {
            Module m = children.get(name);
            if (m == null) throw new IllegalStateException("export: " + model.getClass().getSimpleName() + " has no sub-module '" + name + "'");
            cur = e.emit(name + ".", m, cur);
        }
        int[] expected = model.logits(ids.value()).shape();
        if (!Arrays.equals(expected, cur.value().shape())) {
            throw new IllegalStateException("export: traced logits " + Shape.str(cur.value().shape()) + " differ from the model's " + Shape.str(expected));
        }
        return cur;
    }

    // ------------------------------------------------------------------------------------------------ layers

    /** Self-attention x → x; see the class comment. */
    String attention(String prefix, String where, MultiheadAttention a, Traced x) {
        requirePackedProjection(where, a);
        if (x.value().dim() != 3) throw OnnxExport.unsupported(where, a, "export needs a batched 3-D input, got " + Shape.str(x.value().shape()));
        int emb = a.embedDim(), h = a.numHeads(), d = emb / h;
        boolean bf = a.batchFirst();
        String qkv = e.node("MatMul", where, List.of(x.name(), e.param(prefix + "in_proj_weight.T", a.inProjWeight().t().contiguous())));
        if (a.inProjBias() != null) qkv = e.node("Add", where, List.of(qkv, e.param(prefix + "in_proj_bias", a.inProjBias())));
        String heads = e.node("Reshape", where, List.of(qkv, int64(0, 0, 3L * h, d)));
        String nhld = e.node("Transpose", where, List.of(heads), bf ? ints("perm", 0, 2, 1, 3) : ints("perm", 1, 2, 0, 3)); // [N, 3H, L, d]
        String[] qkvh = e.nodeN("Split", where, 3, List.of(nhld), intAttr("axis", 1));
        String kt = e.node("Transpose", where, List.of(qkvh[1]), ints("perm", 0, 1, 3, 2));
        String s = e.node("MatMul", where, List.of(qkvh[0], kt));
        s = e.node("Mul", where, List.of(s, float32((float) (1 / Math.sqrt(d)))));
        if (e.causal) s = e.node("Add", where, List.of(s, causalMask(where, x.name(), bf ? 1 : 0)));
        String p = e.node("Softmax", where, List.of(s), intAttr("axis", -1));
        String o = e.node("MatMul", where, List.of(p, qkvh[2])); // [N, H, L, d]
        o = e.node("Transpose", where, List.of(o), bf ? ints("perm", 0, 2, 1, 3) : ints("perm", 2, 0, 1, 3));
        o = e.node("Reshape", where, List.of(o, int64(0, 0, emb)));
        return LayerStructureExport.linear(e, prefix + "out_proj.", where + ".out_proj", a.outProj(), new Traced(o, x.value()));
    }

    /**
     * The graph is written for the packed {@code in_proj_weight} (self-attention, kdim = vdim = embed_dim); a layer
     * with separate q/k/v projection weights is refused rather than exported wrongly.
     */
    private static void requirePackedProjection(String where, MultiheadAttention a) {
        if (!a.packedProjection()) {
            throw OnnxExport.unsupported(where, a, "only the packed in_proj_weight layout (kdim = vdim = embed_dim) is exported; this layer has "
                    + "separate q/k/v_proj_weight with embed_dim " + a.embedDim() + ", kdim " + a.kdim() + ", vdim " + a.vdim());
        }
    }

    /** Post-norm: norm1(x + attn(x)), norm2(x + ff(x)); pre-norm: x + attn(norm1(x)), x + ff(norm2(x)). Dropout is the identity. */
    String encoderLayer(String prefix, String where, TransformerEncoderLayer l, Traced x) {
        if (x.value().dim() != 3) throw OnnxExport.unsupported(where, l, "export needs a batched 3-D input, got " + Shape.str(x.value().shape()));
        Map<String, Module> c = l.children();
        LayerNorm n1 = (LayerNorm) c.get("norm1"), n2 = (LayerNorm) c.get("norm2");
        String h = x.name();
        if (l.normFirst()) {
            String a = attention(prefix + "self_attn.", where + ".self_attn", l.selfAttn(), traced(NormExport.layerNorm(e, prefix + "norm1.", where + ".norm1", n1, h), x));
            h = e.node("Add", where, List.of(h, a));
            String f = feedForward(prefix, where, l, traced(NormExport.layerNorm(e, prefix + "norm2.", where + ".norm2", n2, h), x));
            h = e.node("Add", where, List.of(h, f));
        } else {
            String a = attention(prefix + "self_attn.", where + ".self_attn", l.selfAttn(), traced(h, x));
            h = NormExport.layerNorm(e, prefix + "norm1.", where + ".norm1", n1, e.node("Add", where, List.of(h, a)));
            String f = feedForward(prefix, where, l, traced(h, x));
            h = NormExport.layerNorm(e, prefix + "norm2.", where + ".norm2", n2, e.node("Add", where, List.of(h, f)));
        }
        return h;
    }

    private String feedForward(String prefix, String where, TransformerEncoderLayer l, Traced x) {
        Map<String, Module> c = l.children();
        String y = LayerStructureExport.linear(e, prefix + "linear1.", where + ".linear1", (Linear) c.get("linear1"), x);
        y = switch (l.activation()) {
            case ReLU r -> e.node("Relu", where + ".activation", List.of(y));
            case GELU g -> g.config().tanhApproximation() ? ActivationExport.geluTanh(e, where + ".activation", y) : ActivationExport.geluErf(e, where + ".activation", y);
            default -> throw OnnxExport.unsupported(where, l, "activation " + l.activation().getClass().getSimpleName() + " has no mapping");
        };
        return LayerStructureExport.linear(e, prefix + "linear2.", where + ".linear2", (Linear) c.get("linear2"), traced(y, x));
    }

    /** Every layer in turn (causal when exporting causally), then the optional final {@code norm}. */
    String encoder(String prefix, String where, TransformerEncoder enc, Traced x) {
        String h = x.name();
        for (int i = 0; i < enc.numLayers(); i++) {
            h = encoderLayer(prefix + "layers." + i + ".", where + ".layers." + i, enc.layer(i), traced(h, x));
        }
        Module norm = enc.children().get("norm");
        return norm == null ? h : NormExport.layerNorm(e, prefix + "norm.", where + ".norm", (LayerNorm) norm, h);
    }

    /** x + table[:L] ([L, d] batch-first, unsqueezed to [L, 1, d] sequence-first); L read from x's shape at run time. */
    String positions(String tableName, String where, Tensor table, boolean batchFirst, Traced x) {
        if (x.value().dim() != 3) throw new IllegalArgumentException("export: cannot export " + where + ": positional encodings need a 3-D input, got " + Shape.str(x.value().shape()));
        String len = length(where, x.name(), batchFirst ? 1 : 0);
        String rows = e.node("Slice", where, List.of(e.param(tableName, table), int64(0), len, int64(0)));
        if (!batchFirst) rows = e.node("Unsqueeze", where, List.of(rows, int64(1)));
        return e.node("Add", where, List.of(x.name(), rows));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static Traced traced(String name, Traced like) {
        return new Traced(name, like.value());
    }

    /** The length [1] (int64) of {@code x} along {@code axis}; a language model's comes once from its ids. */
    private String length(String where, String x, int axis) {
        if (lengthInput != null) {
            if (sharedLength == null) sharedLength = e.node("Shape", "seq_len", List.of(lengthInput), intAttr("start", 1), intAttr("end", 2));
            return sharedLength;
        }
        return e.node("Shape", where, List.of(x), intAttr("start", axis), intAttr("end", axis + 1));
    }

    /** [L, L]: 0 where key j ≤ query i, −∞ after it. */
    private String causalMask(String where, String x, int axis) {
        if (lengthInput != null && sharedMask != null) return sharedMask;
        String key = x + "@" + axis;
        String cached = masks.get(key);
        if (cached != null) return cached;
        String len = length(where, x, axis);
        String w = lengthInput != null ? "causal_mask" : where + ".causal_mask";
        String shape = e.node("Concat", w, List.of(len, len), intAttr("axis", 0));
        String full = e.node("ConstantOfShape", w, List.of(shape), OnnxExport.floatTensorAttr("value", Float.NEGATIVE_INFINITY));
        String mask = e.node("Trilu", w, List.of(full, scalar64(1)), intAttr("upper", 1));
        masks.put(key, mask);
        if (lengthInput != null) sharedMask = mask;
        return mask;
    }

    /** A 1-D int64 constant, one initializer per distinct value. */
    private String int64(long... v) {
        return constants.computeIfAbsent("i64" + Arrays.toString(v), k -> e.constInt64("const_i64_" + constants.size(), v));
    }

    private String scalar64(long v) {
        return constants.computeIfAbsent("s64 " + v, k -> e.scalarInt64("const_s64_" + constants.size(), v));
    }

    private String float32(float v) {
        return constants.computeIfAbsent("f32 " + Float.floatToIntBits(v), k -> e.constFloat("const_f32_" + constants.size(), v));
    }
}
