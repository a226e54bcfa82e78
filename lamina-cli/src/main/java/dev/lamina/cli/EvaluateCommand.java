package dev.lamina.cli;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.data.TextCorpus;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.models.LanguageModel;
import dev.lamina.models.SavedModel;
import dev.lamina.train.ConfusionMatrix;
import dev.lamina.train.Evaluation;
import dev.lamina.train.RegressionMetrics;
import dev.lamina.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code lamina evaluate MODEL}: the metrics of a model saved by {@code lamina train --save} on a data set, computed
 * as the trainer computes its validation metrics ({@link Trainer#evaluate(dev.lamina.nn.Module, dev.lamina.loss.Loss, DataLoader)}).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a model saved by `lamina train --save FILE.safetensors` on a data set.",
                "Image models: loss, accuracy, per-class precision, recall and F1, and the confusion matrix.",
                "Tabular models: on a .csv table with the model's feature columns and its target column: MAE, RMSE and R² of a regression",
                "  (in the target's units), or loss, accuracy, the per-class report and the confusion matrix of a classification.",
                "Language models: loss, bits per character and perplexity of next-character prediction."})
final class EvaluateCommand implements Callable<Integer> {
    private static final double LN2 = Math.log(2);

    /** The values of {@code --split}, matched ignoring case. */
    static final List<String> SPLITS = List.of("test", "train");

    @Parameters(index = "0", paramLabel = "MODEL.safetensors", description = "A model written by `lamina train --save`.")
    Path modelFile;

