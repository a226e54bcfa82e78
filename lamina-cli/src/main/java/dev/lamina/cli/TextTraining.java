package dev.lamina.cli;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.TextCorpus;
import dev.lamina.train.Checkpoint;
import dev.lamina.models.LanguageModel;
import dev.lamina.models.LanguageModels;
import dev.lamina.models.TextGenerator;
import dev.lamina.optim.Adam;
import dev.lamina.optim.AdamW;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.RMSprop;
import dev.lamina.optim.SGD;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.train.Callback;
import dev.lamina.train.EarlyStopping;
import dev.lamina.train.EpochResult;
import dev.lamina.train.History;
import dev.lamina.train.NonFiniteLossException;
import dev.lamina.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code lamina train --model lstm|transformer}: a character-level language model on a text file (the bundled KJV
 * subset by default); loss and bits per character per epoch on the training text and on its last tenth held out,
 * then a sample of generated text.
 */
final class TextTraining {
    static final double VALIDATION_FRACTION = 0.1;
    private static final double LN2 = Math.log(2);

    private final TrainCommand cmd;

    TextTraining(TrainCommand cmd) {
        this.cmd = cmd;
    }

    int run(Checkpoint checkpoint, Path saveTo) throws IOException {
        PrintStream out = System.out;
        PrintStream human = cmd.json ? System.err : System.out;
        Path file = cmd.data != null ? cmd.data : defaultText();
        TextCorpus corpus = TextCorpus.load(file);
        int seq = cmd.seqLen;
        int batch = cmd.batchSize != null ? cmd.batchSize : 32;
        Dataset train = TextCorpus.windows(corpus.trainIds(VALIDATION_FRACTION), seq);
        Dataset valid = TextCorpus.windows(corpus.validationIds(VALIDATION_FRACTION), seq);
        if (cmd.limit != null) train = train.head(cmd.limit);
        Rng rng = new Rng(cmd.seed);
        LanguageModel model = LanguageModels.create(cmd.model, corpus.vocabulary().size(), seq, rng);
        Optimizer opt = cmd.optimizer(model.parameters());
        human.printf(Locale.ROOT, "model %s (%,d parameters), text %s: %,d characters, vocabulary %d; %,d training windows of %d, %,d validation windows%n",
                cmd.model, model.parameterCount(), file, corpus.length(), corpus.vocabulary().size(), train.size(), seq, valid.size());
        Trainer trainer = new Trainer(model, LanguageModel.loss(), opt).evalBatchSize(batch).verbose(false);
        int epochs = cmd.epochs;
        if (!cmd.noProgress && Progress.interactive()) trainer.callback(new Progress(epochs));
        List<EpochResult> results = new ArrayList<>();
        trainer.callback(new Callback() {
            @Override
            public void onEpochEnd(EpochResult r) {
                results.add(r);
                if (cmd.json) {
                    out.println(jsonLine(r, epochs, seq));
                    out.flush();
                } else {
                    human.println(summaryLine(r, epochs, seq));
                }
            }
        });
        trainer.clipGradNorm(cmd.clipNorm != null ? cmd.clipNorm : 1.0);
        if (cmd.patience != null) trainer.earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, cmd.patience).restoreBestWeights(true));
        DataLoader loader = new DataLoader(train, batch, true, false, rng.split()).prefetch(2);
        Scheduler schedule = cmd.scheduler(opt, loader.batches());
        if (schedule != null) trainer.scheduler(schedule);
        cmd.checkpointing(trainer, rng, checkpoint, saveTo, results, human);
        cmd.recordRun(trainer, cmd.model, train, null, human);
        History history;
        try {
            history = trainer.fit(loader, valid, epochs);
        } catch (NonFiniteLossException e) {
            writePlot(results, file, human);
            throw e;
        }
        if (history.restoredBest() && history.modelEpoch() != history.last().epoch()) {
            EpochResult kept = history.result();
            human.printf(Locale.ROOT, "%s: keeping the best epoch, %d (validation loss %.4f, %.3f bits/char; its weights restored)%n",
                    history.stoppedEarly() ? "early stopping after epoch " + history.last().epoch() : "after epoch " + history.last().epoch(),
                    kept.epoch(), kept.valLoss(), kept.valLoss() / LN2);
        }
        writePlot(results, file, human);
        if (cmd.save != null) {
            LanguageModels.save(model, cmd.model, corpus.vocabulary(), cmd.save);
            human.printf(Locale.ROOT, "wrote %s (the weights of epoch %d)%n", cmd.save, history.modelEpoch());
        }
        String prompt = corpus.vocabulary().decode(corpus.ids(0, Math.min(16, corpus.length())));
        int[] sample = new TextGenerator(model, 0.8, 0, new Rng(cmd.seed)).generate(corpus.vocabulary().encode(prompt), 300, null);
        human.println();
        human.println("sample (temperature 0.8):");
        human.println(prompt + corpus.vocabulary().decode(sample));
        return 0;
    }

    /** The loss and bits-per-character curves, when --plot asks for them and an epoch is done. */
    private void writePlot(List<EpochResult> results, Path text, PrintStream human) throws IOException {
        if (cmd.plot == null || results.isEmpty()) return;
        Charts.writeTextCurves(results, cmd.model + " on " + text.getFileName(), cmd.plot);
        human.println("wrote " + cmd.plot);
    }

    static String summaryLine(EpochResult r, int epochs, int seq) {
        return String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f (%.3f bits/char)  validation loss %.4f (%.3f bits/char)  %.1f s  %,.0f chars/s",
                r.epoch(), epochs, r.trainLoss(), r.trainLoss() / LN2, r.valLoss(), r.valLoss() / LN2, r.epochSeconds(), r.samplesPerSecond() * seq);
    }

    static String jsonLine(EpochResult r, int epochs, int seq) {
        return new Json()
                .put("epoch", r.epoch())
                .put("epochs", epochs)
                .put("train_loss", r.trainLoss())
                .put("train_bits_per_char", r.trainLoss() / LN2)
                .put("validation_loss", r.valLoss())
                .put("validation_bits_per_char", r.valLoss() / LN2)
                .put("lr", r.lr())
                .put("epoch_seconds", r.epochSeconds())
                .put("eval_seconds", r.evalSeconds())
                .put("samples_per_second", r.samplesPerSecond())
                .put("chars_per_second", r.samplesPerSecond() * seq)
                .toString();
    }

    /** The bundled text: {@code $LAMINA_HOME/data/kjv-subset/kjv-subset.txt}. */
    static Path defaultText() {
        String home = System.getProperty("lamina.home", System.getenv().getOrDefault("LAMINA_HOME", "."));
        return Path.of(home, "data", "kjv-subset", "kjv-subset.txt");
    }
}
