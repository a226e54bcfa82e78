package dev.lamina.train;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.loss.Loss;
import dev.lamina.nn.Module;
import dev.lamina.optim.GradClip;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.OptimizerState;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The training loop: epochs of mini-batch steps in training mode, then an evaluation of the validation set in
 * evaluation mode without a tape; metrics, learning-rate schedules, gradient clipping, early stopping and
 * callbacks.
 *
 * <pre>{@code
 * Trainer trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.parameters(), 1e-3))
 *         .scheduler(new Scheduler(optimizer, LrSchedule.cosine(epochs, 0)))
 *         .clipGradNorm(1.0)
 *         .earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, 3).restoreBestWeights(true))
 *         .callback(myLogger);
 * History history = trainer.fit(new DataLoader(train, 64, true, false, rng).prefetch(2), validation, 20);
 * }</pre>
 *
 * <p>Classification is recognised by shape: model outputs [N, C] and targets [N] of class indices give accuracy
 * and a C-class confusion matrix; for other tasks those are NaN and null. Losses are assumed to average over the
 * batch (the default reduction); epoch losses are batch losses weighted by batch size.
 *
 * <p>Reproducibility: the Trainer draws no random numbers and its arithmetic does not depend on timing, so with
 * the same seeds (model initialisation, loader shuffling, dropout) and thread count a run reproduces its losses,
 * accuracies and weights bit for bit.
 *
 * <p>Checkpoints ({@link #checkpoints}): every N steps and/or after every epoch the trainer saves a
 * {@link Checkpoint} (model, optimizer, scheduler, early stopping, every random generator, the metrics so far and
 * the position in the epoch) atomically into a directory. {@link #resume} loads one, and the next {@code fit}
 * continues from there, mid-epoch included: the loader's generator is put back where it was when the epoch began,
 * the epoch's permutation drawn again and the batches already done skipped. The continued run computes exactly
 * the losses and weights of an uninterrupted one.
 *
 * <p>After {@code fit} the model is in evaluation mode, ready for predictions.
 *
 * <p>A NaN or infinite loss or gradient stops training with a {@link NonFiniteLossException} naming the epoch and
 * batch, before the optimizer applies that step: the model keeps the weights of the last good step.
 */
public final class Trainer {
    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private Scheduler scheduler;
    private double clipNorm;
    private EarlyStopping earlyStopping;
    private final List<Callback> callbacks = new ArrayList<>();
    private int evalBatchSize = 1000;
    private Path checkpointDir;
    private int checkpointEverySteps;
    private boolean checkpointEveryEpoch;
    private int checkpointKeep = Checkpoint.DEFAULT_KEEP;
    private final Map<String, String> checkpointConfig = new LinkedHashMap<>();
    private final Map<String, Rng> trackedRngs = new LinkedHashMap<>();
    private Checkpoint pendingResume;
    private Path lastCheckpoint;
    private java.io.PrintStream log = System.out;

    /**
     * @throws IllegalArgumentException if the optimizer updates a tensor that is not a parameter of {@code model}
     *                                  (an optimizer built over another model's parameters would train nothing)
     */
    public Trainer(Module model, Loss loss, Optimizer optimizer) {
        this.model = java.util.Objects.requireNonNull(model, "Trainer: model");
        this.loss = java.util.Objects.requireNonNull(loss, "Trainer: loss");
        this.optimizer = java.util.Objects.requireNonNull(optimizer, "Trainer: optimizer");
        Map<Tensor, Boolean> own = new IdentityHashMap<>();
        for (Tensor t : model.parameters()) own.put(t, Boolean.TRUE);
        List<Tensor> ps = optimizer.params();
        int foreign = 0, first = -1;
        for (int i = 0; i < ps.size(); i++) {
            if (!own.containsKey(ps.get(i))) {
                if (first < 0) first = i;
                foreign++;
            }
        }
        if (foreign > 0) {
            throw new IllegalArgumentException("Trainer: " + foreign + " of the optimizer's " + ps.size() + " parameters (the first is parameter " + first + ", shape "
                    + dev.lamina.tensor.Shape.str(ps.get(first).shape()) + ") are not parameters of the model " + model.getClass().getSimpleName()
                    + "; build the optimizer over model.parameters()");
        }
    }

    /**
     * A learning-rate schedule on this trainer's optimizer, stepped once after every epoch, or after every optimizer
     * step when it was made with {@link Scheduler#perStep}.
     *
     * @throws IllegalArgumentException if the scheduler drives another optimizer than this trainer's
     */
    public Trainer scheduler(Scheduler scheduler) {
        if (scheduler != null && scheduler.optimizer() != optimizer) {
            throw new IllegalArgumentException("Trainer: the scheduler is bound to another optimizer (" + scheduler.optimizer() + ") than this trainer's ("
                    + optimizer + "); build it with new Scheduler(trainer's optimizer, schedule)");
        }
        this.scheduler = scheduler;
        return this;
    }

    /** Scales gradients so their global L2 norm is at most {@code maxNorm} before each step; 0 switches it off. */
    public Trainer clipGradNorm(double maxNorm) {
        if (maxNorm < 0 || Double.isNaN(maxNorm)) throw new IllegalArgumentException("Trainer: clip norm must be >= 0, got " + maxNorm);
        this.clipNorm = maxNorm;
        return this;
    }

    /**
     * Whether {@code fit} prints a line per epoch ({@link EpochLog}: epoch, time, loss, accuracy, validation loss and
     * accuracy, learning rate) on standard output; on by default. Programs that print their own progress switch it off.
     */
    public Trainer verbose(boolean on) {
        this.log = on ? System.out : null;
        return this;
    }

    /** Prints the per-epoch lines on {@code out} instead of standard output (null: print nothing). */
    public Trainer log(java.io.PrintStream out) {
        this.log = out;
        return this;
    }

    public Trainer earlyStopping(EarlyStopping earlyStopping) {
        this.earlyStopping = earlyStopping;
        return this;
    }

    public Trainer callback(Callback callback) {
        callbacks.add(callback);
        return this;
    }

    /** Batch size of evaluation passes (default 1000); only memory and speed depend on it. */
    public Trainer evalBatchSize(int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("Trainer: eval batch size must be positive, got " + batchSize);
        this.evalBatchSize = batchSize;
        return this;
    }

    /**
     * Saves a {@link Checkpoint} into {@code dir} after every {@code everySteps}-th optimizer step of the run (0:
     * not by steps) and, with {@code everyEpoch}, after every epoch (after its validation, scheduler step and
     * early-stopping check). A step count that falls on an epoch's last batch saves after that epoch's end instead.
     * Older checkpoints beyond {@link #checkpointKeep} are deleted. A failure to save stops training with an
     * {@link UncheckedIOException}.
     */
    public Trainer checkpoints(Path dir, int everySteps, boolean everyEpoch) {
        if (everySteps < 0) throw new IllegalArgumentException("Trainer: checkpoint interval must be >= 0 steps, got " + everySteps);
        if (dir != null && everySteps == 0 && !everyEpoch) throw new IllegalArgumentException("Trainer: checkpoints need a step interval or every epoch");
        this.checkpointDir = dir;
        this.checkpointEverySteps = everySteps;
        this.checkpointEveryEpoch = everyEpoch;
        return this;
    }

    /** How many checkpoints to keep (default {@value Checkpoint#DEFAULT_KEEP}: the newest and the one before; 0 keeps all). */
    public Trainer checkpointKeep(int keep) {
        if (keep < 0) throw new IllegalArgumentException("Trainer: checkpoints to keep must be >= 0, got " + keep);
        this.checkpointKeep = keep;
        return this;
    }

    /** Settings stored in every checkpoint's manifest ({@link Checkpoint#config()}), e.g. what rebuilds the model. */
    public Trainer checkpointConfig(Map<String, String> config) {
        checkpointConfig.clear();
        checkpointConfig.putAll(config);
        return this;
    }

    /**
     * A random generator the run draws from that is neither the library's global one, one registered by a layer
     * ({@link Module#namedRngs()}) nor the training loader's: checkpoints save its state under {@code name} and
     * {@link #resume} puts it back.
     */
    public Trainer trackRng(String name, Rng rng) {
        trackedRngs.put(name, java.util.Objects.requireNonNull(rng, "rng"));
        return this;
    }

    /** The directory of the last checkpoint this trainer saved, or null. */
    public Path lastCheckpoint() {
        return lastCheckpoint;
    }

    /**
     * Loads {@code checkpoint} into the model and optimizer now (strictly: every name and shape must match; on a
     * mismatch nothing changes) and the scheduler, and makes the next {@link #fit} continue the saved run: its
     * history, early-stopping state, random generators and position (mid-epoch included). The trainer must be
     * configured as the saved run was (same kind of optimizer, a scheduler and early stopping if and only if it had
     * them, the same layers with generators), and {@code fit} must get a training loader of the same size and batch
     * size, shuffled by a generator if the saved run's was.
     *
     * @throws IllegalArgumentException naming every mismatch found
     */
    public Trainer resume(Checkpoint checkpoint) {
        List<String> problems = new ArrayList<>();
        List<String> names = optimizerParameterNames();
        if (!names.equals(checkpoint.optimizerParameters())) {
            problems.add("the optimizer's parameters are " + names + ", the checkpoint's " + checkpoint.optimizerParameters());
        }
        if ((scheduler == null) != (checkpoint.scheduler() == null)) {
            problems.add(scheduler == null ? "the checkpoint has a learning-rate scheduler, this trainer none" : "this trainer has a learning-rate scheduler, the checkpoint none");
        }
        if ((earlyStopping == null) != (checkpoint.earlyStopping() == null)) {
            problems.add(earlyStopping == null ? "the checkpoint has early stopping, this trainer none" : "this trainer has early stopping, the checkpoint none");
        }
        TreeSet<String> expected = new TreeSet<>(), saved = new TreeSet<>();
        model.namedRngs().keySet().forEach(k -> expected.add("model/" + k));
        trackedRngs.keySet().forEach(k -> expected.add("user/" + k));
        checkpoint.rngs().keySet().forEach(k -> {
            if (k.startsWith("model/") || k.startsWith("user/")) saved.add(k);
        });
        if (!expected.equals(saved)) problems.add("random generators " + expected + ", the checkpoint has " + saved);
        if (!checkpoint.rngs().containsKey("global")) problems.add("the checkpoint lacks the global random generator");
        if (scheduler != null && checkpoint.scheduler() != null) {
            Checkpoint.Progress p = checkpoint.progress();
            int at = checkpoint.scheduler().epoch();
            long expectedAt = scheduler.isPerStep() ? p.globalStep() : p.epoch() - 1;
            if (at != expectedAt) {
                problems.add("the checkpoint's scheduler is at position " + at + " after " + p.globalStep() + " steps and " + (p.epoch() - 1)
                        + " whole epochs: it was stepped " + (scheduler.isPerStep() ? "per epoch, this trainer's per step" : "per step, this trainer's per epoch"));
            }
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException("Trainer.resume: the checkpoint does not fit this trainer: " + String.join("; ", problems));

        Map<String, Tensor> before = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> before.put(k, Tensor.of(t.toArray(), t.shape())));
        OptimizerState optimizerBefore = optimizer.stateDict();
        try {
            model.loadStateDict(checkpoint.model(), true);
            optimizer.loadStateDict(checkpoint.optimizer());
            if (scheduler != null) scheduler.loadStateDict(checkpoint.scheduler());
        } catch (IllegalArgumentException e) {
            model.loadStateDict(before, true);
            optimizer.loadStateDict(optimizerBefore);
            throw new IllegalArgumentException("Trainer.resume: the checkpoint does not fit this trainer: " + e.getMessage(), e);
        }
        pendingResume = checkpoint;
        return this;
    }

    /** Model names of the optimizer's parameters, in its order. */
    private List<String> optimizerParameterNames() {
        Map<Tensor, String> byTensor = new IdentityHashMap<>();
        model.namedParameters().forEach((k, t) -> byTensor.put(t, k));
        List<String> names = new ArrayList<>();
        List<Tensor> ps = optimizer.params();
        for (int i = 0; i < ps.size(); i++) {
            String n = byTensor.get(ps.get(i));
            if (n == null) throw new IllegalStateException("Trainer: optimizer parameter " + i + " is not a parameter of the model; checkpoints name optimizer state by model parameter");
            names.add(n);
        }
        return names;
    }

    public Module model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Trains for {@code epochs} epochs without a validation set. */
    public History fit(DataLoader train, int epochs) {
        return fitWithValidationLoader(train, null, epochs);
    }

    /** Trains for {@code epochs} epochs (fewer if early stopping says so); {@code validation} may be null. */
    public History fit(DataLoader train, Dataset validation, int epochs) {
        return fitWithValidationLoader(train, validation == null ? null : new DataLoader(validation, evalBatchSize, false, false, null), epochs);
    }

    /**
     * As {@link #fit(DataLoader, Dataset, int)} with a validation loader (for instance one with the same transform);
     * {@code validation} may be null. (A separate name, so that {@code fit(loader, null, epochs)} is not ambiguous.)
     */
    public History fitWithValidationLoader(DataLoader train, DataLoader validation, int epochs) {
        if (epochs <= 0) throw new IllegalArgumentException("Trainer: epochs must be positive, got " + epochs);
        if (train.batches() == 0) throw new IllegalArgumentException("Trainer: the training loader yields no batches (" + train.dataset().size() + " examples, batch size " + train.batchSize() + ", last short batch dropped)");
        if (earlyStopping != null) {
            if (earlyStopping.monitor().needsValidation() && validation == null) {
                throw new IllegalArgumentException("Trainer: early stopping on " + earlyStopping.monitor() + " needs a validation set");
            }
        }
        Checkpoint resume = pendingResume;
        pendingResume = null;
        return new Run(train, validation, epochs, resume).fit();
    }

    /**
     * One call of {@link #fitWithValidationLoader}: where it starts (fresh or from a checkpoint), its epochs, each
     * step with the non-finite guard, and when it saves checkpoints. Everything that changes while it trains lives
     * here, so that the steps read in order: {@link #start}, {@link #epoch}, {@link #step}, {@link #checkpointMidEpoch},
     * {@link #checkpointAfterEpoch}.
     */
    private final class Run {
        final DataLoader train;
        final DataLoader validation;
        final int epochs;
        final Checkpoint resume;
        final List<Callback> active = new ArrayList<>(callbacks);
        final Rng loaderRng;
        final List<Map.Entry<String, Tensor>> params = new ArrayList<>(model.namedParameters().entrySet());
        final List<Tensor> paramList = params.stream().map(Map.Entry::getValue).toList();
        final List<String> optimizerNames = checkpointDir != null ? optimizerParameterNames() : null;
        final History history = new History();
        long globalStep;
        /** Set by {@link #start} when the run resumes inside an epoch; consumed by the first {@link #epoch}. */
        DataLoader.BatchIterator resumedIterator;
        Rng.State resumedEpochStart;
        int startBatch;

        Run(DataLoader train, DataLoader validation, int epochs, Checkpoint resume) {
            this.train = train;
            this.validation = validation;
            this.epochs = epochs;
            this.resume = resume;
            if (log != null) active.add(new EpochLog(log));
            this.loaderRng = train.shuffles() ? train.rng() : null;
            if (resume != null) checkResumable(resume, train, loaderRng, epochs);
        }

        History fit() {
            int startEpoch = start();
            for (Callback c : active) c.onTrainBegin(epochs, train.batches(), train.samplesPerEpoch());
            try {
                for (int epoch = startEpoch; epoch <= epochs; epoch++) {
                    if (epoch(epoch)) break;
                }
                if (history.stopReason() == History.Stop.RUNNING) history.stop(History.Stop.COMPLETED);
                if (earlyStopping != null && earlyStopping.restore(model)) history.restoredEpoch(earlyStopping.bestEpoch());
                return history;
            } catch (NonFiniteLossException e) {
                history.stop(History.Stop.NON_FINITE_LOSS);
                throw e;
            } catch (RuntimeException | Error e) {
                history.stop(History.Stop.FAILED);
                throw e;
            } finally {
                if (resumedIterator != null) resumedIterator.close();
                model.eval();
                for (Callback c : active) c.onTrainEnd(history);
            }
        }

        /** A fresh start, or the saved run's history, counters, early-stopping and generator states; returns the first epoch. */
        int start() {
            if (resume == null) {
                if (earlyStopping != null) earlyStopping.reset();
                return 1;
            }
            Checkpoint.Progress p = resume.progress();
            for (EpochResult r : resume.history()) history.add(r);
            history.bestEpoch(resume.bestEpoch());
            if (earlyStopping != null) earlyStopping.loadState(resume.earlyStopping());
            globalStep = p.globalStep();
            int startEpoch = p.epoch();
            startBatch = p.batch();
            if (p.stop().equals(History.Stop.EARLY_STOPPING.name())) {
                history.stop(History.Stop.EARLY_STOPPING);
                startEpoch = Integer.MAX_VALUE;
            } else if (startBatch > 0 && startEpoch <= epochs) {
                // draw the interrupted epoch's permutation again, from the generator as it was when the epoch began
                if (loaderRng != null) {
                    resumedEpochStart = resume.rngs().get("loader_epoch_start");
                    loaderRng.setState(resumedEpochStart);
                }
                resumedIterator = train.iterator(startBatch);
            }
            restoreRngs(resume, loaderRng);
            return startEpoch;
        }

        /** The running sums of one epoch (restored from the checkpoint when it resumes inside the epoch). */
        final class EpochSums {
            double lossSum;
            long seen, correct;
            boolean classification = true;
        }

        /** Trains one epoch, validates, steps the scheduler, asks early stopping; true when training should stop. */
        boolean epoch(int epoch) {
            for (Callback c : active) c.onEpochBegin(epoch);
            model.train();
            boolean midEpoch = resumedIterator != null;
            Checkpoint.Progress saved = midEpoch ? resume.progress() : null;
            double lr = midEpoch ? saved.epochLr() : optimizer.lr();
            double priorSeconds = midEpoch ? saved.epochSeconds() : 0;
            long start = System.nanoTime();
            EpochSums sums = new EpochSums();
            if (midEpoch) {
                sums.lossSum = saved.lossSum();
                sums.seen = saved.seen();
                sums.correct = saved.correct();
                sums.classification = saved.classification();
            }
            int batches = train.batches(), batchNo = midEpoch ? startBatch : 0;
            Rng.State epochStart = midEpoch ? resumedEpochStart : loaderRng != null ? loaderRng.state() : null;
            DataLoader.BatchIterator iterator = midEpoch ? resumedIterator : train.iterator();
            resumedIterator = null;
            try (DataLoader.BatchIterator it = iterator) {
                while (it.hasNext()) {
                    Dataset batch = it.next();
                    batchNo++;
                    float value = step(batch, epoch, batchNo, batches, sums);
                    if (!active.isEmpty()) {
                        BatchResult br = new BatchResult(epoch, batchNo, batches, batch.size(), value, sums.lossSum / sums.seen);
                        for (Callback c : active) c.onBatchEnd(br);
                    }
                    checkpointMidEpoch(epoch, batchNo, batches, sums, lr, priorSeconds + (System.nanoTime() - start) / 1e9, epochStart);
                }
            }
            double trainSeconds = priorSeconds + (System.nanoTime() - start) / 1e9;
            long evalStart = System.nanoTime();
            Evaluation val = validation == null ? null : evaluate(validation);
            double evalSeconds = validation == null ? 0 : (System.nanoTime() - evalStart) / 1e9;
            EpochResult r = new EpochResult(epoch, sums.lossSum / sums.seen, sums.classification ? (double) sums.correct / sums.seen : Double.NaN,
                    val, lr, trainSeconds, evalSeconds, sums.seen);
            history.add(r);
            for (Callback c : active) c.onEpochEnd(r);
            if (scheduler != null && !scheduler.isPerStep()) scheduler.step();
            boolean stop = false;
            if (earlyStopping != null) {
                stop = earlyStopping.update(r, model);
                history.bestEpoch(earlyStopping.bestEpoch());
                if (stop) history.stop(History.Stop.EARLY_STOPPING);
            }
            checkpointAfterEpoch(epoch, batches, stop);
            return stop;
        }

        /**
         * One optimizer step on {@code batch}, guarded: a non-finite output, loss or gradient stops training with
         * a {@link NonFiniteLossException} before the optimizer changes anything. Adds the batch to {@code sums};
         * returns its loss.
         */
        float step(Dataset batch, int epoch, int batchNo, int batches, EpochSums sums) {
            model.zeroGrad();
            optimizer.zeroGrad();
            Tensor out = model.forward(batch.features());
            if (out.hasNonFinite()) {
                String param = firstNonFiniteParameter(params);
                String why = param != null ? "because parameter " + param + " does: an earlier step diverged"
                        : batch.features().hasNonFinite() ? "because the input batch does"
                        : "from finite input and parameters: the weights grew too large (training diverged)";
                throw nonFinite("the model's output holds NaN or infinite values " + why, epoch, batchNo, batches, history);
            }
            Tensor l = loss.forward(out, batch.targets());
            float value = l.item();
            if (!Float.isFinite(value)) {
                throw nonFinite("the loss is " + value, epoch, batchNo, batches, history);
            }
            l.backward();
            String bad = clipNorm > 0 ? clipAndCheck(paramList) : firstNonFinite(params);
            if (bad != null) throw nonFinite(bad, epoch, batchNo, batches, history);
            optimizer.step();
            if (scheduler != null && scheduler.isPerStep()) scheduler.step();
            globalStep++;
            int n = batch.size();
            sums.lossSum += (double) value * n;
            sums.seen += n;
            if (sums.classification && isClassification(out, batch.targets())) {
                sums.correct += countCorrect(out, batch.targets());
            } else {
                sums.classification = false;
            }
            return value;
        }

        /** Every {@code checkpointEverySteps} steps inside an epoch (the epoch's last step is saved by {@link #checkpointAfterEpoch}). */
        void checkpointMidEpoch(int epoch, int batchNo, int batches, EpochSums sums, double lr, double seconds, Rng.State epochStart) {
            if (checkpointDir == null || checkpointEverySteps <= 0 || globalStep % checkpointEverySteps != 0 || batchNo >= batches) return;
            saveCheckpoint(new Checkpoint.Progress(epochs, epoch, batchNo, batches, train.batchSize(), train.samplesPerEpoch(),
                    globalStep, History.Stop.RUNNING.name(), sums.lossSum, sums.seen, sums.correct, sums.classification, lr, seconds),
                    optimizerNames, loaderRng, epochStart, history);
        }

        /** After each epoch when asked to, or when the epoch's last step falls on the step interval. */
        void checkpointAfterEpoch(int epoch, int batches, boolean stop) {
            if (checkpointDir == null || !(checkpointEveryEpoch || (checkpointEverySteps > 0 && globalStep % checkpointEverySteps == 0))) return;
            String state = stop ? History.Stop.EARLY_STOPPING.name() : epoch == epochs ? History.Stop.COMPLETED.name() : History.Stop.RUNNING.name();
            saveCheckpoint(new Checkpoint.Progress(epochs, epoch + 1, 0, batches, train.batchSize(), train.samplesPerEpoch(),
                    globalStep, state, 0, 0, 0, true, optimizer.lr(), 0), optimizerNames, loaderRng, loaderRng != null ? loaderRng.state() : null, history);
        }
    }

    /** Checks that {@code fit}'s arguments continue the saved run. */
    private void checkResumable(Checkpoint resume, DataLoader train, Rng loaderRng, int epochs) {
        Checkpoint.Progress p = resume.progress();
        List<String> problems = new ArrayList<>();
        if (p.batchSize() != train.batchSize()) problems.add("batch size " + train.batchSize() + ", the checkpoint's " + p.batchSize());
        if (p.batchesPerEpoch() != train.batches() || p.samplesPerEpoch() != train.samplesPerEpoch()) {
            problems.add("the loader has " + train.batches() + " batches and " + train.samplesPerEpoch() + " examples per epoch, the checkpoint's run "
                    + p.batchesPerEpoch() + " and " + p.samplesPerEpoch());
        }
        if (epochs < p.epoch() - 1) problems.add("asked for " + epochs + " epochs but the checkpoint has completed " + (p.epoch() - 1));
        else if (p.batch() > 0 && epochs < p.epoch()) problems.add("asked for " + epochs + " epochs but the checkpoint is in the middle of epoch " + p.epoch());
        boolean savedShuffled = resume.rngs().containsKey("loader");
        if ((loaderRng != null) != savedShuffled) {
            problems.add(loaderRng != null ? "the loader shuffles, the checkpoint's run did not" : "the checkpoint's run shuffled its loader, this loader does not");
        } else if (savedShuffled && !resume.rngs().containsKey("loader_epoch_start")) {
            problems.add("the checkpoint lacks the loader's generator state at the start of the epoch");
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException("Trainer.fit: cannot resume the checkpoint: " + String.join("; ", problems));
    }

    /** Puts every generator of the run where the checkpoint found it. */
    private void restoreRngs(Checkpoint c, Rng loaderRng) {
        Map<String, Rng.State> s = c.rngs();
        Rng.global().setState(s.get("global"));
        model.namedRngs().forEach((k, r) -> r.setState(s.get("model/" + k)));
        trackedRngs.forEach((k, r) -> r.setState(s.get("user/" + k)));
        if (loaderRng != null) loaderRng.setState(s.get("loader"));
    }

    private void saveCheckpoint(Checkpoint.Progress progress, List<String> optimizerNames, Rng loaderRng, Rng.State loaderEpochStart, History history) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> weights.put(k, Tensor.of(t.toArray(), t.shape())));
        Map<String, Rng.State> rngs = new LinkedHashMap<>();
        rngs.put("global", Rng.global().state());
        if (loaderRng != null) {
            rngs.put("loader", loaderRng.state());
            rngs.put("loader_epoch_start", loaderEpochStart);
        }
        model.namedRngs().forEach((k, r) -> rngs.put("model/" + k, r.state()));
        trackedRngs.forEach((k, r) -> rngs.put("user/" + k, r.state()));
        Checkpoint c = new Checkpoint(weights, optimizerNames, optimizer.stateDict(), scheduler == null ? null : scheduler.stateDict(),
                earlyStopping == null ? null : earlyStopping.state(), rngs, progress, history.epochs(), history.bestEpoch(), checkpointConfig);
        try {
            lastCheckpoint = c.save(checkpointDir, checkpointKeep);
        } catch (IOException e) {
            throw new UncheckedIOException("Trainer: saving a checkpoint into " + checkpointDir + " failed: " + e.getMessage(), e);
        }
        for (Callback cb : callbacks) cb.onCheckpoint(lastCheckpoint);
    }

    private NonFiniteLossException nonFinite(String what, int epoch, int batch, int batches, History history) {
        model.zeroGrad();
        optimizer.zeroGrad();
        String message = String.format(Locale.ROOT,
                "training stopped in epoch %d, batch %d of %d: %s; the optimizer did not apply this batch's step (try a lower learning rate or gradient clipping)",
                epoch, batch, batches, what);
        return new NonFiniteLossException(message, epoch, batch, history);
    }

    /** Clips to the global norm; a description of the problem when that norm is not finite, else null. */
    private String clipAndCheck(List<Tensor> params) {
        double norm = GradClip.clipGradNorm(params, clipNorm);
        return Double.isFinite(norm) ? null : "the gradient norm is " + norm;
    }

    private static String firstNonFinite(List<Map.Entry<String, Tensor>> params) {
        for (Map.Entry<String, Tensor> e : params) {
            Tensor g = e.getValue().grad();
            if (g == null || !g.hasNonFinite()) continue;
            // the rare failing case: read the values back to name the first bad one
            for (float v : g.toArray()) {
                if (!Float.isFinite(v)) return "the gradient of " + e.getKey() + " holds " + v;
            }
        }
        return null;
    }

    private static String firstNonFiniteParameter(List<Map.Entry<String, Tensor>> params) {
        for (Map.Entry<String, Tensor> e : params) {
            if (e.getValue().hasNonFinite()) return e.getKey();
        }
        return null;
    }

    /** The model on a data set, in evaluation mode and without a tape; the model's mode is restored afterwards. */
    public Evaluation evaluate(Dataset data) {
        return evaluate(new DataLoader(data, evalBatchSize, false, false, null));
    }

    /** The model on the batches of a loader, in evaluation mode and without a tape. */
    public Evaluation evaluate(DataLoader data) {
        return evaluate(model, loss, data);
    }

    /**
     * Any model on the batches of a loader, in evaluation mode and without a tape (the model's mode is restored
     * afterwards): the mean loss and, for a classifier (outputs [N, C], targets [N]), accuracy and confusion matrix.
     * What {@link #fit} reports for its validation set; {@code lamina evaluate} uses it on saved models.
     */
    public static Evaluation evaluate(Module model, Loss loss, DataLoader data) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        int seen = 0;
        ConfusionMatrix confusion = null;
        boolean classification = true;
        try (var scope = Autograd.noGrad(); DataLoader.BatchIterator it = data.iterator()) {
            while (it.hasNext()) {
                Dataset batch = it.next();
                Tensor out = model.forward(batch.features());
                // a diverged model makes losses reject their input; report its loss as NaN instead
                lossSum = out.hasNonFinite() ? Double.NaN : lossSum + (double) loss.forward(out, batch.targets()).item() * batch.size();
                seen += batch.size();
                if (classification && isClassification(out, batch.targets())) {
                    if (confusion == null) confusion = new ConfusionMatrix(out.size(1));
                    confusion.addAll(batch.targets().toIntArray("evaluate", out.size(1)), Metrics.argmax(out));
                } else {
                    classification = false;
                    confusion = null;
                }
            }
        } finally {
            model.train(wasTraining);
        }
        if (seen == 0) throw new IllegalArgumentException("Trainer.evaluate: empty data set");
        return new Evaluation(lossSum / seen, confusion == null ? Double.NaN : confusion.accuracy(), confusion, seen);
    }

    private static boolean isClassification(Tensor out, Tensor targets) {
        return out.dim() == 2 && targets.dim() == 1 && out.size(0) == targets.size(0);
    }

    private static long countCorrect(Tensor out, Tensor targets) {
        int[] predicted = Metrics.argmax(out);
        float[] actual = targets.toArray();
        long c = 0;
        for (int i = 0; i < predicted.length; i++) if (predicted[i] == actual[i]) c++;
        return c;
    }
}
