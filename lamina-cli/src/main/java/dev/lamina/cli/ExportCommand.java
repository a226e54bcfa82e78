package dev.lamina.cli;

import dev.lamina.io.Safetensors;
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

/** {@code lamina export}: a named model, with weights from a safetensors state dict, as an ONNX file. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Export a model (with trained weights from a safetensors file) to ONNX, opset 17.")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model: ${COMPLETION-CANDIDATES}.", completionCandidates = TrainCommand.ModelNames.class)
    String model;

    @Option(names = "--weights", paramLabel = "FILE.safetensors",
            description = "State dict to load (PyTorch names, e.g. 0.weight; every parameter and buffer must be present). Without it the freshly initialised model (seed --seed) is exported.")
    Path weights;

    @Option(names = "--format", defaultValue = "onnx", description = "Output format: onnx (the only one); default ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--output", paramLabel = "FILE", required = true, description = "File to write.")
    Path output;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the initialisation when no --weights are given; default ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("onnx")) throw new IllegalArgumentException("unknown export format '" + format + "'; available: onnx");
        Sequential net = Models.create(model, new Rng(seed));
        if (weights != null) {
            if (!Files.isRegularFile(weights)) throw new NoSuchFileException(weights.toString(), null, "no such weights file");
            Map<String, Tensor> state = Safetensors.read(weights);
            net.loadStateDict(state, true);
        } else {
            System.err.println("lamina: no --weights given; exporting the untrained model (seed " + seed + ")");
        }
        int[] shape = inputShape(net);
        OnnxExport.export(net, shape, output);
        System.out.println("wrote " + output + " (" + model + ", input " + Shape.str(shape).replaceFirst("\\[1", "[N") + ", opset " + OnnxExport.OPSET + ")");
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
