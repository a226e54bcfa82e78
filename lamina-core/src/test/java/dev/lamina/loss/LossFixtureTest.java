package dev.lamina.loss;

import static dev.lamina.Fixtures.op;
import static dev.lamina.loss.Reduction.MEAN;
import static dev.lamina.loss.Reduction.NONE;
import static dev.lamina.loss.Reduction.SUM;

import dev.lamina.Fixtures;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every loss against PyTorch: in0 = input/logits (with gradient), tgt = target (without). */
class LossFixtureTest {

    static Arguments loss(String fixture, Loss loss) {
        return op(fixture, c -> loss.forward(c.in(0), c.get("tgt")));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                loss("mse_mean", new MSELoss(MEAN)),
                loss("mse_sum", new MSELoss(SUM)),
                loss("mse_none", new MSELoss(NONE)),
                loss("l1_mean", new L1Loss(MEAN)),
                loss("l1_none", new L1Loss(NONE)),
                loss("huber_d1", new HuberLoss(MEAN, 1.0)),
                loss("huber_d05", new HuberLoss(MEAN, 0.5)),
                loss("smoothl1_b1", new SmoothL1Loss(MEAN, 1.0)),
                loss("smoothl1_b05", new SmoothL1Loss(MEAN, 0.5)),
                loss("bce_logits_mean", new BCEWithLogitsLoss()),
                loss("bce_logits_sum", new BCEWithLogitsLoss(SUM, null)),
                loss("bce_logits_big", new BCEWithLogitsLoss()),
                op("bce_logits_posw", c -> new BCEWithLogitsLoss(MEAN, c.get("posw")).forward(c.in(0), c.get("tgt"))),
                loss("ce_index_mean", new CrossEntropyLoss()),
                loss("ce_index_sum", new CrossEntropyLoss(SUM, 0, -100)),
                loss("ce_index_none", new CrossEntropyLoss(NONE, 0, -100)),
                loss("ce_ignore", new CrossEntropyLoss(MEAN, 0, 2)),
                loss("ce_smooth", CrossEntropyLoss.withLabelSmoothing(0.1)),
                loss("ce_prob", new CrossEntropyLoss()),
                loss("ce_prob_smooth", CrossEntropyLoss.withLabelSmoothing(0.2)),
                loss("ce_4d", new CrossEntropyLoss()),
                loss("nll_mean", new NLLLoss(MEAN, -100)),
                loss("nll_sum", new NLLLoss(SUM, -100)),
                loss("kl_batchmean", new KLDivLoss()),
                loss("kl_sum_logtarget", new KLDivLoss(SUM, false, true)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }
}
