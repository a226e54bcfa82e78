package dev.lamina.autograd;

import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.loss.HuberLoss;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finite-difference checks of composite expressions, on top of the per-op PyTorch fixtures. */
class GradCheckTest {
    private static final double TOLERANCE = 2e-2;

    private static void assertGradients(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, 1e-2, inputs);
        assertTrue(r.passed(TOLERANCE), name + ": " + r);
    }

    @Test
    void compositeExpressions() {
        Rng rng = new Rng(7);
        Tensor a = Tensor.randn(rng, 3, 4), b = Tensor.randn(rng, 4, 5), c = Tensor.randn(rng, 5);
        assertGradients("matmul+bias+tanh", t -> t[0].matmul(t[1]).add(t[2]).tanh(), a, b, c);
        assertGradients("softmax·log", t -> t[0].softmax(1).mul(t[0].logSoftmax(1)), a);
        assertGradients("var/std", t -> t[0].var(0, true, false).add(t[0].std(1, false, true).sum()), a);
        assertGradients("slice+cat", t -> Tensor.cat(List.of(t[0].slice(1, 0, 4, 2), t[0].narrow(1, 1, 2).exp()), 1).sigmoid(), a);
        assertGradients("transpose-matmul", t -> t[0].t().matmul(t[0]).gelu(), a);
        assertGradients("max/logsumexp", t -> t[0].max(1, false).add(t[0].logSumExp(1, false)), a);
    }

    @Test
    void lossesEndToEnd() {
        Rng rng = new Rng(8);
        Tensor logits = Tensor.randn(rng, 6, 4);
        Tensor target = Tensor.vector(0, 3, 1, 1, 2, 0);
        assertGradients("cross_entropy smoothed", t -> CrossEntropyLoss.withLabelSmoothing(0.1).forward(t[0], target), logits);
        Tensor y = Tensor.randn(rng, 6, 4);
        assertGradients("huber", t -> new HuberLoss().forward(t[0], y), logits);
    }

    @Test
    void gradCheckCatchesAWrongRule() {
        // silu's rule replaced by sigmoid's: the checker must notice
        Function<Tensor[], Tensor> wrong = t -> Tensor.fromOp("bad", t[0].detach().silu(), g -> new Tensor[] {g.mul(t[0].detach().sigmoid())}, t[0]);
        GradCheck.Result r = GradCheck.check(wrong, 1e-2, Tensor.randn(new Rng(9), 5));
        assertTrue(!r.passed(TOLERANCE), "a wrong gradient rule passed: " + r);
    }
}
