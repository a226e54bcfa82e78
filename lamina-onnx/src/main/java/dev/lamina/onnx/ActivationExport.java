package dev.lamina.onnx;

import static dev.lamina.onnx.OnnxExport.floatAttr;
import static dev.lamina.onnx.OnnxExport.intAttr;

import dev.lamina.nn.ELU;
import dev.lamina.nn.GELU;
import dev.lamina.nn.Hardsigmoid;
import dev.lamina.nn.Hardswish;
import dev.lamina.nn.LeakyReLU;
import dev.lamina.nn.LogSoftmax;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.ReLU6;
import dev.lamina.nn.SiLU;
import dev.lamina.nn.Sigmoid;
import dev.lamina.nn.Softmax;
import dev.lamina.nn.Tanh;

import java.util.List;

/** Activations and softmax heads; ReLU6 as Clip(0, 6), Hardsigmoid as HardSigmoid(α ⅙, β ½); GELU as PyTorch exports it (Erf, or the tanh form), SiLU as x · Sigmoid(x). */
final class ActivationExport {
    private ActivationExport() {}

    static void registerAll() {
        OnnxExport.register(ReLU.class, (e, prefix, where, m, x, y) -> e.node("Relu", where, List.of(x.name())));
        OnnxExport.register(Sigmoid.class, (e, prefix, where, m, x, y) -> e.node("Sigmoid", where, List.of(x.name())));
        OnnxExport.register(Tanh.class, (e, prefix, where, m, x, y) -> e.node("Tanh", where, List.of(x.name())));
        OnnxExport.register(LeakyReLU.class, (e, prefix, where, m, x, y) -> e.node("LeakyRelu", where, List.of(x.name()), floatAttr("alpha", (float) m.config().negativeSlope())));
        OnnxExport.register(ELU.class, (e, prefix, where, m, x, y) -> e.node("Elu", where, List.of(x.name()), floatAttr("alpha", (float) m.config().alpha())));
        OnnxExport.register(GELU.class, (e, prefix, where, m, x, y) -> m.config().tanhApproximation() ? geluTanh(e, where, x.name()) : geluErf(e, where, x.name()));
        OnnxExport.register(SiLU.class, (e, prefix, where, m, x, y) -> e.node("Mul", where, List.of(x.name(), e.node("Sigmoid", where, List.of(x.name())))));
        OnnxExport.register(ReLU6.class, (e, prefix, where, m, x, y) -> e.node("Clip", where,
                List.of(x.name(), e.constFloat(where + ".min", 0f), e.constFloat(where + ".max", 6f))));
        OnnxExport.register(Hardswish.class, (e, prefix, where, m, x, y) -> e.node("HardSwish", where, List.of(x.name())));
        OnnxExport.register(Hardsigmoid.class, (e, prefix, where, m, x, y) -> e.node("HardSigmoid", where, List.of(x.name()),
                floatAttr("alpha", 1f / 6), floatAttr("beta", 0.5f)));
        OnnxExport.register(Softmax.class, (e, prefix, where, m, x, y) -> e.node("Softmax", where, List.of(x.name()), intAttr("axis", m.config().dim())));
        OnnxExport.register(LogSoftmax.class, (e, prefix, where, m, x, y) -> e.node("LogSoftmax", where, List.of(x.name()), intAttr("axis", m.config().dim())));
    }

    /** x · ½ · (1 + erf(x / √2)), as PyTorch exports GELU. */
    static String geluErf(OnnxExport e, String where, String in) {
        String d = e.node("Div", where, List.of(in, e.constFloat(where + ".sqrt2", (float) Math.sqrt(2))));
        String erf = e.node("Erf", where, List.of(d));
        String a = e.node("Add", where, List.of(erf, e.constFloat(where + ".one", 1f)));
        String m = e.node("Mul", where, List.of(in, a));
        return e.node("Mul", where, List.of(m, e.constFloat(where + ".half", 0.5f)));
    }

    /** ½ · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))). */
    static String geluTanh(OnnxExport e, String where, String in) {
        String cube = e.node("Mul", where, List.of(in, e.node("Mul", where, List.of(in, in))));
        String inner = e.node("Add", where, List.of(in, e.node("Mul", where, List.of(cube, e.constFloat(where + ".c", 0.044715f)))));
        String t = e.node("Tanh", where, List.of(e.node("Mul", where, List.of(inner, e.constFloat(where + ".k", (float) Math.sqrt(2 / Math.PI))))));
        String a = e.node("Add", where, List.of(t, e.constFloat(where + ".one", 1f)));
        return e.node("Mul", where, List.of(e.node("Mul", where, List.of(in, e.constFloat(where + ".half", 0.5f))), a));
    }
}
