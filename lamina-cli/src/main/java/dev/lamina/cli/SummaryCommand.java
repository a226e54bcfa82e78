package dev.lamina.cli;

import dev.lamina.autograd.Autograd;
import dev.lamina.models.LanguageModel;
import dev.lamina.models.LanguageModels;
import dev.lamina.models.Models;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lamina summary MODEL}: layers, output shapes and parameter counts, like Keras's summary. */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print a model's layers, output shapes and parameter counts.")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Model name: ${COMPLETION-CANDIDATES}; or a model definition file (NET.json) or a model saved from one (.safetensors).", completionCandidates = CliModels.All.class)
    String model;

    @Option(names = "--vocab", defaultValue = "63", description = "Vocabulary size of a language model (lstm, transformer); default ${DEFAULT-VALUE}, the bundled KJV text's.")
    int vocab;

    @Option(names = "--seq-len", defaultValue = "64", description = "Context length of a language model (the transformer's positions); default ${DEFAULT-VALUE}.")
    int seqLen;

    @Override
    public Integer call() throws IOException {
        if (ModelFiles.isFile(model)) {
            System.out.print(ModelFiles.summary(Path.of(model), seqLen));
            return 0;
        }
        String name = CliModels.canonical("MODEL", model, CliModels.SUMMARY_OWN);
        if (CliModels.isLanguageModel(name)) {
            if (vocab < 2) throw new IllegalArgumentException("--vocab must be at least 2, got " + vocab);
            if (seqLen < 1) throw new IllegalArgumentException("--seq-len must be positive, got " + seqLen);
            LanguageModel lm = LanguageModels.create(name, vocab, seqLen, new Rng(0));
            lm.eval();
            System.out.print(languageModelTable(lm, seqLen));
            return 0;
        }
        Sequential net = Models.create(name, new Rng(0));
        net.eval();
        System.out.print(table(net, new int[] {1, 784}));
        return 0;
    }

    static String table(Sequential net, int[] inputShape) {
        return net.summary(inputShape);
    }

    /** A language model's top-level layers and parameters; its input ids [N, T] and output logits [N, T, vocabulary]. */
    static String languageModelTable(LanguageModel lm, int seqLen) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-30s %12s%n", "Layer (type)", "Params"));
        sb.append("-".repeat(43)).append('\n');
        for (Map.Entry<String, Module> e : lm.children().entrySet()) {
            sb.append(String.format(Locale.ROOT, "%-30s %,12d%n", e.getValue().describe(), e.getValue().parameterCount()));
        }
        sb.append("-".repeat(43)).append('\n');
        int[] out;
        try (var scope = Autograd.noGrad()) {
            out = lm.logits(Tensor.zeros(1, Math.min(seqLen, 8))).shape();
        }
        sb.append(String.format(Locale.ROOT, "Input: token ids [N, T]%s; output: logits [N, T, %d]%n",
                lm.contextLength() > 0 ? " (T <= " + lm.contextLength() + ")" : "", out[2]));
        sb.append(String.format(Locale.ROOT, "Total parameters: %,d%n", lm.parameterCount()));
        return sb.toString();
    }
}
