package dev.lamina.loss;

import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Class-index targets that are not classes: a fraction is not a whole number; a whole number outside [0, C) is out of range. */
class CrossEntropyTargetErrorsTest {
    private final Tensor logits = Tensor.zeros(3, 4);

    @Test
    void aFractionalClassIsReportedAsNotAWholeNumberWithItsValueAndPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyLoss().forward(logits, Tensor.vector(0, 2.5f, 1)));
        assertTrue(e.getMessage().startsWith("cross_entropy: target class 2.5 at position 1 is not a whole number"), e.getMessage());
        assertFalse(e.getMessage().contains("out of range"), e.getMessage());
    }

    @Test
    void aWholeClassOutsideTheRangeIsReportedAsOutOfRange() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> new CrossEntropyLoss().forward(logits, Tensor.vector(0, 4, 1)));
        assertEquals("cross_entropy: target class 4.0 at position 1 is out of range [0, 4) for logits of shape [3, 4]", e.getMessage());
    }
}
