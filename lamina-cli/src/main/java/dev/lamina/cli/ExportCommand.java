package dev.lamina.cli;

import dev.lamina.io.Safetensors;
import dev.lamina.models.LanguageModels;
import dev.lamina.models.Models;
import dev.lamina.nn.Input;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;
import dev.lamina.onnx.OnnxExport;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code lamina export}: an image model saved by {@code lamina train --save} (or a named model with a state dict, or
 * untrained), or a language model saved by {@code lamina train --model lstm|transformer --save}, as an ONNX file.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export an image model (mlp, cnn, rowlstm) or a language model (lstm, transformer) with its trained weights to ONNX, opset 17.",
                "A language model reads int64 token ids [N, T] (input 'ids'; T at most the transformer's context) and gives logits [N, T, vocabulary] (output 'logits')."})
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--weights", paramLabel = "FILE.safetensors",
            description = "Trained weights: a file from `lamina train --save` (it names its model), or any state dict with PyTorch names (then give --model). Without it the freshly initialised model (seed --seed) is exported.")
    Path weights;

    @Option(names = "--model", description = "Model: ${COMPLETION-CANDIDATES}; needed without --weights or when the weights file does not name its model.",
            completionCandidates = CliModels.All.class)
    String model;

    @Option(names = "--format", defaultValue = "onnx", description = "Output format: onnx (the only one); default ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--output", paramLabel = "FILE", required = true, description = "File to write.")
    Path output;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the initialisation when no --weights are given; default ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (!format.equalsIgnoreCase("onnx")) throw new IllegalArgumentException("unknown export format '" + format + "' for --format; available: onnx");
        if (model != null) model = CliModels.canonical("--model", model);
        OutputPaths.prepareFile("--output", output);
        Sequential net;
        if (weights != null) {
            if (!Files.isRegularFile(weights)) throw new NoSuchFileException(weights.toString(), null, "no such weights file");
            Safetensors.Contents c = Safetensors.readAll(weights);
            String named = c.metadata().get(Models.MODEL_KEY);
            if (named != null && model != null && !named.equals(model)) {
                throw new IllegalArgumentException(weights + " holds a '" + named + "' model, not '" + model + "'");
            }
            if (named != null && LanguageModels.NAMES.contains(named)) return exportLanguageModel();
            if (named == null && model == null) throw new IllegalArgumentException(weights + " does not name its model; give --model");
            model = named != null ? named : model;
            net = Models.create(model, new Rng(seed));
            Map<String, Tensor> state = c.tensors();
            net.loadStateDict(state, true);
        } else {
            if (model == null) throw new IllegalArgumentException("give --weights FILE.safetensors (from lamina train --save) or --model NAME");
            if (LanguageModels.NAMES.contains(model)) {
                throw new IllegalArgumentException("a language model needs its vocabulary: give --weights FILE.safetensors from `lamina train --model " + model + " --save`");
            }
            net = Models.create(model, new Rng(seed));
            System.err.println("lamina: no --weights given; exporting the untrained model (seed " + seed + ")");
        }
        int[] shape = inputShape(net);
        OnnxExport.export(net, shape, output);
        System.out.println("wrote " + output + " (" + model + ", input " + Shape.str(shape).replaceFirst("\\[1", "[N") + ", opset " + OnnxExport.OPSET + ")");
        return 0;
    }

    /** A file from {@code lamina train --model lstm|transformer --save}: ids [N, T] → logits [N, T, V]. */
    private int exportLanguageModel() throws IOException {
        LanguageModels.Loaded lm = LanguageModels.load(weights);
        OnnxExport.exportLanguageModel(lm.model(), output);
        int ctx = lm.model().contextLength();
        System.out.println("wrote " + output + " (" + lm.name() + ", input ids int64[N, T" + (ctx > 0 ? " <= " + ctx : "") + "], output logits [N, T, "
                + lm.model().vocabSize() + "], opset " + OnnxExport.OPSET + ")");
        return 0;
    }

    /** [1, *per-sample shape] from the model's Input layer. */
    static int[] inputShape(Sequential net) {
        Module first = net.layers().isEmpty() ? null : net.layers().get(0);
        if (!(first instanceof Input in)) throw new IllegalArgumentException("export: the model does not start with an Input layer, so its input shape is unknown");
        int[] s = in.shape();
        int[] shape = new int[s.length + 1];
        shape[0] = 1;
        for (int k = 0; k < s.length; k++) {
            if (s[k] < 0) throw new IllegalArgumentException("export: the model's input shape " + Shape.str(s) + " has a free dimension");
            shape[k + 1] = s[k];
        }
        return shape;
    }
}
