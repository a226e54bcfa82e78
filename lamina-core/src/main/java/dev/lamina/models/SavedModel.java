package dev.lamina.models;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.data.TabularData;
import dev.lamina.data.TabularSchema;
import dev.lamina.data.TextCorpus;
import dev.lamina.io.Safetensors;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A model file written by {@code lamina train --save}, of whatever kind, rebuilt from the safetensors metadata with
 * its weights loaded strictly and in evaluation mode: a named model ({@link Models#MODEL_KEY}), a model definition
 * ({@link ModelSpec#METADATA_KEY}, trained on images with {@code --model-file}) or a tabular model (a definition
 * with its {@link TabularSchema}, {@link TabularSchema#METADATA_KEY}). This is the one place that knows the kinds: a
 * new kind of saved model is a record implementing this interface and one case in {@link #load}.
 */
public sealed interface SavedModel permits SavedModel.ImageClassifier, SavedModel.CharModel, SavedModel.Tabular {
    /** The name a model rebuilt from its saved definition goes by (it has no built-in name). */
    String MODEL_FILE = "model-file";

    /** The name of a tabular model ({@code lamina train --data TABLE.csv --target COLUMN}). */
    String TABULAR = "tabular";

    /** The name stored in the file ({@code mlp}, {@code lstm}, ...). */
    String name();

    /** The rebuilt model, in evaluation mode. */
    Module module();

    /**
     * A classifier of grey-scale images of {@code height × width} pixels given as {@code height·width} values in
     * [0, 1] per sample (pixel / 255, as {@link FashionMnist} loads them); the net takes [N, input...] (for the named
     * models [N, height·width], for a definition its declared input, e.g. [N, 1, 28, 28]) and gives logits
     * [N, classes.length].
     */
    record ImageClassifier(String name, Sequential net, int[] input, int height, int width, List<String> classes) implements SavedModel {
        @Override
        public Module module() {
            return net;
        }

        /** Values per sample: height · width. */
        public int inputSize() {
            return height * width;
        }

        /** Images [N, height·width] as the net takes them: [N, input...]. */
        public Tensor inputs(Tensor pixels) {
            int[] shape = new int[input.length + 1];
            shape[0] = pixels.size(0);
            System.arraycopy(input, 0, shape, 1, input.length);
            return pixels.reshape(shape);
        }

        /** {@code images} (features [N, height·width]) reshaped for the net by {@link #inputs}. */
        public Dataset inputs(Dataset images) {
            return new Dataset(inputs(images.features()), images.targets());
        }
    }

    /**
     * A model of table rows: {@code schema} names the feature columns, the target and its classes, and normalises
     * raw rows as training did; the net takes normalised features [N, F] and gives logits [N, classes] or
     * standardised values [N, 1].
     */
    record Tabular(String name, Sequential net, ModelSpec spec, TabularSchema schema) implements SavedModel {
        @Override
        public Module module() {
            return net;
        }

        /** Whether the model classifies (else it regresses {@link TabularSchema#target()}). */
        public boolean classifies() {
            return schema.task() == TabularData.Task.CLASSIFY;
        }

        /**
         * The model's outputs for raw rows [N, F] (normalised here with the saved statistics): logits
         * [N, classes] for a classifier, values [N, 1] in the target's units for a regression.
         */
        public Tensor predict(Tensor rawFeatures) {
            Tensor out;
            try (var scope = Autograd.noGrad()) {
                out = net.forward(schema.features(rawFeatures));
            }
            return classifies() ? out : schema.targetValues(out);
        }
    }

    /** A character-level language model with the vocabulary it was trained on. */
    record CharModel(String name, LanguageModel model, TextCorpus.Vocabulary vocabulary) implements SavedModel {
        @Override
        public Module module() {
            return model;
        }
    }

    /**
     * Reads a file written by {@code lamina train --save}.
     *
     * @throws NoSuchFileException when there is no such file
     * @throws IOException         naming the file when it is not a safetensors file, names no model or a model of
     *                             an unknown kind, or its weights do not fit the model it names
     */
    static SavedModel load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such model file");
        Map<String, String> meta;
        try {
            meta = Safetensors.readMetadata(file);
        } catch (IOException e) {
            String detail = e.getMessage() != null && e.getMessage().startsWith(file + ": ") ? e.getMessage().substring(file.toString().length() + 2) : e.getMessage();
            throw new IOException(file + ": not a model file from `lamina train --save` (a safetensors file): " + detail, e);
        }
        if (ModelSpec.isIn(meta)) return fromDefinition(file, meta);
        String name = meta.get(Models.MODEL_KEY);
        if (name == null) {
            throw new IOException(file + ": not a model saved by `lamina train --save` (its metadata has neither \"" + Models.MODEL_KEY + "\" nor \"" + ModelSpec.METADATA_KEY + "\")");
        }
        if (Models.NAMES.contains(name)) return new ImageClassifier(name, Models.load(file), new int[] {28 * 28}, 28, 28, List.of(FashionMnist.CLASSES));
        if (LanguageModels.NAMES.contains(name)) {
            LanguageModels.Loaded lm = LanguageModels.load(file);
            return new CharModel(lm.name(), lm.model(), lm.vocabulary());
        }
        List<String> known = new ArrayList<>(Models.NAMES);
        known.addAll(LanguageModels.NAMES);
        throw new IOException(file + ": holds a model called '" + name + "', which this Lamina cannot rebuild (it knows " + String.join(", ", known) + ")");
    }

    /**
     * A model saved from its definition: tabular when the metadata holds a {@link TabularSchema}, else an image
     * classifier as {@code lamina train --model-file} trains one (Fashion-MNIST's 28×28 images and 10 classes).
     */
    private static SavedModel fromDefinition(Path file, Map<String, String> meta) throws IOException {
        Safetensors.Contents contents = Safetensors.readAll(file);
        ModelSpec spec = ModelSpec.fromMetadata(meta, file.toString());
        Sequential net = spec.rebuild(contents.tensors(), file);
        int[] out;
        try (var scope = Autograd.noGrad()) {
            out = net.forward(Tensor.zeros(spec.batchShape(1))).shape();
        }
        TabularSchema schema = TabularSchema.fromMetadata(meta, file.toString());
        if (schema != null) {
            if (!Arrays.equals(spec.input(), new int[] {schema.features().size()}) || out.length != 2 || out[1] != schema.outputs()) {
                throw new IOException(file + ": the saved model takes " + Shape.str(spec.input()) + " and gives " + Shape.str(out).replaceFirst("^\\[1", "[N")
                        + ", its tabular schema has " + schema.features().size() + " features and " + schema.outputs() + " output" + (schema.outputs() == 1 ? "" : "s"));
            }
            return new Tabular(TABULAR, net, spec, schema);
        }
        long values = 1;
        for (int v : spec.input()) values *= v;
        if (values != 28 * 28 || out.length != 2 || out[1] != FashionMnist.CLASSES.length) {
            throw new IOException(file + ": a model definition that takes " + Shape.str(spec.input()) + " and gives " + Shape.str(out).replaceFirst("^\\[1", "[N")
                    + ", without a tabular schema (\"" + TabularSchema.METADATA_KEY + "\"): the command line reads such a model as a classifier of 28x28 images (784 values) into "
                    + FashionMnist.CLASSES.length + " classes, as `lamina train --model-file` trains it; from Java, ModelSpec.load rebuilds it");
        }
        return new ImageClassifier(MODEL_FILE, net, spec.input(), 28, 28, List.of(FashionMnist.CLASSES));
    }
}
