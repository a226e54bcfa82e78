package dev.lamina.cli;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.io.Safetensors;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.models.CharTransformer;
import dev.lamina.models.LanguageModels;
import dev.lamina.models.Models;
import dev.lamina.nn.Module;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.TransformerEncoder;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code lamina inspect}: what each layer of a model does on real data. For the image models, every layer's
 * output on a batch of test images (shape, mean, spread, range, share of zeros) and every parameter's gradient for
 * the cross-entropy on that batch; for a transformer language model, what each attention head looks at in a text.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show what each layer of a model does on real data.",
                "Image models (mlp, cnn, rowlstm, fresh or saved): each layer's output on a batch of test images and each parameter's gradient.",
                "Transformer language models saved by `lamina train --model transformer --save`: the attention of every head over a text."})
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL|FILE.safetensors", description = "mlp, cnn or rowlstm (fresh weights, seed --seed), or weights saved by `lamina train --save`.")
    String model;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST-format directory for image models; default: the subset shipped in the repository.")
    Path data;

    @Option(names = "--batch", defaultValue = "64", description = "Test images to run (image models); default ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--text", defaultValue = "In the beginning God created the heaven and the earth.",
            description = "Text whose attention is shown (transformer language models; its characters must be in the model's vocabulary); default \"${DEFAULT-VALUE}\".")
    String text;

    @Option(names = "--charts", paramLabel = "DIR", description = "Also write PNG charts into DIR: a histogram of each layer's outputs, or a heat map per attention head.")
    Path charts;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of fresh weights; default ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Path file = Path.of(model);
        String name = CliModels.lower(model);
        if (charts != null) OutputPaths.prepareDirectory("--charts", charts);
        if (Models.NAMES.contains(name) && !Files.isRegularFile(file)) {
            imageModel(Models.create(name, new Rng(seed)), name + " (fresh weights, seed " + seed + ")", out);
            return 0;
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("MODEL must be one of " + String.join(", ", Models.NAMES) + " or a file saved by `lamina train --save`; '" + model + "' is neither"
                    + (CliModels.isLanguageModel(name) ? " (a language model is inspected from its saved file: lamina train --model " + name + " --save FILE.safetensors)" : ""));
        }
        String saved = Safetensors.readMetadata(file).get(Models.MODEL_KEY);
        if (LanguageModels.NAMES.contains(saved)) {
            LanguageModels.Loaded loaded = LanguageModels.load(file);
            if (!(loaded.model() instanceof CharTransformer t)) {
                throw new IllegalArgumentException(file + " holds a " + saved + " language model: inspect shows the attention of transformer language models (and the layers of the image models)");
            }
            attention(t, loaded.vocabulary(), file.toString(), out);
        } else {
            imageModel(Models.load(file), file.toString(), out);
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ image models

    private void imageModel(Sequential net, String title, PrintStream out) throws IOException {
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        Path dir = data != null ? data : TrainCommand.defaultData();
        Dataset test = FashionMnist.load(dir).test();
        Dataset first = new DataLoader(test, Math.min(batch, test.size()), false, false, null).iterator().next();
        net.eval();   // running statistics, no dropout: the layers as they are used for predictions
        List<Module> layers = net.layers();
        List<Tensor> outputs = new ArrayList<>();
        Tensor x = first.features();
        for (Module layer : layers) {
            x = layer.forward(x);
            outputs.add(x);
        }
        Tensor loss = new CrossEntropyLoss().forward(x, first.targets());
        net.zeroGrad();
        loss.backward();

        out.printf(Locale.ROOT, "%s on %d test images from %s%n%n", title, first.size(), dir);
        out.printf(Locale.ROOT, "%-26s %-16s %9s %9s %9s %9s %7s%n", "Layer output", "Shape", "mean", "std", "min", "max", "zeros");
        for (int i = 0; i < layers.size(); i++) {
            Stats s = Stats.of(outputs.get(i));
            out.printf(Locale.ROOT, "%-26s %-16s %9.4f %9.4f %9.4f %9.4f %6.1f%%%n", layers.get(i).describe(), Shape.str(outputs.get(i).shape()),
                    s.mean, s.std, s.min, s.max, 100 * s.zeros);
        }
        out.printf(Locale.ROOT, "%ncross-entropy on these images: %.4f; gradients of the parameters:%n", loss.item());
        out.printf(Locale.ROOT, "%-26s %-16s %11s %11s %11s%n", "Parameter", "Shape", "value rms", "grad rms", "grad/value");
        for (Map.Entry<String, Tensor> p : net.namedParameters().entrySet()) {
            double v = Stats.rms(p.getValue()), g = p.getValue().grad() == null ? 0 : Stats.rms(p.getValue().grad());
            String ratio = v == 0 ? "-" : String.format(Locale.ROOT, "%.3e", g / v);   // a parameter still at zero has no ratio
            out.printf(Locale.ROOT, "%-26s %-16s %11.3e %11.3e %11s%n", p.getKey(), Shape.str(p.getValue().shape()), v, g, ratio);
        }
        if (charts != null) {
            Map<String, Tensor> named = new LinkedHashMap<>();
            for (int i = 0; i < layers.size(); i++) named.put(layers.get(i).describe(), outputs.get(i));
            Path file = charts.resolve("activations.png");
            Charts.writeHistograms(named, title + ": layer outputs", file);
            out.println("\nwrote " + file);
        }
    }

    // ------------------------------------------------------------------------------------------------ attention

    private void attention(CharTransformer model, dev.lamina.data.TextCorpus.Vocabulary vocabulary, String title, PrintStream out) throws IOException {
        int[] ids;
        try {
            ids = vocabulary.encode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--text: " + e.getMessage() + " of " + title);
        }
        if (ids.length < 2) throw new IllegalArgumentException("--text needs at least 2 characters");
        int n = Math.min(ids.length, model.contextLength());
        String[] chars = new String[n];
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = ids[i];
            chars[i] = Character.toString(vocabulary.codePoint(ids[i]));
        }
        TransformerEncoder encoder = (TransformerEncoder) model.children().get("encoder");
        List<Tensor> maps = new ArrayList<>();
        try (var s = Autograd.noGrad()) {
            for (int l = 0; l < encoder.numLayers(); l++) encoder.layer(l).selfAttn().observeWeights(maps::add);
            model.logits(Tensor.of(x, 1, n));
        } finally {
            for (int l = 0; l < encoder.numLayers(); l++) encoder.layer(l).selfAttn().observeWeights(null);
        }
        out.printf(Locale.ROOT, "%s: attention over the first %d characters of \"%s\"%n", title, n, text);
        out.println("entropy: how spread a query's attention is (0 bits: one key; log2(keys) bits: uniform); then the share of attention on");
        out.println("the query's own position, on the previous character, and the average distance back to the keys attended.");
        out.printf(Locale.ROOT, "%n%-8s %-6s %12s %8s %9s %10s%n", "Layer", "Head", "entropy", "self", "previous", "distance");
        for (int l = 0; l < maps.size(); l++) {
            MultiheadAttention mha = encoder.layer(l).selfAttn();
            float[] w = maps.get(l).toArray();   // [1, heads, n, n]
            for (int h = 0; h < mha.numHeads(); h++) {
                double entropy = 0, self = 0, prev = 0, dist = 0;
                for (int q = 0; q < n; q++) {
                    int row = (h * n + q) * n;
                    for (int k = 0; k < n; k++) {
                        double p = w[row + k];
                        if (p > 0) entropy -= p * Math.log(p) / Math.log(2);
                        dist += p * (q - k);
                    }
                    self += w[row + q];
                    if (q > 0) prev += w[row + q - 1];
                }
                out.printf(Locale.ROOT, "%-8d %-6d %7.2f bits %7.1f%% %8.1f%% %10.2f%n", l, h, entropy / n, 100 * self / n, 100 * prev / (n - 1), dist / n);
            }
        }
        if (charts != null) {
            List<Path> written = new ArrayList<>();
            for (int l = 0; l < maps.size(); l++) {
                float[] w = maps.get(l).toArray();
                int heads = maps.get(l).size(1);
                for (int h = 0; h < heads; h++) {
                    Path file = charts.resolve(String.format(Locale.ROOT, "attention-layer%d-head%d.png", l, h));
                    Charts.writeAttention(w, h * n * n, n, chars, String.format(Locale.ROOT, "layer %d, head %d", l, h), file);
                    written.add(file);
                }
            }
            out.println("\nwrote " + written.size() + " heat maps into " + charts);
        }
    }

    /** Summary statistics of a tensor's values (in double). */
    record Stats(double mean, double std, double min, double max, double zeros) {
        static Stats of(Tensor t) {
            float[] v = t.toArray();
            double sum = 0, sq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            long zeros = 0;
            for (float f : v) {
                sum += f;
                sq += (double) f * f;
                min = Math.min(min, f);
                max = Math.max(max, f);
                if (f == 0f) zeros++;
            }
            double mean = sum / v.length;
            return new Stats(mean, Math.sqrt(Math.max(0, sq / v.length - mean * mean)), min, max, (double) zeros / v.length);
        }

        static double rms(Tensor t) {
            float[] v = t.toArray();
            double sq = 0;
            for (float f : v) sq += (double) f * f;
            return Math.sqrt(sq / v.length);
        }
    }
}
