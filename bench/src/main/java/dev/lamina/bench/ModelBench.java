package dev.lamina.bench;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.kernels.Parallel;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.models.Models;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * End-to-end training epochs of a named model (Adam 1e-3, batch 64, shuffled) on Fashion-MNIST, the workload of
 * bench/train_epoch.py (run both with bench/epoch.sh); optionally eval-mode inference timings afterwards.
 * Prints one line per epoch (seconds, test accuracy), then, with {@code --inference}, the median batch-1 latency
 * and the median batch-256 throughput.
 * Usage: ModelBench MODEL DATA_DIR EPOCHS [THREADS] [--inference]
 */
public final class ModelBench {
    public static void main(String[] args) throws Exception {
        String model = args[0];
        Path dir = Path.of(args[1]);
        int epochs = Integer.parseInt(args[2]);
        if (args.length > 3 && !args[3].startsWith("--")) Parallel.setThreads(Integer.parseInt(args[3]));
        boolean inference = Arrays.asList(args).contains("--inference");
        FashionMnist.Split data = FashionMnist.load(dir);
        Rng rng = new Rng(0);
        Sequential net = Models.create(model, rng);
        Adam opt = new Adam(net.parameters(), 1e-3);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        DataLoader loader = new DataLoader(data.train(), 64, true, false, rng.split());
        for (int epoch = 1; epoch <= epochs; epoch++) {
            net.train();
            long t0 = System.nanoTime();
            for (Dataset batch : loader) {
                opt.zeroGrad();
                lossFn.forward(net.forward(batch.features()), batch.targets()).backward();
                opt.step();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "lamina epoch %d: %.3f s, test accuracy %.2f%%, threads %d%n",
                    epoch, seconds, 100 * accuracy(net, data.test()), Parallel.threads());
        }
        if (inference) inference(net, data.test().features());
    }

    static double accuracy(Sequential net, Dataset test) {
        net.eval();
        long correct = 0;
        try (var s = Autograd.noGrad()) {
            for (Dataset batch : new DataLoader(test, 1000, false, false, null)) {
                float[] p = net.forward(batch.features()).argmax(1, false).toArray(), y = batch.targets().toArray();
                for (int i = 0; i < p.length; i++) if (p[i] == y[i]) correct++;
            }
        }
        return (double) correct / test.size();
    }

    static void inference(Sequential net, Tensor images) {
        net.eval();
        try (var s = Autograd.noGrad()) {
            Tensor one = images.narrow(0, 0, 1).contiguous();
            for (int i = 0; i < 2000; i++) net.forward(one);
            double[] t = new double[1000];
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                net.forward(one);
                t[i] = (System.nanoTime() - t0) / 1e3;
            }
            Arrays.sort(t);
            System.out.printf(Locale.ROOT, "lamina batch-1 latency: median %.1f us%n", t[t.length / 2]);
            Tensor batch = images.narrow(0, 0, 256).contiguous();
            for (int i = 0; i < 20; i++) net.forward(batch);
            double[] r = new double[20];
            for (int i = 0; i < r.length; i++) {
                long t0 = System.nanoTime();
                net.forward(batch);
                r[i] = 256 / ((System.nanoTime() - t0) / 1e9);
            }
            Arrays.sort(r);
            System.out.printf(Locale.ROOT, "lamina batch-256 throughput: median %.0f images/s%n", r[r.length / 2]);
        }
    }
}
