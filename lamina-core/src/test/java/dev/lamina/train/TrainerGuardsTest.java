package dev.lamina.train;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.Input;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.optim.LrSchedule;
import dev.lamina.optim.SGD;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A Trainer refuses an optimizer or a scheduler that would not train its model; fit without validation is not ambiguous. */
class TrainerGuardsTest {
    private static Sequential model(long seed) {
        return new Sequential(new Input(4), new Linear(4, 3, true, new Rng(seed)));
    }

    @Test
    void refusesAnOptimizerOverAnotherModelsParameters() {
        Sequential a = model(1), b = model(2);
        var e = assertThrows(IllegalArgumentException.class, () -> new Trainer(a, new CrossEntropyLoss(), new Adam(b.parameters(), 1e-3)));
        assertTrue(e.getMessage().contains("2 of the optimizer's 2 parameters") && e.getMessage().contains("not parameters of the model"), e.getMessage());
        List<Tensor> mixed = List.of(a.parameters().get(0), Tensor.zeros(3).requiresGrad(true));
        var e2 = assertThrows(IllegalArgumentException.class, () -> new Trainer(a, new CrossEntropyLoss(), new SGD(mixed, 0.1)));
        assertTrue(e2.getMessage().contains("first is parameter 1, shape [3]"), e2.getMessage());
        // a subset of the model's parameters (fine-tuning a part) is allowed
        assertDoesNotThrow(() -> new Trainer(a, new CrossEntropyLoss(), new SGD(List.of(a.parameters().get(0)), 0.1)));
    }

    @Test
    void refusesASchedulerBoundToAnotherOptimizer() {
        Sequential a = model(1);
        Adam mine = new Adam(a.parameters(), 1e-3), other = new Adam(a.parameters(), 1e-2);
        Trainer t = new Trainer(a, new CrossEntropyLoss(), mine);
        var e = assertThrows(IllegalArgumentException.class, () -> t.scheduler(new Scheduler(other, LrSchedule.cosine(3, 0))));
        assertTrue(e.getMessage().contains("bound to another optimizer") && e.getMessage().contains("lr=0.01"), e.getMessage());
        assertDoesNotThrow(() -> t.scheduler(new Scheduler(mine, LrSchedule.cosine(3, 0))));
    }

    @Test
    void fitWithNullValidationCompilesAndTrains() {
        Sequential a = model(3);
        Rng rng = new Rng(4);
        float[] x = new float[40 * 4], y = new float[40];
        for (int i = 0; i < 40; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 4; j++) x[i * 4 + j] = (float) rng.nextGaussian() + (j == i % 3 ? 2 : 0);
        }
        Dataset data = new Dataset(Tensor.of(x, 40, 4), Tensor.of(y, 40));
        Trainer t = new Trainer(a, new CrossEntropyLoss(), new Adam(a.parameters(), 1e-2)).verbose(false);
        History h = t.fit(new DataLoader(data, 10, false, false, null), null, 3);
        assertEquals(3, h.epochs().size());
        assertNull(h.last().validation());
        History h2 = t.fit(new DataLoader(data, 10, false, false, null), 2);
        assertEquals(2, h2.epochs().size());
        assertTrue(h2.last().trainLoss() < h.epochs().getFirst().trainLoss());
    }
}
