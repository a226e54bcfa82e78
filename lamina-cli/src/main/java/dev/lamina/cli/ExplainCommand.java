package dev.lamina.cli;

import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.data.TabularData;
import dev.lamina.data.TextCorpus;
import dev.lamina.explain.Explainer;
import dev.lamina.explain.Explanation;
import dev.lamina.loss.MSELoss;
import dev.lamina.models.LanguageModel;
import dev.lamina.models.LanguageModels;
import dev.lamina.models.ModelSpec;
import dev.lamina.models.Models;
import dev.lamina.models.SavedModel;
import dev.lamina.nn.Module;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code lamina explain}: a card per layer in plain words, measured statistics and gradient flow on real data, the
 * problems found with their evidence and remedies, and pictures, as text, a self-contained HTML report, or the
 * {@code explain.html} of a run directory. Image models are explained on a batch of training images with a batch of
 * test images as the validation batch; language models on a text; ONNX models (no gradients) layer by layer on test
 * images.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explain what each layer of a model does on real data, and diagnose what is wrong.",
                "MODEL: mlp, cnn, rowlstm (fresh weights, --seed), lstm, transformer (fresh, over the text's characters), a model definition NET.json (fresh), a file saved by `lamina train --save`, or an .onnx file."})
final class ExplainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL|FILE", description = "A model name (${COMPLETION-CANDIDATES}), a model definition NET.json, a .safetensors file saved by `lamina train --save`, or an .onnx file.",
            completionCandidates = CliModels.All.class)
    String model;

    @Option(names = "--data", paramLabel = "DIR|FILE", description = "Fashion-MNIST-format directory (image models; default: the bundled subset), a text file (language models), or a CSV table (tabular models).")
    Path data;

    @Option(names = "--batch", defaultValue = "64", description = "Examples explained (and in the validation batch); default ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML report (pictures embedded).")
    Path html;

    @Option(names = "--run", paramLabel = "DIR", description = "Write explain.html into a run directory, for the dashboard to serve.")
    Path run;

    @Option(names = "--image", defaultValue = "0", paramLabel = "N", description = "Example of the batch whose feature maps and saliency are drawn; default ${DEFAULT-VALUE}.")
    int image;

    @Option(names = "--text", defaultValue = "In the beginning God created the heaven and the earth.",
            description = "Text a language model is explained on (its characters must be in the model's vocabulary); default \"${DEFAULT-VALUE}\".")
    String text;

    @Option(names = "--lr", paramLabel = "RATE", description = "Judge this learning rate: one step of --optimizer is taken on the batch and undone, and the update-to-weight ratio reported.")
    Double lr;

    @Option(names = "--optimizer", defaultValue = "adam", description = "Optimizer of --lr: adam, adamw, sgd (momentum 0.9) or rmsprop; default ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--json", description = "Print the explanation as one JSON object instead of text (other messages go to standard error).")
    boolean json;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of fresh weights; default ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (image < 0 || image >= batch) throw new IllegalArgumentException("--image " + image + " is outside the batch of " + batch + " examples (--batch); valid: 0.." + (batch - 1));
        if (lr != null && !(lr > 0 && Double.isFinite(lr))) throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        if (html != null) OutputPaths.prepareFile("--html", html);
        if (run != null) OutputPaths.prepareDirectory("--run", run);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Explanation e = explain();
        out.print(json ? e.json() : e.text());
        PrintStream human = json ? new PrintStream(System.err, true, StandardCharsets.UTF_8) : out;
        if (html != null) {
            e.writeHtml(html);
            human.println("wrote " + html);
        }
        if (run != null) human.println("wrote " + e.writeInto(run) + " and explain.json");
        return 0;
    }

    private Explanation explain() throws IOException {
        String name = CliModels.lower(model);
        Path file = Path.of(model);
        boolean isFile = Files.isRegularFile(file);
        if (name.endsWith(".onnx")) {
            if (!isFile) throw new IllegalArgumentException("MODEL " + model + ": no such ONNX file");
            return OnnxExplain.explain(file, imageData(), batch, html != null || run != null, image);
        }
        if (isFile && name.endsWith(".json")) {
            ModelSpec spec = ModelSpec.read(file);
            Module net = spec.build(new Rng(seed));
            FashionMnist.Split split = FashionMnist.load(imageDir());
            return images(net, ModelFiles.fit(split.train().head(batch), spec), ModelFiles.fit(split.test().head(batch), spec), file + " (fresh weights, seed " + seed + ")");
        }
        if (!isFile && Models.NAMES.contains(name)) {
            Module net = Models.create(name, new Rng(seed));
            FashionMnist.Split split = FashionMnist.load(imageDir());
            return images(net, split.train().head(batch), split.test().head(batch), name + " (fresh weights, seed " + seed + ")");
        }
        if (!isFile && LanguageModels.NAMES.contains(name)) {
            Path source = data != null ? data : TextTraining.defaultText();
            TextCorpus.Vocabulary vocab = TextCorpus.load(source).vocabulary();
            LanguageModel lm = LanguageModels.create(name, vocab.size(), 64, new Rng(seed));
            return text(lm, vocab, name + " (fresh weights, seed " + seed + ", the characters of " + source.getFileName() + ")");
        }
        if (!isFile) {
            throw new IllegalArgumentException("MODEL must be one of " + String.join(", ", CliModels.ALL) + ", a model definition file NET.json, a file saved by `lamina train --save` or an .onnx file; '"
                    + model + "' is none of these");
        }
        return switch (CliModels.loadSaved(file)) {
            case SavedModel.ImageClassifier m -> {
                if (m.inputSize() != 28 * 28) throw new IllegalArgumentException(file + ": the model reads " + m.height() + "x" + m.width() + " images; explain feeds Fashion-MNIST's 28x28");
                FashionMnist.Split split = FashionMnist.load(imageDir());
                yield images(m.net(), m.inputs(split.train().head(batch)), m.inputs(split.test().head(batch)), file.toString());
            }
            case SavedModel.CharModel m -> text(m.model(), m.vocabulary(), file.toString());
            case SavedModel.Tabular m -> {
                if (data == null) throw new IllegalArgumentException(file + " is a tabular model: give --data TABLE.csv with the columns " + String.join(", ", m.schema().features()) + " and " + m.schema().target());
                Dataset rows = m.schema().apply(m.schema().read(data));
                Dataset head = rows.head(Math.min(batch, rows.size()));
                Explainer ex = Explainer.of(m.net()).title(file + " on " + head.size() + " rows of " + data);
                if (m.schema().task() == TabularData.Task.REGRESS) ex.loss(new MSELoss());
                withOptimizer(ex, m.net());
                yield ex.on(head);
            }
        };
    }

    private Explanation images(Module net, Dataset train, Dataset validation, String title) {
        Explainer ex = Explainer.of(net).validation(validation).title(title + " on " + train.size() + " training images (validation: " + validation.size() + " test images)");
        if (html != null || run != null) ex.pictures(Math.min(image, train.size() - 1));
        withOptimizer(ex, net);
        return ex.on(train);
    }

    private Explanation text(LanguageModel lm, TextCorpus.Vocabulary vocab, String title) {
        int[] ids;
        try {
            ids = vocab.encode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--text: " + e.getMessage() + " of " + title);
        }
        if (ids.length < 3) throw new IllegalArgumentException("--text needs at least 3 characters, got " + ids.length);
        int n = Math.min(ids.length - 1, lm.contextLength() > 0 ? lm.contextLength() : Integer.MAX_VALUE);
        float[] x = new float[n], y = new float[n];
        String[] tokens = new String[n];
        for (int i = 0; i < n; i++) {
            x[i] = ids[i];
            y[i] = ids[i + 1];
            tokens[i] = Character.toString(vocab.codePoint(ids[i]));
        }
        Explainer ex = Explainer.of(lm).labels(Tensor.of(y, 1, n)).tokens(tokens).title(String.format(Locale.ROOT, "%s on \"%s\" (%d characters)", title, text.length() > 40 ? text.substring(0, 40) + "..." : text, n));
        if (html != null || run != null) ex.pictures(0);
        withOptimizer(ex, lm);
        return ex.on(Tensor.of(x, 1, n));
    }

    private void withOptimizer(Explainer ex, Module net) {
        if (lr == null) return;
        ex.optimizer(Optimizers.of("--optimizer", optimizer, net.parameters(), lr));
    }

    private Path imageDir() {
        return data != null ? data : TrainCommand.defaultData();
    }

    private Dataset imageData() throws IOException {
        return FashionMnist.load(imageDir()).test().head(batch);
    }
}
