package dev.lamina.backend.cpu;

import dev.lamina.backend.ConvEpilogue;
import dev.lamina.backend.ConvOps;
import dev.lamina.kernels.Activation;
import dev.lamina.kernels.Gemm;
import dev.lamina.tensor.Tensor;

/**
 * Convolution on the CPU: the packed GEMM reading its columns straight from the image (VectorConvStrips; im2col
 * without the Vector API or for small products) with the epilogue fused into its tiles, a direct kernel for
 * small column matrices ({@link SmallConv}) and for depthwise convolutions ({@link DepthwiseConv}), images split over
 * the worker threads ({@link ConvKernels}, {@link ConvTransposeKernels}). Non-contiguous inputs are copied once.
 */
public interface CpuConvOps extends ConvOps {

    /** A constant weight with each group's [OC/groups, C/groups·KH·KW] matrix packed into the GEMM's panel layout. */
    record PackedWeight(Tensor weight, int groups, Gemm.PackedA[] perGroup) implements PreparedWeight {}

    private Tensor dense(Tensor t) {
        return t == null || t.isContiguous() ? t : copy(t);
    }

    @Override
    default Tensor conv2d(Conv2dGeometry g, Tensor x, Tensor weight, Tensor bias, ConvEpilogue ep) {
        return wrap(ConvKernels.forward(g, dense(x), dense(weight), dense(bias), ep, null), g.n(), g.oc(), g.oh(), g.ow());
    }

    /** Packs each group's matrix once; a depthwise weight (one input channel per group) is read by the direct kernel as it is. */
    @Override
    default PreparedWeight prepareConv2dWeight(Tensor weight, int groups) {
        Tensor w = dense(weight);
        if (groups > 1 && w.size(1) == 1) return new PlainWeight(w, groups);
        int oc = w.size(0), rows = w.size(1) * w.size(2) * w.size(3), ocg = oc / groups;
        Gemm.PackedA[] perGroup = new Gemm.PackedA[groups];
        for (int g = 0; g < groups; g++) perGroup[g] = Gemm.pack(ocg, rows, w.storage(), w.storageOffset() + g * ocg * rows, rows, 1);
        return new PackedWeight(w, groups, perGroup);
    }

    @Override
    default Tensor conv2d(Conv2dGeometry g, Tensor x, PreparedWeight weight, Tensor bias, ConvEpilogue ep) {
        Gemm.PackedA[] packed = weight instanceof PackedWeight p ? p.perGroup() : null;
        // without an epilogue of its own, the bias still goes into the tiles (no pass that fills y with it first)
        ConvEpilogue tiles = ep == null ? ConvEpilogue.of(Activation.NONE) : ep;
        return wrap(ConvKernels.forward(g, dense(x), dense(weight.weight()), dense(bias), tiles, packed), g.n(), g.oc(), g.oh(), g.ow());
    }

    @Override
    default Tensor conv2dInputGrad(Conv2dGeometry g, Tensor gy, Tensor weight) {
        return conv2dBackward(g, gy, null, weight, true, false, false).input();
    }

    @Override
    default Tensor conv2dWeightGrad(Conv2dGeometry g, Tensor gy, Tensor x) {
        return conv2dBackward(g, gy, x, null, false, true, false).weight();
    }

    @Override
    default Tensor conv2dBiasGrad(Conv2dGeometry g, Tensor gy) {
        return conv2dBackward(g, gy, null, null, false, false, true).bias();
    }

    /** All asked-for gradients in one pass over the images (the column matrix of each image built once). */
    @Override
    default ConvGrads conv2dBackward(Conv2dGeometry g, Tensor gy, Tensor x, Tensor weight, boolean input, boolean weightGrad, boolean bias) {
        float[][] r = ConvKernels.backward(g, dense(gy), dense(x), dense(weight), input, weightGrad, bias);
        return new ConvGrads(r[0] == null ? null : wrap(r[0], g.n(), g.c(), g.h(), g.w()),
                r[1] == null ? null : wrap(r[1], g.oc(), g.cg(), g.kh(), g.kw()), r[2] == null ? null : wrap(r[2], g.oc()));
    }

    @Override
    default Tensor convTranspose2d(ConvTranspose2dGeometry g, Tensor x, Tensor weight, Tensor bias) {
        return wrap(ConvTransposeKernels.forward(g, dense(x), dense(weight), dense(bias)), g.n(), g.oc(), g.oh(), g.ow());
    }

    @Override
    default ConvGrads convTranspose2dBackward(ConvTranspose2dGeometry g, Tensor gy, Tensor x, Tensor weight, boolean input, boolean weightGrad,
                                          boolean bias) {
        float[][] r = ConvTransposeKernels.backward(g, dense(gy), dense(x), dense(weight), input, weightGrad, bias);
        return new ConvGrads(r[0] == null ? null : wrap(r[0], g.n(), g.c(), g.h(), g.w()),
                r[1] == null ? null : wrap(r[1], g.c(), g.oc() / g.groups(), g.kh(), g.kw()), r[2] == null ? null : wrap(r[2], g.oc()));
    }
}
