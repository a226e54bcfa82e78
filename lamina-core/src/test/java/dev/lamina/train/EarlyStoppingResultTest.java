package dev.lamina.train;

import dev.lamina.data.DataLoader;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.SGD;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 14, bug 9: after early stopping, what History reports must describe the weights the model holds. */
class EarlyStoppingResultTest {
    /** A run whose epochs from 3 on are spoilt (all weights zeroed), so epoch 1 or 2 is the best. */
    private static History spoiltRun(boolean restoreBest, Sequential model, Trainer[] trainer) {
        Trainer t = new Trainer(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.2))
                .callback(new Callback() {
                    @Override
                    public void onEpochBegin(int epoch) {
                        if (epoch >= 3) for (Tensor p : model.parameters()) p.fill_(0);
                    }
                })
                .earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_ACCURACY, 2).restoreBestWeights(restoreBest));
        trainer[0] = t;
        return t.fit(new DataLoader(TrainerTest.blobs(120, 3), 20, true, false, new Rng(7)), TrainerTest.blobs(60, 4), 20);
    }

    @Test
    void restoredBestWeightsAreWhatTheResultDescribes() {
        Sequential model = TrainerTest.smallNet(new Rng(2));
        Trainer[] t = new Trainer[1];
        History h = spoiltRun(true, model, t);
        assertTrue(h.stoppedEarly());
        assertTrue(h.restoredBest());
        assertTrue(h.bestEpoch() < h.last().epoch(), "stopped after the best epoch");
        assertEquals(h.bestEpoch(), h.modelEpoch());
        assertSame(h.best(), h.result());
        assertEquals(h.bestEpoch(), h.result().epoch());
        // the model as fit left it is the one the result describes, confusion matrix included, not last()'s
        Evaluation now = t[0].evaluate(TrainerTest.blobs(60, 4));
        assertEquals(h.result().valLoss(), now.loss(), 1e-9);
        assertArrayEquals(flatten(h.result().validation().confusion().counts()), flatten(now.confusion().counts()));
        assertNotEquals(h.last().valAccuracy(), now.accuracy(), "last() is the spoilt epoch, no longer the model");
    }

    @Test
    void withoutRestoringTheLastEpochIsTheResult() {
        Sequential model = TrainerTest.smallNet(new Rng(2));
        Trainer[] t = new Trainer[1];
        History h = spoiltRun(false, model, t);
        assertTrue(h.stoppedEarly());
        assertFalse(h.restoredBest());
        assertEquals(h.last().epoch(), h.modelEpoch());
        assertSame(h.last(), h.result());
        assertNotSame(h.best(), h.result());
        assertEquals(h.last().valLoss(), t[0].evaluate(TrainerTest.blobs(60, 4)).loss(), 1e-9);
    }

    @Test
    void withoutEarlyStoppingTheResultIsTheLastEpoch() {
        Sequential model = TrainerTest.smallNet(new Rng(5));
        Trainer t = new Trainer(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.1));
        History h = t.fit(new DataLoader(TrainerTest.blobs(60, 1), 20, false, false, null), TrainerTest.blobs(30, 2), 2);
        assertNull(h.best());
        assertEquals(-1, h.bestEpoch());
        assertSame(h.last(), h.result());
        assertEquals(2, h.modelEpoch());
    }

    private static long[] flatten(long[][] m) {
        return java.util.Arrays.stream(m).flatMapToLong(java.util.Arrays::stream).toArray();
    }
}
