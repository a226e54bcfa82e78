package dev.lamina.onnx;

import dev.lamina.nn.functional.AttentionOp;
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
            Tensor q = Ops.floatInput(n, in[0], "Q").f, k = Ops.floatInput(n, in[1], "K").f, v = Ops.floatInput(n, in[2], "V").f;
            Tensor mask = in.length > 3 && in[3] != null ? Ops.floatInput(n, in[3], "mask").f : null;
            float scale = n.f("scale", 1f);
            return Ops.one(Value.of(kernelFits(q, k, v, mask)
                    ? AttentionOp.scaledDotProductAttention(q, k, v, null, null, mask != null, 0.0, false, scale, null).output()
                    : unfused(q, k, v, mask, scale)));
        });
    }

    private static boolean kernelFits(Tensor q, Tensor k, Tensor v, Tensor mask) {
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) return false;
        for (int d = 0; d < 2; d++) if (k.size(d) != q.size(d) || v.size(d) != q.size(d)) return false;
        if (q.size(3) != k.size(3) || k.size(2) != v.size(2)) return false;
        return mask == null || (q.size(2) == k.size(2) && Arrays.equals(mask.shape(), new int[] {q.size(2), k.size(2)}));
    }

    /** The operators as written (MatMul and Add broadcasting). */
    private static Tensor unfused(Tensor q, Tensor k, Tensor v, Tensor mask, float scale) {
        Tensor s = q.matmul(k.transpose(-1, -2)).mul(scale);
        if (mask != null) s = s.add(mask);
        return s.softmax(-1).matmul(v);
    }

    /** {@code nodes} with every matching attention chain replaced by one fused node (at the place of its last MatMul). */
    static List<Node> plan(List<Node> nodes, Map<String, Value> initializers, Set<String> graphOutputs) {
        Map<String, Integer> uses = new HashMap<>();
        Map<String, Node> producer = new HashMap<>();
        Map<String, Node> consumer = new HashMap<>();
        for (Node n : nodes) {
            for (String in : n.proto.getInputList()) {
                if (in.isEmpty()) continue;
                uses.merge(in, 1, Integer::sum);
                consumer.put(in, n);
            }
            for (String out : n.proto.getOutputList()) producer.put(out, n);
        }
        for (String o : graphOutputs) uses.merge(o, 1, Integer::sum);
        Set<Node> removed = new HashSet<>();
        Map<Node, Node> replaced = new HashMap<>();
        for (Node sm : nodes) {
            if (!sm.op.equals("Softmax") || sm.i("axis", -1) != -1 || sm.proto.getInputCount() != 1) continue;
            Node pv = Fusion.single(sm, uses, consumer);
            if (pv == null || !pv.op.equals("MatMul") || !pv.proto.getInput(0).equals(sm.proto.getOutput(0))) continue;
            Node pre = producer.get(sm.proto.getInput(0)), add = null;
            String mask = null;
            if (pre == null || !Fusion.singleUse(pre, uses)) continue;
            if (pre.op.equals("Add") && pre.proto.getInputCount() == 2) {
                add = pre;
                Node a = producer.get(add.proto.getInput(0)), b = producer.get(add.proto.getInput(1));
                boolean second = isCausalMask(b, initializers, producer);
                pre = second ? a : isCausalMask(a, initializers, producer) ? b : null;
                mask = add.proto.getInput(second ? 1 : 0);
                if (pre == null || !Fusion.singleUse(pre, uses)) continue;
            }
            Node mul = pre;
            if (!mul.op.equals("Mul") || mul.proto.getInputCount() != 2) continue;
            String scaleName = mul.proto.getInput(1), mmName = mul.proto.getInput(0);
            if (Double.isNaN(Fusion.constant(scaleName, initializers, producer))) {
                scaleName = mul.proto.getInput(0);
                mmName = mul.proto.getInput(1);
            }
            double scale = Fusion.constant(scaleName, initializers, producer);
            Node mm = producer.get(mmName);
            if (Double.isNaN(scale) || mm == null || !mm.op.equals("MatMul") || !Fusion.singleUse(mm, uses)) continue;
            Node kt = producer.get(mm.proto.getInput(1));
            if (kt == null || !kt.op.equals("Transpose") || !Arrays.equals(kt.ints("perm"), new int[] {0, 1, 3, 2}) || !Fusion.singleUse(kt, uses)) continue;
            NodeProto fused = NodeProto.newBuilder().setOpType(ATTENTION).setName(pv.name + " (attention fused)")
                    .addInput(mm.proto.getInput(0)).addInput(kt.proto.getInput(0)).addInput(pv.proto.getInput(1))
                    .addOutput(pv.proto.getOutput(0))
                    .addAttribute(AttributeProto.newBuilder().setName("scale").setType(AttributeProto.AttributeType.FLOAT).setF((float) scale))
                    .build();
            if (mask != null) fused = fused.toBuilder().addInput(mask).build();
            removed.addAll(List.of(kt, mm, mul, sm));
            if (add != null) removed.add(add);
            replaced.put(pv, new Node(fused, pv.index, pv.opset));
        }
        if (replaced.isEmpty()) return nodes;
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (removed.contains(n)) continue;
            out.add(replaced.getOrDefault(n, n));
        }
        return out;
    }

    /** {@code Trilu(ConstantOfShape(Concat(n, n), −∞), k = 1, upper = 1)}: −∞ strictly above the diagonal of a square. */
    private static boolean isCausalMask(Node t, Map<String, Value> initializers, Map<String, Node> producer) {
        if (t == null || !t.op.equals("Trilu") || t.i("upper", 1) != 1 || t.proto.getInputCount() != 2) return false;
        Value k = initializers.get(t.proto.getInput(1));
        if (k == null || k.isFloat() || k.numel() != 1 || k.ints[0] != 1) return false;
        Node fill = producer.get(t.proto.getInput(0));
        if (fill == null || !fill.op.equals("ConstantOfShape") || fill.tensorAttr("value") == null) return false;
        Value v = DataTypes.decode(fill.tensorAttr("value").getT(), fill.describe());
        if (!v.isFloat() || v.numel() != 1 || v.f.toArray()[0] != Float.NEGATIVE_INFINITY) return false;
        Node cat = producer.get(fill.proto.getInput(0));
        return cat != null && cat.op.equals("Concat") && cat.proto.getInputCount() == 2 && cat.proto.getInput(0).equals(cat.proto.getInput(1));
    }
}
