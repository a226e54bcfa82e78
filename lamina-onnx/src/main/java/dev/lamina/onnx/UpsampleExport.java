package dev.lamina.onnx;

import dev.lamina.nn.Upsample;
import dev.lamina.nn.functional.UpsampleOp;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;

import java.util.List;

/**
 * Export of {@link Upsample} as one {@code Resize} node with the attributes PyTorch 1.13's exporter writes for the same
 * {@code nn.Upsample} (opset 17): mode nearest → {@code coordinate_transformation_mode="asymmetric"},
 * {@code nearest_mode="floor"}; linear/bilinear → {@code mode="linear"} with {@code "align_corners"} or
 * {@code "half_pixel"}; {@code cubic_coeff_a=-0.75}. A scale factor becomes the {@code scales} input
 * [1, 1, s...]; a size becomes the {@code sizes} input, built from the input's own batch and channel counts
 * (Shape → Slice → Concat) so the batch dimension stays symbolic.
 *
 * <p>Re-imported, the graph computes the layer's source indices and weights up to float32 rounding of the
 * coordinates (the layer's nearest index is floor(o · (float) (1/s)), Resize's floor(o / (float) s), which can
 * differ only where o/s is within rounding of an integer), except in PyTorch's own corner: a linear resampling by a
 * scale factor other than 1 whose output size equals the input size copies in PyTorch (and Lamina) but is
 * resampled by Resize. PyTorch's exported graphs behave the same way.
 */
final class UpsampleExport {
    private UpsampleExport() {}

    static void registerAll() {
        OnnxExport.register(Upsample.class, (e, prefix, where, u, x, y) -> emit(e, where, u, x.name(), x.value()));
    }

    static String emit(OnnxExport e, String where, Upsample u, String input, Tensor x) {
        int dims = x.dim() - 2;
        if (dims != 1 && dims != 2) {
            throw OnnxExport.unsupported(where, u, "export needs an [N, C, L] or [N, C, H, W] input, got " + Shape.str(x.shape()));
        }
        Upsample.Config c = u.config();
        boolean nearest = c.mode() == UpsampleOp.Mode.NEAREST;
        String coord = nearest ? "asymmetric" : Boolean.TRUE.equals(c.alignCorners()) ? "align_corners" : "half_pixel";
        AttributeProto[] attrs = {
            string("coordinate_transformation_mode", coord),
            OnnxExport.floatAttr("cubic_coeff_a", -0.75f),
            string("mode", nearest ? "nearest" : "linear"),
            string("nearest_mode", "floor"),
        };
        String in = where + ".";
        List<Double> scale = c.scaleFactor();
        if (scale != null) {
            float[] s = new float[dims + 2];
            s[0] = 1f;
            s[1] = 1f;
            for (int d = 0; d < dims; d++) s[2 + d] = (float) (double) scale.get(scale.size() == 1 ? 0 : d);
            String scales = e.param(in + "scales", Tensor.of(s, dims + 2));
            return e.node("Resize", where, List.of(input, "", scales), attrs);
        }
        List<Integer> size = c.size();
        long[] spatial = new long[dims];
        for (int d = 0; d < dims; d++) spatial[d] = size.get(size.size() == 1 ? 0 : d);
        String shape = e.node("Shape", where, List.of(input));
        String nc = e.node("Slice", where, List.of(shape, e.constInt64(in + "starts", new long[] {0}), e.constInt64(in + "ends", new long[] {2}),
                e.constInt64(in + "axes", new long[] {0})));
        String sizes = e.node("Concat", where, List.of(nc, e.constInt64(in + "size", spatial)), OnnxExport.intAttr("axis", 0));
        return e.node("Resize", where, List.of(input, "", "", sizes), attrs);
    }

    private static AttributeProto string(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }
}
