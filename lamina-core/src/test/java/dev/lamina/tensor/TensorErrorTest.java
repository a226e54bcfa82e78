package dev.lamina.tensor;

import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.loss.MSELoss;
import dev.lamina.loss.NLLLoss;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input fails with a message that names the op and the shapes. */
class TensorErrorTest {
    private static void assertMessage(RuntimeException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    @Test
    void broadcastMismatchNamesOpAndShapes() {
        assertMessage(assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4))), "add", "[2, 3]", "[4]");
        assertMessage(assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).mul(Tensor.zeros(3, 2))), "mul", "[2, 3]", "[3, 2]");
    }

    @Test
    void matmulInnerDimensionMismatch() {
        assertMessage(assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5))), "matmul", "[2, 3]", "[4, 5]");
        assertMessage(assertThrows(ShapeException.class, () -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 5))), "matmul", "[2]", "[3]");
    }

    @Test
    void reshapeAndViews() {
        assertMessage(assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).reshape(4, 2)), "reshape", "[2, 3]", "[4, 2]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).sum(2, false)), "sum", "dimension 2");
        assertMessage(assertThrows(ShapeException.class, () -> Tensor.cat(List.of(Tensor.zeros(2, 3), Tensor.zeros(3, 4)), 0)), "cat", "[2, 3]", "[3, 4]");
        assertMessage(assertThrows(ShapeException.class, () -> Tensor.of(new float[5], 2, 3)), "5 values", "[2, 3]");
    }

    @Test
    void indexOutOfRange() {
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(3, 4).indexSelect(0, new int[] {3})), "index_select", "3", "[3, 4]");
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(3, 4).gather(1, Tensor.of(new float[] {4, 0, 1}, 3, 1))), "gather", "4.0");
    }

    @Test
    void classIndexOutOfRange() {
        Tensor logits = Tensor.zeros(3, 5);
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> new CrossEntropyLoss().forward(logits, Tensor.vector(0, 5, 1))), "cross_entropy", "5.0", "[0, 5)", "[3, 5]");
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> new CrossEntropyLoss().forward(logits, Tensor.vector(0, -1, 1))), "cross_entropy", "-1.0");
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> new NLLLoss().forward(logits, Tensor.vector(0, 1, 7))), "nll_loss", "7.0");
    }

    @Test
    void wrongTargetShape() {
        assertMessage(assertThrows(ShapeException.class, () -> new CrossEntropyLoss().forward(Tensor.zeros(3, 5), Tensor.zeros(4))), "cross_entropy", "[3, 5]", "[3]", "[4]");
        assertMessage(assertThrows(ShapeException.class, () -> new MSELoss().forward(Tensor.zeros(3, 5), Tensor.zeros(3, 4))), "mse_loss", "[3, 5]", "[3, 4]");
    }

    @Test
    void nanInLossInput() {
        Tensor logits = Tensor.of(new float[] {0, Float.NaN, 1, 2}, 2, 2);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss().forward(logits, Tensor.vector(0, 1))), "cross_entropy", "NaN", "[2, 2]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MSELoss().forward(logits, Tensor.zeros(2, 2))), "mse_loss", "NaN");
    }
}
