package dev.lamina.onnx;

import static dev.lamina.onnx.OnnxExport.inputs;
import static dev.lamina.onnx.OnnxExport.intAttr;
import static dev.lamina.onnx.OnnxExport.unsupported;

import dev.lamina.nn.Dropout;
import dev.lamina.nn.Dropout2d;
import dev.lamina.nn.Embedding;
import dev.lamina.nn.Flatten;
import dev.lamina.nn.Input;
import dev.lamina.nn.LayerConfig;
import dev.lamina.nn.LastStep;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Reshape;
import dev.lamina.onnx.OnnxExport.Traced;
import dev.lamina.tensor.Tensor;

import java.util.List;

/**
 * The layers that carry or reshape values: Input and dropout (the identity in evaluation), Linear (Gemm on 2-D
 * input, MatMul + Add otherwise), Embedding (Gather from the graph's int64 input), Flatten, Reshape, LastStep.
 */
final class LayerStructureExport {
    private LayerStructureExport() {}

    static void registerAll() {
        OnnxExport.register(Input.class, (e, prefix, where, m, x, y) -> x.name());
        OnnxExport.register(Dropout.class, (e, prefix, where, m, x, y) -> x.name());
        OnnxExport.register(Dropout2d.class, (e, prefix, where, m, x, y) -> x.name());
        OnnxExport.register(Linear.class, (e, prefix, where, l, x, y) -> linear(e, prefix, where, l, x));
        OnnxExport.register(Embedding.class, (e, prefix, where, emb, x, y) -> {
            if (!x.name().equals(e.inputName())) throw unsupported(where, emb, "an embedding must be the first layer (its input is the graph's int64 input)");
            return e.node("Gather", where, List.of(e.param(prefix + "weight", emb.weight()), x.name()), intAttr("axis", 0));
        });
        OnnxExport.register(LastStep.class, (e, prefix, where, m, x, y) -> {
            // [N, T, F] → [N, F]: Gather with a scalar index drops the time axis
            String idx = e.scalarInt64(where + ".last", x.value().size(1) - 1);
            return e.node("Gather", where, List.of(x.name(), idx), intAttr("axis", 1));
        });
        OnnxExport.register(Flatten.class, (e, prefix, where, f, x, y) -> flatten(e, where, x.name(), f, x.value(), y));
        OnnxExport.register(Reshape.class, (e, prefix, where, r, x, y) -> {
            int[] s = LayerConfig.array(r.config().shape());
            long[] target = new long[s.length + 1];
            for (int k = 0; k < s.length; k++) target[k + 1] = s[k];
            return e.node("Reshape", where, List.of(x.name(), e.constInt64(where + ".shape", target)));
        });
    }

    /** x · Wᵀ + b: Gemm with transB for a 2-D x, MatMul with the transposed weight (+ Add) for more dimensions. */
    static String linear(OnnxExport e, String prefix, String where, Linear l, Traced x) {
        if (x.value().dim() == 2) {
            return e.node("Gemm", where, inputs(x.name(), e.param(prefix + "weight", l.weight()), e.optParam(prefix + "bias", l.bias())), intAttr("transB", 1));
        }
        String y = e.node("MatMul", where, List.of(x.name(), e.param(prefix + "weight.T", l.weight().t().contiguous())));
        return !l.config().bias() ? y : e.node("Add", where, List.of(y, e.param(prefix + "bias", l.bias())));
    }

    private static String flatten(OnnxExport e, String where, String in, Flatten f, Tensor x, Tensor y) {
        int r = x.dim();
        Flatten.Config c = f.config();
        int s = c.startDim() < 0 ? c.startDim() + r : c.startDim(), end = c.endDim() < 0 ? c.endDim() + r : c.endDim();
        if (s == 1 && end == r - 1) return e.node("Flatten", where, List.of(in), intAttr("axis", 1));
        long[] target = new long[y.dim()];
        for (int k = 0; k < target.length; k++) target[k] = k == 0 && s > 0 ? 0 : y.size(k);
        return e.node("Reshape", where, List.of(in, e.constInt64(where + ".shape", target)));
    }
}
