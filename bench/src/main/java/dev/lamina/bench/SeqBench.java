package dev.lamina.bench;

import dev.lamina.kernels.Parallel;
import dev.lamina.models.LanguageModel;
import dev.lamina.models.LanguageModels;
import dev.lamina.optim.Adam;
import dev.lamina.loss.Loss;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * One training step (forward, cross-entropy, backward, Adam 1e-3) of the char-LSTM or the 2-layer transformer LM on
 * random token ids: vocabulary 65, batch 32, sequence 64 — the workload of bench/seq_step.py (run both with
 * bench/seq.sh). Prints the median step time after 10 warm-up steps.
 * Usage: SeqBench lstm|transformer [STEPS] [THREADS]
 */
public final class SeqBench {
    static final int V = 65, B = 32, T = 64;

    public static void main(String[] args) {
        String name = args[0];
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        if (args.length > 2) Parallel.setThreads(Integer.parseInt(args[2]));
        Rng rng = new Rng(0);
        LanguageModel model = LanguageModels.create(name, V, T, rng);
        Adam opt = new Adam(model.parameters(), 1e-3);
        Loss loss = LanguageModel.loss();
        Rng data = new Rng(1);
        model.train();
        double[] times = new double[steps];
        float last = 0;
        for (int i = 0; i < steps + 10; i++) {
            float[] x = new float[B * T], y = new float[B * T];
            for (int b = 0; b < B; b++) {
                float prev = data.nextInt(V);
                for (int t = 0; t < T; t++) {
                    x[b * T + t] = prev;
                    prev = data.nextInt(V);
                    y[b * T + t] = prev;
                }
            }
            long t0 = System.nanoTime();
            opt.zeroGrad();
            Tensor l = loss.forward(model.forward(Tensor.of(x, B, T)), Tensor.of(y, B, T));
            l.backward();
            opt.step();
            last = l.item();
            if (i >= 10) times[i - 10] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(times);
        System.out.printf(Locale.ROOT, "lamina %s step: median %.2f ms, loss %.3f, threads %d%n", name, times[steps / 2], last, Parallel.threads());
    }
}
