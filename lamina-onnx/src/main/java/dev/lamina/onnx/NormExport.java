package dev.lamina.onnx;

import static dev.lamina.onnx.OnnxExport.floatAttr;
import static dev.lamina.onnx.OnnxExport.inputs;
import static dev.lamina.onnx.OnnxExport.intAttr;
import static dev.lamina.onnx.OnnxExport.unsupported;

import dev.lamina.nn.BatchNormBase;
import dev.lamina.nn.InstanceNormBase;
import dev.lamina.nn.LayerNorm;
import dev.lamina.tensor.Tensor;

/** Normalisation: batch norm with its running statistics, layer norm, instance norm (absent affine parameters as ones and zeros). */
final class NormExport {
    private NormExport() {}

    static void registerAll() {
        OnnxExport.register(BatchNormBase.class, (e, prefix, where, b, x, y) -> {
            if (b.runningMean() == null) throw unsupported(where, b, "batch norm without running statistics uses batch statistics in evaluation");
            int c = b.numFeatures();
            return e.node("BatchNormalization", where, inputs(x.name(),
                            e.param(prefix + "weight", b.weight() != null ? b.weight() : Tensor.ones(c)),
                            e.param(prefix + "bias", b.bias() != null ? b.bias() : Tensor.zeros(c)),
                            e.param(prefix + "running_mean", b.runningMean()), e.param(prefix + "running_var", b.runningVar())),
                    floatAttr("epsilon", (float) b.eps()));
        });
        OnnxExport.register(LayerNorm.class, (e, prefix, where, l, x, y) -> layerNorm(e, prefix, where, l, x.name()));
        OnnxExport.register(InstanceNormBase.class, (e, prefix, where, n, x, y) -> {
            int c = n.numFeatures();
            return e.node("InstanceNormalization", where, inputs(x.name(),
                            e.param(prefix + "weight", n.weight() != null ? n.weight() : Tensor.ones(c)),
                            e.param(prefix + "bias", n.bias() != null ? n.bias() : Tensor.zeros(c))),
                    floatAttr("epsilon", (float) n.eps()));
        });
    }

    /** LayerNormalization over the layer's normalized shape (also used inside transformer blocks). */
    static String layerNorm(OnnxExport e, String prefix, String where, LayerNorm l, String in) {
        int[] ns = l.normalizedShape();
        return e.node("LayerNormalization", where, inputs(in,
                        e.param(prefix + "weight", l.weight() != null ? l.weight() : Tensor.ones(ns)),
                        e.optParam(prefix + "bias", l.bias())),
                intAttr("axis", -ns.length), floatAttr("epsilon", (float) l.eps()));
    }
}
