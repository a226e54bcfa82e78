package dev.lamina.cli;

import dev.lamina.autograd.Autograd;
import dev.lamina.models.LanguageModel;
import dev.lamina.models.SavedModel;
import dev.lamina.models.TextGenerator;
import dev.lamina.nn.Module;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code lamina predict MODEL INPUT...}: runs a model saved by {@code lamina train --save} on the user's own inputs:
 * pictures or CSV rows of pixels for the image models, prompts for the language models.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict with a model saved by `lamina train --save FILE.safetensors`.",
                "Image models (mlp, cnn, rowlstm): each INPUT is a picture (PNG, JPEG, GIF, BMP) or a .csv of images, one per row.",
                "  A picture becomes grey (luminance; transparent pixels count as black), is stretched to the 28x28 training size by area averaging when",
                "  it has another size (the output says so), and its values 0-255 are divided by 255, as training does. Fashion-MNIST shows light objects",
                "  on a black background: for dark objects on a light background give --invert.",
                "  A CSV row holds 784 pixel values 0-255, row by row (a first line that is not all numbers is a header).",
                "  Prints the --top-k classes with their probabilities.",
                "Tabular models (lamina train --data TABLE.csv --target COLUMN): each INPUT is a .csv table with a header naming the model's",
                "  feature columns (in any order; other columns, the target among them, are ignored); its rows are normalised with the statistics",
                "  saved with the model. Prints the --top-k classes with their probabilities, or the predicted value of the target.",
                "Language models (lstm, transformer): each INPUT is a prompt; prints the --top-k next characters with their probabilities and a",
                "  continuation of --length characters."})
