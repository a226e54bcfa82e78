package dev.lamina.explain;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.Dataset;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.loss.Loss;
import dev.lamina.models.LanguageModel;
import dev.lamina.nn.Embedding;
import dev.lamina.nn.GRU;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.Module;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.RNNBase;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.OptimizerState;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Explains what each layer of a model does on real data:
 * <pre>{@code
 * Explanation e = Explainer.of(model).labels(y).validation(valX, valY).optimizer(adam).on(x);
 * assertFalse(e.has(Diagnosis.Kind.DEAD_RELU));
 * }</pre>
 * The model runs in evaluation mode (running statistics, no dropout) on the batch, layer by layer; with labels the
 * loss is back-propagated to measure the gradient at every layer's output and weights; with an optimizer one step
 * is taken to measure the update-to-weight ratio and then undone (weights and optimizer state restored). The
 * model's mode is restored and its gradients cleared afterwards.
 */
public final class Explainer {
    private final Module model;
    private Tensor labels;
    private Loss loss;
    private Tensor validationFeatures;
    private Tensor validationLabels;
    private Optimizer optimizer;
    private String[] tokens;
    private int pictureExample = -1;
    private String title;

    private Explainer(Module model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /** An explainer of {@code model}. */
    public static Explainer of(Module model) {
        return new Explainer(model);
    }

    /** Targets of the batch (class ids [N], or [B, T] next-token ids for a language model): enables gradients and the fit. */
    public Explainer labels(Tensor targets) {
        this.labels = targets;
        return this;
    }

    /** The loss to back-propagate; default: cross-entropy (a language model's own {@link LanguageModel#loss()}). */
    public Explainer loss(Loss loss) {
        this.loss = loss;
        return this;
    }

    /** A held-out batch and its targets, to compare its loss with the explained batch's (over-fitting). */
    public Explainer validation(Tensor features, Tensor targets) {
        this.validationFeatures = features;
        this.validationLabels = targets;
        return this;
    }

    /** As {@link #validation(Tensor, Tensor)}. */
    public Explainer validation(Dataset data) {
        return validation(data.features(), data.targets());
    }

    /** The optimizer training the model: one step is taken and undone to judge the learning rate by the update ratio. */
    public Explainer optimizer(Optimizer optimizer) {
        this.optimizer = optimizer;
        return this;
    }

    /** Labels of the first example's positions (its characters), for attention and LSTM pictures. */
    public Explainer tokens(String... tokens) {
        this.tokens = tokens.clone();
        return this;
    }

    /**
     * Also draw pictures; feature maps and saliency are of example {@code index} of the batch; the examples that most
     * activate each channel are searched in the validation batch when there is one (held-out examples), else in the batch.
     */
    public Explainer pictures(int index) {
        if (index < 0) throw new IllegalArgumentException("picture example index must be >= 0, got " + index);
        this.pictureExample = index;
        return this;
    }

    /** What the report calls the model and its data, e.g. "cnn on 64 test images". */
    public Explainer title(String title) {
        this.title = title;
        return this;
    }

    /** Explains the model on {@code data}'s features, with its targets as labels. */
    public Explanation on(Dataset data) {
        return labels(data.targets()).on(data.features());
    }

    /** Explains the model on {@code batch} (batch dimension first). */
    public Explanation on(Tensor batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.dim() < 1 || batch.size(0) < 1) throw new IllegalArgumentException("explain: the batch must hold at least one example, got shape " + Shape.str(batch.shape()));
        if (labels != null && labels.numel() == 0) throw new IllegalArgumentException("explain: labels are empty");
        if (pictureExample >= batch.size(0)) {
            throw new IllegalArgumentException("explain: picture example " + pictureExample + " is outside the batch of " + batch.size(0) + " examples (valid: 0.." + (batch.size(0) - 1) + ")");
        }
        if ((validationFeatures == null) != (validationLabels == null)) throw new IllegalArgumentException("explain: a validation batch needs both features and targets");
        if (validationFeatures != null && labels == null) throw new IllegalArgumentException("explain: a validation batch is compared with the explained batch's loss, which needs its labels (labels(...))");
        if (optimizer != null && labels == null) throw new IllegalArgumentException("explain: judging the learning rate takes a step on the batch's loss, which needs its labels (labels(...))");
        boolean wasTraining = model.isTraining();
        model.eval();
        model.zeroGrad();
        List<String> notes = new ArrayList<>();
        try {
            Trace trace;
            if (labels == null) {
                try (var scope = Autograd.noGrad()) {   // nothing to back-propagate: no tape
                    trace = Trace.run(model, batch);
                }
            } else {
                trace = Trace.run(model, batch);
            }
            if (trace.opaque) notes.add(model.describe() + " is neither a Sequential nor a built-in language model: it ran as a whole, so its inner layers have no card of their own");
            Fit fit = Fit.NONE;
            Map<Tensor, Double> ratios = new IdentityHashMap<>();
            if (labels != null) {
                Tensor l = lossFunction().forward(trace.output, labels);
                l.backward();
                double valLoss = Double.NaN, valAcc = Double.NaN;
                if (validationFeatures != null) {
                    try (var s = Autograd.noGrad()) {
                        Tensor out = model.forward(validationFeatures);
                        valLoss = lossFunction().forward(out, validationLabels).item();
                        valAcc = accuracy(out, validationLabels);
                    }
                }
                fit = new Fit(l.item(), accuracy(trace.output, labels), valLoss, valAcc);
                if (optimizer != null) ratios = updateRatios();
            } else {
                notes.add("no labels: gradients, the fit and the learning rate were not measured");
            }
            if (labels != null && optimizer == null) notes.add("no optimizer: the learning rate was not judged (Explainer.optimizer(...); on the command line --lr RATE)");
            if (labels != null && validationFeatures == null) notes.add("no validation batch: over-fitting was not judged");
            List<LayerCard> cards = cards(trace, ratios);
            List<AttentionHead> heads = new ArrayList<>();
            for (Map.Entry<MultiheadAttention, Tensor> e : trace.attention.entrySet()) {
                heads.addAll(AttentionHead.of(e.getKey().path(), e.getValue().toArray(), e.getValue().shape(), trace.causal));
            }
            List<RecurrentActivity> recurrent = new ArrayList<>();
            for (Trace.Step s : trace.steps) {
                if (!(s.layer instanceof RNNBase r)) continue;
                if ((r instanceof LSTM || r instanceof GRU) && s.input.dim() == 3) recurrent.add(RecurrentActivity.of(r, s.input));
                else notes.add(r.describe() + ": gates are recomputed for LSTM and GRU layers on batched input [B, T, I]; its output statistics are shown");
                if (r.bidirectional()) notes.add(r.describe() + ": gates recomputed for the first layer's forward direction only");
            }
            boolean tokenIds = !trace.steps.isEmpty() && trace.steps.getFirst().layer instanceof Embedding;
            ActivationStats input = ActivationStats.of(null, batch);
            List<Diagnosis> diagnoses = Diagnoses.find(trace, cards, heads, recurrent, fit, input, tokenIds);
            List<Picture> pictures = pictureExample < 0 ? List.of() : PictureMaker.draw(model, trace, recurrent, batch, validationFeatures, pictureExample, tokens, notes);
            String name = title != null ? title : model.getClass().getSimpleName() + " on a batch of " + batch.size(0);
            return new Explanation(name, batch.size(0), model.parameterCount(), cards, diagnoses, heads, recurrent, fit, input, pictures, notes);
        } finally {
            model.zeroGrad();
            model.train(wasTraining);
        }
    }

