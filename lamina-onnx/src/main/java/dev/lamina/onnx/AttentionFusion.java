package dev.lamina.onnx;

import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.nn.functional.AttentionOp;
import dev.lamina.tensor.DType;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.NodeProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fuses scaled dot-product attention as {@link TransformerExport} writes it back into Lamina's attention kernel
 * ({@link AttentionOp#scaledDotProductAttention}), so that a re-imported model computes exactly what
 * {@code MultiheadAttention} does:
 * <pre>
 *   Softmax(MatMul(Q, Transpose(K, [0, 1, 3, 2])) · c  [+ causal mask], axis −1) · V
 * </pre>
 * with c a one-element float constant and the causal mask {@code Trilu(ConstantOfShape(Concat(n, n), −∞), k = 1,
 * upper)}, which the fused node takes as its fourth input. Intermediate values must have no other use. At run time
 * the fused node checks that Q, K and V are 4-D [B, H, L, d] with equal B and H (and, with the mask, that it is
 * [Lq, Lk] with Lq = Lk: then it is exactly the causal pattern); otherwise it evaluates the original operators.
 */
final class AttentionFusion {
    private AttentionFusion() {}

    /** Internal operator (never accepted from a file: validation only admits ONNX operators). */
    static final String ATTENTION = "lamina.Attention";

    static void registerAll() {
        Ops.register(ATTENTION, 3, 4, 1, (n, in) -> {
            Tensor q = Ops.floatInput(n, in[0], "Q"), k = Ops.floatInput(n, in[1], "K"), v = Ops.floatInput(n, in[2], "V");
            if (n.s(K_LAYOUT, "BHLD").equals("BLHD")) {
                if (k.dim() != 4) throw n.error("K must be [B, L, H, d], got " + dev.lamina.tensor.Shape.str(k.shape()));
                k = k.permute(0, 2, 1, 3);
            }
            Tensor mask = in.length > 3 && in[3] != null ? Ops.floatInput(n, in[3], "mask") : null;
            boolean additive = mask != null && n.s(MASK_KIND, CAUSAL).equals(ADDITIVE);
            float scale = n.f("scale", 1f);
            if (!kernelFits(q, k, v, mask, additive)) return Ops.one(unfused(q, k, v, mask, scale));
            return Ops.one(additive
                    ? AttentionOp.scaledDotProductAttention(q, k, v, AttentionMask.additive(mask), null, false, 0.0, false, scale, null).output()
                    : AttentionOp.scaledDotProductAttention(q, k, v, null, null, mask != null, 0.0, false, scale, null).output());
        });
    }

    private static boolean kernelFits(Tensor q, Tensor k, Tensor v, Tensor mask, boolean additive) {
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) return false;
        for (int d = 0; d < 2; d++) if (k.size(d) != q.size(d) || v.size(d) != q.size(d)) return false;
        if (q.size(3) != k.size(3) || k.size(2) != v.size(2)) return false;
        if (mask == null) return true;
        if (!additive) return q.size(2) == k.size(2) && Arrays.equals(mask.shape(), new int[] {q.size(2), k.size(2)});
        // an additive mask broadcasting to the scores [B, H, Lq, Lk]
        int[] target = {q.size(0), q.size(1), q.size(2), k.size(2)}, ms = mask.shape();
        if (ms.length > 4) return false;
        for (int i = 0; i < ms.length; i++) {
            int t = target[4 - ms.length + i];
            if (ms[i] != 1 && ms[i] != t) return false;
        }
        return true;
    }

    /** The operators as written (MatMul and Add broadcasting). */
    private static Tensor unfused(Tensor q, Tensor k, Tensor v, Tensor mask, float scale) {
        Tensor s = q.matmul(k.transpose(-1, -2)).mul(scale);
        if (mask != null) s = s.add(mask);
        return s.softmax(-1).matmul(v);
    }

    /** {@code nodes} with every matching attention chain replaced by one fused node (at the place of its last MatMul). */
    static List<GraphNode> plan(List<GraphNode> nodes, Map<String, Tensor> initializers, Set<String> graphOutputs) {
        Map<String, Integer> uses = new HashMap<>();
        Map<String, GraphNode> producer = new HashMap<>();
        Map<String, GraphNode> consumer = new HashMap<>();
        for (GraphNode n : nodes) {
            for (String in : n.proto.getInputList()) {
                if (in.isEmpty()) continue;
                uses.merge(in, 1, Integer::sum);
                consumer.put(in, n);
            }
            for (String out : n.proto.getOutputList()) producer.put(out, n);
        }
        for (String o : graphOutputs) uses.merge(o, 1, Integer::sum);
        Set<GraphNode> removed = new HashSet<>();
        Map<GraphNode, GraphNode> replaced = new HashMap<>();
        for (GraphNode sm : nodes) {
            if (!sm.op.equals("Softmax") || sm.i("axis", -1) != -1 || sm.proto.getInputCount() != 1) continue;
            GraphNode pv = Fusion.single(sm, uses, consumer);
            if (pv == null || !pv.op.equals("MatMul") || !pv.proto.getInput(0).equals(sm.proto.getOutput(0))) continue;
            GraphNode pre = producer.get(sm.proto.getInput(0));
            if (pre == null || !Fusion.singleUse(pre, uses)) continue;
            List<GraphNode> chain = new ArrayList<>(List.of(sm));
            String mask = null, maskKind = null;
            Scores scores = scores(sm.proto.getInput(0), initializers, producer, uses);
            if (scores == null && pre.op.equals("Add") && pre.proto.getInputCount() == 2) {
                String in0 = pre.proto.getInput(0), in1 = pre.proto.getInput(1);
                if (isCausalMask(producer.get(in1), initializers, producer) || isCausalMask(producer.get(in0), initializers, producer)) {
                    boolean second = isCausalMask(producer.get(in1), initializers, producer);
                    scores = scores(second ? in0 : in1, initializers, producer, uses);
                    mask = second ? in1 : in0;
                    maskKind = CAUSAL;
                } else { // an additive mask: a BERT padding mask (1 − m)·−10000, or any float mask added to the scores
                    Scores s0 = scores(in0, initializers, producer, uses);
                    scores = s0 != null ? s0 : scores(in1, initializers, producer, uses);
                    mask = s0 != null ? in1 : in0;
                    maskKind = ADDITIVE;
                }
                chain.add(pre);
            } else if (scores == null && pre.op.equals("Where") && pre.proto.getInputCount() == 3) {
                // Where(cond, fill, scores) or Where(cond, scores, fill) with constant cond and fill: masked_fill
                String additive = pre.name + " (additive mask)";
                Scores s1 = scores(pre.proto.getInput(1), initializers, producer, uses), s2 = scores(pre.proto.getInput(2), initializers, producer, uses);
                Tensor m = s2 != null ? whereMask(initializers, pre.proto.getInput(0), pre.proto.getInput(1), true)
                        : s1 != null ? whereMask(initializers, pre.proto.getInput(0), pre.proto.getInput(2), false) : null;
                if (m != null) {
                    initializers.put(additive, m);
                    scores = s2 != null ? s2 : s1;
                    mask = additive;
                    maskKind = ADDITIVE;
                    chain.add(pre);
                }
            }
            if (scores == null) continue;
            chain.addAll(List.of(scores.scaleNode, scores.mm, scores.kt));
            NodeProto.Builder fused = NodeProto.newBuilder().setOpType(ATTENTION).setName(pv.name + " (attention fused)")
                    .addInput(scores.mm.proto.getInput(0)).addInput(scores.kt.proto.getInput(0)).addInput(pv.proto.getInput(1))
                    .addOutput(pv.proto.getOutput(0))
                    .addAttribute(AttributeProto.newBuilder().setName("scale").setType(AttributeProto.AttributeType.FLOAT).setF((float) scores.scale))
                    .addAttribute(stringAttr(K_LAYOUT, scores.keysSequenceFirst ? "BLHD" : "BHLD"));
            if (mask != null) fused.addInput(mask).addAttribute(stringAttr(MASK_KIND, maskKind));
            removed.addAll(chain);
            replaced.put(pv, new GraphNode(fused.build(), pv.index, pv.opset));
        }
        if (replaced.isEmpty()) return nodes;
        List<GraphNode> out = new ArrayList<>();
        for (GraphNode n : nodes) {
            if (removed.contains(n)) continue;
            out.add(replaced.getOrDefault(n, n));
        }
        return out;
    }

    static final String MASK_KIND = "lamina_mask", CAUSAL = "causal", ADDITIVE = "additive", K_LAYOUT = "lamina_k_layout";

    private static AttributeProto stringAttr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
    }

    /**
     * The scaled scores {@code MatMul(Q, Transpose(K)) · c} (or {@code / c}) ending in {@code value}, each node used
     * once: K transposed from [B, H, L, d] ({@code perm 0,1,3,2}) or straight from [B, L, H, d] ({@code perm 0,2,3,1},
     * as exporters merge a head split's transpose into it).
     */
    private record Scores(GraphNode scaleNode, GraphNode mm, GraphNode kt, double scale, boolean keysSequenceFirst) {}

    private static Scores scores(String value, Map<String, Tensor> constants, Map<String, GraphNode> producer, Map<String, Integer> uses) {
        GraphNode mul = producer.get(value);
        if (mul == null || !Fusion.singleUse(mul, uses) || mul.proto.getInputCount() != 2) return null;
        double scale;
        String mmName;
        if (mul.op.equals("Mul")) {
            double c1 = Fusion.constant(mul.proto.getInput(1), constants, producer);
            mmName = Double.isNaN(c1) ? mul.proto.getInput(1) : mul.proto.getInput(0);
            scale = Double.isNaN(c1) ? Fusion.constant(mul.proto.getInput(0), constants, producer) : c1;
        } else if (mul.op.equals("Div")) {
            scale = 1 / Fusion.constant(mul.proto.getInput(1), constants, producer);
            mmName = mul.proto.getInput(0);
        } else {
            return null;
        }
        GraphNode mm = producer.get(mmName);
        if (Double.isNaN(scale) || Double.isInfinite(scale) || mm == null || !mm.op.equals("MatMul") || !Fusion.singleUse(mm, uses)) return null;
        GraphNode kt = producer.get(mm.proto.getInput(1));
        if (kt == null || !kt.op.equals("Transpose") || !Fusion.singleUse(kt, uses)) return null;
        int[] perm = kt.ints("perm");
        boolean bhld = Arrays.equals(perm, new int[] {0, 1, 3, 2}), blhd = Arrays.equals(perm, new int[] {0, 2, 3, 1});
        return bhld || blhd ? new Scores(mul, mm, kt, scale, blhd) : null;
    }

    /**
     * The additive mask of {@code Where(cond, fill, scores)} ({@code fillWhereTrue}) or {@code Where(cond, scores,
     * fill)}: {@code fill} where the scores are replaced, 0 where they are kept; null unless cond is a constant bool
     * tensor and fill a constant float scalar.
     */
    private static Tensor whereMask(Map<String, Tensor> constants, String condName, String fillName, boolean fillWhereTrue) {
        Tensor cond = constants.get(condName), fill = constants.get(fillName);
        if (cond == null || fill == null || cond.dtype() != DType.BOOL || !Ops.isFloat(fill) || fill.numel() != 1) return null;
        float f = fill.toArray()[0];
        boolean[] c = cond.toBooleanArray();
        float[] m = new float[c.length];
        for (int i = 0; i < m.length; i++) m[i] = c[i] == fillWhereTrue ? f : 0f;
        return Tensor.of(m, cond.shape().clone());
    }

    /** {@code Trilu(ConstantOfShape(Concat(n, n), −∞), k = 1, upper = 1)}: −∞ strictly above the diagonal of a square. */
    private static boolean isCausalMask(GraphNode t, Map<String, Tensor> initializers, Map<String, GraphNode> producer) {
        if (t == null || !t.op.equals("Trilu") || t.i("upper", 1) != 1 || t.proto.getInputCount() != 2) return false;
        Tensor k = initializers.get(t.proto.getInput(1));
        if (k == null || Ops.isFloat(k) || k.numel() != 1 || Ops.toLongs(k, "k")[0] != 1) return false;
        GraphNode fill = producer.get(t.proto.getInput(0));
        if (fill == null || !fill.op.equals("ConstantOfShape") || fill.tensorAttr("value") == null) return false;
        Tensor v = DataTypes.decode(fill.tensorAttr("value").getT(), fill.describe());
        if (!Ops.isFloat(v) || v.numel() != 1 || v.toArray()[0] != Float.NEGATIVE_INFINITY) return false;
        GraphNode cat = producer.get(fill.proto.getInput(0));
        return cat != null && cat.op.equals("Concat") && cat.proto.getInputCount() == 2 && cat.proto.getInput(0).equals(cat.proto.getInput(1));
    }
}