    @Option(names = "--data", paramLabel = "DIR|FILE", description = "Image models: a directory with the four IDX files (as `train --data` takes); default: the Fashion-MNIST subset shipped in the repository. "
            + "Tabular models: a .csv table with a header row (required). "
            + "Language models: a UTF-8 text file, evaluated whole; default: the last tenth of the bundled KJV text (the part `lamina train` holds out).")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "Image models: which set of --data, test or train (any case); default ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N examples (images, or windows of text).")
    Integer limit;

    @Option(names = "--seq-len", paramLabel = "T", description = "Language models: characters per window; default 64 (at most the transformer's context).")
    Integer seqLen;

    @Option(names = "--batch-size", defaultValue = "500", description = "Examples per forward pass (only speed and memory depend on it); default ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--json", description = "Print the metrics as one JSON object on standard output.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        FlagChecks.check(this);
        split = split.toLowerCase(Locale.ROOT);
        SavedModel saved = CliModels.loadSaved(modelFile);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        switch (saved) {
            case SavedModel.ImageClassifier m -> images(m, out);
            case SavedModel.CharModel m -> text(m, out);
            case SavedModel.Tabular m -> table(m, out);
        }
        return 0;
    }

    private void images(SavedModel.ImageClassifier m, PrintStream out) throws IOException {
        if (seqLen != null) throw new IllegalArgumentException("--seq-len applies to language models; " + modelFile + " holds the image model " + m.name());
        Path dir = data != null ? data : TrainCommand.defaultData();
        if (Files.isRegularFile(dir)) throw new IllegalArgumentException("--data " + dir + " is a file; an image model is evaluated on a directory with the four IDX files (as `lamina train --data` takes)");
        FashionMnist.Split sets = FashionMnist.load(dir);
        Dataset set = split.equals("train") ? sets.train() : sets.test();
        if (limit != null) set = set.head(limit);
        if (set.features().size(1) != m.inputSize()) {
            throw new IllegalArgumentException(dir + ": images of " + set.features().size(1) + " pixels, the model " + m.name() + " reads " + m.width() + "x" + m.height() + " = " + m.inputSize());
        }
        Evaluation e = Trainer.evaluate(m.net(), new CrossEntropyLoss(), new DataLoader(m.inputs(set), batchSize, false, false, null));
        classification(new Json().put("model", m.name()).put("file", modelFile.toString()).put("data", dir.toString()).put("split", split),
                String.format(Locale.ROOT, "%s from %s on the %s set of %s: %,d images", m.name(), modelFile, split, dir, e.samples()), "the " + split + " set", e, m.classes(), out);
    }

    /**
     * The report of a classifier: loss, accuracy, per-class precision/recall/F1 and the confusion matrix; after the
     * keys of {@code head} with --json, else after the line {@code heading}.
     */
    private void classification(Json head, String heading, String set, Evaluation e, List<String> classes, PrintStream out) {
        ConfusionMatrix cm = e.confusion();
        String[] names = classes.toArray(String[]::new);
        if (json) {
            List<String> perClass = new ArrayList<>();
            for (int c = 0; c < cm.classes(); c++) {
                perClass.add(new Json().put("class", names[c]).put("precision", cm.precision(c)).put("recall", cm.recall(c)).put("f1", cm.f1(c)).put("support", cm.support(c)).toString());
            }
            List<String> rows = new ArrayList<>();
            for (long[] row : cm.counts()) {
                List<String> cells = new ArrayList<>();
                for (long v : row) cells.add(Long.toString(v));
                rows.add(Json.array(cells));
            }
            out.println(head.put("samples", e.samples()).put("loss", e.loss()).put("accuracy", e.accuracy())
                    .put("macro_precision", cm.macroPrecision()).put("macro_recall", cm.macroRecall()).put("macro_f1", cm.macroF1())
                    .putJson("per_class", Json.array(perClass)).putJson("confusion", Json.array(rows)));
            return;
        }
        out.println(heading);
        out.printf(Locale.ROOT, "loss %.4f  accuracy %.2f%%  macro F1 %.4f%n%n", e.loss(), 100 * e.accuracy(), cm.macroF1());
        out.print(cm.report(names));
        out.println();
        out.println("confusion matrix of " + set + " (rows: actual class, columns: predicted class)");
        out.print(cm.format(names));
    }

    private void table(SavedModel.Tabular m, PrintStream out) throws IOException {
        String target = m.schema().target();
        if (seqLen != null) throw new IllegalArgumentException("--seq-len applies to language models; " + modelFile + " holds a tabular model of '" + target + "'");
        if (!split.equals("test")) throw new IllegalArgumentException("--split applies to image models; a tabular model is evaluated on the table --data names");
        if (data == null) throw new IllegalArgumentException("a tabular model is evaluated on a table: give --data TABLE.csv (a header row with the columns "
                + String.join(", ", m.schema().features()) + " and " + target + ")");
        Dataset raw = m.schema().read(data);
        if (limit != null) raw = raw.head(limit);
        String count = String.format(Locale.ROOT, "%,d rows", raw.size());
        if (m.classifies()) {
            Evaluation e = Trainer.evaluate(m.net(), new CrossEntropyLoss(), new DataLoader(m.schema().apply(raw), batchSize, false, false, null));
            classification(new Json().put("model", m.name()).put("file", modelFile.toString()).put("data", data.toString()).put("target", target),
                    String.format(Locale.ROOT, "%s classification of '%s' from %s on %s: %s", m.name(), target, modelFile, data, count), "the rows", e, m.schema().classes(), out);
            return;
        }
        RegressionMetrics r = RegressionMetrics.of(m.predict(raw.features()), raw.targets());
        if (json) {
            out.println(new Json().put("model", m.name()).put("file", modelFile.toString()).put("data", data.toString()).put("target", target)
                    .put("samples", r.count()).put("mae", r.mae()).put("rmse", r.rmse()).put("r2", r.r2()));
            return;
        }
        out.printf(Locale.ROOT, "%s regression of '%s' from %s on %s: %s%n", m.name(), target, modelFile, data, count);
        out.println(r);
    }

    private void text(SavedModel.CharModel m, PrintStream out) throws IOException {
        if (!split.equals("test")) throw new IllegalArgumentException("--split applies to image models; a language model is evaluated on the text --data names");
        Path file = data != null ? data : TextTraining.defaultText();
        if (Files.isDirectory(file)) throw new IllegalArgumentException("--data " + file + " is a directory; a language model is evaluated on a UTF-8 text file");
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such text file");
        TextCorpus corpus = TextCorpus.load(file);
        String what;
        int[] own = data != null ? corpus.ids(0, corpus.length()) : corpus.validationIds(TextTraining.VALIDATION_FRACTION);
        what = data != null ? "the whole of " + file : "the held-out last tenth of " + file;
        int[] ids;
        try {
            ids = m.vocabulary().encode(corpus.vocabulary().decode(own));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage() + " of " + modelFile);
        }
        LanguageModel lm = m.model();
        int ctx = lm.contextLength();
        int seq = seqLen != null ? seqLen : ctx > 0 ? Math.min(64, ctx) : 64;
        if (ctx > 0 && seq > ctx) throw new IllegalArgumentException("--seq-len " + seq + " is longer than the context of " + ctx + " characters of " + modelFile);
        Dataset windows;
        try {
            windows = TextCorpus.windows(ids, seq);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        if (limit != null) windows = windows.head(limit);
        Evaluation e = Trainer.evaluate(lm, LanguageModel.loss(), new DataLoader(windows, batchSize, false, false, null));
        long chars = (long) windows.size() * seq;
        if (json) {
            out.println(new Json().put("model", m.name()).put("file", modelFile.toString()).put("data", file.toString())
                    .put("windows", windows.size()).put("seq_len", seq).put("characters", chars)
                    .put("loss", e.loss()).put("bits_per_char", e.loss() / LN2).put("perplexity", Math.exp(e.loss())));
            return;
        }
        out.printf(Locale.ROOT, "%s from %s on %s: %,d windows of %d characters (%,d predictions)%n", m.name(), modelFile, what, windows.size(), seq, chars);
        out.printf(Locale.ROOT, "loss %.4f  %.3f bits/char  perplexity %.2f%n", e.loss(), e.loss() / LN2, Math.exp(e.loss()));
    }
}
