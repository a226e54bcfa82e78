package dev.lamina.cli;

import dev.lamina.data.Dataset;
import dev.lamina.io.Safetensors;
import dev.lamina.models.ModelSpec;
import dev.lamina.nn.Sequential;
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

    /** The summary table of a definition file or of a model saved from one. */
    static String summary(Path file) throws IOException {
        if (file.toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            ModelSpec spec = ModelSpec.fromMetadata(Safetensors.readMetadata(file), file.toString());
            if (spec == null) throw new IOException(file + ": no model definition in the metadata (key \"" + ModelSpec.METADATA_KEY + "\"): it was not saved from a model file");
            return spec.summary(ModelSpec.load(file));
        }
        ModelSpec spec = ModelSpec.read(file);
        Sequential net = spec.build(new dev.lamina.tensor.Rng(0));
        return spec.summary(net);
    }
}
