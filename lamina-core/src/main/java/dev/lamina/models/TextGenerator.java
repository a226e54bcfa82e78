package dev.lamina.models;

import dev.lamina.autograd.Autograd;
import dev.lamina.tensor.Rng;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Samples text from a {@link LanguageModel}: the prompt is fed once, then each new token is drawn from the
 * softmax of the logits divided by the temperature, restricted to the {@code topK} most likely tokens.
 * Temperature 0 picks the most likely token every time (greedy).
 */
public final class TextGenerator {
    private final LanguageModel model;
    private final double temperature;
    private final int topK;
    private final Rng rng;

    /**
     * @param temperature ≥ 0; 1 samples the model's distribution, lower is more conservative, 0 is greedy
     * @param topK sample only among the k most likely tokens; 0 for all
     */
    public TextGenerator(LanguageModel model, double temperature, int topK, Rng rng) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0 (0 = all tokens), got " + topK);
        this.model = model;
        this.temperature = temperature;
        this.topK = topK;
        this.rng = rng;
    }

    /**
     * @param prompt at least one token id
     * @param count tokens to generate after the prompt
     * @param onToken receives each generated id as soon as it is drawn (may be null)
     * @return the generated ids (without the prompt)
     */
    public int[] generate(int[] prompt, int count, IntConsumer onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt needs at least one token");
        for (int id : prompt) {
            if (id < 0 || id >= model.vocabSize()) throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary of " + model.vocabSize());
        }
        boolean wasTraining = model.isTraining();
        model.eval();
        int[] out = new int[count];
        try (var scope = Autograd.noGrad()) {
            LanguageModel.Decoder decoder = model.decoder();
            float[] logits = decoder.feed(prompt);
            for (int i = 0; i < count; i++) {
                int next = sample(logits);
                out[i] = next;
                if (onToken != null) onToken.accept(next);
                if (i + 1 < count) logits = decoder.feed(new int[] {next});
            }
        } finally {
            model.train(wasTraining);
        }
        return out;
    }

    /** One draw from the logits under this generator's temperature and top-k. */
    public int sample(float[] logits) {
        int v = logits.length;
        if (temperature == 0) return argmax(logits);
        int k = topK == 0 || topK >= v ? v : topK;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) order[i] = i;
        // ties keep the lower id first, so the candidate set is deterministic
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        double max = logits[order[0]];
        double[] weights = new double[k];
        double total = 0;
        for (int i = 0; i < k; i++) {
            weights[i] = Math.exp((logits[order[i]] - max) / temperature);
            total += weights[i];
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < k; i++) {
            u -= weights[i];
            if (u < 0) return order[i];
        }
        return order[k - 1];
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
