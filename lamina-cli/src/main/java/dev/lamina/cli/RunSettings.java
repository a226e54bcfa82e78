package dev.lamina.cli;

import dev.lamina.train.Checkpoint;
import dev.lamina.models.LanguageModels;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The settings of a {@code lamina train} run as stored in its checkpoints' manifest ({@link Checkpoint#config()}),
 * and how {@code --resume} takes them back: every setting comes from the checkpoint; a flag given explicitly must
 * equal the saved value, except the documented overrides: {@code --data} (the same data, moved: the trainer checks
 * its size), {@code --checkpoint-every}, and {@code --epochs} when the learning-rate schedule is constant (the
 * schedules cosine and step are functions of the epoch count).
 */
final class RunSettings {
    private RunSettings() {
    }

    /** One flag: how to read it from the command as text, and to set it from text. */
    private record Setting(String flag, String key, Function<TrainCommand, String> get, BiConsumer<TrainCommand, String> set) {
    }

    private static final List<Setting> SETTINGS = List.of(
            new Setting("--model", "model", t -> t.model, (t, v) -> t.model = v),
            new Setting("--data", "data", t -> dataDir(t).toAbsolutePath().normalize().toString(), (t, v) -> t.data = Path.of(v)),
            new Setting("--epochs", "epochs", t -> Integer.toString(t.epochs), (t, v) -> t.epochs = Integer.parseInt(v)),
            new Setting("--batch-size", "batch_size", t -> t.batchSize == null ? "" : Integer.toString(t.batchSize),
                    (t, v) -> t.batchSize = v.isEmpty() ? null : Integer.valueOf(v)),
            new Setting("--seq-len", "seq_len", t -> Integer.toString(t.seqLen), (t, v) -> t.seqLen = Integer.parseInt(v)),
            new Setting("--lr", "lr", t -> Double.toString(t.lr), (t, v) -> t.lr = Double.parseDouble(v)),
            new Setting("--optimizer", "optimizer", t -> t.optimizer.toLowerCase(Locale.ROOT), (t, v) -> t.optimizer = v),
            new Setting("--lr-schedule", "lr_schedule", t -> t.schedule.toLowerCase(Locale.ROOT), (t, v) -> t.schedule = v),
            new Setting("--clip-norm", "clip_norm", t -> t.clipNorm == null ? "" : Double.toString(t.clipNorm),
                    (t, v) -> t.clipNorm = v.isEmpty() ? null : Double.valueOf(v)),
            new Setting("--patience", "patience", t -> t.patience == null ? "" : Integer.toString(t.patience),
                    (t, v) -> t.patience = v.isEmpty() ? null : Integer.valueOf(v)),
            new Setting("--seed", "seed", t -> Long.toString(t.seed), (t, v) -> t.seed = Long.parseLong(v)),
            new Setting("--limit", "limit", t -> t.limit == null ? "" : Integer.toString(t.limit),
                    (t, v) -> t.limit = v.isEmpty() ? null : Integer.valueOf(v)),
            new Setting("--val-split", "val_split", t -> t.valSplit == null ? "" : Double.toString(t.valSplit),
                    (t, v) -> t.valSplit = v.isEmpty() ? null : Double.valueOf(v)),
            new Setting("--val-data", "val_data", t -> t.valData == null ? "" : t.valData.toAbsolutePath().normalize().toString(),
                    (t, v) -> t.valData = v.isEmpty() ? null : Path.of(v)),
            new Setting("--model-file", "model_file", t -> t.modelFile == null ? "" : t.modelFile.toAbsolutePath().normalize().toString(),
                    (t, v) -> t.modelFile = v.isEmpty() ? null : Path.of(v)),
            new Setting("--target", "target", t -> t.target == null ? "" : t.target, (t, v) -> t.target = v.isEmpty() ? null : v),
            new Setting("--task", "task", t -> t.task == null ? "" : t.task.toLowerCase(Locale.ROOT), (t, v) -> t.task = v.isEmpty() ? null : v),
            new Setting("--warmup-steps", "warmup_steps", t -> t.warmupSteps == null ? "" : Integer.toString(t.warmupSteps),
                    (t, v) -> t.warmupSteps = v.isEmpty() ? null : Integer.valueOf(v)),
            new Setting("--checkpoint-every", "checkpoint_every", t -> t.checkpointEvery == null ? "" : Integer.toString(t.checkpointEvery),
                    (t, v) -> t.checkpointEvery = v.isEmpty() ? null : Integer.valueOf(v)));

    /** Settings that checkpoints written before they existed lack; such a run had them off (the flag not given). */
    private static final List<String> ADDED_LATER = List.of("val_split", "val_data", "model_file", "target", "task", "warmup_steps");

    static Path dataDir(TrainCommand t) {
        return t.data != null ? t.data : LanguageModels.NAMES.contains(t.model) ? TextTraining.defaultText() : TrainCommand.defaultData();
    }

    /** The command's settings, as text, for the manifest. */
    static Map<String, String> of(TrainCommand t) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("command", "lamina train");
        for (Setting s : SETTINGS) m.put(s.key(), s.get().apply(t));
        return m;
    }

    /**
     * Loads the checkpoint {@code --resume} names and puts its settings into {@code t}, after checking that the
     * flags given explicitly agree with them; {@code t.resumedFrom} becomes the checkpoint directory loaded.
     *
     * @throws IllegalArgumentException listing every conflicting flag
     */
    static Checkpoint resume(TrainCommand t, ParseResult parsed) throws IOException {
        Path located = Checkpoint.locate(t.resume);
        Checkpoint c = Checkpoint.load(located);   // the directory located, not latest read again: it may have moved on
        t.resumedFrom = located;
        Map<String, String> saved = new LinkedHashMap<>(c.config());
        if (!"lamina train".equals(saved.get("command"))) {
            throw new IllegalArgumentException("--resume " + t.resume + ": not a checkpoint of 'lamina train' (its settings name no command)");
        }
        for (String key : ADDED_LATER) saved.putIfAbsent(key, "");
        for (Setting s : SETTINGS) {
            if (!saved.containsKey(s.key())) throw new IllegalArgumentException("--resume " + t.resume + ": the checkpoint's settings lack '" + s.key() + "'");
        }
        boolean constantSchedule = saved.get("lr_schedule").equals("constant");
        List<String> conflicts = new ArrayList<>();
        for (Setting s : SETTINGS) {
            String was = saved.get(s.key());
            if (parsed.hasMatchedOption(s.flag())) {
                String now = s.get().apply(t);
                boolean overridable = s.flag().equals("--data") || s.flag().equals("--checkpoint-every")
                        || (s.flag().equals("--epochs") && constantSchedule);
                if (!now.equals(was) && !overridable) {
                    conflicts.add(s.flag() + " " + (now.isEmpty() ? "(none)" : now) + " (the checkpoint's run has " + (was.isEmpty() ? "none" : was) + ")");
                }
                if (overridable) continue;
            }
            try {
                s.set().accept(t, was);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--resume " + t.resume + ": the checkpoint's setting " + s.key() + " = '" + was + "' is invalid", e);
            }
        }
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException("--resume continues a run with its saved settings; these flags would change it: " + String.join(", ", conflicts)
                    + ". Leave them out (--data, --checkpoint-every, and --epochs with a constant learning rate may differ).");
        }
        return c;
    }

    /** Where a resumed run keeps saving: the directory holding {@code latest} (the parent of a checkpoint given directly). */
    static Path checkpointRoot(Path resume) {
        return Files.exists(resume.resolve(Checkpoint.MANIFEST)) ? resume.toAbsolutePath().getParent() : resume;
    }
}
