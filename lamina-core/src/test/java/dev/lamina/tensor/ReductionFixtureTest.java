package dev.lamina.tensor;

import static dev.lamina.Fixtures.op;

import dev.lamina.Fixtures;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reductions, arg-max/min and (log-)softmax against PyTorch: output, indices and input gradients. */
class ReductionFixtureTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                op("sum_all", c -> c.in(0).sum()),
                op("sum_dim1_keep", c -> c.in(0).sum(1, true)),
                op("sum_dims02", c -> c.in(0).sum(new int[] {0, 2}, false)),
                op("mean_all", c -> c.in(0).mean()),
                op("mean_dim_neg1", c -> c.in(0).mean(-1, false)),
                op("var_dim1_unbiased", c -> c.in(0).var(1, true, false)),
                op("var_dim1_biased", c -> c.in(0).var(1, false, true)),
                op("std_dim1", c -> c.in(0).std(1, true, false)),
                op("max_all", c -> c.in(0).max()),
                op("max_dim1", c -> {
                    c.expect("idx", c.in(0).argmax(1, false));
                    return c.in(0).max(1, false);
                }),
                op("min_dim0", c -> {
                    c.expect("idx", c.in(0).argmin(0, false));
                    return c.in(0).min(0, false);
                }),
                op("argmax_dim1", c -> c.in(0).argmax(1, false)),
                op("logsumexp_dim1", c -> c.in(0).logSumExp(1, false)),
                op("softmax_dim0", c -> c.in(0).softmax(0)),
                op("softmax_last", c -> c.in(0).softmax(-1)),
                op("log_softmax_dim1", c -> c.in(0).logSoftmax(1)),
                op("log_softmax_last", c -> c.in(0).logSoftmax(-1)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }
}
