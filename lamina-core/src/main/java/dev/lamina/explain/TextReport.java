package dev.lamina.explain;

import dev.lamina.tensor.Shape;

import java.util.Arrays;
import java.util.Locale;

/** The explanation as plain text for a terminal: a card per layer, the fit, attention and LSTM tables, the diagnoses. */
final class TextReport {
    private TextReport() {
    }

    static String of(Explanation e) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.title()).append(String.format(Locale.ROOT, ": %,d parameters, batch of %d%n", e.parameters(), e.batchSize()));
        sb.append(String.format(Locale.ROOT, "input: mean %.4g, std %.4g, range %.4g to %.4g%n", e.input().mean(), e.input().std(), e.input().min(), e.input().max()));
        for (LayerCard c : e.layers()) {
            sb.append('\n').append(c.name()).append(c.container() ? "  [container]" : "").append('\n');
            sb.append("  ").append(c.description()).append('\n');
            sb.append(String.format(Locale.ROOT, "  %s -> %s; %,d parameters (%.1f%%); %s multiply-adds and %s of activations per example; receptive field %s%n",
                    batch(c.inputShape()), batch(c.outputShape()), c.parameters(), 100 * c.parameterShare(), count(c.macsPerExample()), bytes(c.activationBytes()), field(c.receptiveField())));
            ActivationStats s = c.stats();
            sb.append(String.format(Locale.ROOT, "  output: mean %.4g, std %.4g, range %.4g to %.4g, zeros %.1f%%", s.mean(), s.std(), s.min(), s.max(), 100 * s.zeros()));
            if (!Double.isNaN(s.saturation())) sb.append(String.format(Locale.ROOT, ", saturated %.1f%%", 100 * s.saturation()));
            if (!Double.isNaN(s.deadUnits())) sb.append(String.format(Locale.ROOT, ", dead units %.1f%%", 100 * s.deadUnits()));
            if (s.nonFinite() > 0) sb.append(String.format(Locale.ROOT, ", %,d NaN/infinite", s.nonFinite()));
            sb.append('\n');
            if (!Double.isNaN(c.outputGradNorm()) || !Double.isNaN(c.weightGradRms())) {
                sb.append(String.format(Locale.ROOT, "  gradient: norm at output %s, rms of weights %s", num(c.outputGradNorm()), num(c.weightGradRms())));
                if (!Double.isNaN(c.updateRatio())) sb.append(String.format(Locale.ROOT, "; update/weight ratio %.3g", c.updateRatio()));
                sb.append('\n');
            }
        }
        Fit f = e.fit();
        if (!Double.isNaN(f.trainLoss())) {
            sb.append(String.format(Locale.ROOT, "%nloss on the batch %.4f", f.trainLoss()));
            if (!Double.isNaN(f.trainAccuracy())) sb.append(String.format(Locale.ROOT, " (accuracy %.1f%%)", 100 * f.trainAccuracy()));
            if (!Double.isNaN(f.validationLoss())) sb.append(String.format(Locale.ROOT, "; on the validation batch %.4f", f.validationLoss()));
            if (!Double.isNaN(f.validationAccuracy())) sb.append(String.format(Locale.ROOT, " (accuracy %.1f%%)", 100 * f.validationAccuracy()));
            sb.append('\n');
        }
        if (!e.attention().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nattention heads (entropy in bits and as a share of the most possible; self: share on the query's own position)%n"));
            for (AttentionHead h : e.attention()) {
                sb.append(String.format(Locale.ROOT, "  %s head %d: entropy %.3f (%.2f), self %s, closest head %d at distance %.3f%n",
                        h.layer(), h.head(), h.entropy(), h.normalizedEntropy(), Double.isNaN(h.selfShare()) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * h.selfShare()), h.closestHead(), h.closestDistance()));
            }
        }
        for (RecurrentActivity a : e.recurrent()) {
            sb.append(String.format(Locale.ROOT, "%n%s (%s) gates saturated:", a.layer(), a.kind()));
            for (int l = 0; l < a.gateSaturation().length; l++) {
                sb.append(" layer ").append(l);
                for (int g = 0; g < a.gates().length; g++) sb.append(String.format(Locale.ROOT, " %s %.1f%%", a.gates()[g], 100 * a.gateSaturation()[l][g]));
                sb.append(';');
            }
            sb.append('\n');
        }
        sb.append('\n');
        if (e.diagnoses().isEmpty()) {
            sb.append("no problems found by the checks that could run\n");
        } else {
            sb.append(e.diagnoses().size()).append(e.diagnoses().size() == 1 ? " problem" : " problems").append(" found:\n");
            for (Diagnosis d : e.diagnoses()) {
                sb.append(String.format(Locale.ROOT, "%n* %s at %s%n  evidence: %s%n  rule: %s%n  remedy: %s%n", d.kind().title(), d.layer(), d.evidence(), d.threshold(), d.remedy()));
            }
        }
        for (String n : e.notes()) sb.append("note: ").append(n).append('\n');
        return sb.toString();
    }

    static String batch(int[] shape) {
        int[] s = shape.clone();
        if (s.length == 0) return "[]";
        return "[N" + (s.length > 1 ? ", " + Shape.str(Arrays.copyOfRange(s, 1, s.length)).substring(1) : "]");
    }

    static String field(int f) {
        return f == LayerCost.WHOLE_INPUT ? "the whole input" : f == 0 ? "not computed" : f + (f == 1 ? " value" : " values") + " per side";
    }

    static String count(long n) {
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2fG", n / 1e9);
        if (n >= 1_000_000L) return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        if (n >= 1_000L) return String.format(Locale.ROOT, "%.1fk", n / 1e3);
        return Long.toString(n);
    }

    static String bytes(long n) {
        if (n >= 1 << 20) return String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
        if (n >= 1 << 10) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        return n + " B";
    }

    static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3g", v);
    }
}
