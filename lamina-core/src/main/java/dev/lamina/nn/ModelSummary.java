package dev.lamina.nn;

import dev.lamina.autograd.Autograd;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Locale;
import java.util.Map;

/**
 * A Keras-style table of a model: one row per layer with its path and type, its output shape for an example input
 * (the batch dimension shown as N) and its parameter count, then the total. A {@link Sequential} is run layer by
 * layer on zeros of the example shape; for any other module the direct children are listed with their parameter
 * counts and the model's output shape is given once. The model runs in evaluation mode without a tape; its mode is
 * restored afterwards.
 */
public final class ModelSummary {
    private ModelSummary() {
    }

    private static final String ROW = "%-28s %-20s %,12d%n";
    private static final int WIDTH = 62;

    /** The table for inputs of {@code inputShape}, batch dimension first (e.g. {@code 1, 784}). */
    public static String of(Module model, int... inputShape) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-28s %-20s %12s%n", "Layer (type)", "Output shape", "Params"));
        sb.append("-".repeat(WIDTH)).append('\n');
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var scope = Autograd.noGrad()) {
            Tensor x = Tensor.zeros(inputShape);
            if (model instanceof Sequential seq) {
                for (Module layer : seq.layers()) {
                    x = layer.forward(x);
                    sb.append(String.format(Locale.ROOT, ROW, layer.describe(), batchShape(x), layer.parameterCount()));
                }
            } else {
                for (Map.Entry<String, Module> e : model.children().entrySet()) {
                    sb.append(String.format(Locale.ROOT, ROW, e.getValue().describe(), "", e.getValue().parameterCount()));
                }
                x = model.forward(x);
                sb.append(String.format(Locale.ROOT, ROW, "(output)", batchShape(x), model.ownParameterCount()));
            }
        } finally {
            model.train(wasTraining);
        }
        sb.append("-".repeat(WIDTH)).append('\n');
        sb.append(String.format(Locale.ROOT, "Total parameters: %,d%n", model.parameterCount()));
        return sb.toString();
    }

    private static String batchShape(Tensor x) {
        int[] s = x.shape();
        if (s.length == 0) return "[]";
        s[0] = -1;
        return Shape.str(s).replace("-1", "N");
    }
}
