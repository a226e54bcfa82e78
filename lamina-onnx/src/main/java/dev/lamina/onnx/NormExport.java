package dev.lamina.onnx;

import static dev.lamina.onnx.OnnxExport.floatAttr;
import static dev.lamina.onnx.OnnxExport.inputs;
import static dev.lamina.onnx.OnnxExport.intAttr;
import static dev.lamina.onnx.OnnxExport.unsupported;

import dev.lamina.nn.BatchNormBase;
import dev.lamina.nn.InstanceNormBase;
import dev.lamina.nn.LayerConfig;
import dev.lamina.nn.LayerNorm;
import dev.lamina.tensor.Tensor;

/** Normalisation: batch norm with its running statistics, layer norm, instance norm (absent affine parameters as ones and zeros). */
final class NormExport {
    private NormExport() {}

    static void registerAll() {
        OnnxExport.register(BatchNormBase.class, (e, prefix, where, b, x, y) -> {
            BatchNormBase.Config cfg = b.config();
            if (!cfg.trackRunningStats()) throw unsupported(where, b, "batch norm without running statistics uses batch statistics in evaluation");
            int c = cfg.numFeatures();
            return e.node("BatchNormalization", where, inputs(x.name(),
                            e.param(prefix + "weight", cfg.affine() ? b.weight() : Tensor.ones(c)),
                            e.param(prefix + "bias", cfg.affine() ? b.bias() : Tensor.zeros(c)),
                            e.param(prefix + "running_mean", b.runningMean()), e.param(prefix + "running_var", b.runningVar())),
                    floatAttr("epsilon", (float) cfg.eps()));
        });
        OnnxExport.register(LayerNorm.class, (e, prefix, where, l, x, y) -> layerNorm(e, prefix, where, l, x.name()));
        OnnxExport.register(InstanceNormBase.class, (e, prefix, where, n, x, y) -> {
            InstanceNormBase.Config cfg = n.config();
            int c = cfg.numFeatures();
            return e.node("InstanceNormalization", where, inputs(x.name(),
                            e.param(prefix + "weight", cfg.affine() ? n.weight() : Tensor.ones(c)),
                            e.param(prefix + "bias", cfg.affine() ? n.bias() : Tensor.zeros(c))),
                    floatAttr("epsilon", (float) cfg.eps()));
        });
    }

    /** LayerNormalization over the layer's normalized shape (also used inside transformer blocks). */
    static String layerNorm(OnnxExport e, String prefix, String where, LayerNorm l, String in) {
        LayerNorm.Config cfg = l.config();
        int[] ns = LayerConfig.array(cfg.normalizedShape());
        return e.node("LayerNormalization", where, inputs(in,
                        e.param(prefix + "weight", cfg.elementwiseAffine() ? l.weight() : Tensor.ones(ns)),
                        e.optParam(prefix + "bias", l.bias())),
                intAttr("axis", -ns.length), floatAttr("epsilon", (float) cfg.eps()));
    }
}
