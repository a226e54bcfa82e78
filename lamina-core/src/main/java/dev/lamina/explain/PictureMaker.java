package dev.lamina.explain;

import dev.lamina.autograd.Autograd;
import dev.lamina.models.LanguageModel;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.Module;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The explainer's pictures: first-layer filters, feature maps of one image, input-gradient saliency, the examples
 * of the batch that most activate each channel, attention heat maps with token labels and LSTM hidden-state activity.
 */
final class PictureMaker {
    private PictureMaker() {
    }

    private static final int MAX_HEADS = 8, MAX_CHANNELS = 64, TOP_CHANNELS = 8, TOP_EXAMPLES = 5, LSTM_UNITS = 32;

    /**
     * @param heldOut the validation batch, whose examples are searched for those that most activate each channel; null:
     *                the explained batch is searched
     */
    static List<Picture> draw(Module model, Trace trace, List<RecurrentActivity> recurrent, Tensor batch, Tensor heldOut, int index, String[] tokens, List<String> notes) {
        List<Picture> out = new ArrayList<>();
        int[] image = imageShape(batch);
        List<Trace.Step> convs = trace.steps.stream().filter(s -> s.layer instanceof Conv2d).toList();
        if (!convs.isEmpty()) {
            Conv2d first = (Conv2d) convs.getFirst().layer;
            out.add(filters(first));
            for (Trace.Step s : convs.subList(0, Math.min(2, convs.size()))) out.add(featureMaps(s, index));
            if (heldOut != null && imageShape(heldOut) != null) {
                Trace seen;
                try (var scope = Autograd.noGrad()) {
                    seen = Trace.run(model, heldOut);
                }
                List<Trace.Step> heldConvs = seen.steps.stream().filter(s -> s.layer instanceof Conv2d).toList();
                out.add(topExamples(heldConvs.getLast(), heldOut, imageShape(heldOut), "validation batch"));
            } else if (image != null) {
                out.add(topExamples(convs.getLast(), batch, image, "batch"));
            }
        }
        if (image != null && !(model instanceof LanguageModel)) out.add(saliency(model, batch, index, image));
        else if (image == null && !(model instanceof LanguageModel)) notes.add("pictures of the input (saliency, top examples) need image-shaped examples ([N, H·W] square, [N, H, W] or [N, C, H, W])");
        for (Map.Entry<MultiheadAttention, Tensor> e : trace.attention.entrySet()) out.addAll(attention(e.getKey(), e.getValue(), tokens, notes));
        for (RecurrentActivity a : recurrent) out.add(hiddenStates(a, tokens, notes));
        return out;
    }

    /** {H, W} of each example when it is an image: [N, H·W] with H·W square, [N, H, W], or [N, C, H, W] (channel 0 drawn). */
    static int[] imageShape(Tensor batch) {
        int[] s = batch.shape();
        if (s.length == 2) {
            int side = (int) Math.round(Math.sqrt(s[1]));
            return side > 1 && side * side == s[1] ? new int[] {side, side} : null;
        }
        if (s.length == 3) return new int[] {s[1], s[2]};
        if (s.length == 4) return new int[] {s[2], s[3]};
        return null;
    }

    /** Example {@code n}'s first channel as H·W values. */
    private static float[] example(Tensor batch, int n, int[] image) {
        float[] all = batch.contiguous().toArray();
        int each = all.length / batch.size(0);
        return Arrays.copyOfRange(all, n * each, n * each + image[0] * image[1]);
    }

    private static Picture filters(Conv2d conv) {
        return filters(conv.describe(), conv.weight());
    }

    /** The filters of a convolution's weight [out, in, kh, kw], averaged over the input channels. */
    static Picture filters(String layer, Tensor weight) {
        int[] w = weight.shape();
        float[] v = weight.toArray();
        int tile = w[2] * w[3];
        float[][] tiles = new float[w[0]][tile];
        for (int o = 0; o < w[0]; o++) {
            for (int i = 0; i < w[1]; i++) for (int k = 0; k < tile; k++) tiles[o][k] += v[(o * w[1] + i) * tile + k] / w[1];
        }
        int scale = Math.max(4, 40 / Math.max(w[2], w[3]));
        return new Picture("First-layer filters: " + layer,
                String.format(Locale.ROOT, "the %d %dx%d filters%s; red: positive weights, blue: negative, each filter scaled on its own. A filter responds most where the image looks like it.",
                        w[0], w[2], w[3], w[1] > 1 ? " (averaged over " + w[1] + " input channels)" : ""),
                Pictures.grid(tiles, w[2], w[3], 8, scale, Pictures.Palette.DIVERGING));
    }

    private static Picture featureMaps(Trace.Step s, int index) {
        return featureMaps(s.layer.describe(), s.output, index);
    }

    /** Example {@code index}'s channels of a convolution's output [N, C, H, W]. */
    static Picture featureMaps(String layer, Tensor output, int index) {
        int[] shape = output.shape();
        int c = Math.min(shape[1], MAX_CHANNELS), h = shape[2], w = shape[3];
        float[] v = output.contiguous().toArray();
        float[][] tiles = new float[c][];
        for (int ch = 0; ch < c; ch++) {
            int off = ((index * shape[1]) + ch) * h * w;
            tiles[ch] = Arrays.copyOfRange(v, off, off + h * w);
        }
        return new Picture("Feature maps of example " + index + ": " + layer,
                String.format(Locale.ROOT, "%d of its %d output channels (%dx%d each) for this image; light: strong response. Each map shows where one learned pattern occurs.", c, shape[1], h, w),
                Pictures.grid(tiles, h, w, 8, Math.max(2, 56 / Math.max(h, w)), Pictures.Palette.GREY));
    }

