package dev.lamina.cli;

import dev.lamina.models.LanguageModels;
import dev.lamina.models.Models;
import dev.lamina.models.SavedModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The models the command line knows by name, one list for every command's help, completion and errors: the image
 * models ({@link Models#NAMES}) then the character-level language models ({@link LanguageModels#NAMES}). Names, like
 * every word-valued option, are matched ignoring case ({@code --model CNN} is {@code cnn}).
 */
final class CliModels {
    private CliModels() {
    }

    /** Every model name, image models first. */
    static final List<String> ALL;

    static {
        List<String> all = new ArrayList<>(Models.NAMES);
        all.addAll(LanguageModels.NAMES);
        ALL = List.copyOf(all);
    }

    /** What {@code lamina train} takes besides the named models, as its unknown-model error says. */
    static final String TRAIN_OWN = "; image classifiers of the zoo (torchvision's names): " + String.join(", ", dev.lamina.models.Zoo.NAMES) + "; for a model of your own, --model-file NET.json (a model definition file); for a CSV table, --data TABLE.csv --target COLUMN";

    /** What {@code lamina summary} takes besides the named models. */
    static final String SUMMARY_OWN = "; or a model definition file NET.json, or a model saved by `lamina train --save` (.safetensors)";

    /** {@code name} in lower case, the form every list holds; null stays null. */
    static String lower(String name) {
        return name == null ? null : name.toLowerCase(Locale.ROOT);
    }

    /**
     * The model {@code name} stands for, in the lists' spelling.
     *
     * @throws IllegalArgumentException naming {@code flag}, the name and every model
     */
    static String canonical(String flag, String name) {
        return canonical(flag, name, "");
    }

    /** As {@link #canonical(String, String)}, the error ending with {@code others}: what else {@code flag}'s command takes. */
    static String canonical(String flag, String name, String others) {
        String n = lower(name);
        if (!ALL.contains(n)) {
            throw new IllegalArgumentException("unknown model '" + name + "' for " + flag + "; available: " + String.join(", ", ALL)
                    + " (" + String.join(", ", LanguageModels.NAMES) + ": character-level language models on a text file)" + others);
        }
        return n;
    }

    /** Whether {@code name} (canonical) is a language model. */
    static boolean isLanguageModel(String name) {
        return LanguageModels.NAMES.contains(name);
    }

    /**
     * The model saved in {@code file} ({@link SavedModel#load}); a model name given where the file belongs
     * ({@code lamina predict mlp ...}) is refused saying how to make the file.
     *
     * @throws IllegalArgumentException when {@code file} does not exist and is the name of a model
     * @throws IOException              as {@link SavedModel#load} does
     */
    static SavedModel loadSaved(Path file) throws IOException {
        String name = lower(file.toString());
        if (!Files.exists(file) && ALL.contains(name)) {
            throw new IllegalArgumentException("MODEL.safetensors '" + file + "' is a model name, not a file: give a model saved by `lamina train --save`, e.g. lamina train --model "
                    + name + " --save " + name + ".safetensors");
        }
        return SavedModel.load(file);
    }

    /** Completion candidates and {@code ${COMPLETION-CANDIDATES}} of the options that take any model. */
    static final class All extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        All() {
            super(ALL);
        }
    }
}
