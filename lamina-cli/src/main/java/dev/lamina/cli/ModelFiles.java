package dev.lamina.cli;

import dev.lamina.data.Dataset;
import dev.lamina.models.ModelSpec;
import dev.lamina.models.SavedModel;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Model definition files on the command line: fitting image data to a definition's input, and summaries of files. */
final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * The examples reshaped to the definition's input shape (e.g. Fashion-MNIST's 784 values per image to
     * [1, 28, 28]) when the sizes agree.
     *
     * @throws IllegalArgumentException naming the file and both sizes when they do not
     */
    static Dataset fit(Dataset data, ModelSpec spec) {
        int[] want = spec.input();
        long perExample = 1;
        for (int v : want) perExample *= v;
        int[] have = data.features().shape();
        long haveEach = data.features().numel() / Math.max(1, have[0]);
        if (perExample != haveEach) {
            throw new IllegalArgumentException(spec.source() + ": the model's input " + Shape.str(want) + " holds " + perExample + " values per example, the data's examples "
                    + Shape.str(java.util.Arrays.copyOfRange(have, 1, have.length)) + " hold " + haveEach);
        }
        return new Dataset(data.features().reshape(spec.batchShape(data.size())), data.targets());
    }

    /** Whether a {@code lamina summary} argument names a file rather than a built-in model. */
    static boolean isFile(String arg) {
        String a = arg.toLowerCase(Locale.ROOT);
        return a.endsWith(".json") || a.endsWith(".safetensors") || Files.exists(Path.of(arg));
    }

    /**
     * The summary table of a definition file, or of any model saved by {@code lamina train --save}
     * ({@link SavedModel#load}); {@code seqLen} is a language model's context for its table.
     */
    static String summary(Path file, int seqLen) throws IOException {
        if (file.toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            return switch (CliModels.loadSaved(file)) {
                case SavedModel.ImageClassifier m -> m.net().summary(m.inputs(dev.lamina.tensor.Tensor.zeros(1, m.inputSize())).shape());
                case SavedModel.Tabular m -> m.spec().summary(m.net());
                case SavedModel.CharModel m -> SummaryCommand.languageModelTable(m.model(), seqLen);
            };
        }
        ModelSpec spec = ModelSpec.read(file);
        return spec.summary(spec.build(new Rng(0)));
    }
}
