package dev.lamina.models;

import dev.lamina.data.FashionMnist;
import dev.lamina.data.TextCorpus;
import dev.lamina.io.Safetensors;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model file written by {@code lamina train --save}, of whatever kind, rebuilt from the safetensors metadata
 * ({@link Models#MODEL_KEY} names the model) with its weights loaded strictly and in evaluation mode. This is the
 * one place that knows the kinds: a new kind of saved model is a record implementing this interface and one case
 * in {@link #load}.
 */
public sealed interface SavedModel permits SavedModel.ImageClassifier, SavedModel.CharModel {
    /** The name stored in the file ({@code mlp}, {@code lstm}, ...). */
    String name();

    /** The rebuilt model, in evaluation mode. */
    Module module();

    /**
     * A classifier of grey-scale images of {@code height × width} pixels given as {@code height·width} values in
     * [0, 1] per sample (pixel / 255, as {@link FashionMnist} loads them); input [N, height·width], logits
     * [N, classes.length].
     */
    record ImageClassifier(String name, Sequential net, int height, int width, List<String> classes) implements SavedModel {
        @Override
        public Module module() {
            return net;
        }

        /** Values per sample: height · width. */
        public int inputSize() {
            return height * width;
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
        String name = meta.get(Models.MODEL_KEY);
        if (name == null) {
            throw new IOException(file + ": not a model saved by `lamina train --save` (its metadata has no \"" + Models.MODEL_KEY + "\")");
        }
        if (Models.NAMES.contains(name)) return new ImageClassifier(name, Models.load(file), 28, 28, List.of(FashionMnist.CLASSES));
        if (LanguageModels.NAMES.contains(name)) {
            LanguageModels.Loaded lm = LanguageModels.load(file);
            return new CharModel(lm.name(), lm.model(), lm.vocabulary());
        }
        List<String> known = new ArrayList<>(Models.NAMES);
        known.addAll(LanguageModels.NAMES);
        throw new IOException(file + ": holds a model called '" + name + "', which this Lamina cannot rebuild (it knows " + String.join(", ", known) + ")");
    }
}
