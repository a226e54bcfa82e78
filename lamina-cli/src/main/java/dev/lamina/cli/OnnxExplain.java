package dev.lamina.cli;

import dev.lamina.data.Dataset;
import dev.lamina.explain.ActivationStats;
import dev.lamina.explain.Explanation;
import dev.lamina.explain.LayerCard;
import dev.lamina.explain.Picture;
import dev.lamina.onnx.OnnxModel;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code lamina explain MODEL.onnx}: an imported ONNX graph explained node by node on test images — a card per
 * executed node (operator, shapes, weights and their share, multiply-adds, activation memory, output statistics)
 * and the diagnoses that need no gradients, with the first convolution's filters and feature maps. The graph is
 * imported for inference only, so gradient flow, the learning rate, over-fitting and the other pictures are not
 * available; the report says so.
 */
final class OnnxExplain {
    private OnnxExplain() {
    }

    /**
     * @param pictures draw the first convolution's filters and its feature maps of example {@code image} (when the
     *                 graph has a convolution)
     */
    static Explanation explain(Path file, Dataset images, int batch, boolean pictures, int image) throws IOException {
        OnnxModel model = OnnxModel.load(file);
        OnnxModel.ValueInfo input = model.inputs().getFirst();
        int[] shape = feedShape(file, input, images.size());
        Tensor x = images.features().narrow(0, 0, shape[0]).contiguous().reshape(shape);
        List<LayerCard> cards = new ArrayList<>();
        List<Picture> drawn = new ArrayList<>();
        long total = Math.max(1, model.parameterCount());
        model.runObserved(Map.of(input.name(), x), (node, executed, inputs, constant, outputs) -> {
            boolean fused = executed.startsWith(FUSED);
            String op = fused ? executed.substring(FUSED.length()) : executed;
            Tensor out = outputs.isEmpty() ? null : outputs.getFirst();
            if (out == null) return;
            Tensor in = null;
            long params = 0;
            Tensor weight = null;
            for (int k = 0; k < inputs.size(); k++) {
                Tensor t = inputs.get(k);
                if (t == null) continue;
                if (constant[k]) {
                    params += t.numel();
                    if (weight == null && t.dim() >= 2) weight = t;
                } else if (in == null) {
                    in = t;
                }
            }
            int[] inShape = in == null ? new int[0] : in.shape().clone(), outShape = out.shape().clone();
            if (pictures && drawn.isEmpty() && op.equals("Conv") && weight != null && weight.dim() == 4 && out.dim() == 4 && image < out.size(0)) {
                drawn.add(Picture.filters(node + " (Conv)", weight));
                drawn.add(Picture.featureMaps(node + " (Conv)", out, image));
            }
            ActivationStats.Activation kind = switch (op) {
                case "Relu" -> ActivationStats.Activation.RELU;
                case "Sigmoid" -> ActivationStats.Activation.SIGMOID;
                case "Tanh" -> ActivationStats.Activation.TANH;
                default -> ActivationStats.Activation.OTHER;
            };
            String words = words(op, weight == null ? null : weight.shape(), inShape, outShape) + (fused ? " (fused by the importer with the operators after it)" : "");
            cards.add(new LayerCard(node, executed, words, inShape, outShape, params, (double) params / total,
                    macs(op, weight == null ? null : weight.shape(), inShape, outShape), 4 * perExample(outShape), 0, ActivationStats.measure(out, kind),
                    Double.NaN, Double.NaN, Double.NaN, false));
        });
        List<String> notes = List.of("an imported ONNX graph runs for inference only: gradient flow, the learning rate, over-fitting, BatchNorm drift and the pictures need a Lamina model "
                + "(import weights into one, or explain the model saved by `lamina train --save`), so pictures are limited to the first convolution's filters and feature maps; receptive fields are not computed; "
                + "nodes are shown as executed, after constant folding and fusion");
        return Explanation.ofCards(String.format(Locale.ROOT, "%s (ONNX, opset %d) on %d test images", file, model.opset(), shape[0]), shape[0], model.parameterCount(), cards,
                ActivationStats.measure(x, ActivationStats.Activation.OTHER), drawn, notes);
    }

