package dev.lamina.bench;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.kernels.Parallel;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.Input;
import dev.lamina.nn.Linear;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.nio.file.Path;
import java.util.Locale;

/**
 * End-to-end MLP epochs (784-256-128-10 ReLU, Adam 1e-3, batch 64, shuffled) on Fashion-MNIST, the workload of
 * bench/mlp_epoch.py. Prints one line per epoch: seconds and test accuracy.
 * Usage: MlpEpoch DATA_DIR EPOCHS [THREADS]
 */
public final class MlpEpoch {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int epochs = Integer.parseInt(args[1]);
        if (args.length > 2) Parallel.setThreads(Integer.parseInt(args[2]));
        FashionMnist.Split data = FashionMnist.load(dir);
        Rng rng = new Rng(0);
        Sequential net = new Sequential(new Input(784), new Linear(784, 256, true, rng), new ReLU(),
                new Linear(256, 128, true, rng), new ReLU(), new Linear(128, 10, true, rng));
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
            net.eval();
            long correct = 0;
            try (var s = Autograd.noGrad()) {
                Tensor pred = net.forward(data.test().features()).argmax(1, false);
                float[] p = pred.toArray(), y = data.test().targets().toArray();
                for (int i = 0; i < p.length; i++) if (p[i] == y[i]) correct++;
            }
            System.out.printf(Locale.ROOT, "lamina epoch %d: %.3f s, test accuracy %.2f%%, threads %d%n",
                    epoch, seconds, 100.0 * correct / data.test().size(), Parallel.threads());
        }
    }
}
