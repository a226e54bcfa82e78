package dev.lamina.onnx;

import static dev.lamina.onnx.OnnxExport.inputs;
import static dev.lamina.onnx.OnnxExport.intAttr;
import static dev.lamina.onnx.OnnxExport.ints;
import static dev.lamina.onnx.OnnxExport.unsupported;

import dev.lamina.nn.Conv1d;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.ConvTranspose1d;
import dev.lamina.nn.ConvTranspose2d;
import dev.lamina.tensor.Shape;

/** Convolutions: Conv1d/Conv2d as Conv, ConvTranspose1d/2d as ConvTranspose (ONNX pads are begin..., end...). */
final class ConvExport {
    private ConvExport() {}

    static void registerAll() {
        OnnxExport.register(Conv1d.class, (e, prefix, where, conv, x, y) -> {
            Conv1d.Config c = conv.config();
            return e.node("Conv", where, inputs(x.name(), e.param(prefix + "weight", conv.weight()), e.optParam(prefix + "bias", conv.bias())),
                    ints("kernel_shape", c.kernel()), ints("strides", c.stride()), ints("dilations", c.dilation()),
                    ints("pads", c.pads()), intAttr("group", c.groups()));
        });
        OnnxExport.register(Conv2d.class, (e, prefix, where, conv, x, y) -> {
            Conv2d.Config c = conv.config();
            int[] p = c.pads(); // top, bottom, left, right
            return e.node("Conv", where, inputs(x.name(), e.param(prefix + "weight", conv.weight()), e.optParam(prefix + "bias", conv.bias())),
                    ints("kernel_shape", c.kernelH(), c.kernelW()), ints("strides", c.strideH(), c.strideW()), ints("dilations", c.dilationH(), c.dilationW()),
                    ints("pads", p[0], p[2], p[1], p[3]), intAttr("group", c.groups()));
        });
        OnnxExport.register(ConvTranspose2d.class, (e, prefix, where, conv, x, y) -> {
            ConvTranspose2d.Config c = conv.config();
            return e.node("ConvTranspose", where, inputs(x.name(), e.param(prefix + "weight", conv.weight()), e.optParam(prefix + "bias", conv.bias())),
                    ints("kernel_shape", c.kernelH(), c.kernelW()), ints("strides", c.strideH(), c.strideW()), ints("dilations", c.dilationH(), c.dilationW()),
                    ints("pads", c.padH(), c.padW(), c.padH(), c.padW()), ints("output_padding", c.outputPadH(), c.outputPadW()), intAttr("group", c.groups()));
        });
        OnnxExport.register(ConvTranspose1d.class, (e, prefix, where, conv, x, y) -> {
            if (x.value().dim() != 3) throw unsupported(where, conv, "export needs a batched [N, C, L] input, got " + Shape.str(x.value().shape()));
            ConvTranspose1d.Config c = conv.config();
            return e.node("ConvTranspose", where, inputs(x.name(), e.param(prefix + "weight", conv.weight()), e.optParam(prefix + "bias", conv.bias())),
                    ints("kernel_shape", c.kernel()), ints("strides", c.stride()), ints("dilations", c.dilation()),
                    ints("pads", c.padding(), c.padding()), ints("output_padding", c.outputPadding()), intAttr("group", c.groups()));
        });
    }
}
