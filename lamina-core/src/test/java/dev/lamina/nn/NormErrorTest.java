package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.nn.functional.BatchNormOp;
import dev.lamina.nn.functional.NormOp;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every error of the normalization layers and ops names the layer (or op), the expected and the actual shape. */
class NormErrorTest {

    private static void fails(Class<? extends Throwable> type, Executable call, String... parts) {
        String msg = assertThrows(type, call).getMessage();
        for (String p : parts) assertTrue(msg.contains(p), "message '" + msg + "' lacks '" + p + "'");
    }

    private static void shapeFails(Executable call, String... parts) {
        fails(ShapeException.class, call, parts);
    }

    private static Tensor z(int... shape) {
        return Tensor.zeros(shape);
    }

    @Test
    void batchNormWrongRank() {
        shapeFails(() -> new BatchNorm2d(3).forward(z(2, 3, 4)), "BatchNorm2d", "[N, 3, H, W]", "[2, 3, 4]");
        shapeFails(() -> new BatchNorm1d(3).forward(z(2, 3, 4, 5)), "BatchNorm1d", "[N, 3] or [N, 3, L]", "[2, 3, 4, 5]");
        shapeFails(() -> new BatchNorm1d(3).forward(z(3)), "BatchNorm1d", "[N, 3]", "[3]");
    }

    @Test
    void batchNormWrongChannels() {
        shapeFails(() -> new BatchNorm2d(3).forward(z(2, 4, 5, 5)), "BatchNorm2d", "[N, 3, H, W]", "[2, 4, 5, 5]");
        shapeFails(() -> new BatchNorm1d(4).forward(z(2, 5)), "BatchNorm1d", "[N, 4]", "[2, 5]");
    }

    @Test
    void batchNormOneValuePerChannelInTraining() {
        Sequential model = new Sequential(new Linear(3, 4), new BatchNorm1d(4));
        shapeFails(() -> model.forward(z(1, 3)), "1 (BatchNorm1d)", "more than 1 value per channel", "[N, 4]", "[1, 4]");
        BatchNormBase bn = (BatchNormBase) model.get(1);
        assertArrayEquals(new float[] {0f}, bn.numBatchesTracked().toArray(), "a rejected batch is not counted");
        shapeFails(() -> new BatchNorm1d(4).forward(z(1, 4, 1)), "BatchNorm1d", "more than 1 value per channel", "[1, 4, 1]");
        shapeFails(() -> new BatchNorm2d(2).forward(z(1, 2, 1, 1)), "BatchNorm2d", "more than 1 value per channel", "[1, 2, 1, 1]");
        // fine: several positions per channel, or evaluation mode
        new BatchNorm1d(4).forward(z(1, 4, 2));
        model.eval();
        model.forward(z(1, 3));
    }

    @Test
    void layerNormTrailingDims() {
        shapeFails(() -> new LayerNorm(4, 5).forward(z(2, 5, 4)), "LayerNorm", "[*, 4, 5]", "[2, 5, 4]");
        shapeFails(() -> new LayerNorm(4, 5).forward(z(5)), "LayerNorm", "[*, 4, 5]", "[5]");
        shapeFails(() -> new RMSNorm(6).forward(z(2, 5)), "RMSNorm", "[*, 6]", "[2, 5]");
    }

    @Test
    void groupNormChannelsAndGroups() {
        fails(IllegalArgumentException.class, () -> new GroupNorm(3, 4), "GroupNorm", "divisible", "4 channels", "3 groups");
        shapeFails(() -> new GroupNorm(2, 4).forward(z(2, 6, 3)), "GroupNorm", "[N, 4, *]", "[2, 6, 3]");
        shapeFails(() -> new GroupNorm(2, 4).forward(z(4)), "GroupNorm", "[N, 4, *]", "[4]");
    }

    @Test
    void instanceNormShapes() {
        shapeFails(() -> new InstanceNorm1d(3).forward(z(2, 4, 5)), "InstanceNorm1d", "[N, 3, L] or [3, L]", "[2, 4, 5]");
        shapeFails(() -> new InstanceNorm2d(3).forward(z(2, 3, 4)), "InstanceNorm2d", "[N, 3, H, W] or [3, H, W]", "[2, 3, 4]");
        shapeFails(() -> new InstanceNorm2d(3).forward(z(2, 3, 4, 4, 4)), "InstanceNorm2d", "[N, 3, H, W]", "[2, 3, 4, 4, 4]");
    }

