package dev.lamina.cli;

import dev.lamina.models.Models;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code lamina summary MODEL}: layers, output shapes and parameter counts, like Keras's summary. */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print a model's layers, output shapes and parameter counts.")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Model name: ${COMPLETION-CANDIDATES}; or a model definition file (NET.json) or a model saved from one (.safetensors).", completionCandidates = TrainCommand.ModelNames.class)
    String model;

    @Override
    public Integer call() throws java.io.IOException {
        if (ModelFiles.isFile(model)) {
            System.out.print(ModelFiles.summary(java.nio.file.Path.of(model)));
            return 0;
        }
        Sequential net = Models.create(model, new Rng(0));
        net.eval();
        System.out.print(table(net, new int[] {1, 784}));
        return 0;
    }

    static String table(Sequential net, int[] inputShape) {
        return net.summary(inputShape);
    }
}
