package dev.lamina.train;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.loss.Loss;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Input;
import dev.lamina.nn.Linear;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.optim.LrSchedule;
import dev.lamina.optim.SGD;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    /** Three Gaussian blobs in 4-D, well separated: a small classification problem that trains in milliseconds. */
    static Dataset blobs(int n, long seed) {
        Rng rng = new Rng(seed);
        float[][] centres = {{2, 0, 0, 1}, {-2, 1, 0, 0}, {0, -2, 2, 0}};
        float[] x = new float[n * 4], y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            y[i] = c;
            for (int j = 0; j < 4; j++) x[i * 4 + j] = centres[c][j] + (float) rng.nextGaussian() * 0.7f;
        }
        return new Dataset(Tensor.of(x, n, 4), Tensor.of(y, n));
    }

    static Sequential smallNet(Rng rng) {
        return new Sequential(new Input(4), new Linear(4, 16, true, rng), new ReLU(), new Dropout(0.1, rng.split()), new Linear(16, 3, true, rng));
    }

    private static Map<String, float[]> weights(Sequential m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.namedParameters().forEach((k, t) -> out.put(k, t.toArray()));
        return out;
    }

    private static void assertSameWeights(Map<String, float[]> expected, Sequential m) {
        Map<String, float[]> actual = weights(m);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    @Test
    void mlpReachesEightyPercentOnTheBundledFashionMnistSubsetInSeconds() throws Exception {
        FashionMnist.Split split = FashionMnist.load(Path.of("..", "data", "fashion-mnist-subset"));
        Rng rng = new Rng(42);
        Sequential model = new Sequential(new Input(784), new Linear(784, 64, true, rng), new ReLU(), new Linear(64, 10, true, rng));
        Adam opt = new Adam(model.parameters(), 2e-3);
        List<EpochResult> seen = new ArrayList<>();
        Trainer trainer = new Trainer(model, new CrossEntropyLoss(), opt).callback(new Callback() {
            @Override
            public void onEpochEnd(EpochResult result) {
                seen.add(result);
            }
        });
        long start = System.nanoTime();
        History h = trainer.fit(new DataLoader(split.train().head(4000), 64, true, false, rng.split()).prefetch(2), split.test(), 3);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(3, h.size());
        assertEquals(h.epochs(), seen);
        assertEquals(History.Stop.COMPLETED, h.stopReason());
        EpochResult last = h.last();
        // 4,000 training images, 3 epochs, 784-64-10: about 80% on the 2,000 test images (10% is guessing)
        assertTrue(last.valAccuracy() > 0.78, "test accuracy " + last.valAccuracy());
        assertTrue(last.trainLoss() < h.epochs().getFirst().trainLoss());
        assertEquals(2000, last.validation().samples());
        assertEquals(2000, last.validation().confusion().total());
        assertEquals(last.valAccuracy(), last.validation().confusion().accuracy());
        assertTrue(last.validation().confusion().macroF1() > 0.7);
        assertEquals(4000, last.trainSamples());
        assertTrue(last.samplesPerSecond() > 0 && last.epochSeconds() > 0);
        assertTrue(seconds < 60, "took " + seconds + " s");
        assertFalse(model.isTraining(), "fit leaves the model in evaluation mode");
    }

    @Test
    void sameSeedGivesABitIdenticalHistoryAndWeights() {
        record Run(List<double[]> numbers, Map<String, float[]> weights) {}
        java.util.function.Supplier<Run> run = () -> {
            Rng rng = new Rng(11);
            Sequential model = smallNet(rng);
            SGD opt = new SGD(model.parameters(), 0.1).momentum(0.9);
            Trainer t = new Trainer(model, new CrossEntropyLoss(), opt)
                    .scheduler(new Scheduler(opt, LrSchedule.cosine(4, 0.01)))
                    .clipGradNorm(1.0);
            History h = t.fit(new DataLoader(blobs(300, 5), 16, true, false, rng.split()).prefetch(2), blobs(90, 6), 4);
            List<double[]> numbers = new ArrayList<>();
            for (EpochResult r : h.epochs()) {
                long[][] cm = r.validation().confusion().counts();
                numbers.add(new double[] {r.epoch(), r.trainLoss(), r.trainAccuracy(), r.valLoss(), r.valAccuracy(), r.lr(), cm[0][0], cm[1][2], cm[2][1]});
            }
            return new Run(numbers, weights(model));
        };
        Run a = run.get(), b = run.get();
        assertEquals(a.numbers().size(), b.numbers().size());
        for (int i = 0; i < a.numbers().size(); i++) assertArrayEquals(a.numbers().get(i), b.numbers().get(i), "epoch " + (i + 1));
        a.weights().forEach((k, v) -> assertArrayEquals(v, b.weights().get(k), k));
        // the cosine schedule moved the learning rate epoch by epoch
        assertEquals(0.1, a.numbers().get(0)[5], 1e-12);
        assertTrue(a.numbers().get(3)[5] < a.numbers().get(1)[5]);
        assertTrue(a.numbers().get(3)[4] > 0.9, "blobs are separable: accuracy " + a.numbers().get(3)[4]);
    }

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutImprovement() {
        Rng rng = new Rng(1);
        Sequential model = smallNet(rng);
        // learning rate 0: nothing ever improves on epoch 1, so with patience 2 training stops after epoch 3
        Trainer t = new Trainer(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0))
                .earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, 2));
        History h = t.fit(new DataLoader(blobs(60, 1), 20, false, false, null), blobs(30, 2), 50);
        assertEquals(3, h.size());
        assertTrue(h.stoppedEarly());
        assertEquals(History.Stop.EARLY_STOPPING, h.stopReason());
        assertEquals(1, h.bestEpoch());
    }

    @Test
    void earlyStoppingRestoresTheBestWeights() {
        Rng rng = new Rng(2);
        Sequential model = smallNet(rng);
        Map<Integer, Map<String, float[]>> byEpoch = new LinkedHashMap<>();
        Callback spoilFromEpoch3 = new Callback() {
            @Override
            public void onEpochBegin(int epoch) {
                if (epoch >= 3) for (Tensor p : model.parameters()) p.fill_(0); // a useless model: accuracy 1/3
            }

            @Override
            public void onEpochEnd(EpochResult result) {
                byEpoch.put(result.epoch(), weights(model));
            }
        };
        Trainer t = new Trainer(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.2))
                .callback(spoilFromEpoch3)
                .earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_ACCURACY, 2).restoreBestWeights(true));
        History h = t.fit(new DataLoader(blobs(120, 3), 20, true, false, rng.split()), blobs(60, 4), 20);
        assertTrue(h.bestEpoch() == 1 || h.bestEpoch() == 2, "best epoch " + h.bestEpoch());
        assertEquals(h.bestEpoch() + 2, h.size(), "stops two epochs without improvement after the best");
        assertTrue(h.last().valAccuracy() < 0.5, "the spoilt epochs are bad");
        assertSameWeights(byEpoch.get(h.bestEpoch()), model);
        double restored = t.evaluate(blobs(60, 4)).accuracy();
        assertEquals(h.epochs().get(h.bestEpoch() - 1).valAccuracy(), restored, 1e-12);
        assertTrue(restored > 0.9, "restored accuracy " + restored);
    }

    @Test
    void earlyStoppingOnValidationNeedsAValidationSet() {
        Sequential model = smallNet(new Rng(1));
        Trainer t = new Trainer(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.1))
                .earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> t.fit(new DataLoader(blobs(30, 1), 10, false, false, null), (Dataset) null, 3));
        assertTrue(e.getMessage().contains("needs a validation set"), e.getMessage());
    }

    @Test
    void nanInputStopsWithEpochAndBatchAndKeepsTheLastGoodWeights() {
        Rng rng = new Rng(4);
        Sequential model = smallNet(rng);
        Dataset data = blobs(60, 1);
        data.features().storage()[25 * 4 + 2] = Float.NaN; // example 25: batch 3 of 10 examples each
        Map<String, float[]> lastGood = new LinkedHashMap<>();
        List<History> ended = new ArrayList<>();
        Trainer t = new Trainer(model, new CrossEntropyLoss(), new Adam(model.parameters(), 0.01)).callback(new Callback() {
            @Override
            public void onBatchEnd(BatchResult batch) {
                lastGood.putAll(weights(model));
            }

            @Override
            public void onTrainEnd(History history) {
                ended.add(history);
            }
        });
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> t.fit(new DataLoader(data, 10, false, false, null), blobs(30, 2), 3));
        assertEquals(1, e.epoch());
        assertEquals(3, e.batch());
        assertTrue(e.getMessage().contains("epoch 1, batch 3 of 6") && e.getMessage().contains("NaN") && e.getMessage().contains("because the input batch does"), e.getMessage());
        assertSameWeights(lastGood, model);
        assertEquals(List.of(e.history()), ended, "callbacks hear the end of a failed run");
        assertEquals(History.Stop.NON_FINITE_LOSS, ended.getFirst().stopReason());
    }

    @Test
    void nanLossInALaterEpochStopsBeforeItsStep() {
        Rng rng = new Rng(5);
        Sequential model = smallNet(rng);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        int[] calls = {0};
        Loss poisoned = (input, target) -> {
            Tensor l = ce.forward(input, target);
            return ++calls[0] == 5 ? l.mul(Float.POSITIVE_INFINITY) : l; // epoch 2, batch 2 (3 batches an epoch)
        };
        Map<String, float[]> lastGood = new LinkedHashMap<>();
        Trainer t = new Trainer(model, poisoned, new SGD(model.parameters(), 0.1)).callback(new Callback() {
            @Override
            public void onBatchEnd(BatchResult batch) {
                lastGood.putAll(weights(model));
            }
        });
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> t.fit(new DataLoader(blobs(30, 1), 10, true, false, rng.split()), (Dataset) null, 4));
        assertEquals(2, e.epoch());
        assertEquals(2, e.batch());
        assertTrue(e.getMessage().contains("epoch 2, batch 2 of 3: the loss is Infinity") && e.getMessage().contains("did not apply"), e.getMessage());
        assertEquals(1, e.history().size());
        assertSameWeights(lastGood, model);
    }

    @Test
    void regressionHasLossButNoAccuracy() {
        Rng rng = new Rng(9);
        Tensor x = Tensor.randn(rng, 64, 2);
        Tensor y = x.matmul(Tensor.matrix(new float[][] {{2}, {-1}})).add(0.5f);
        Sequential model = new Sequential(new Linear(2, 1, true, rng));
        Trainer t = new Trainer(model, new dev.lamina.loss.MSELoss(), new Adam(model.parameters(), 0.1));
        History h = t.fit(new DataLoader(new Dataset(x, y), 16, true, false, rng.split()), new Dataset(x, y), 30);
        assertTrue(Double.isNaN(h.last().trainAccuracy()));
        assertFalse(h.last().validation().isClassification());
        assertTrue(h.last().valLoss() < 0.01, "mse " + h.last().valLoss());
    }
}
