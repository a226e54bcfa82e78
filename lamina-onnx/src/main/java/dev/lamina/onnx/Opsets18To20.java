package dev.lamina.onnx;

import static dev.lamina.onnx.Ops.MANY;
import static dev.lamina.onnx.Ops.axis;
import static dev.lamina.onnx.Ops.floatInput;
import static dev.lamina.onnx.Ops.one;
import static dev.lamina.onnx.Ops.register;

import dev.lamina.nn.functional.NormOp;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;

/**
 * Operator versions of opsets 18–20 whose inputs or attributes differ from the earlier ones (each registered under
 * its since-version; a model importing an older opset keeps the older version):
 * <ul>
 *   <li>18: the Reduce* operators other than ReduceSum take {@code axes} as an optional second input (with
 *       {@code noop_with_empty_axes}) instead of an attribute; Split gets {@code num_outputs}; Pad gets an optional
 *       {@code axes} input (in {@link ShapeOps}); new GroupNormalization (scale and bias per group) and Mish.</li>
 *   <li>19: AveragePool {@code dilations} and Pad mode {@code wrap} (both checked against {@link GraphNode#opset} where
 *       they are implemented, {@link NnOps} and {@link ShapeOps}); Cast, CastLike, Reshape, Shape, Size, Identity,
 *       Equal and Constant only admit more element types, so their earlier versions serve.</li>
 *   <li>20: new Gelu; ReduceMax and ReduceMin admit bool (checked in {@link MathOps#reduce}); ConstantOfShape only
 *       admits more element types.</li>
 * </ul>
 */
final class Opsets18To20 {
    private Opsets18To20() {}

    static void registerAll() {
        Map<String, String> axesMoved = Map.of("axes", "from opset 18 the axes are the optional second input");
        for (String r : new String[] {"Mean", "Max", "Min", "Prod", "SumSquare", "L1", "L2", "LogSumExp"}) {
            String kind = r.toLowerCase();
            register("Reduce" + r, 18, 1, 2, 1, (n, in) -> one(MathOps.reduce(n, in[0], MathOps.axesInput(n, in), kind)), axesMoved);
        }
        register("Split", 18, 1, 2, MANY, Opsets18To20::split, Map.of("split", "since opset 13 the split sizes are the optional second input"));
        register("GroupNormalization", 18, 3, 3, 1, Opsets18To20::groupNorm, Map.of());
        register("Mish", 18, 1, 1, 1, (n, in) -> one(MathOps.map(floatInput(n, in[0], "X"),
                v -> v * Math.tanh(v > 20 ? v : Math.log1p(Math.exp(v))))), Map.of());
        register("Gelu", 20, 1, 1, 1, Opsets18To20::gelu, Map.of());
    }

    /** Split-18: sizes from the {@code split} input, or {@code num_outputs} parts of ceil(dim / num_outputs) with a smaller last part. */
    private static Tensor[] split(GraphNode n, Tensor[] in) {
        if (!n.has("num_outputs")) return ShapeOps.split(n, in);
        if (in.length > 1 && in[1] != null) throw n.error("input 'split' and attribute 'num_outputs' may not both be given");
        Tensor x = in[0];
        int ax = axis(n, n.i("axis", 0), x.dim());
        long parts = n.i("num_outputs", 0);
        int outs = n.proto.getOutputCount();
        if (parts < 1 || parts != outs) throw n.error("num_outputs = " + parts + " but the node has " + outs + " outputs");
        int dim = x.shape()[ax];
        int chunk = (int) ((dim + parts - 1) / parts);
        int last = dim - chunk * (outs - 1);
        if (last < 0) throw n.error("dimension " + dim + " cannot be split into " + outs + " parts of " + chunk + " (the last part would be " + last + ")");
        int[] sizes = new int[outs];
        Arrays.fill(sizes, chunk);
        sizes[outs - 1] = last;
        return ShapeOps.splitInto(n, x, ax, sizes);
    }

    /** GroupNormalization-18: statistics per sample and group of channels; {@code scale} and {@code bias} hold one value per group. */
    private static Tensor[] groupNorm(GraphNode n, Tensor[] in) {
        Tensor x = floatInput(n, in[0], "X"), scale = floatInput(n, in[1], "scale"), bias = floatInput(n, in[2], "bias");
        if (!n.has("num_groups")) throw n.error("attribute 'num_groups' is required");
        int groups = n.int32("num_groups", 0);
        if (x.dim() < 2) throw n.error("expected X of shape [N, C, ...], got " + Shape.str(x.shape()));
        int c = x.size(1);
        if (groups < 1 || c % groups != 0) throw n.error(c + " channels of X " + Shape.str(x.shape()) + " are not divisible into num_groups = " + groups + " groups");
        for (Tensor p : new Tensor[] {scale, bias}) {
            if (p.numel() != groups) {
                throw n.error("scale and bias must hold one value per group (" + groups + ") at opset " + n.opset + ", got " + Shape.str(p.shape()));
            }
        }
        // one value per group → the same value for each of the group's channels (Lamina's group norm is per channel)
        int[] channelGroup = new int[c];
        for (int k = 0; k < c; k++) channelGroup[k] = k / (c / groups);
        Tensor w = scale.reshape(groups).indexSelect(0, channelGroup), b = bias.reshape(groups).indexSelect(0, channelGroup);
        return one(NormOp.groupNorm(x, groups, w.contiguous(), b.contiguous(), n.f("epsilon", 1e-5f)));
    }

    private static Tensor[] gelu(GraphNode n, Tensor[] in) {
        Tensor x = floatInput(n, in[0], "X");
        return switch (n.s("approximate", "none")) {
            case "none" -> one(x.gelu());
            case "tanh" -> one(x.geluTanh());
            default -> throw n.error("approximate must be 'none' or 'tanh', got '" + n.s("approximate", "none") + "'");
        };
    }
}
