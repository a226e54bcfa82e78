package dev.lamina.tensor;

import static dev.lamina.Fixtures.op;

import dev.lamina.Fixtures;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Elementwise ops (unary, activations, broadcasting binary ops) against PyTorch: output and input gradients. */
class ElementwiseFixtureTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                op("abs", c -> c.in(0).abs()),
                op("neg", c -> c.in(0).neg()),
                op("exp", c -> c.in(0).exp()),
                op("log", c -> c.in(0).log()),
                op("sqrt", c -> c.in(0).sqrt()),
                op("square", c -> c.in(0).square()),
                op("reciprocal", c -> c.in(0).reciprocal()),
                op("tanh", c -> c.in(0).tanh()),
                op("sigmoid", c -> c.in(0).sigmoid()),
                op("relu", c -> c.in(0).relu()),
                op("leaky_relu", c -> c.in(0).leakyRelu(0.01f)),
                op("leaky_relu_02", c -> c.in(0).leakyRelu(0.2f)),
                op("elu", c -> c.in(0).elu(1.0f)),
                op("gelu", c -> c.in(0).gelu()),
                op("gelu_tanh", c -> c.in(0).geluTanh()),
                op("silu", c -> c.in(0).silu()),
                op("clamp", c -> c.in(0).clamp(-0.5f, 0.5f)),
                op("pow_scalar", c -> c.in(0).pow(2.5f)),
                op("pow_tensor", c -> c.in(0).pow(c.in(1))),
                op("add_bcast", c -> c.in(0).add(c.in(1))),
                op("add_scalar_tensor", c -> c.in(0).add(c.in(1))),
                op("sub_bcast", c -> c.in(0).sub(c.in(1))),
                op("mul_bcast", c -> c.in(0).mul(c.in(1))),
                op("div_bcast", c -> c.in(0).div(c.in(1))),
                op("maximum", c -> c.in(0).maximum(c.in(1))),
                op("minimum", c -> c.in(0).minimum(c.in(1))));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }
}
