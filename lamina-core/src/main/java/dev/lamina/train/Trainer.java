package dev.lamina.train;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.loss.Loss;
import dev.lamina.nn.Module;
import dev.lamina.optim.GradClip;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

    public Trainer(Module model, Loss loss, Optimizer optimizer) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
    }

    /** A learning-rate schedule on this trainer's optimizer, stepped once after every epoch. */
    public Trainer scheduler(Scheduler scheduler) {
        this.scheduler = scheduler;
        return this;
    }

    /** Scales gradients so their global L2 norm is at most {@code maxNorm} before each step; 0 switches it off. */
    public Trainer clipGradNorm(double maxNorm) {
        if (maxNorm < 0 || Double.isNaN(maxNorm)) throw new IllegalArgumentException("Trainer: clip norm must be >= 0, got " + maxNorm);
        this.clipNorm = maxNorm;
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

    public Module model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Trains for {@code epochs} epochs (fewer if early stopping says so); {@code validation} may be null. */
    public History fit(DataLoader train, Dataset validation, int epochs) {
        return fit(train, validation == null ? null : new DataLoader(validation, evalBatchSize, false, false, null), epochs);
    }

    /** As {@link #fit(DataLoader, Dataset, int)} with a validation loader (for instance one with the same transform). */
    public History fit(DataLoader train, DataLoader validation, int epochs) {
        if (epochs <= 0) throw new IllegalArgumentException("Trainer: epochs must be positive, got " + epochs);
        if (train.batches() == 0) throw new IllegalArgumentException("Trainer: the training loader yields no batches (" + train.dataset().size() + " examples, batch size " + train.batchSize() + ", last short batch dropped)");
        if (earlyStopping != null) {
            if (earlyStopping.monitor().needsValidation() && validation == null) {
                throw new IllegalArgumentException("Trainer: early stopping on " + earlyStopping.monitor() + " needs a validation set");
            }
            earlyStopping.reset();
        }
        List<Map.Entry<String, Tensor>> params = new ArrayList<>(model.namedParameters().entrySet());
        List<Tensor> paramList = params.stream().map(Map.Entry::getValue).toList();
        History history = new History();
        for (Callback c : callbacks) c.onTrainBegin(epochs, train.batches(), train.samplesPerEpoch());
        try {
            for (int epoch = 1; epoch <= epochs; epoch++) {
                for (Callback c : callbacks) c.onEpochBegin(epoch);
                model.train();
                double lr = optimizer.lr();
                long start = System.nanoTime();
                double lossSum = 0;
                long seen = 0, correct = 0;
                boolean classification = true;
                int batches = train.batches(), batchNo = 0;
                try (DataLoader.BatchIterator it = train.iterator()) {
                    while (it.hasNext()) {
                        Dataset batch = it.next();
                        batchNo++;
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
                        int n = batch.size();
                        lossSum += (double) value * n;
                        seen += n;
                        if (classification && isClassification(out, batch.targets())) {
                            correct += countCorrect(out, batch.targets());
                        } else {
                            classification = false;
                        }
                        if (!callbacks.isEmpty()) {
                            BatchResult br = new BatchResult(epoch, batchNo, batches, n, value, lossSum / seen);
                            for (Callback c : callbacks) c.onBatchEnd(br);
                        }
                    }
                }
                double trainSeconds = (System.nanoTime() - start) / 1e9;
                long evalStart = System.nanoTime();
                Evaluation val = validation == null ? null : evaluate(validation);
                double evalSeconds = validation == null ? 0 : (System.nanoTime() - evalStart) / 1e9;
                EpochResult r = new EpochResult(epoch, lossSum / seen, classification ? (double) correct / seen : Double.NaN,
                        val, lr, trainSeconds, evalSeconds, seen);
                history.add(r);
                for (Callback c : callbacks) c.onEpochEnd(r);
                if (scheduler != null) scheduler.step();
                if (earlyStopping != null) {
                    boolean stop = earlyStopping.update(r, model);
                    history.bestEpoch(earlyStopping.bestEpoch());
                    if (stop) {
                        history.stop(History.Stop.EARLY_STOPPING);
                        break;
                    }
                }
            }
            if (history.stopReason() == History.Stop.RUNNING) history.stop(History.Stop.COMPLETED);
            if (earlyStopping != null) earlyStopping.restore(model);
            return history;
        } catch (NonFiniteLossException e) {
            history.stop(History.Stop.NON_FINITE_LOSS);
            throw e;
        } catch (RuntimeException | Error e) {
            history.stop(History.Stop.FAILED);
            throw e;
        } finally {
            model.eval();
            for (Callback c : callbacks) c.onTrainEnd(history);
        }
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
            if (g == null) continue;
            float[] d = g.storage();
            if (g.isContiguous()) {
                for (int i = g.storageOffset(), end = i + g.numel(); i < end; i++) {
                    if (!Float.isFinite(d[i])) return "the gradient of " + e.getKey() + " holds " + d[i];
                }
            } else if (g.hasNonFinite()) {
                return "the gradient of " + e.getKey() + " holds a NaN or infinite value";
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
