package dev.lamina.tensor;

import static dev.lamina.Fixtures.op;

import dev.lamina.Fixtures;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Views, joins, indexing, where and comparisons against PyTorch: output and input gradients. */
class ShapeOpsFixtureTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                op("reshape", c -> c.in(0).reshape(4, 6)),
                op("flatten", c -> c.in(0).flatten(1, -1)),
                op("permute", c -> c.in(0).permute(2, 0, 1)),
                op("transpose", c -> c.in(0).transpose(0, 2)),
                op("expand", c -> c.in(0).expand(3, 4)),
                op("unsqueeze_squeeze", c -> c.in(0).squeeze(1).unsqueeze(0)),
                op("slice", c -> c.in(0).slice(0, 1, 3, 1).slice(1, 2, 5, 1)),
                op("slice_step", c -> c.in(0).slice(0, 0, Integer.MAX_VALUE, 2)),
                op("cat_dim0", c -> Tensor.cat(List.of(c.in(0), c.in(1)), 0)),
                op("cat_dim1", c -> Tensor.cat(List.of(c.in(0), c.in(1)), 1)),
                op("stack_dim1", c -> Tensor.stack(List.of(c.in(0), c.in(1)), 1)),
                op("gather_dim1", c -> c.in(0).gather(1, c.get("idx"))),
                op("index_select_dim0", c -> c.in(0).indexSelect(0, c.get("idx"))),
                op("where", c -> Tensor.where(c.get("cond"), c.in(0), c.in(1))),
                op("where_bcast", c -> Tensor.where(c.get("cond"), c.in(0), c.in(1))),
                op("eq_bcast", c -> c.in(0).eq(c.in(1))),
                op("gt", c -> c.in(0).gt(c.in(1))));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }

    /** Two outputs: loss = sum(out0 * gout0) + sum(out1 * gout1). */
    @Test
    @Fixtures.Covers("split")
    void split() {
        Tensor x = Fixtures.tensor("split", "in0").requiresGrad(true);
        List<Tensor> parts = x.split(new int[] {2, 3}, 0);
        Fixtures.assertMatches("split", "out0", parts.get(0));
        Fixtures.assertMatches("split", "out1", parts.get(1));
        Tensor loss = parts.get(0).mul(Fixtures.tensor("split", "gout0")).sum()
                .add(parts.get(1).mul(Fixtures.tensor("split", "gout1")).sum());
        loss.backward();
        Fixtures.assertMatches("split", "gin0", x.grad());
    }
}
