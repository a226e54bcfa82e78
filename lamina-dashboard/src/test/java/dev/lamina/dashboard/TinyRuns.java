package dev.lamina.dashboard;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.Linear;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.History;
import dev.lamina.train.Trainer;

import java.io.IOException;
import java.nio.file.Path;

/** Small classification runs for the tests: 3 classes in 8 dimensions, each a shifted Gaussian blob, 96 examples. */
final class TinyRuns {
    static final int EXAMPLES = 96, FEATURES = 8, CLASSES = 3, BATCH = 16;

    private TinyRuns() {
    }

    static Dataset blobs(long seed) {
        Rng rng = new Rng(seed);
        float[] x = new float[EXAMPLES * FEATURES], y = new float[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) {
            int c = i % CLASSES;
            y[i] = c;
            for (int j = 0; j < FEATURES; j++) x[i * FEATURES + j] = (float) (rng.nextGaussian() + (j % CLASSES == c ? 2 : 0));
        }
        return new Dataset(Tensor.of(x, EXAMPLES, FEATURES), Tensor.of(y, EXAMPLES));
    }

    static Sequential mlp(long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(new Linear(FEATURES, 16, true, rng), new ReLU(), new Linear(16, CLASSES, true, rng));
    }

    /** The outcome of {@link #train}: the losses of every step and the history. */
    record Run(java.util.List<Double> losses, History history) {}

    /** Trains {@code epochs} epochs at {@code lr}; with {@code dir}, a {@link RunRecorder} (statistics every {@code every} steps) writes it. */
    static Run train(Path dir, int epochs, double lr, int every) throws IOException {
        return train(dir, epochs, lr, every, t -> {});
    }

    /** As {@link #train(Path, int, double, int)}, with {@code configure} applied to the trainer first. */
    static Run train(Path dir, int epochs, double lr, int every, java.util.function.Consumer<Trainer> configure) throws IOException {
        Dataset data = blobs(1);
        Sequential net = mlp(2);
        Adam opt = new Adam(net.parameters(), lr);
        Trainer trainer = new Trainer(net, new CrossEntropyLoss(), opt).verbose(false);
        configure.accept(trainer);
        java.util.List<Double> losses = new java.util.ArrayList<>();
        trainer.callback(new dev.lamina.train.Callback() {
            @Override
            public void onBatchEnd(dev.lamina.train.BatchResult b) {
                losses.add(b.loss());
            }
        });
        RunRecorder recorder = null;
        if (dir != null) {
            recorder = new RunRecorder(dir, net, opt).statsEvery(every).probe(data.head(8).features()).classes(new String[] {"a", "b", "c"})
                    .settings(java.util.Map.of("model", "tiny mlp"));
            trainer.callback(recorder);
        }
        try (RunRecorder r = recorder) {
            History h = trainer.fit(new DataLoader(data, BATCH, true, false, new Rng(3)), data, epochs);
            return new Run(losses, h);
        }
    }
}
