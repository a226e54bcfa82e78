package dev.lamina.cli;

import dev.lamina.data.FashionMnist;
import picocli.CommandLine.ParseResult;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The numeric flags of {@code lamina train}, {@code predict} and {@code evaluate} and how they combine, checked
 * before anything is loaded: an invalid value is an error naming the flag, the value and what is allowed (all of
 * them at once); a value that is valid but likely a mistake is a warning on standard error.
 */
final class FlagChecks {
    private FlagChecks() {
    }

    /**
     * Checks {@code t}'s settings (after {@code --resume} has filled them in).
     *
     * @throws IllegalArgumentException naming every invalid flag
     */
    static void check(TrainCommand t) {
        List<String> errors = new ArrayList<>();
        if (t.epochs <= 0) errors.add("--epochs must be a positive number of epochs, got " + t.epochs);
        if (t.batchSize != null && t.batchSize <= 0) errors.add("--batch-size must be positive, got " + t.batchSize);
        if (t.seqLen <= 0) errors.add("--seq-len must be positive, got " + t.seqLen);
        if (!(t.lr >= 0) || !Double.isFinite(t.lr)) errors.add("--lr must be a finite number >= 0, got " + t.lr);
        if (t.clipNorm != null && !(t.clipNorm > 0 && Double.isFinite(t.clipNorm))) errors.add("--clip-norm must be a finite number > 0, got " + t.clipNorm);
        if (t.patience != null && t.patience < 0) errors.add("--patience must be >= 0, got " + t.patience);
        if (t.limit != null && t.limit <= 0) errors.add("--limit must be positive, got " + t.limit);
        if (t.threads != null && t.threads < 1) errors.add("--threads must be >= 1, got " + t.threads);
        if (t.valSplit != null && !(t.valSplit > 0 && t.valSplit < 1)) errors.add("--val-split must be a fraction between 0 and 1 (exclusive), got " + t.valSplit);
        if (t.valSplit != null && t.valData != null) errors.add("give --val-split or --val-data, not both");
        if ((t.valSplit != null || t.valData != null) && CliModels.isLanguageModel(t.model) && t.target == null && t.modelFile == null) {
            errors.add("--val-split and --val-data apply to the image models and tables (--target); " + t.model + " validates on the last tenth of its text");
        }
        try {
            Schedules.check(t.schedule, t.warmupSteps);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        ParseResult parsed = t.spec.commandLine().getParseResult();
        if (t.modelFile != null && parsed.hasMatchedOption("--model")) {
            errors.add("give --model or --model-file, not both (--model " + t.model + ", --model-file " + t.modelFile + ")");
        }
        tables(t, parsed, errors);
        fail(errors);
        warnings(t, parsed, System.err);
    }

    /** The flags of tabular training ({@code --target}, {@code --task}) and a CSV table given without them. */
    private static void tables(TrainCommand t, ParseResult parsed, List<String> errors) {
        if (t.target == null) {
            if (t.task != null) errors.add("--task needs --target COLUMN (tabular training on a CSV table)");
            if (t.data != null && isCsv(t.data) && !CliModels.isLanguageModel(t.model)) {
                errors.add("--data " + t.data + " is a CSV table: name the column to predict with --target COLUMN; without it --model " + t.model
                        + " trains on images, and " + imageDataProblem(t.data));
            }
            return;
        }
        if (t.data == null) errors.add("--target needs --data TABLE.csv");
        if (parsed.hasMatchedOption("--model")) {
            errors.add("--target trains a table with an MLP sized from its columns, or with --model-file NET.json; --model " + t.model + " is not for tables");
        }
        if (t.valData != null && !isCsv(t.valData)) {
            errors.add("--val-data " + t.valData + ": a table is validated on a CSV table with the columns of --data (a .csv file)");
        }
    }

    private static boolean isCsv(java.nio.file.Path p) {
        return p.toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    }

    /** What the image reader says of {@code data} ({@link FashionMnist#load}'s error). */
    private static String imageDataProblem(java.nio.file.Path data) {
        try {
            FashionMnist.load(data);
            return "it is read as image data";
        } catch (java.io.IOException e) {
            return e.getMessage();
        }
    }

    /**
     * Checks {@code lamina predict}'s flags.
     *
     * @throws IllegalArgumentException naming every invalid flag
     */
    static void check(PredictCommand p) {
        List<String> errors = new ArrayList<>();
        if (p.topK < 1) errors.add("--top-k must be >= 1, got " + p.topK);
        if (p.length < 0) errors.add("--length must be >= 0, got " + p.length);
        if (!(p.temperature >= 0) || !Double.isFinite(p.temperature)) errors.add("--temperature must be a finite number >= 0, got " + p.temperature);
        fail(errors);
    }

    /**
     * Checks {@code lamina evaluate}'s flags.
     *
     * @throws IllegalArgumentException naming every invalid flag
     */
    static void check(EvaluateCommand e) {
        List<String> errors = new ArrayList<>();
        if (e.batchSize < 1) errors.add("--batch-size must be >= 1, got " + e.batchSize);
        if (e.limit != null && e.limit < 1) errors.add("--limit must be >= 1, got " + e.limit);
        if (e.seqLen != null && e.seqLen < 1) errors.add("--seq-len must be >= 1, got " + e.seqLen);
        if (!EvaluateCommand.SPLITS.contains(e.split.toLowerCase(Locale.ROOT))) errors.add("--split must be " + String.join(" or ", EvaluateCommand.SPLITS) + ", got '" + e.split + "'");
        fail(errors);
    }

    private static void fail(List<String> errors) {
        if (!errors.isEmpty()) throw new IllegalArgumentException(String.join("; ", errors));
    }

    /** Settings that work but probably do not do what was meant. */
    static void warnings(TrainCommand t, ParseResult parsed, PrintStream err) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (t.threads != null && t.threads > cores) {
            err.println("lamina: warning: --threads " + t.threads + " is more than the " + cores + " cores of this machine; the extra threads only compete for them");
        }
        if (parsed.hasMatchedOption("--seq-len") && !CliModels.isLanguageModel(t.model)) {
            err.println("lamina: warning: --seq-len is for the language models (" + String.join(", ", dev.lamina.models.LanguageModels.NAMES) + "); model " + t.model + " ignores it");
        }
    }
}
