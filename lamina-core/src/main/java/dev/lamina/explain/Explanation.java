package dev.lamina.explain;

import dev.lamina.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the explainer found about a model on a batch: a card per layer, the diagnoses, attention heads and
 * recurrent gates, the fit, pictures, and notes on what could not be measured. Tests assert on it
 * ({@code assertTrue(e.diagnoses().isEmpty())}); {@link #text()} and {@link #html()} render it.
 *
 * @param title      what was explained, e.g. "cnn on 64 test images"
 * @param batchSize  examples in the batch
 * @param parameters trainable scalars in the model
 * @param layers     one card per layer, in the order they ran
 * @param diagnoses  the problems found; empty when none
 * @param attention  every attention head's statistics
 * @param recurrent  every LSTM's and GRU's gates and hidden states
 * @param fit        the losses and accuracies measured
 * @param input      statistics of the input batch
 * @param pictures   pictures, when asked for
 * @param notes      what was limited or skipped, and why
 */
public record Explanation(String title, int batchSize, long parameters, List<LayerCard> layers, List<Diagnosis> diagnoses, List<AttentionHead> attention,
                          List<RecurrentActivity> recurrent, Fit fit, ActivationStats input, List<Picture> pictures, List<String> notes) {

    /**
     * An explanation of a model the explainer cannot run itself (an imported ONNX graph), from cards measured
     * elsewhere: the diagnoses that need no gradients are made (non-finite values, unnormalised input, dead ReLUs,
     * saturated sigmoid/tanh).
     */
    public static Explanation ofCards(String title, int batchSize, long parameters, List<LayerCard> layers, ActivationStats input, List<Picture> pictures, List<String> notes) {
        return new Explanation(title, batchSize, parameters, List.copyOf(layers), Diagnoses.fromCards(layers, input, false), List.of(), List.of(), Fit.NONE, input,
                List.copyOf(pictures), List.copyOf(notes));
    }

    /** The diagnoses of {@code kind}. */
    public List<Diagnosis> diagnoses(Diagnosis.Kind kind) {
        return diagnoses.stream().filter(d -> d.kind() == kind).toList();
    }

    /** Whether a diagnosis of {@code kind} was raised. */
    public boolean has(Diagnosis.Kind kind) {
        return !diagnoses(kind).isEmpty();
    }

    /** The card of the layer at {@code path}. */
    public LayerCard card(String path) {
        for (LayerCard c : layers) if (c.path().equals(path)) return c;
        throw new IllegalArgumentException("no layer at path '" + path + "'; the layers: " + layers.stream().map(LayerCard::path).toList());
    }

    /** A plain-text report for a terminal. */
    public String text() {
        return TextReport.of(this);
    }

    /** A self-contained HTML page (styles inline, pictures embedded as base64; nothing loaded from elsewhere). */
    public String html() {
        return HtmlReport.of(this);
    }

    /**
     * The same as JSON: snake_case keys, values not measured as null, pictures by title and caption (see
     * {@link #html()} for the images).
     */
    public String json() {
        return ExplanationJson.of(this);
    }

    /** Writes {@link #html()} to {@code file}, atomically. */
    public void writeHtml(Path file) throws IOException {
        AtomicFiles.write(file, html().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes {@code explain.html} and {@code explain.json} into {@code runDirectory} (a training run's directory, which
     * a dashboard serves), each atomically, and returns the HTML file's path.
     */
    public Path writeInto(Path runDirectory) throws IOException {
        AtomicFiles.write(runDirectory.resolve("explain.json"), json().getBytes(StandardCharsets.UTF_8));
        Path file = runDirectory.resolve("explain.html");
        writeHtml(file);
        return file;
    }
}