    private static Picture topExamples(Trace.Step s, Tensor batch, int[] image, String searched) {
        int[] shape = s.output.shape();
        int n = shape[0], c = Math.min(TOP_CHANNELS, shape[1]), hw = shape[2] * shape[3], k = Math.min(TOP_EXAMPLES, n);
        float[] v = s.output.contiguous().toArray();
        float[][] tiles = new float[c * k][];
        for (int ch = 0; ch < c; ch++) {
            double[] mean = new double[n];
            for (int e = 0; e < n; e++) {
                int off = (e * shape[1] + ch) * hw;
                for (int j = 0; j < hw; j++) mean[e] += v[off + j];
            }
            final int channel = ch;
            Integer[] order = IntStream.range(0, n).boxed().sorted(Comparator.comparingDouble((Integer e) -> -mean[e])).toArray(Integer[]::new);
            for (int r = 0; r < k; r++) tiles[channel * k + r] = example(batch, order[r], image);
        }
        return new Picture("Examples that most activate each channel: " + s.layer.describe(),
                String.format(Locale.ROOT, "row c: the %d examples of the %s (%d) with the largest mean response of channel c (channels 0 to %d), strongest first.", k, searched, n, c - 1),
                Pictures.grid(tiles, image[0], image[1], k, 2, Pictures.Palette.GREY));
    }

    private static Picture saliency(Module model, Tensor batch, int index, int[] image) {
        int[] shape = batch.shape().clone();
        shape[0] = 1;
        int each = batch.numel() / batch.size(0);
        float[] one = Arrays.copyOfRange(batch.contiguous().toArray(), index * each, (index + 1) * each);
        Tensor x = Tensor.of(one, shape).requiresGrad(true);
        Tensor out = model.forward(x);
        float[] logits = out.toArray();
        int best = 0;
        for (int j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
        out.reshape(-1).narrow(0, best, 1).sum().backward();
        float[] g = x.grad().toArray();
        float[] mag = new float[image[0] * image[1]];
        for (int j = 0; j < mag.length; j++) mag[j] = Math.abs(g[j]);
        model.zeroGrad();
        byte[] png = Pictures.grid(new float[][] {Arrays.copyOf(one, mag.length), mag}, image[0], image[1], 2, 6, Pictures.Palette.GREY);
        return new Picture("Input-gradient saliency of example " + index,
                "left: the input; right: |d score / d pixel| for the predicted class " + best + " (light: the pixels whose change would move the score most).", png);
    }

    private static List<Picture> attention(MultiheadAttention a, Tensor weights, String[] tokens, List<String> notes) {
        int[] s = weights.shape();   // [B, heads, Lq, Lk]
        float[] w = weights.toArray();
        int lq = s[2], lk = s[3];
        String[] rows = labels(tokens, lq, a.describe(), notes), cols = labels(tokens, lk, null, notes);
        List<Picture> out = new ArrayList<>();
        for (int h = 0; h < Math.min(s[1], MAX_HEADS); h++) {
            float[] map = Arrays.copyOfRange(w, h * lq * lk, (h + 1) * lq * lk);
            out.add(new Picture("Attention of " + a.describe() + ", head " + h,
                    "rows: queries (the position reading), columns: keys (positions read), of the first example; dark red: most attention.",
                    Pictures.heatMap(map, lq, lk, rows, cols, 0, 1, Pictures.Palette.HEAT, Math.max(6, Math.min(16, 640 / Math.max(lq, lk))))));
        }
        return out;
    }

    private static Picture hiddenStates(RecurrentActivity a, String[] tokens, List<String> notes) {
        float[][] hs = a.hidden();
        int t = hs.length, h = hs[0].length;
        double[] var = new double[h];
        for (int j = 0; j < h; j++) {
            double m = 0, q = 0;
            for (float[] step : hs) {
                m += step[j];
                q += step[j] * step[j];
            }
            var[j] = q / t - (m / t) * (m / t);
        }
        int[] units = IntStream.range(0, h).boxed().sorted(Comparator.comparingDouble((Integer j) -> -var[j])).limit(LSTM_UNITS).mapToInt(Integer::intValue).toArray();
        float[] map = new float[units.length * t];
        String[] rows = new String[units.length];
        for (int r = 0; r < units.length; r++) {
            rows[r] = "unit " + units[r];
            for (int s = 0; s < t; s++) map[r * t + s] = hs[s][units[r]];
        }
        float largest = 0;
        for (float v : map) largest = Math.max(largest, Math.abs(v));
        return new Picture("Hidden-state activity of " + a.layer() + " (" + a.kind() + ")",
                String.format(Locale.ROOT, "the %d of %d hidden units that vary most over the first example, per step (columns); red: positive, blue: negative, full colour at |h| = %.2f.",
                        units.length, h, largest),
                Pictures.heatMap(map, units.length, t, rows, labels(tokens, t, a.layer(), notes), -largest, largest, Pictures.Palette.DIVERGING, Math.max(6, Math.min(14, 900 / t))));
    }

    private static String[] labels(String[] tokens, int n, String who, List<String> notes) {
        if (tokens != null && tokens.length == n) {
            String[] out = new String[n];
            for (int i = 0; i < n; i++) out[i] = tokens[i].equals(" ") ? "_" : tokens[i].equals("\n") ? "\\n" : tokens[i];
            return out;
        }
        if (tokens != null && who != null) notes.add(who + ": " + tokens.length + " token labels for " + n + " positions; positions are numbered instead");
        String[] out = new String[n];
        for (int i = 0; i < n; i++) out[i] = Integer.toString(i);
        return out;
    }
}
