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
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Pooling: max and average windows, adaptive average pooling with a fixed window, global pooling. */
final class PoolExport {
    private PoolExport() {}

    static void registerAll() {
        OnnxExport.register(MaxPool1d.class, (e, prefix, where, p, x, y) -> {
            MaxPool1d.Config c = p.config();
            return pool(e, "MaxPool", where, x.name(), new int[] {c.kernel()}, new int[] {c.stride()}, new int[] {c.padding(), c.padding()},
                    new int[] {c.dilation()}, c.ceilMode(), null);
        });
        OnnxExport.register(MaxPool2d.class, (e, prefix, where, p, x, y) -> {
            MaxPool2d.Config c = p.config();
            return pool(e, "MaxPool", where, x.name(), new int[] {c.kernelH(), c.kernelW()}, new int[] {c.strideH(), c.strideW()},
                    new int[] {c.padH(), c.padW(), c.padH(), c.padW()}, new int[] {c.dilationH(), c.dilationW()}, c.ceilMode(), null);
        });
        OnnxExport.register(AvgPool1d.class, (e, prefix, where, p, x, y) -> {
            AvgPool1d.Config c = p.config();
            return pool(e, "AveragePool", where, x.name(), new int[] {c.kernel()}, new int[] {c.stride()}, new int[] {c.padding(), c.padding()},
                    new int[] {1}, c.ceilMode(), c.countIncludePad());
        });
        OnnxExport.register(AvgPool2d.class, (e, prefix, where, p, x, y) -> {
            AvgPool2d.Config c = p.config();
            return pool(e, "AveragePool", where, x.name(), new int[] {c.kernelH(), c.kernelW()}, new int[] {c.strideH(), c.strideW()},
                    new int[] {c.padH(), c.padW(), c.padH(), c.padW()}, new int[] {1, 1}, c.ceilMode(), c.countIncludePad());
        });
        OnnxExport.register(AdaptiveAvgPool2d.class, (e, prefix, where, p, x, y) ->
                adaptive(e, where, x.name(), p, new int[] {p.config().outH(), p.config().outW()}, x.value()));
        OnnxExport.register(AdaptiveAvgPool1d.class, (e, prefix, where, p, x, y) -> adaptive(e, where, x.name(), p, new int[] {p.config().outputSize()}, x.value()));
        OnnxExport.register(GlobalAvgPool.class, (e, prefix, where, p, x, y) -> global(e, "GlobalAveragePool", where, x.name(), p.config().keepDim()));
        OnnxExport.register(GlobalMaxPool.class, (e, prefix, where, p, x, y) -> global(e, "GlobalMaxPool", where, x.name(), p.config().keepDim()));
    }

    /**
     * A MaxPool or AveragePool node; {@code pads} in ONNX order (begin..., end...), dilations written only when not
     * all 1, {@code countIncludePad} null for max pooling.
     */
    private static String pool(OnnxExport e, String op, String where, String in, int[] kernel, int[] strides, int[] pads, int[] dilations,
                               boolean ceilMode, Boolean countIncludePad) {
        List<AttributeProto> a = new ArrayList<>();
        a.add(ints("kernel_shape", kernel));
        a.add(ints("strides", strides));
        a.add(ints("pads", pads));
        if (Arrays.stream(dilations).anyMatch(d -> d != 1)) a.add(ints("dilations", dilations));
        if (ceilMode) a.add(intAttr("ceil_mode", 1));
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