final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.safetensors", description = "A model written by `lamina train --save`.")
    Path modelFile;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "INPUT", description = "Pictures or .csv files (image models), .csv tables (tabular models), or prompts (language models).")
    List<String> inputs;

    @Option(names = "--top-k", defaultValue = "3", description = "How many classes (or next characters) to list, most likely first; default ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--invert", description = "Image models: invert the grey values (for dark objects on a light background).")
    boolean invert;

    @Option(names = "--length", defaultValue = "40", description = "Language models: characters of continuation to generate; 0 for none; default ${DEFAULT-VALUE}.")
    int length;

    @Option(names = "--temperature", defaultValue = "0", description = "Language models: sampling temperature of the continuation, 0 for the most likely character each time; default ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--seed", defaultValue = "42", description = "Language models: seed of the sampling (with a temperature above 0); default ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--json", description = "Print one JSON object per prediction on standard output (notes go to standard error).")
    boolean json;

    @Override
    public Integer call() throws IOException {
        FlagChecks.check(this);
        SavedModel saved = CliModels.loadSaved(modelFile);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream notes = json ? System.err : out;
        switch (saved) {
            case SavedModel.ImageClassifier m -> {
                for (String input : inputs) images(m, Path.of(input), out, notes);
            }
            case SavedModel.CharModel m -> {
                if (invert) throw new IllegalArgumentException("--invert applies to image models; " + modelFile + " holds the language model " + m.name());
                for (String prompt : inputs) prompt(m, prompt, out);
            }
            case SavedModel.Tabular m -> {
                if (invert) throw new IllegalArgumentException("--invert applies to image models; " + modelFile + " holds a tabular model of '" + m.schema().target() + "'");
                for (String input : inputs) table(m, Path.of(input), out);
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ images

    private void images(SavedModel.ImageClassifier m, Path file, PrintStream out, PrintStream notes) throws IOException {
        if (file.getFileName() != null && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            Tensor rows = PixelRows.read(file, m.inputSize(), m.width(), m.height());
            double[][] p = probabilities(m.net(), m.inputs(rows));
            for (int r = 0; r < p.length; r++) classes(m.name(), m.classes(), file + " row " + (r + 1), p[r], null, file.toString(), r + 1, out);
            return;
        }
        ImageInput.Pixels px = ImageInput.read(file, m.width(), m.height(), invert);
        String resized = px.resized(m.width(), m.height())
                ? String.format(Locale.ROOT, "resized from %dx%d to %dx%d", px.sourceWidth(), px.sourceHeight(), m.width(), m.height()) : null;
        if (px.borderMean() > 0.5) {
            notes.printf(Locale.ROOT, "lamina: note: %s has a light border (mean %.2f): the model was trained on light objects on black; %s%n", file, px.borderMean(),
                    invert ? "it is light after --invert" : "for a dark object on a light background give --invert");
        }
        double[][] p = probabilities(m.net(), m.inputs(Tensor.of(px.values(), 1, m.inputSize())));
        classes(m.name(), m.classes(), file + (resized != null ? " (" + resized + ")" : ""), p[0], resized, file.toString(), 0, out);
    }

    /** Softmax of the logits of {@code net} on {@code x}, row by row, in double. */
    private static double[][] probabilities(Module net, Tensor x) {
        Tensor logits;
        try (var scope = Autograd.noGrad()) {
            logits = net.forward(x);
        }
        return probabilities(logits);
    }

    /** Softmax of logits [N, C], row by row, in double. */
    private static double[][] probabilities(Tensor logits) {
        int n = logits.size(0), c = logits.size(1);
        float[] v = logits.toArray();
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) out[i] = softmax(v, i * c, c);
        return out;
    }

    static double[] softmax(float[] logits, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, logits[from + j]);
        double[] p = new double[n];
        double sum = 0;
        for (int j = 0; j < n; j++) sum += p[j] = Math.exp(logits[from + j] - max);
        for (int j = 0; j < n; j++) p[j] /= sum;
        return p;
    }

    /** Indices of the k largest values, largest first (the lower index first on ties). */
    static int[] top(double[] p, int k) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        int[] out = new int[Math.min(k, p.length)];
        for (int i = 0; i < out.length; i++) out[i] = order[i];
        return out;
    }

    private void classes(String model, List<String> names, String label, double[] p, String resized, String input, int row, PrintStream out) {
        int[] best = top(p, topK);
        if (json) {
            List<String> top = new ArrayList<>();
            for (int c : best) top.add(new Json().put("class", names.get(c)).put("index", c).put("probability", p[c]).toString());
            List<String> all = new ArrayList<>();
            for (double v : p) all.add(Json.number(v));
            Json j = new Json().put("input", input);
            if (row > 0) j.put("row", row);
            j.put("model", model).put("class", names.get(best[0])).put("index", best[0]).put("probability", p[best[0]])
                    .putJson("top", Json.array(top)).putJson("probabilities", Json.array(all));
            if (resized != null) j.put("resized", resized);
            out.println(j);
            return;
        }
        out.println(label + ": " + names.get(best[0]));
        for (int c : best) out.printf(Locale.ROOT, "  %-12s %7.2f%%%n", names.get(c), 100 * p[c]);
    }

    // ------------------------------------------------------------------------------------------------ tables

    private void table(SavedModel.Tabular m, Path file, PrintStream out) throws IOException {
        if (file.getFileName() == null || !file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            throw new IllegalArgumentException("INPUT " + file + ": a tabular model predicts from .csv tables (a header row naming the columns "
                    + String.join(", ", m.schema().features()) + ")");
        }
        Tensor predicted = m.predict(m.schema().readFeatures(file));
        if (m.classifies()) {
            double[][] p = probabilities(predicted);
            for (int r = 0; r < p.length; r++) classes(m.name(), m.schema().classes(), file + " row " + (r + 1), p[r], null, file.toString(), r + 1, out);
            return;
        }
        String target = m.schema().target();
        float[] v = predicted.toArray();
        for (int r = 0; r < v.length; r++) {
            if (json) {
                out.println(new Json().put("input", file.toString()).put("row", r + 1).put("model", m.name()).put("target", target).put("value", v[r]));
            } else {
                out.printf(Locale.ROOT, "%s row %d: %s %.6g%n", file, r + 1, target, v[r]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ prompts

    private void prompt(SavedModel.CharModel m, String prompt, PrintStream out) {
        if (prompt.isEmpty()) throw new IllegalArgumentException("an empty prompt: give at least one character");
        int[] ids;
        try {
            ids = m.vocabulary().encode(prompt);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("prompt \"" + prompt + "\": " + e.getMessage() + " of " + modelFile);
        }
        LanguageModel lm = m.model();
        double[] p;
        try (var scope = Autograd.noGrad()) {
            float[] logits = lm.decoder().feed(ids);
            p = softmax(logits, 0, logits.length);
        }
        int[] best = top(p, topK);
        String continuation = length == 0 ? "" : m.vocabulary().decode(new TextGenerator(lm, temperature, 0, new Rng(seed)).generate(ids, length, null));
        if (json) {
            List<String> next = new ArrayList<>();
            for (int id : best) next.add(new Json().put("char", Character.toString(m.vocabulary().codePoint(id))).put("probability", p[id]).toString());
            Json j = new Json().put("input", prompt).put("model", m.name()).putJson("next", Json.array(next));
            if (length > 0) j.put("continuation", continuation);
            out.println(j);
            return;
        }
        out.println("\"" + prompt + "\": next character");
        for (int id : best) out.printf(Locale.ROOT, "  %-6s %7.2f%%%n", show(m.vocabulary().codePoint(id)), 100 * p[id]);
        if (length > 0) out.println("  continuation: " + prompt + continuation);
    }

    /** A character as it can be read in a column: quoted, with whitespace spelled out. */
    private static String show(int cp) {
        return switch (cp) {
            case ' ' -> "' '";
            case '\n' -> "'\\n'";
            case '\t' -> "'\\t'";
            case '\r' -> "'\\r'";
            default -> "'" + Character.toString(cp) + "'";
        };
    }
}
