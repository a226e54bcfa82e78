package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;

/** Pooling layers reject bad input and bad configuration with messages naming the layer and the shapes. */
class PoolErrorTest {
    private static void assertMessage(RuntimeException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    private static ShapeException shapeError(Module m, Tensor x) {
        return assertThrows(ShapeException.class, () -> m.forward(x));
    }

    @Test
    void wrongRankNamesLayerPathAndShapes() {
        Sequential model = new Sequential(new Linear(4, 4), new MaxPool2d(2));
        assertMessage(assertThrows(ShapeException.class, () -> model.children().get("1").forward(Tensor.zeros(2, 4))),
                "1 (MaxPool2d)", "[N, C, H, W]", "got [2, 4]");
        assertMessage(shapeError(new MaxPool2d(2), Tensor.zeros(1, 1, 1, 4, 4)), "MaxPool2d", "[N, C, H, W]", "[1, 1, 1, 4, 4]");
        assertMessage(shapeError(new AvgPool2d(2), Tensor.zeros(4, 4)), "AvgPool2d", "[N, C, H, W]", "[4, 4]");
        assertMessage(shapeError(new MaxPool1d(2), Tensor.zeros(1, 2, 3, 4)), "MaxPool1d", "[N, C, L]", "[1, 2, 3, 4]");
        assertMessage(shapeError(new AvgPool1d(2), Tensor.zeros(8)), "AvgPool1d", "[N, C, L]", "[8]");
        assertMessage(shapeError(new AdaptiveAvgPool2d(2), Tensor.zeros(2, 8)), "AdaptiveAvgPool2d", "[N, C, H, W]", "[2, 8]");
        assertMessage(shapeError(new AdaptiveMaxPool2d(2), Tensor.zeros(2, 8)), "AdaptiveMaxPool2d", "[N, C, H, W]", "[2, 8]");
        assertMessage(shapeError(new GlobalAvgPool(), Tensor.zeros(2, 8)), "GlobalAvgPool", "[N, C, H, W]", "[2, 8]");
        assertMessage(shapeError(new GlobalMaxPool(), Tensor.zeros(2)), "GlobalMaxPool", "[N, C, H, W]", "[2]");
        assertMessage(shapeError(new Dropout2d(0.5), Tensor.zeros(2, 3, 4)), "Dropout2d", "[N, C, H, W]", "[2, 3, 4]");
    }

    @Test
    void kernelLargerThanPaddedInput() {
        // 5x5 kernel, padding 1: needs H, W >= 3
        assertMessage(shapeError(new MaxPool2d(5, 1, 2), Tensor.zeros(1, 1, 0, 4)), "MaxPool2d", "H >= 1", "[1, 1, 0, 4]");
        assertMessage(shapeError(new MaxPool2d(new int[] {5}, new int[] {1}, new int[] {1}, null, false), Tensor.zeros(1, 1, 2, 7)),
                "MaxPool2d", "[N, C, H >= 3, W >= 3]", "got [1, 1, 2, 7]", "more than the padded input 4x9");
        // dilation 2 makes a 3-kernel 5 wide
        assertMessage(shapeError(new MaxPool1d(3, 1, 0, 2, false), Tensor.zeros(2, 3, 4)),
                "MaxPool1d", "[N, C, L >= 5]", "got [2, 3, 4]", "spans 5");
        assertMessage(shapeError(new AvgPool2d(4), Tensor.zeros(3, 3, 8)), "AvgPool2d", "H >= 4", "got [3, 3, 8]");
    }

    @Test
    void outputSizeNotPositive() {
        assertMessage(shapeError(new AvgPool1d(4), Tensor.zeros(1, 1, 3)), "AvgPool1d", "[N, C, L >= 4]", "got [1, 1, 3]", "output size would be 0");
        assertMessage(shapeError(new MaxPool2d(3), Tensor.zeros(2, 1, 5, 2)), "MaxPool2d", "W >= 3", "got [2, 1, 5, 2]", "output size would be 1x0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(0, 3)), "AdaptiveAvgPool2d", "output size", "0x3");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new AdaptiveMaxPool2d(-1)), "AdaptiveMaxPool2d", "output size", "-1x-1");
        assertMessage(shapeError(new AdaptiveMaxPool2d(2), Tensor.zeros(1, 1, 0, 3)), "AdaptiveMaxPool2d", "H >= 1", "got [1, 1, 0, 3]");
        assertMessage(shapeError(new GlobalAvgPool(), Tensor.zeros(1, 2, 0)), "GlobalAvgPool", "got [1, 2, 0]");
    }

    @Test
    void paddingMoreThanHalfTheKernel() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(3, 1, 2)),
                "MaxPool2d", "padding 2x2", "half the kernel size 3x3");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(new int[] {4, 2}, null, new int[] {2, 2}, null, false)),
                "MaxPool2d", "padding 2x2", "kernel size 4x2");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2, 2, 2)), "AvgPool2d", "padding 2x2");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MaxPool1d(4, 1, 3)), "MaxPool1d", "padding 3", "kernel size 4");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new AvgPool1d(1, 1, 1)), "AvgPool1d", "padding 1", "kernel size 1");
    }

    @Test
    void badConfiguration() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(0)), "MaxPool2d", "kernel size must be positive");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(new int[] {2}, new int[] {0}, null, null, false)), "MaxPool2d", "stride");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MaxPool1d(2, 1, 0, 0, false)), "MaxPool1d", "dilation");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(new int[] {2, 2, 2}, null, null, false, true)), "AvgPool2d", "1 or 2 values");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new Dropout2d(1.5)), "Dropout2d", "[0, 1]");
    }
}
