package dev.lamina.nn.functional;

import static dev.lamina.Fixtures.op;

import dev.lamina.Fixtures;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The functional facade {@link F} against the PyTorch fixtures its ops are tested with (output and every input's
 * gradient): F passes each argument where the op expects it (stride, padding, smoothing, ...), on every backend.
 */
class FFixtureTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                op("conv_padding_stride", c -> F.conv2d(c.in(0), c.in(1), c.in(2), 2, 1)),
                op("conv_combo", c -> F.conv2d(c.in(0), c.in(1), c.in(2), new int[] {2, 1}, new int[] {1, 2}, new int[] {2, 1}, 2)),
                op("conv_1d_groups_dilated", c -> F.conv1d(c.in(0), c.in(1), null, 1, 0, 2, 3)),
                op("linear", c -> F.linear(c.in(0), c.in(1), c.in(2))),
                op("pool_max2d_k3s2p1", c -> F.maxPool2d(c.in(0), 3, 2, 1)),
                op("pool_max2d_k2", c -> F.maxPool2d(c.in(0), 2)),
                op("pool_avg2d_pad_incl", c -> F.avgPool2d(c.in(0), 3, 2, 1)),
                op("pool_adaptive_avg_10x7to4x3", c -> F.adaptiveAvgPool2d(c.in(0), 4, 3)),
                op("gelu", c -> F.gelu(c.in(0), false)),
                op("gelu_tanh", c -> F.gelu(c.in(0), true)),
                op("silu", c -> F.silu(c.in(0))),
                op("relu", c -> F.relu(c.in(0))),
                op("softmax_last", c -> F.softmax(c.in(0), -1)),
                op("log_softmax_last", c -> F.logSoftmax(c.in(0), -1)),
                op("ce_index_mean", c -> F.crossEntropy(c.in(0), c.get("tgt"))),
                op("ce_smooth", c -> F.crossEntropy(c.in(0), c.get("tgt"), 0.1)),
                op("nll_mean", c -> F.nllLoss(c.in(0), c.get("tgt"))),
                op("mse_mean", c -> F.mseLoss(c.in(0), c.get("tgt"))),
                op("l1_mean", c -> F.l1Loss(c.in(0), c.get("tgt"))),
                op("huber_d05", c -> F.huberLoss(c.in(0), c.get("tgt"), 0.5)),
                op("bce_logits_mean", c -> F.binaryCrossEntropyWithLogits(c.in(0), c.get("tgt"))),
                op("kl_batchmean", c -> F.klDiv(c.in(0), c.get("tgt"))));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }
}
