package dev.lamina.train;

import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ConfusionMatrixTest {
    private static final double EPS = 1e-12;

    /**
     * actual    0 0 0 1 1 2 2
     * predicted 0 0 1 1 0 1 0     (class 2 is never predicted)
     * rows = actual: [2 1 0] [1 1 0] [1 1 0]
     */
    private static ConfusionMatrix example() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.addAll(new int[] {0, 0, 0, 1, 1, 2, 2}, new int[] {0, 0, 1, 1, 0, 1, 0});
        return m;
    }

    @Test
    void countsByActualRowAndPredictedColumn() {
        ConfusionMatrix m = example();
        assertArrayEquals(new long[] {2, 1, 0}, m.counts()[0]);
        assertArrayEquals(new long[] {1, 1, 0}, m.counts()[1]);
        assertArrayEquals(new long[] {1, 1, 0}, m.counts()[2]);
        assertEquals(7, m.total());
        assertEquals(3, m.correct());
        assertEquals(3.0 / 7, m.accuracy(), EPS);
        assertEquals(3, m.support(0));
        assertEquals(4, m.predicted(0));
        assertEquals(0, m.predicted(2));
    }

    @Test
    void perClassPrecisionRecallF1ByHand() {
        ConfusionMatrix m = example();
        // class 0: tp 2, predicted 4, support 3
        assertEquals(0.5, m.precision(0), EPS);
        assertEquals(2.0 / 3, m.recall(0), EPS);
        assertEquals(4.0 / 7, m.f1(0), EPS);
        // class 1: tp 1, predicted 3, support 2
        assertEquals(1.0 / 3, m.precision(1), EPS);
        assertEquals(0.5, m.recall(1), EPS);
        assertEquals(0.4, m.f1(1), EPS);
        // class 2: never predicted -> precision 0 (scikit-learn's zero_division=0), recall 0/2, F1 0
        assertEquals(0, m.precision(2), EPS);
        assertEquals(0, m.recall(2), EPS);
        assertEquals(0, m.f1(2), EPS);
        assertEquals((0.5 + 1.0 / 3) / 3, m.macroPrecision(), EPS);
        assertEquals((2.0 / 3 + 0.5) / 3, m.macroRecall(), EPS);
        assertEquals(34.0 / 105, m.macroF1(), EPS);
    }

    @Test
    void classWithoutExamplesHasZeroRecallNotNaN() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.addAll(new int[] {0, 1}, new int[] {0, 2});
        assertEquals(0, m.support(2));
        assertEquals(0, m.recall(2), EPS);
        assertEquals(0, m.precision(2), EPS); // predicted once, wrong
        assertEquals(0, m.f1(2), EPS);
        assertTrue(Double.isNaN(new ConfusionMatrix(2).accuracy()));
    }

    @Test
    void fromScoresUsesTheFirstMaximum() {
        Tensor scores = Tensor.matrix(new float[][] {{0.1f, 0.9f, 0f}, {2f, 2f, 1f}, {0f, 0f, 3f}, {5f, 1f, 1f}});
        Tensor targets = Tensor.vector(1, 1, 2, 2);
        assertArrayEquals(new int[] {1, 0, 2, 0}, Metrics.argmax(scores));
        ConfusionMatrix m = Metrics.confusion(scores, targets);
        assertEquals(1, m.count(1, 1));
        assertEquals(1, m.count(1, 0));
        assertEquals(1, m.count(2, 0));
        assertEquals(0.5, Metrics.accuracy(scores, targets), EPS);
    }

    @Test
    void rejectsOutOfRangeClassesAndPrintsAReport() {
        ConfusionMatrix m = example();
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> m.add(3, 0));
        assertTrue(e.getMessage().contains("actual class 3"), e.getMessage());
        String report = m.report(new String[] {"cat", "dog", "bird"});
        assertTrue(report.contains("bird") && report.contains("0.5714") && report.contains("macro avg"), report);
        assertTrue(m.format(null).contains("(predicted)"));
    }
}
