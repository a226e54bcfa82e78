package dev.lamina.onnx;

import static dev.lamina.onnx.Ops.one;
import static dev.lamina.onnx.Ops.register;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

/**
 * DepthToSpace ({@code F.pixel_shuffle}, mode CRD; ONNX's default DCR) and SpaceToDepth (the inverse of DCR): moving
 * blocks of b×b values between channels and the spatial plane of an [N, C, H, W] tensor, as a reshape, a permutation
 * and a reshape (float and integer values alike).
 */
final class RearrangeOps {
    private RearrangeOps() {}

    static void registerAll() {
        register("DepthToSpace", 1, 1, 1, RearrangeOps::depthToSpace);
        register("SpaceToDepth", 1, 1, 1, RearrangeOps::spaceToDepth);
    }

    private static int blocksize(GraphNode n, Tensor x) {
        if (!n.has("blocksize")) throw n.error("attribute 'blocksize' is required");
        int b = n.int32("blocksize", 0);
        if (b < 1) throw n.error("blocksize must be positive, got " + b);
        if (x.dim() != 4) throw n.error("expected input of shape [N, C, H, W], got " + Shape.str(x.shape()));
        return b;
    }

    /** [N, C, H, W] → [N, C / b², H·b, W·b]; DCR reads the channel as (block row, block column, output channel), CRD as (output channel, block row, block column). */
    private static Tensor[] depthToSpace(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        int b = blocksize(n, x);
        int[] s = x.shape();
        if (s[1] % (b * b) != 0) throw n.error(s[1] + " channels of " + Shape.str(s) + " are not divisible by blocksize² = " + b * b);
        int c = s[1] / (b * b), h = s[2], w = s[3];
        String mode = n.s("mode", "DCR");
        return switch (mode) {
            case "DCR" -> one(x.reshape(s[0], b, b, c, h, w).permute(0, 3, 4, 1, 5, 2).reshape(s[0], c, h * b, w * b));
            case "CRD" -> one(x.reshape(s[0], c, b, b, h, w).permute(0, 1, 4, 2, 5, 3).reshape(s[0], c, h * b, w * b));
            default -> throw n.error("mode must be 'DCR' or 'CRD', got '" + mode + "'");
        };
    }

    /** [N, C, H, W] → [N, C·b², H / b, W / b], the inverse of DepthToSpace in DCR mode. */
    private static Tensor[] spaceToDepth(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        int b = blocksize(n, x);
        int[] s = x.shape();
        if (s[2] % b != 0 || s[3] % b != 0) throw n.error("height and width of " + Shape.str(s) + " are not divisible by blocksize " + b);
        int h = s[2] / b, w = s[3] / b;
        return one(x.reshape(s[0], s[1], h, b, w, b).permute(0, 3, 5, 1, 2, 4).reshape(s[0], s[1] * b * b, h, w));
    }
}
