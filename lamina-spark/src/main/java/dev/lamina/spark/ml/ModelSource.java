package dev.lamina.spark.ml;

import dev.lamina.autograd.Autograd;
import dev.lamina.nn.Module;
import dev.lamina.onnx.OnnxModel;
import dev.lamina.spark.ModelFactory;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * How an executor turns the broadcast model bytes into a {@link BatchRunner}: a Lamina model (its recipe, plus its
 * weights as safetensors bytes) or an ONNX graph (the .onnx file's bytes). Only the recipe and the bytes travel.
 */
sealed interface ModelSource extends Serializable {
    BatchRunner build(byte[] bytes);

    /** A Lamina model from {@code factory} with the state dict in {@code bytes}, in evaluation mode, run without a tape. */
    record Lamina(ModelFactory factory) implements ModelSource {
        @Override
        public BatchRunner build(byte[] bytes) {
            Module model = factory.create(new Rng(0));
            try {
                model.loadStateDict(dev.lamina.spark.StateDictBytes.read(bytes), true);
            } catch (IOException e) {
                throw new UncheckedIOException("loading the broadcast weights: " + e.getMessage(), e);
            }
            model.eval();
            return x -> {
                try (var scope = Autograd.noGrad()) {
                    return model.forward(x);
                }
            };
        }
    }

    /** An ONNX graph with one float input {@code input} [N, F] and the output {@code output}. */
    record Onnx(String input, String output) implements ModelSource {
        @Override
        public BatchRunner build(byte[] bytes) {
            OnnxModel model = OnnxModel.parse(bytes);
            return x -> {
                Map<String, Tensor> out = model.run(Map.of(input, x));
                Tensor t = out.get(output);
                if (t == null) throw new IllegalArgumentException("the ONNX model has no output '" + output + "'; its outputs are " + out.keySet());
                return t;
            };
        }
    }
}
