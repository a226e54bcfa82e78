package dev.lamina.tensor;

import static dev.lamina.Fixtures.op;

import dev.lamina.Fixtures;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Matrix products (2-D, batched, broadcast batch dims, transposed view, vector) against PyTorch. */
class MatmulFixtureTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                op("matmul_2d", c -> c.in(0).matmul(c.in(1))),
                op("matmul_batched", c -> c.in(0).matmul(c.in(1))),
                op("matmul_bcast", c -> c.in(0).matmul(c.in(1))),
                op("matmul_bcast4d", c -> c.in(0).matmul(c.in(1))),
                op("matmul_t", c -> c.in(0).t().matmul(c.in(1))),
                op("matmul_vec", c -> c.in(0).matmul(c.in(1))));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }
}
