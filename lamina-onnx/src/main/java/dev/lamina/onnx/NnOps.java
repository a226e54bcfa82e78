package dev.lamina.onnx;

import static dev.lamina.onnx.Ops.axis;
import static dev.lamina.onnx.Ops.floatInput;
import static dev.lamina.onnx.Ops.one;
import static dev.lamina.onnx.Ops.register;

import dev.lamina.backend.ConvEpilogue;
import dev.lamina.kernels.Activation;
import dev.lamina.nn.functional.BatchNormOp;
import dev.lamina.nn.functional.ConvOp;
import dev.lamina.nn.functional.ConvTranspose2dOp;
import dev.lamina.nn.functional.NormOp;
import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/**
 * Convolution, pooling and normalization operators on NCHW / NCL tensors, mapped onto Lamina's functional kernels
 * ({@link ConvOp}, {@link ConvTranspose2dOp}, {@link PoolOps}, {@link BatchNormOp}, {@link NormOp}). 1-d and 2-d
 * spatial inputs are supported; others fail with the node named.
 */
final class NnOps {
    private NnOps() {}

    static void registerAll() {
        register("Conv", 2, 3, 1, (n, in) -> conv(n, in, null));
        register(ConvFusion.CONV, 2, 4, 1, (n, in) -> conv(n, in, epilogue(n, in.length > 3 ? in[3] : null)));
        register("ConvTranspose", 2, 3, 1, NnOps::convTranspose);
        register("MaxPool", 1, 1, 1, (n, in) -> one(pool(n, in[0], true)));
        register("AveragePool", 1, 1, 1, (n, in) -> one(pool(n, in[0], false)));
        register("GlobalAveragePool", 1, 1, 1, (n, in) -> one(global(n, in[0], true)));
        register("GlobalMaxPool", 1, 1, 1, (n, in) -> one(global(n, in[0], false)));
        register("BatchNormalization", 5, 5, 1, (n, in) -> {
            if (n.i("training_mode", 0) != 0) throw n.error("training_mode=1 is not supported (inference only)");
            Tensor x = floatInput(n, in[0], "X");
            return one(BatchNormOp.batchNorm(x, floatInput(n, in[3], "input_mean"), floatInput(n, in[4], "input_var"),
                    floatInput(n, in[1], "scale"), floatInput(n, in[2], "B"), false, 0.1, n.f("epsilon", 1e-5f)));
        });
        register("LayerNormalization", 2, 3, 1, (n, in) -> {
            Tensor x = floatInput(n, in[0], "X");
            int ax = axis(n, n.i("axis", -1), x.dim());
            int[] norm = Arrays.copyOfRange(x.shape(), ax, x.dim());
            Tensor scale = floatInput(n, in[1], "Scale");
            Tensor bias = in.length > 2 && in[2] != null ? floatInput(n, in[2], "B") : null;
            return one(NormOp.layerNorm(x, norm, fit(scale, norm), bias == null ? null : fit(bias, norm), n.f("epsilon", 1e-5f)));
        });
        register("InstanceNormalization", 3, 3, 1, (n, in) -> one(NormOp.instanceNorm(floatInput(n, in[0], "input"),
                floatInput(n, in[1], "scale"), floatInput(n, in[2], "B"), n.f("epsilon", 1e-5f))));
    }

    /** A scale or bias broadcast to the normalized shape (ONNX allows broadcastable ones; Lamina's op wants the exact shape). */
    private static Tensor fit(Tensor p, int[] norm) {
        return Arrays.equals(p.shape(), norm) ? p : p.reshape(ShapeOps.padLeft(p.shape(), norm.length)).expand(norm).contiguous();
    }

    // ------------------------------------------------------------------------------------------------ geometry

    /** Spatial attributes of a conv or pool node for {@code dims} spatial dimensions: {kernel, strides, dilations, padsBegin, padsEnd}. */
    private record Geometry(int[] kernel, int[] strides, int[] dilations, int[] begin, int[] end) {}

    private static int[] attr(GraphNode n, String name, int dims, int dflt) {
        int[] v = n.ints(name);
        if (v == null) {
            v = new int[dims];
            Arrays.fill(v, dflt);
        }
        if (v.length != dims) throw n.error("attribute '" + name + "' has " + v.length + " values for " + dims + " spatial dimensions");
        return v;
    }

