package dev.lamina.models;

import dev.lamina.data.TextCorpus;
import dev.lamina.io.Safetensors;
import dev.lamina.tensor.Rng;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The character-level language models {@code lamina train --model lstm|transformer} trains, and how they are saved
 * for {@code lamina generate}: the state dict as safetensors with the model's name, vocabulary and context length in
 * the metadata, so a file is enough to rebuild the model.
 */
public final class LanguageModels {
    private LanguageModels() {}

    public static final List<String> NAMES = List.of("lstm", "transformer");

    public static final String MODEL_KEY = Models.MODEL_KEY;
    public static final String VOCAB_KEY = "lamina.vocabulary";
    public static final String CONTEXT_KEY = "lamina.context";

    /**
     * lstm: embedding 64 → LSTM 256 → linear; transformer: d_model 128, 4 heads, feed-forward 512, 2 pre-norm
     * layers, GELU, dropout 0.1, learned positions for {@code context} tokens.
     */
    public static LanguageModel create(String name, int vocab, int context, Rng rng) {
        return switch (name) {
            case "lstm" -> new CharLstm(vocab, 64, 256, 1, rng);
            case "transformer" -> new CharTransformer(vocab, context, 128, 4, 512, 2, 0.1, rng);
            default -> throw new IllegalArgumentException("unknown language model '" + name + "'; available: " + String.join(", ", NAMES));
        };
    }

    /** A model read back by {@link #load}, with the vocabulary it was trained on. */
    public record Loaded(LanguageModel model, String name, TextCorpus.Vocabulary vocabulary) {}

    /** Writes the weights and what {@link #load} needs, atomically. */
    public static void save(LanguageModel model, String name, TextCorpus.Vocabulary vocabulary, Path file) throws IOException {
        if (vocabulary.size() != model.vocabSize()) throw new IllegalArgumentException("vocabulary of " + vocabulary.size() + " for a model over " + model.vocabSize() + " tokens");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(MODEL_KEY, name);
        meta.put(VOCAB_KEY, vocabulary.symbols());
        meta.put(CONTEXT_KEY, Integer.toString(model.contextLength()));
        Safetensors.write(file, model.stateDict(), meta);
    }

    /** Rebuilds a model written by {@link #save}; weights are loaded strictly (every name and shape must match). */
    public static Loaded load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.readAll(file);
        Map<String, String> meta = c.metadata();
        String name = meta.get(MODEL_KEY), symbols = meta.get(VOCAB_KEY), context = meta.get(CONTEXT_KEY);
        if (name == null || !NAMES.contains(name) || symbols == null || context == null) {
            throw new IOException(file + ": not a language model saved by `lamina train --save` (metadata " + MODEL_KEY + "=" + name
                    + ", " + VOCAB_KEY + (symbols == null ? " missing" : " present") + ", " + CONTEXT_KEY + "=" + context + "; models: " + NAMES + ")");
        }
        TextCorpus.Vocabulary vocabulary;
        int ctx;
        try {
            vocabulary = TextCorpus.Vocabulary.fromSymbols(symbols);
            ctx = Integer.parseInt(context);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": bad language-model metadata: " + e.getMessage(), e);
        }
        LanguageModel model = create(name, vocabulary.size(), Math.max(ctx, 1), new Rng(0));
        try {
            model.loadStateDict(c.tensors(), true);
        } catch (RuntimeException e) {
            throw new IOException(file + ": weights do not fit a " + name + " over " + vocabulary.size() + " characters: " + e.getMessage(), e);
        }
        model.eval();
        return new Loaded(model, name, vocabulary);
    }
}
