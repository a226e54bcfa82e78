package dev.lamina.cli;

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
        if ((t.valSplit != null || t.valData != null) && CliModels.isLanguageModel(t.model)) {
            errors.add("--val-split and --val-data apply to the image models; " + t.model + " validates on the last tenth of its text");
        }
        fail(errors);
        warnings(t, t.spec.commandLine().getParseResult(), System.err);
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
