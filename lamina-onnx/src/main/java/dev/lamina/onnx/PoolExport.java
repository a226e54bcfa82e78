package dev.lamina.onnx;

import static dev.lamina.onnx.OnnxExport.intAttr;
import static dev.lamina.onnx.OnnxExport.ints;
import static dev.lamina.onnx.OnnxExport.unsupported;

import dev.lamina.nn.AdaptiveAvgPool1d;
import dev.lamina.nn.AdaptiveAvgPool2d;
import dev.lamina.nn.AvgPool1d;
import dev.lamina.nn.AvgPool2d;
import dev.lamina.nn.GlobalAvgPool;
import dev.lamina.nn.GlobalMaxPool;
import dev.lamina.nn.MaxPool1d;
import dev.lamina.nn.MaxPool2d;
import dev.lamina.nn.Module;
import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;

import java.util.ArrayList;
import java.util.List;

/** Pooling: max and average windows, adaptive average pooling with a fixed window, global pooling. */
final class PoolExport {
    private PoolExport() {}

    static void registerAll() {
        OnnxExport.register(MaxPool1d.class, (e, prefix, where, p, x, y) -> pool(e, "MaxPool", where, x.name(), p.window(), null));
        OnnxExport.register(MaxPool2d.class, (e, prefix, where, p, x, y) -> pool(e, "MaxPool", where, x.name(), p.window(), null));
        OnnxExport.register(AvgPool1d.class, (e, prefix, where, p, x, y) -> pool(e, "AveragePool", where, x.name(), p.window(), p.countIncludePad()));
        OnnxExport.register(AvgPool2d.class, (e, prefix, where, p, x, y) -> pool(e, "AveragePool", where, x.name(), p.window(), p.countIncludePad()));
        OnnxExport.register(AdaptiveAvgPool2d.class, (e, prefix, where, p, x, y) -> adaptive(e, where, x.name(), p, p.outputSize(), x.value()));
        OnnxExport.register(AdaptiveAvgPool1d.class, (e, prefix, where, p, x, y) -> adaptive(e, where, x.name(), p, new int[] {p.outputSize()}, x.value()));
        OnnxExport.register(GlobalAvgPool.class, (e, prefix, where, p, x, y) -> global(e, "GlobalAveragePool", where, x.name(), p.keepDim()));
        OnnxExport.register(GlobalMaxPool.class, (e, prefix, where, p, x, y) -> global(e, "GlobalMaxPool", where, x.name(), p.keepDim()));
    }

    private static String pool(OnnxExport e, String op, String where, String in, PoolOps.Window w, Boolean countIncludePad) {
        List<AttributeProto> a = new ArrayList<>();
        if (w.oneD()) {
            a.add(ints("kernel_shape", w.kw()));
            a.add(ints("strides", w.sw()));
            a.add(ints("pads", w.pw(), w.pw()));
            if (w.dw() != 1) a.add(ints("dilations", w.dw()));
        } else {
            a.add(ints("kernel_shape", w.kh(), w.kw()));
            a.add(ints("strides", w.sh(), w.sw()));
            a.add(ints("pads", w.ph(), w.pw(), w.ph(), w.pw()));
            if (w.dh() != 1 || w.dw() != 1) a.add(ints("dilations", w.dh(), w.dw()));
        }
        if (w.ceilMode()) a.add(intAttr("ceil_mode", 1));
        if (countIncludePad != null) a.add(intAttr("count_include_pad", countIncludePad ? 1 : 0));
        return e.node(op, where, List.of(in), a.toArray(AttributeProto[]::new));
    }

    /** Adaptive average pooling over the last o.length dimensions of x, as an AveragePool with a fixed window. */
    private static String adaptive(OnnxExport e, String where, String in, Module p, int[] o, Tensor x) {
        // a fixed window (also for output 1 or 1x1, where it sums like Lamina's adaptive kernel)
        int[] window = new int[o.length];
        for (int d = 0; d < o.length; d++) {
            int size = x.size(x.dim() - o.length + d);
            if (size % o[d] != 0) {
                throw unsupported(where, p, "output " + Shape.str(o) + " does not divide the input " + Shape.str(x.shape()) + " (no fixed window)");
            }
            window[d] = size / o[d];
        }
        if (x.dim() != o.length + 2) throw unsupported(where, p, "export needs a batched input [N, C, ...], got " + Shape.str(x.shape()));
        return e.node("AveragePool", where, List.of(in), ints("kernel_shape", window), ints("strides", window));
    }

    private static String global(OnnxExport e, String op, String where, String in, boolean keepDim) {
        String y = e.node(op, where, List.of(in));
        return keepDim ? y : e.node("Flatten", where, List.of(y), intAttr("axis", 1));
    }
}
