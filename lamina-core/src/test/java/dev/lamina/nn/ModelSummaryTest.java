package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ModelSummaryTest {
    /** A module that is not a Sequential: two children used in its own forward. */
    private static final class TwoTower extends Module {
        final Linear a = registerModule("a", new Linear(4, 3, true, new Rng(1)));
        final Linear b = registerModule("b", new Linear(3, 2, true, new Rng(2)));

        @Override
        public Tensor forward(Tensor x) {
            return b.forward(a.forward(x).relu());
        }
    }

    @Test
    void sequentialRowsHaveOutputShapesAndParameters() {
        Sequential net = new Sequential(new Input(6), new Linear(6, 5, true, new Rng(0)), new ReLU(), new Linear(5, 2, true, new Rng(0)));
        net.train();
        String s = net.summary(1, 6);
        assertTrue(s.contains("1 (Linear)") && s.contains("[N, 5]") && s.contains("35") && s.contains("3 (Linear)") && s.contains("[N, 2]"), s);
        assertTrue(s.contains("Total parameters: 47"), s);
        assertTrue(net.isTraining(), "the mode is restored");
    }

    @Test
    void anyModuleListsItsChildrenAndOutput() {
        String s = new TwoTower().summary(1, 4);
        assertTrue(s.contains("a (Linear)") && s.contains("15") && s.contains("b (Linear)") && s.contains("8"), s);
        assertTrue(s.contains("(output)") && s.contains("[N, 2]") && s.contains("Total parameters: 23"), s);
    }

    @Test
    void aWrongExampleShapeNamesTheLayer() {
        Sequential net = new Sequential(new Input(6), new Linear(6, 5));
        var e = assertThrows(RuntimeException.class, () -> net.summary(1, 7));
        assertTrue(e.getMessage().contains("0 (Input)"), e.getMessage());
    }
}
