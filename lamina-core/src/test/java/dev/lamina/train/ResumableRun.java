package dev.lamina.train;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.io.Safetensors;
import dev.lamina.kernels.Parallel;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.BatchNorm1d;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Input;
import dev.lamina.nn.Linear;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.optim.AdamW;
import dev.lamina.optim.LrSchedule;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.RMSprop;
import dev.lamina.optim.SGD;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small deterministic training run used by the resume tests, in-process and in a child JVM ({@link #main}): 5
 * Gaussian blobs in 20-D, an MLP with BatchNorm (buffers), two Dropouts (one on its own generator, one split from
 * the global generator), a shuffled, prefetching loader, gradient clipping, a cosine schedule and early stopping
 * that restores the best weights, so every piece of state a checkpoint must carry is in play.
 */
final class ResumableRun {
    static final int EPOCHS = 4;
    static final int BATCH = 16;
    static final int TRAIN = 1200;

    private ResumableRun() {
    }

    /** Everything of one run; a fresh one is built for the uninterrupted run and for every resumption. */
    record Setup(Sequential model, Optimizer optimizer, Trainer trainer, DataLoader loader, Dataset validation) {
    }

    static Dataset blobs(int n, long seed) {
        Rng rng = new Rng(seed);
        int d = 20, k = 5;
        float[][] centres = new float[k][d];
        Rng c = new Rng(1234);
        for (float[] centre : centres) for (int j = 0; j < d; j++) centre[j] = (float) c.nextGaussian() * 1.2f;
        float[] x = new float[n * d], y = new float[n];
        for (int i = 0; i < n; i++) {
            int cls = rng.nextInt(k);
            y[i] = cls;
            for (int j = 0; j < d; j++) x[i * d + j] = centres[cls][j] + (float) rng.nextGaussian();
        }
        return new Dataset(Tensor.of(x, n, d), Tensor.of(y, n));
    }

    static Setup setup(String optimizer, long seed) {
        Rng.manualSeed(seed + 1);
        Rng rng = new Rng(seed);
        Sequential model = new Sequential(new Input(20),
                new Linear(20, 64, true, rng), new BatchNorm1d(64), new ReLU(), new Dropout(0.2, rng.split()),
                new Linear(64, 64, true, rng), new ReLU(), new Dropout(0.1),
                new Linear(64, 5, true, rng));
        Optimizer opt = switch (optimizer) {
            case "adam" -> new Adam(model.parameters(), 3e-3);
            case "adamw-amsgrad" -> new AdamW(model.parameters(), 3e-3, 0.05).amsgrad(true).betas(0.85, 0.99);
            case "sgd-nesterov" -> new SGD(model.parameters(), 0.05).momentum(0.9).nesterov(true).weightDecay(1e-4);
            case "rmsprop" -> new RMSprop(model.parameters(), 1e-3).centered(true).momentum(0.5).weightDecay(1e-4);
            default -> throw new IllegalArgumentException(optimizer);
        };
        Trainer trainer = new Trainer(model, new CrossEntropyLoss(), opt)
                .scheduler(new Scheduler(opt, LrSchedule.cosine(EPOCHS, 1e-4)))
                .clipGradNorm(2.0)
                .earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, 100).restoreBestWeights(true))
                .evalBatchSize(128);
        DataLoader loader = new DataLoader(blobs(TRAIN, seed + 7), BATCH, true, false, rng.split()).prefetch(2);
        return new Setup(model, opt, trainer, loader, blobs(300, seed + 8));
    }

    static Map<String, float[]> weights(Sequential m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, t) -> out.put(k, t.toArray()));
        return out;
    }

    /**
     * The child JVM of the kill test: {@code ResumableRun DIR OUT OPTIMIZER CHECKPOINT_EVERY}. Resumes from DIR's
     * latest checkpoint if there is one, else starts afresh; prints "step N" after every step and "checkpoint N"
     * after every checkpoint (flushed, for the parent to time its kills); at the end writes the final state dict to
     * OUT with the history's losses in the metadata. Step numbers count over the whole run.
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String optimizer = args[2];
        int every = Integer.parseInt(args[3]);
        PrintStream o = System.out;
        Setup s = setup(optimizer, 11);
        s.trainer().checkpoints(dir, every, true);
        long[] step = {0};
        if (Files.exists(dir.resolve(Checkpoint.LATEST))) {
            Checkpoint c = Checkpoint.load(dir);
            s.trainer().resume(c);
            step[0] = c.progress().globalStep();
        }
        o.println("start " + step[0]);
        o.flush();
        s.trainer().callback(new Callback() {
            @Override
            public void onBatchEnd(BatchResult b) {
                o.println("step " + (++step[0]));
                o.flush();
            }

            @Override
            public void onCheckpoint(Path checkpoint) {
                o.println("checkpoint " + checkpoint.getFileName());
                o.flush();
            }
        });
        History h = s.trainer().fit(s.loader(), s.validation(), EPOCHS);
        Map<String, Tensor> state = new LinkedHashMap<>(s.model().stateDict());
        Safetensors.write(out, state, Map.of("history", historyString(h), "threads", Integer.toString(Parallel.threads())));
        o.println("done");
    }

    /** The history's numbers, exactly (Double.toString round-trips). */
    static String historyString(History h) {
        List<String> parts = new ArrayList<>();
        for (EpochResult r : h.epochs()) {
            parts.add(r.epoch() + ":" + r.trainLoss() + "," + r.trainAccuracy() + "," + r.valLoss() + "," + r.valAccuracy() + "," + r.lr() + "," + r.trainSamples());
        }
        return String.join(";", parts) + "|best=" + h.bestEpoch() + "|" + h.stopReason();
    }
}
