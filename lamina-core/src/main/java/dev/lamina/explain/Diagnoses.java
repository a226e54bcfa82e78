package dev.lamina.explain;

import dev.lamina.explain.Diagnosis.Kind;
import dev.lamina.nn.BatchNormBase;
import dev.lamina.nn.Input;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The rules that turn measurements into diagnoses. Each threshold is a constant here and is quoted in the diagnosis
 * it raises.
 */
final class Diagnoses {
    private Diagnoses() {
    }

    /** A ReLU is dead when more than this share of its units is 0 for every example of the batch. */
    static final double DEAD_UNITS = 0.5;
    /** Gradient at a layer's output below this multiple of the gradient at the model's output: vanishing. */
    static final double VANISHING = 1e-3;
    /** Gradient at a layer's output above this multiple of the gradient at the model's output: exploding. */
    static final double EXPLODING = 1e2;
    /** A sigmoid or tanh is saturated when more than this share of its outputs is saturated. */
    static final double SATURATED = 0.25;
    /** LSTM or GRU gates are saturated when more than this share of all gate values is (averaged over the four gates). */
    static final double SATURATED_GATES = 0.4;
    /** Over-fitting: validation loss above train loss by more than this much and by this factor... */
    static final double GAP_LOSS = 0.2, GAP_FACTOR = 1.5;
    /** ...or train accuracy above validation accuracy by more than this. */
    static final double GAP_ACCURACY = 0.15;
    /** BatchNorm drift: mean |batch mean − running mean| in running standard deviations above this... */
    static final double DRIFT_MEAN = 0.5;
    /** ...or mean |ln(batch variance / running variance)| above ln 3 (variances apart by more than 3×). */
    static final double DRIFT_LOG_VAR = Math.log(3);
    /** Attention collapsed below this normalized entropy, uniform above the next; heads identical below the distance. */
    static final double COLLAPSED = 0.1, UNIFORM = 0.97, IDENTICAL = 0.02;
    /** Update-to-weight ratio of one step above this: learning rate too high; largest one below the next: too low. */
    static final double UPDATE_HIGH = 0.1, UPDATE_LOW = 1e-5;
    /** Inputs are unnormalised when |mean| or std exceeds the first, or any |value| the second. */
    static final double INPUT_SCALE = 3, INPUT_MAX = 50;

    static List<Diagnosis> find(Trace trace, List<LayerCard> cards, List<AttentionHead> heads, List<RecurrentActivity> recurrent, Fit fit, ActivationStats input, boolean tokenIds) {
        List<Diagnosis> out = fromCards(cards, input, tokenIds);
        gradients(cards, out);
        gates(recurrent, out);
        batchNorm(trace, cards, out);
        attention(heads, out);
        learningRate(cards, out);
        overfitting(cards, fit, out);
        return out;
    }

    /** The diagnoses that need only the cards and the input: non-finite values, unnormalised input, dead ReLUs, saturation. */
    static List<Diagnosis> fromCards(List<LayerCard> cards, ActivationStats input, boolean tokenIds) {
        List<Diagnosis> out = new ArrayList<>();
        nonFinite(cards, out);
        input(cards, input, tokenIds, out);
        deadRelus(cards, out);
        saturation(cards, out);
        return out;
    }

    private static void nonFinite(List<LayerCard> cards, List<Diagnosis> out) {
        for (LayerCard c : cards) {
            if (c.stats().nonFinite() > 0) {
                out.add(new Diagnosis(Kind.NON_FINITE, c.name(), "any NaN or infinite output",
                        String.format(Locale.ROOT, "%,d of its output values are NaN or infinite", c.stats().nonFinite()),
                        "the values overflowed at or before this layer: lower the learning rate, clip gradients (--clip-norm), normalise the input, or add a normalization layer before " + c.name()));
                return;
            }
        }
    }

    private static void input(List<LayerCard> cards, ActivationStats s, boolean tokenIds, List<Diagnosis> out) {
        if (tokenIds || cards.isEmpty()) return;
        double largest = Math.max(Math.abs(s.min()), Math.abs(s.max()));
        if (Math.abs(s.mean()) > INPUT_SCALE || s.std() > INPUT_SCALE || largest > INPUT_MAX) {
            LayerCard first = cards.stream().filter(c -> !c.type().equals(Input.class.getSimpleName()) && c.parameters() > 0).findFirst().orElse(cards.getFirst());
            out.add(new Diagnosis(Kind.UNNORMALIZED_INPUT, first.name(), String.format(Locale.ROOT, "|mean| or std above %.0f, or a value beyond ±%.0f", INPUT_SCALE, INPUT_MAX),
                    String.format(Locale.ROOT, "the input has mean %.3g, std %.3g, range %.3g to %.3g", s.mean(), s.std(), s.min(), s.max()),
                    "scale the input to about mean 0 and std 1 (pixels / 255, standardised columns), or start the model with a BatchNorm1d or LayerNorm before " + first.name()));
        }
    }