    private static Geometry geometry(GraphNode n, int[] inSpatial, int[] kernel) {
        int dims = inSpatial.length;
        int[] strides = attr(n, "strides", dims, 1), dil = attr(n, "dilations", dims, 1);
        for (int d = 0; d < dims; d++) {
            if (strides[d] < 1 || dil[d] < 1 || kernel[d] < 1) throw n.error("kernel, strides and dilations must be positive");
            if (strides[d] > MAX_GEOMETRY || dil[d] > MAX_GEOMETRY || kernel[d] > MAX_GEOMETRY) throw n.error("kernel, strides or dilations too large");
        }
        int[] begin = new int[dims], end = new int[dims];
        String autoPad = n.s("auto_pad", "NOTSET");
        switch (autoPad) {
            case "NOTSET" -> {
                int[] pads = attr(n, "pads", 2 * dims, 0);
                for (int d = 0; d < dims; d++) {
                    begin[d] = pads[d];
                    end[d] = pads[d + dims];
                    if (begin[d] < 0 || end[d] < 0) throw n.error("negative pads " + Arrays.toString(pads));
                    if (begin[d] > MAX_GEOMETRY || end[d] > MAX_GEOMETRY) throw n.error("pads " + Arrays.toString(pads) + " too large");
                }
            }
            case "VALID" -> { }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int d = 0; d < dims; d++) {
                    int out = (inSpatial[d] + strides[d] - 1) / strides[d];
                    int total = Math.max((out - 1) * strides[d] + (kernel[d] - 1) * dil[d] + 1 - inSpatial[d], 0);
                    int small = total / 2;
                    begin[d] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    end[d] = total - begin[d];
                }
            }
            default -> throw n.error("auto_pad '" + autoPad + "' is not supported");
        }
        long outSize = 1;
        for (int d = 0; d < dims; d++) {
            long span = (long) (kernel[d] - 1) * dil[d] + 1, padded = (long) inSpatial[d] + begin[d] + end[d];
            if (padded < span) throw n.error("padded input " + padded + " is smaller than the (dilated) kernel " + span + " in spatial dimension " + d);
            outSize *= (padded - span) / strides[d] + 1;
            if (outSize * kernel[d] > DataTypes.MAX_ELEMENTS) throw n.error("output and kernel too large");
        }
        return new Geometry(kernel, strides, dil, begin, end);
    }

    /** Bound on kernel, stride, dilation and padding values, far above any real model, so sizes cannot overflow. */
    private static final int MAX_GEOMETRY = 1 << 16;

    private static int spatialDims(GraphNode n, Tensor x) {
        int dims = x.dim() - 2;
        if (dims != 1 && dims != 2) throw n.error("only 1-d and 2-d spatial inputs are supported, got " + Shape.str(x.shape()));
        return dims;
    }

    private static int[] spatial(Tensor t) {
        return Arrays.copyOfRange(t.shape(), 2, t.dim());
    }

    // ------------------------------------------------------------------------------------------------ conv

    /** The fused node's epilogue: its activation attributes and the residual input (empty: none). */
    private static ConvEpilogue epilogue(GraphNode n, Tensor residual) {
        Activation act = Activation.valueOf(n.s(ConvFusion.ACTIVATION, "NONE"));
        Tensor r = residual == null ? null : floatInput(n, residual, "residual");
        return new ConvEpilogue(act, n.f(ConvFusion.CLIP_MIN, Float.NEGATIVE_INFINITY), n.f(ConvFusion.CLIP_MAX, Float.POSITIVE_INFINITY), r);
    }

    /** Conv, or the fused {@link ConvFusion#CONV} when {@code ep} is not null. */
    private static Tensor[] conv(GraphNode n, Tensor[] in, ConvEpilogue ep) {
        Tensor x = floatInput(n, in[0], "X"), w = floatInput(n, in[1], "W");
        Tensor b = in.length > 2 && in[2] != null ? floatInput(n, in[2], "B") : null;
        int dims = spatialDims(n, x);
        if (w.dim() != x.dim()) throw n.error("weight " + Shape.str(w.shape()) + " does not match input " + Shape.str(x.shape()));
        int[] kernel = n.has("kernel_shape") ? attr(n, "kernel_shape", dims, 1) : spatial(w);
        if (!Arrays.equals(kernel, spatial(w))) throw n.error("kernel_shape " + Arrays.toString(kernel) + " differs from the weight " + Shape.str(w.shape()));
        Geometry g = geometry(n, spatial(x), kernel);
        int groups = n.int32("group", 1);
        if (groups < 1 || x.size(1) % groups != 0 || w.size(0) % groups != 0 || w.size(1) * groups != x.size(1)) {
            throw n.error("group " + groups + " does not fit input " + Shape.str(x.shape()) + " and weight " + Shape.str(w.shape()));
        }
        long cols = (long) w.size(1);
        for (int d = 0; d < dims; d++) cols *= (long) kernel[d] * ((x.size(2 + d) + g.begin[d] + g.end[d] - ((long) (kernel[d] - 1) * g.dilations[d] + 1)) / g.strides[d] + 1);
        if (cols * x.size(0) > DataTypes.MAX_ELEMENTS) throw n.error("the unfolded input would have " + cols * x.size(0) + " elements, too many");
        if (dims == 1) {
            x = x.unsqueeze(2);
            w = w.unsqueeze(2);
        }
        int sh = dims == 1 ? 1 : g.strides[0], sw = g.strides[dims - 1], dh = dims == 1 ? 1 : g.dilations[0], dw = g.dilations[dims - 1];
        int pt = dims == 1 ? 0 : g.begin[0], pb = dims == 1 ? 0 : g.end[0], pl = g.begin[dims - 1], pr = g.end[dims - 1];
        if (ep != null && ep.residual() != null && dims == 1 && ep.residual().dim() > 0) { // [.., L] aligned with [N, C, L] → [.., 1, L]
            ep = new ConvEpilogue(ep.act(), ep.lo(), ep.hi(), ep.residual().unsqueeze(ep.residual().dim() - 1));
        }
        Tensor y;
        if (n.preparedWeight != null) { // the same initializer as w, packed at load
            y = ConvOp.conv2d(x, n.preparedWeight, b, sh, sw, pt, pb, pl, pr, dh, dw, ep);
        } else if (ep == null) {
            y = ConvOp.conv2d(x, w, b, sh, sw, pt, pb, pl, pr, dh, dw, groups);
        } else {
            y = ConvOp.conv2d(x, w, b, sh, sw, pt, pb, pl, pr, dh, dw, groups, ep);
        }
        return one(dims == 1 ? y.squeeze(2) : y);
    }

    private static Tensor[] convTranspose(GraphNode n, Tensor[] in) {
        Tensor x = floatInput(n, in[0], "X"), w = floatInput(n, in[1], "W");
        Tensor b = in.length > 2 && in[2] != null ? floatInput(n, in[2], "B") : null;
        int dims = spatialDims(n, x);
        if (w.dim() != x.dim()) throw n.error("weight " + Shape.str(w.shape()) + " does not match input " + Shape.str(x.shape()));
        boolean oneD = dims == 1;
        if (oneD) {
            x = x.unsqueeze(2);
            w = w.unsqueeze(2);
        }
        int[] kernel = spatial(w);
        if (n.has("kernel_shape")) {
            int[] ks = attr(n, "kernel_shape", dims, 1);
            if (!Arrays.equals(ks, oneD ? new int[] {kernel[1]} : kernel)) throw n.error("kernel_shape " + Arrays.toString(ks) + " differs from the weight");
        }
        int[] strides = lift(attr(n, "strides", dims, 1), oneD, 1), dil = lift(attr(n, "dilations", dims, 1), oneD, 1);
        int[] outPad = lift(attr(n, "output_padding", dims, 0), oneD, 0);
        for (int d = 0; d < 2; d++) {
            if (strides[d] < 1 || dil[d] < 1 || strides[d] > MAX_GEOMETRY || dil[d] > MAX_GEOMETRY || outPad[d] < 0 || outPad[d] > MAX_GEOMETRY) {
                throw n.error("strides, dilations or output_padding out of range");
            }
        }
        int[] begin = new int[2], end = new int[2];
        int[] inSp = spatial(x);
        String autoPad = n.s("auto_pad", "NOTSET");
        if (n.has("output_shape") || autoPad.startsWith("SAME")) {
            int[] target = n.has("output_shape") ? lift(attr(n, "output_shape", dims, 0), oneD, 1) : new int[] {inSp[0] * strides[0], inSp[1] * strides[1]};
            for (int d = 0; d < 2; d++) {
                int total = strides[d] * (inSp[d] - 1) + outPad[d] + (kernel[d] - 1) * dil[d] + 1 - target[d];
                if (total < 0) throw n.error("output_shape " + Arrays.toString(target) + " is larger than the full transposed convolution");
                begin[d] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                end[d] = total - begin[d];
            }
        } else if (!autoPad.equals("VALID") && !autoPad.equals("NOTSET")) {
            throw n.error("auto_pad '" + autoPad + "' is not supported");
        } else if (autoPad.equals("NOTSET")) {
            int[] pads = attr(n, "pads", 2 * dims, 0);
            for (int d = 0; d < dims; d++) {
                begin[oneD ? 1 : d] = pads[d];
                end[oneD ? 1 : d] = pads[d + dims];
            }
        }
        for (int d = 0; d < 2; d++) {
            if (begin[d] < 0 || end[d] < 0 || begin[d] > MAX_GEOMETRY || end[d] > MAX_GEOMETRY) throw n.error("pads out of range");
        }
        int groups = n.int32("group", 1);
        if (groups < 1) throw n.error("group must be positive, got " + groups);
        if (w.size(0) != x.size(1)) throw n.error("weight " + Shape.str(w.shape()) + " does not match the " + x.size(1) + " input channels of " + Shape.str(x.shape()));
        int[] full = new int[2];
        for (int d = 0; d < 2; d++) {
            long size = (long) (inSp[d] - 1) * strides[d] + (long) (kernel[d] - 1) * dil[d] + outPad[d] + 1;
            if (size - begin[d] - end[d] < 1) throw n.error("pads " + begin[d] + "+" + end[d] + " leave no output from a full size of " + size);
            if (size > DataTypes.MAX_ELEMENTS) throw n.error("output size " + size + " is too large");
            full[d] = (int) size;
        }
        Ops.checkSize(n, new int[] {x.size(0), w.size(1) * groups, full[0], full[1]});
        Tensor y;
        if (begin[0] == end[0] && begin[1] == end[1]) {
            y = ConvTranspose2dOp.convTranspose2d(x, w, b, strides, begin, outPad, dil, groups);
        } else {
            // asymmetric padding: the full output, then crop each side
            y = ConvTranspose2dOp.convTranspose2d(x, w, b, strides, new int[] {0, 0}, outPad, dil, groups);
            for (int d = 0; d < 2; d++) {
                int len = y.size(2 + d) - begin[d] - end[d];
                if (len < 0) throw n.error("pads remove more than the whole output");
                y = y.narrow(2 + d, begin[d], len);
            }
            y = y.contiguous();
        }
        return one(oneD ? y.squeeze(2) : y);
    }

    private static int[] lift(int[] v, boolean oneD, int fill) {
        return oneD ? new int[] {fill, v[0]} : v;
    }

    // ------------------------------------------------------------------------------------------------ pooling

    private static Tensor pool(GraphNode n, Tensor v, boolean max) {
        Tensor x = floatInput(n, v, "X");
        int dims = spatialDims(n, x);
        int[] kernel = n.ints("kernel_shape");
        if (kernel == null) throw n.error("attribute 'kernel_shape' is required");
        if (kernel.length != dims) throw n.error("kernel_shape " + Arrays.toString(kernel) + " does not match input " + Shape.str(x.shape()));
        boolean dilatedAvg = !max && n.has("dilations") && Arrays.stream(n.ints("dilations")).anyMatch(d -> d != 1);
        if (dilatedAvg && n.opset < 19) throw n.error("attribute 'dilations' of AveragePool needs opset 19 (the model imports opset " + n.opset + ")");
        if (max && n.i("storage_order", 0) != 0) throw n.error("storage_order=1 is not supported");
        Geometry g = geometry(n, spatial(x), kernel);
        if (dilatedAvg) {
            return DilatedAvgPool.pool(x, kernel, g.strides, g.dilations, g.begin, g.end, n.i("ceil_mode", 0) != 0, n.i("count_include_pad", 0) != 0);
        }
        if (!Arrays.equals(g.begin, g.end)) {
            throw n.error("asymmetric pads " + Arrays.toString(g.begin) + " / " + Arrays.toString(g.end) + " are not supported");
        }
        boolean ceil = n.i("ceil_mode", 0) != 0;
        String who = n.describe();
        PoolOps.Window w = dims == 1
                ? PoolOps.window1d(who, kernel[0], g.strides[0], g.begin[0], g.dilations[0], ceil)
                : PoolOps.window2d(who, kernel, g.strides, g.begin, g.dilations, ceil);
        if (max) return PoolOps.maxPoolValues(who, x, w);
        return PoolOps.avgPool(who, x, w, n.i("count_include_pad", 0) != 0);
    }

    private static Tensor global(GraphNode n, Tensor v, boolean avg) {
        Tensor x = floatInput(n, v, "X");
        if (x.dim() < 3) throw n.error("expected [N, C, spatial...], got " + Shape.str(x.shape()));
        if (avg) return PoolOps.globalAvgPool(n.describe(), x, true);
        Tensor m = x;
        for (int d = x.dim() - 1; d >= 2; d--) m = m.max(d, true);
        return m;
    }
}
