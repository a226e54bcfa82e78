package dev.lamina.bench;

import dev.lamina.kernels.Parallel;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.Linear;
import dev.lamina.optim.Adam;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The char-LSTM workload of issue 5 (embedding 64, one LSTM layer of 256, seq 64, batch 32, vocabulary 100), the
 * same as bench/lstm_step.py: median milliseconds of (a) the LSTM layer alone, forward + backward, and (b) a whole
 * training step (embedding lookup, LSTM, linear head, cross-entropy, backward, Adam). Besides wall time it prints the
 * process CPU time per run, which a busy machine disturbs less (compare it at 1 thread with lstm_step.py's).
 * Usage: LstmBench [SECONDS_PER_MEASUREMENT] [THREADS]
 */
public final class LstmBench {
    static final int SEQ = 64, BATCH = 32, EMB = 64, HID = 256, VOCAB = 100;

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        if (args.length > 1) Parallel.setThreads(Integer.parseInt(args[1]));
        Rng rng = new Rng(0);
        LSTM lstm = new LSTM(EMB, HID, 1, true, false, rng);
        Tensor x = Tensor.randn(rng, SEQ, BATCH, EMB).requiresGrad(true);
        Tensor gOut = Tensor.randn(rng, SEQ, BATCH, HID);
        System.out.printf(Locale.ROOT, "lamina lstm layer fwd+bwd: %s, threads %d%n", median(seconds, () -> {
            lstm.zeroGrad();
            x.zeroGrad();
            lstm.forward(x).backward(gOut);
        }), Parallel.threads());

        Tensor embedding = Tensor.randn(rng, VOCAB, EMB).requiresGrad(true);
        Linear head = new Linear(HID, VOCAB, true, rng);
        List<Tensor> params = new ArrayList<>(lstm.parameters());
        params.add(embedding);
        params.addAll(head.parameters());
        Adam opt = new Adam(params, 1e-3);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        int[] tokens = new int[SEQ * BATCH];
        float[] targets = new float[SEQ * BATCH];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rng.nextInt(VOCAB);
            targets[i] = rng.nextInt(VOCAB);
        }
        Tensor target = Tensor.of(targets, SEQ * BATCH);
        System.out.printf(Locale.ROOT, "lamina char-lstm train step: %s, threads %d%n", median(seconds, () -> {
            opt.zeroGrad();
            Tensor emb = embedding.indexSelect(0, tokens).reshape(SEQ, BATCH, EMB);
            Tensor logits = head.forward(lstm.forward(emb)).reshape(SEQ * BATCH, VOCAB);
            ce.forward(logits, target).backward();
            opt.step();
        }), Parallel.threads());
    }

    /** Median wall time and mean process CPU time (all threads, GC and JIT included) of one run, in ms. */
    static String median(double seconds, Runnable r) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < 5; i++) r.run();
        List<Double> ms = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9), c0 = os.getProcessCpuTime();
        while (System.nanoTime() < end || ms.size() < 5) {
            long t0 = System.nanoTime();
            r.run();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        double cpu = (os.getProcessCpuTime() - c0) / 1e6 / ms.size();
        return String.format(Locale.ROOT, "%.2f ms wall (median), %.2f ms cpu (mean)", med(ms), cpu);
    }

    private static double med(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a[a.length / 2];
    }
}