    /** The prefix of operators the importer made by fusing several (lamina.Conv: a convolution with what followed it). */
    private static final String FUSED = "lamina.";

    /** The input shape for image batches of 784 values: the declared dims, the batch dim taking up to {@code available} images. */
    private static int[] feedShape(Path file, OnnxModel.ValueInfo input, int available) {
        List<String> dims = input.dims();
        if (dims.isEmpty()) throw new IllegalArgumentException(file + ": input '" + input.name() + "' declares no shape; explain feeds it Fashion-MNIST images [N, 784] or [N, 1, 28, 28]");
        int[] shape = new int[dims.size()];
        long each = 1;
        for (int d = 1; d < dims.size(); d++) {
            if (!dims.get(d).matches("\\d+")) throw new IllegalArgumentException(file + ": input '" + input.name() + "' has a symbolic dim '" + dims.get(d) + "' (" + input + "); explain needs fixed dims after the batch");
            shape[d] = Integer.parseInt(dims.get(d));
            each *= shape[d];
        }
        if (each != 784) {
            throw new IllegalArgumentException(file + ": input '" + input.name() + "' " + input + " takes " + each + " values per example; explain feeds Fashion-MNIST's 784 (28x28) per image");
        }
        shape[0] = dims.getFirst().matches("\\d+") ? Math.min(Integer.parseInt(dims.getFirst()), available) : available;
        if (dims.getFirst().matches("\\d+") && Integer.parseInt(dims.getFirst()) > available) {
            throw new IllegalArgumentException(file + ": input '" + input.name() + "' has a fixed batch of " + dims.getFirst() + ", more than the " + available + " images of --batch");
        }
        return shape;
    }

    private static String words(String op, int[] w, int[] in, int[] out) {
        return switch (op) {
            case "Conv" -> w != null && w.length == 4
                    ? String.format(Locale.ROOT, "%dx%d convolution, %d -> %d channels: looks for %d local patterns in each %dx%d window", w[2], w[3], in.length > 1 ? in[1] : w[1], w[0], w[0], w[2], w[3])
                    : "convolution: looks for local patterns";
            case "Gemm", "MatMul" -> w != null && w.length == 2 && in.length >= 2
                    ? String.format(Locale.ROOT, "fully connected, %d -> %d: every output is a weighted sum of all its inputs", in[in.length - 1], out[out.length - 1])
                    : "matrix product of two computed values";
            case "Relu" -> "ReLU: keeps positive values and zeroes the rest";
            case "Sigmoid" -> "sigmoid: squashes each value into (0, 1)";
            case "Tanh" -> "tanh: squashes each value into (-1, 1)";
            case "MaxPool" -> "max pooling: keeps the strongest response in each window" + shrink(in, out);
            case "AveragePool" -> "average pooling: averages each window" + shrink(in, out);
            case "GlobalAveragePool" -> "global average pooling: one number per channel";
            case "BatchNormalization" -> "batch normalization with its running statistics: rescales each channel, then a learned scale and shift";
            case "Flatten", "Reshape" -> "reshape: " + Shape.str(in) + " read as " + Shape.str(out) + "; no computation";
            case "Softmax" -> "softmax: turns scores into probabilities";
            case "Add" -> "element-wise sum (a bias or a residual connection)";
            case "Dropout" -> "dropout: nothing at inference";
            default -> "ONNX operator " + op + ": " + Shape.str(in) + " -> " + Shape.str(out);
        };
    }

    private static String shrink(int[] in, int[] out) {
        return in.length == 4 && out.length == 4 ? String.format(Locale.ROOT, ", %dx%d -> %dx%d", in[2], in[3], out[2], out[3]) : "";
    }

    private static long macs(String op, int[] w, int[] in, int[] out) {
        if (w == null) return 0;
        return switch (op) {
            case "Conv" -> w.length == 4 ? perExample(out) * w[1] * w[2] * w[3] : 0;
            case "Gemm", "MatMul" -> w.length == 2 && in.length >= 2 ? perExample(out) * in[in.length - 1] : 0;
            default -> 0;
        };
    }

    private static long perExample(int[] shape) {
        long n = 1;
        for (int i = 1; i < shape.length; i++) n *= shape[i];
        return shape.length == 0 ? 0 : n;
    }
}