    private static void deadRelus(List<LayerCard> cards, List<Diagnosis> out) {
        for (int i = 0; i < cards.size(); i++) {
            LayerCard c = cards.get(i);
            if (!(c.stats().deadUnits() > DEAD_UNITS)) continue;
            String before = i > 0 ? cards.get(i - 1).name() : "the layer before";
            int units = c.outputShape().length == 3 ? c.outputShape()[2] : c.outputShape()[1];
            out.add(new Diagnosis(Kind.DEAD_RELU, c.name(), String.format(Locale.ROOT, "more than %.0f%% of units never positive on the batch", 100 * DEAD_UNITS),
                    String.format(Locale.ROOT, "%.0f%% of its %d units were 0 for all %d examples (%.0f%% of all its values are 0)",
                            100 * c.stats().deadUnits(), units, c.outputShape()[0], 100 * c.stats().zeros()),
                    "these units get no gradient and never recover: re-initialise " + before + " (He/Kaiming init, a small positive bias), lower the learning rate, put a BatchNorm before this ReLU, or use LeakyReLU or ELU instead"));
        }
    }

    private static void saturation(List<LayerCard> cards, List<Diagnosis> out) {
        for (int i = 0; i < cards.size(); i++) {
            LayerCard c = cards.get(i);
            if (!(c.stats().saturation() > SATURATED)) continue;
            String before = i > 0 ? cards.get(i - 1).name() : "the layer before";
            out.add(new Diagnosis(Kind.SATURATED_ACTIVATION, c.name(), String.format(Locale.ROOT, "more than %.0f%% of outputs saturated (sigmoid within 0.01 of 0 or 1, tanh |y| > 0.99)", 100 * SATURATED),
                    String.format(Locale.ROOT, "%.0f%% of its outputs are saturated (range %.3g to %.3g); their gradient is all but 0", 100 * c.stats().saturation(), c.stats().min(), c.stats().max()),
                    "shrink the inputs of this layer: initialise " + before + " with a smaller scale (Xavier/Glorot), normalise before it (LayerNorm, BatchNorm), or use ReLU/GELU for hidden layers and keep sigmoid for outputs"));
        }
    }

    /**
     * Vanishing (exploding) gradients are flagged at the deepest layer whose output gradient is below (above) its
     * threshold relative to the model's output: from there down to the input, layers barely learn (or blow up).
     */
    private static void gradients(List<LayerCard> cards, List<Diagnosis> out) {
        LayerCard last = null;
        for (LayerCard c : cards) if (!c.container() && Double.isFinite(c.outputGradNorm())) last = c;
        if (last == null) return;
        double ref = last.outputGradNorm();
        if (!(ref > 0)) return;
        LayerCard vanishing = null, exploding = null;
        for (LayerCard c : cards) {
            if (c.container() || c == last || Double.isNaN(c.outputGradNorm())) continue;
            double ratio = c.outputGradNorm() / ref;
            if (ratio < VANISHING) vanishing = c;
            if (ratio > EXPLODING || !Double.isFinite(ratio)) exploding = c;
        }
        if (vanishing != null) {
            out.add(new Diagnosis(Kind.VANISHING_GRADIENT, vanishing.name(), String.format(Locale.ROOT, "gradient at a layer's output below %.0e of the gradient at the model's output", VANISHING),
                    String.format(Locale.ROOT, "gradient norm %.3g here against %.3g at %s (%.2g times); %s", vanishing.outputGradNorm(), ref, last.name(), vanishing.outputGradNorm() / ref, flow(cards)),
                    "the layers up to " + vanishing.name() + " barely learn: use ReLU/GELU instead of sigmoid/tanh in hidden layers, add BatchNorm or LayerNorm between layers, add residual connections, "
                            + "or re-initialise the layers after it (He for ReLU, Xavier for tanh; never all zeros)"));
        }
        if (exploding != null) {
            out.add(new Diagnosis(Kind.EXPLODING_GRADIENT, exploding.name(), String.format(Locale.ROOT, "gradient at a layer's output above %.0e of the gradient at the model's output", EXPLODING),
                    String.format(Locale.ROOT, "gradient norm %.3g here against %.3g at %s (%.2g times); %s", exploding.outputGradNorm(), ref, last.name(), exploding.outputGradNorm() / ref, flow(cards)),
                    "the gradient grows through the layers after " + exploding.name() + ": re-initialise them with a smaller scale (He/Xavier), add BatchNorm or LayerNorm between them, clip gradients (--clip-norm) and lower the learning rate"));
        }
    }