    private Loss lossFunction() {
        if (loss != null) return loss;
        return model instanceof LanguageModel ? LanguageModel.loss() : new CrossEntropyLoss();
    }

    /** Share of rows whose largest logit is the target; NaN when the output is not [N, classes] with N targets. */
    private static double accuracy(Tensor logits, Tensor targets) {
        if (logits.dim() != 2 || targets.numel() != logits.size(0)) return Double.NaN;
        float[] l = logits.toArray(), t = targets.toArray();
        int c = logits.size(1), right = 0;
        for (int i = 0; i < t.length; i++) {
            int best = 0;
            for (int j = 1; j < c; j++) if (l[i * c + j] > l[i * c + best]) best = j;
            if (best == (int) t[i]) right++;
        }
        return (double) right / t.length;
    }

    /** rms(update) / rms(weight) of every parameter for one optimizer step, which is then undone. */
    private Map<Tensor, Double> updateRatios() {
        OptimizerState saved = copy(optimizer.stateDict());
        Map<Tensor, float[]> before = new IdentityHashMap<>();
        for (Tensor p : optimizer.params()) before.put(p, p.toArray());
        optimizer.step();
        Map<Tensor, Double> ratios = new IdentityHashMap<>();
        for (Map.Entry<Tensor, float[]> e : before.entrySet()) {
            Tensor p = e.getKey();
            float[] old = e.getValue(), now = p.toArray();
            double du = 0, w = 0;
            for (int i = 0; i < old.length; i++) {
                du += (double) (now[i] - old[i]) * (now[i] - old[i]);
                w += (double) old[i] * old[i];
            }
            if (w > 0) ratios.put(p, Math.sqrt(du / w));
            p.copyFrom_(Tensor.of(old, p.shape()));
        }
        optimizer.loadStateDict(saved);
        return ratios;
    }

    private static OptimizerState copy(OptimizerState s) {
        List<Map<String, float[]>> buffers = new ArrayList<>();
        for (Map<String, float[]> m : s.buffers()) {
            Map<String, float[]> c = new LinkedHashMap<>();
            m.forEach((k, v) -> c.put(k, v.clone()));
            buffers.add(c);
        }
        return new OptimizerState(s.type(), s.step(), s.lr(), s.hyperparameters(), buffers);
    }

    private List<LayerCard> cards(Trace trace, Map<Tensor, Double> ratios) {
        long total = Math.max(1, model.parameterCount());
        LayerCost.ReceptiveField field = new LayerCost.ReceptiveField();
        List<LayerCard> cards = new ArrayList<>();
        for (Trace.Step s : trace.steps) {
            int[] in = s.input.shape(), out = s.output.shape();
            Module m = s.layer;
            double gradSq = 0, ratio = Double.NaN;
            long gradN = 0;
            for (Tensor p : m.namedParameters().values()) {
                if (p.dim() < 2) continue;
                if (p.grad() != null) {
                    for (float g : p.grad().toArray()) gradSq += (double) g * g;
                    gradN += p.numel();
                }
                Double r = ratios.get(p);
                if (r != null) ratio = Double.isNaN(ratio) ? r : Math.max(ratio, r);
            }
            String type = m.getClass().getSimpleName();
            cards.add(new LayerCard(m.path(), type, LayerWords.describe(m, in, out), in, out, m.parameterCount(), (double) m.parameterCount() / total,
                    LayerCost.macsPerExample(m, in, out), LayerCost.activationBytesPerExample(out), field.after(m, in), ActivationStats.of(m, s.output),
                    ActivationStats.norm(s.outputGrad), gradN == 0 ? Double.NaN : Math.sqrt(gradSq / gradN), ratio, s.container));
        }
        return cards;
    }
}
