package dev.lamina.cli;

import dev.lamina.autograd.Autograd;
import dev.lamina.models.Models;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code lamina summary MODEL}: layers, output shapes and parameter counts, like Keras's summary. */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print a model's layers, output shapes and parameter counts.")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Model name: ${COMPLETION-CANDIDATES}.", completionCandidates = TrainCommand.ModelNames.class)
    String model;

    @Override
    public Integer call() {
        Sequential net = Models.create(model, new Rng(0));
        net.eval();
        System.out.print(table(net, new int[] {1, 784}));
        return 0;
    }

    static String table(Sequential net, int[] inputShape) {
        StringBuilder sb = new StringBuilder();
        String format = "%-22s %-18s %,12d%n";
        sb.append(String.format(Locale.ROOT, "%-22s %-18s %12s%n", "Layer (type)", "Output shape", "Params"));
        sb.append("-".repeat(54)).append('\n');
        Tensor x = Tensor.zeros(inputShape);
        try (var scope = Autograd.noGrad()) {
            for (Module layer : net.layers()) {
                x = layer.forward(x);
                int[] s = x.shape();
                s[0] = -1;
                sb.append(String.format(Locale.ROOT, format, layer.describe(), Shape.str(s).replace("-1", "N"), layer.parameterCount()));
            }
        }
        sb.append("-".repeat(54)).append('\n');
        sb.append(String.format(Locale.ROOT, "Total parameters: %,d%n", net.parameterCount()));
        return sb.toString();
    }
}