    private static String flow(List<LayerCard> cards) {
        StringBuilder sb = new StringBuilder("gradient norm through depth:");
        for (LayerCard c : cards) if (!c.container() && Double.isFinite(c.outputGradNorm())) sb.append(String.format(Locale.ROOT, " %s %.2g;", c.path(), c.outputGradNorm()));
        return sb.substring(0, sb.length() - 1);
    }

    private static void gates(List<RecurrentActivity> recurrent, List<Diagnosis> out) {
        for (RecurrentActivity a : recurrent) {
            if (!(a.meanSaturation() > SATURATED_GATES)) continue;
            StringBuilder ev = new StringBuilder(String.format(Locale.ROOT, "%.0f%% of gate values saturated;", 100 * a.meanSaturation()));
            for (int l = 0; l < a.gateSaturation().length; l++) {
                ev.append(" layer ").append(l).append(':');
                for (int g = 0; g < a.gates().length; g++) ev.append(String.format(Locale.ROOT, " %s %.0f%%", a.gates()[g], 100 * a.gateSaturation()[l][g]));
            }
            out.add(new Diagnosis(Kind.SATURATED_GATES, a.layer() + " (" + a.kind() + ")", String.format(Locale.ROOT, "more than %.0f%% of gate values within 0.01 of 0 or 1 (tanh gates |g| > 0.99)", 100 * SATURATED_GATES),
                    ev.toString(), "the gates are stuck open or shut and pass almost no gradient: normalise the " + a.kind() + "'s input (a LayerNorm before it), re-initialise weight_ih and weight_hh with a smaller scale, clip gradients and lower the learning rate"));
        }
    }

    private static void batchNorm(Trace trace, List<LayerCard> cards, List<Diagnosis> out) {
        for (int i = 0; i < cards.size(); i++) {
            if (!(trace.steps.get(i).layer instanceof BatchNormBase bn) || bn.runningMean() == null) continue;
            Tensor x = trace.steps.get(i).input;
            int c = x.size(1), inner = 1;
            for (int d = 2; d < x.dim(); d++) inner *= x.size(d);
            float[] v = x.toArray(), rm = bn.runningMean().toArray(), rv = bn.runningVar().toArray();
            double[] sum = new double[c], sq = new double[c];
            for (int j = 0; j < v.length; j++) {
                int ch = (j / inner) % c;
                sum[ch] += v[j];
                sq[ch] += (double) v[j] * v[j];
            }
            double n = (double) v.length / c, shift = 0, logVar = 0;
            for (int ch = 0; ch < c; ch++) {
                double mean = sum[ch] / n, var = Math.max(0, sq[ch] / n - mean * mean);
                shift += Math.abs(mean - rm[ch]) / Math.sqrt(rv[ch] + bn.eps());
                logVar += Math.abs(Math.log((var + bn.eps()) / (rv[ch] + bn.eps())));
            }
            shift /= c;
            logVar /= c;
            if (shift > DRIFT_MEAN || logVar > DRIFT_LOG_VAR) {
                LayerCard card = cards.get(i);
                out.add(new Diagnosis(Kind.BATCHNORM_DRIFT, card.name(), String.format(Locale.ROOT, "mean shift above %.1f running std, or variances more than 3x apart on average", DRIFT_MEAN),
                        String.format(Locale.ROOT, "on this batch the channel means are %.2f running std from the running means, and the variances %.1fx from the running variances (geometric mean over %d channels)",
                                shift, Math.exp(logVar), c),
                        "evaluation uses running statistics that do not describe this data: train longer (or with a larger BatchNorm momentum) so they catch up, check the model was trained in train() mode on data prepared like this, recompute them with a few forward passes in train mode, or use GroupNorm/LayerNorm when batches are small"));
            }
        }
    }