    @Test
    void badConfiguration() {
        fails(IllegalArgumentException.class, () -> new BatchNorm2d(0), "BatchNorm2d", "num_features");
        fails(IllegalArgumentException.class, () -> new BatchNorm1d(3, -1, 0.1, true, true), "BatchNorm1d", "eps");
        fails(IllegalArgumentException.class, () -> new BatchNorm1d(3, 1e-5, 1.5, true, true), "BatchNorm1d", "momentum");
        fails(IllegalArgumentException.class, () -> new LayerNorm(4, 0), "LayerNorm", "[4, 0]");
        fails(IllegalArgumentException.class, () -> new LayerNorm(new int[] {4}, -1, true, true), "LayerNorm", "eps");
        fails(IllegalArgumentException.class, () -> new RMSNorm(new int[0], null, true), "RMSNorm", "[]");
        fails(IllegalArgumentException.class, () -> new RMSNorm(new int[] {3}, -1.0, true), "RMSNorm", "eps");
        fails(IllegalArgumentException.class, () -> new GroupNorm(0, 4), "GroupNorm", "positive");
        fails(IllegalArgumentException.class, () -> new GroupNorm(2, 4, -1, true), "GroupNorm", "eps");
        fails(IllegalArgumentException.class, () -> new InstanceNorm1d(-2), "InstanceNorm1d", "num_features");
        fails(IllegalArgumentException.class, () -> new InstanceNorm2d(2, -1, false), "InstanceNorm2d", "eps");
    }

    @Test
    void functionalBatchNorm() {
        Tensor c3 = z(3);
        shapeFails(() -> BatchNormOp.batchNorm(z(4), null, null, null, null, true, 0.1, 1e-5), "batch_norm", "[N, C, *]", "[4]");
        shapeFails(() -> BatchNormOp.batchNorm(z(2, 3), null, null, z(4), null, true, 0.1, 1e-5), "batch_norm", "weight", "[4]", "[2, 3]", "[3]");
        shapeFails(() -> BatchNormOp.batchNorm(z(2, 3), null, null, null, z(2), true, 0.1, 1e-5), "batch_norm", "bias", "[2]");
        shapeFails(() -> BatchNormOp.batchNorm(z(2, 3), z(3, 1), c3, null, null, true, 0.1, 1e-5), "batch_norm", "running_mean", "[3, 1]");
        shapeFails(() -> BatchNormOp.batchNorm(z(2, 3), c3, z(2), null, null, true, 0.1, 1e-5), "batch_norm", "running_var", "[2]");
        fails(IllegalArgumentException.class, () -> BatchNormOp.batchNorm(z(2, 3), c3, null, null, null, true, 0.1, 1e-5), "batch_norm", "together");
        fails(IllegalArgumentException.class, () -> BatchNormOp.batchNorm(z(2, 3), null, null, null, null, false, 0.1, 1e-5), "batch_norm", "running_mean");
        shapeFails(() -> BatchNormOp.batchNorm(z(1, 3), null, null, null, null, true, 0.1, 1e-5), "batch_norm", "more than 1 value", "[1, 3]");
    }

    @Test
    void functionalNorms() {
        shapeFails(() -> NormOp.layerNorm(z(2, 5, 4), new int[] {4, 5}, null, null, 1e-5), "layer_norm", "[*, 4, 5]", "[2, 5, 4]");
        shapeFails(() -> NormOp.layerNorm(z(2, 4), new int[] {4}, z(5), null, 1e-5), "layer_norm", "weight", "[5]", "[4]");
        shapeFails(() -> NormOp.layerNorm(z(2, 4), new int[] {4}, null, z(4, 1), 1e-5), "layer_norm", "bias", "[4, 1]", "[4]");
        shapeFails(() -> NormOp.rmsNorm(z(2, 4), new int[] {3}, null, 1e-5), "rms_norm", "[*, 3]", "[2, 4]");
        shapeFails(() -> NormOp.rmsNorm(z(2, 4), new int[] {4}, z(3), 1e-5), "rms_norm", "weight", "[3]", "[4]");
        shapeFails(() -> NormOp.groupNorm(z(4), 2, null, null, 1e-5), "group_norm", "[N, C, *]", "[4]");
        shapeFails(() -> NormOp.groupNorm(z(2, 6, 3), 4, null, null, 1e-5), "group_norm", "6 channels", "[2, 6, 3]", "4 groups");
        shapeFails(() -> NormOp.groupNorm(z(2, 6, 3), 2, z(4), null, 1e-5), "group_norm", "weight", "[4]", "[6]");
        shapeFails(() -> NormOp.instanceNorm(z(2, 6), null, null, 1e-5), "instance_norm", "[N, C, L, *]", "[2, 6]");
        shapeFails(() -> NormOp.instanceNorm(z(2, 6, 3), null, z(5), 1e-5), "instance_norm", "bias", "[5]", "[6]");
    }
}