    private static void attention(List<AttentionHead> heads, List<Diagnosis> out) {
        for (AttentionHead h : heads) {
            String at = h.layer() + " (MultiheadAttention) head " + h.head();
            if (h.normalizedEntropy() < COLLAPSED) {
                out.add(new Diagnosis(Kind.ATTENTION_COLLAPSED, at, String.format(Locale.ROOT, "normalized attention entropy below %.2f", COLLAPSED),
                        String.format(Locale.ROOT, "entropy %.3f bits (%.3f of the most possible): each query looks at a single key%s", h.entropy(), h.normalizedEntropy(),
                                Double.isFinite(h.selfShare()) ? String.format(Locale.ROOT, "; %.0f%% of attention on the query's own position", 100 * h.selfShare()) : ""),
                        "if one key per query is not intended: lower the learning rate, scale down the query/key projections (in_proj_weight) or add a LayerNorm before " + h.layer() + ", check the attention mask; a head that stays collapsed can be pruned (fewer num_heads)"));
            } else if (h.normalizedEntropy() > UNIFORM) {
                out.add(new Diagnosis(Kind.ATTENTION_UNIFORM, at, String.format(Locale.ROOT, "normalized attention entropy above %.2f", UNIFORM),
                        String.format(Locale.ROOT, "entropy %.3f bits (%.3f of the most possible): every query averages all keys evenly", h.entropy(), h.normalizedEntropy()),
                        "the head has learned no preference yet: train longer or with a larger learning rate; if it stays uniform, " + h.layer() + " has more heads than it needs"));
            }
            if (h.closestHead() > h.head() && h.closestDistance() < IDENTICAL) {
                out.add(new Diagnosis(Kind.ATTENTION_IDENTICAL, at, String.format(Locale.ROOT, "two heads' attention rows within total-variation distance %.2f", IDENTICAL),
                        String.format(Locale.ROOT, "heads %d and %d attend alike (mean distance %.4f)", h.head(), h.closestHead(), h.closestDistance()),
                        "the heads duplicate each other: reduce num_heads of " + h.layer() + ", or re-initialise one of them so they can specialise"));
            }
        }
    }

    private static void learningRate(List<LayerCard> cards, List<Diagnosis> out) {
        LayerCard max = cards.stream().filter(c -> !c.container() && Double.isFinite(c.updateRatio())).max(Comparator.comparingDouble(LayerCard::updateRatio)).orElse(null);
        if (max == null) return;
        if (max.updateRatio() > UPDATE_HIGH) {
            out.add(new Diagnosis(Kind.LEARNING_RATE_HIGH, max.name(), String.format(Locale.ROOT, "one step changes a layer's weights by more than %.0e of their size (the usual band is 1e-4 to 1e-2)", UPDATE_HIGH),
                    String.format(Locale.ROOT, "one optimizer step changes its weights by %.3g of their rms", max.updateRatio()),
                    "lower the learning rate about " + Math.round(max.updateRatio() / 1e-3) + "x (toward a ratio of 1e-3), or use a warm-up schedule, or clip gradients"));
        } else if (max.updateRatio() < UPDATE_LOW) {
            out.add(new Diagnosis(Kind.LEARNING_RATE_LOW, "the model", String.format(Locale.ROOT, "no layer's weights change by more than %.0e of their size in one step", UPDATE_LOW),
                    String.format(Locale.ROOT, "the largest update ratio is %.3g, at %s", max.updateRatio(), max.name()),
                    "raise the learning rate (toward an update ratio of 1e-3), or check that the gradients reach the weights"));
        }
    }

    private static void overfitting(List<LayerCard> cards, Fit fit, List<Diagnosis> out) {
        if (!Double.isFinite(fit.validationLoss()) || !Double.isFinite(fit.trainLoss())) return;
        boolean lossGap = fit.validationLoss() - fit.trainLoss() > GAP_LOSS && fit.validationLoss() > GAP_FACTOR * fit.trainLoss();
        boolean accGap = fit.trainAccuracy() - fit.validationAccuracy() > GAP_ACCURACY;
        if (!lossGap && !accGap) return;
        LayerCard biggest = cards.stream().filter(c -> !c.container()).max(Comparator.comparingLong(LayerCard::parameters)).orElse(cards.getFirst());
        boolean hasDropout = cards.stream().anyMatch(c -> c.type().startsWith("Dropout"));
        String acc = Double.isFinite(fit.validationAccuracy()) ? String.format(Locale.ROOT, "; accuracy %.1f%% against %.1f%%", 100 * fit.trainAccuracy(), 100 * fit.validationAccuracy()) : "";
        out.add(new Diagnosis(Kind.OVERFITTING, biggest.name(), String.format(Locale.ROOT, "validation loss above train loss by more than %.1f and %.1fx, or train accuracy above validation accuracy by more than %.0f points",
                GAP_LOSS, GAP_FACTOR, 100 * GAP_ACCURACY),
                String.format(Locale.ROOT, "loss %.4f on the explained batch against %.4f on the validation batch%s", fit.trainLoss(), fit.validationLoss(), acc),
                (hasDropout ? "raise the dropout probability" : "add Dropout (p 0.25 to 0.5)") + " before " + biggest.name() + " (it holds " + Math.round(100 * biggest.parameterShare())
                        + "% of the parameters, or make it smaller), add BatchNorm after convolutions, augment the training data (shifts, flips), train on more data, add weight decay, or stop earlier (--patience)"));
    }
}
