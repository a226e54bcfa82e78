package dev.lamina.explain;

import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The explanation as one self-contained HTML page: styles inline, the gradient flow as inline SVG, pictures as
 * base64 PNG data; nothing is loaded from anywhere else, so the file can be mailed, archived or served as a run
 * directory's {@code explain.html}.
 */
final class HtmlReport {
    private HtmlReport() {
    }

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222;line-height:1.4}
            h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
            .card{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin:.6em 0}
            .card h3{margin:.2em 0;font-size:1em}.card .what{font-style:italic}
            .container{background:#f6f6f6}
            table{border-collapse:collapse;font-size:.9em}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #eee}
            .diag{border-left:5px solid #c0392b;background:#fdf2f0;padding:.5em 1em;margin:.6em 0}
            .ok{border-left:5px solid #27ae60;background:#eefaf1;padding:.5em 1em}
            .note{color:#666}figure{display:inline-block;margin:1em;vertical-align:top;max-width:32em}
            figcaption{font-size:.85em;color:#444}img{image-rendering:pixelated;max-width:100%}
            """;

    static String of(Explanation e) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc("Explain: " + e.title())).append("</title><style>").append(STYLE).append("</style></head><body>\n");
        sb.append("<h1>").append(esc(e.title())).append("</h1>\n");
        sb.append(String.format(Locale.ROOT, "<p>%,d parameters; batch of %d; input mean %.4g, std %.4g, range %.4g to %.4g.</p>%n",
                e.parameters(), e.batchSize(), e.input().mean(), e.input().std(), e.input().min(), e.input().max()));
        sb.append("<h2 id=\"diagnoses\">Diagnoses</h2>\n");
        if (e.diagnoses().isEmpty()) sb.append("<div class=\"ok\">No problems found by the checks that could run.</div>\n");
        for (Diagnosis d : e.diagnoses()) {
            sb.append("<div class=\"diag\" data-kind=\"").append(d.kind()).append("\"><b>").append(esc(d.kind().title())).append("</b> at <b>").append(esc(d.layer())).append("</b><br>")
                    .append("Evidence: ").append(esc(d.evidence())).append("<br>Rule: ").append(esc(d.threshold())).append("<br>Remedy: ").append(esc(d.remedy())).append("</div>\n");
        }
        Fit f = e.fit();
        if (!Double.isNaN(f.trainLoss())) {
            sb.append(String.format(Locale.ROOT, "<p>Loss on the batch %.4f%s%s.</p>%n", f.trainLoss(),
                    Double.isNaN(f.trainAccuracy()) ? "" : String.format(Locale.ROOT, " (accuracy %.1f%%)", 100 * f.trainAccuracy()),
                    Double.isNaN(f.validationLoss()) ? "" : String.format(Locale.ROOT, "; on the validation batch %.4f%s", f.validationLoss(),
                            Double.isNaN(f.validationAccuracy()) ? "" : String.format(Locale.ROOT, " (accuracy %.1f%%)", 100 * f.validationAccuracy()))));
        }
        gradientFlow(e.layers(), sb);
        sb.append("<h2 id=\"layers\">Layers</h2>\n");
        for (LayerCard c : e.layers()) card(c, sb);
        if (!e.attention().isEmpty()) {
            sb.append("<h2 id=\"attention\">Attention heads</h2>\n<table><tr><th>layer</th><th>head</th><th>entropy (bits)</th><th>share of most possible</th><th>on own position</th><th>closest head (distance)</th></tr>\n");
            for (AttentionHead h : e.attention()) {
                sb.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%.3f</td><td>%.2f</td><td>%s</td><td>%d (%.3f)</td></tr>%n", esc(h.layer()), h.head(), h.entropy(), h.normalizedEntropy(),
                        Double.isNaN(h.selfShare()) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * h.selfShare()), h.closestHead(), h.closestDistance()));
            }
            sb.append("</table>\n");
        }
        if (!e.recurrent().isEmpty()) {
            sb.append("<h2 id=\"recurrent\">Recurrent gates</h2>\n<table><tr><th>layer</th><th>depth</th><th>share of saturated values per gate</th></tr>\n");
            for (RecurrentActivity a : e.recurrent()) {
                for (int l = 0; l < a.gateSaturation().length; l++) {
                    StringBuilder gates = new StringBuilder();
                    for (int g = 0; g < a.gates().length; g++) gates.append(String.format(Locale.ROOT, "%s%s %.1f%%", g == 0 ? "" : ", ", a.gates()[g], 100 * a.gateSaturation()[l][g]));
                    sb.append(String.format(Locale.ROOT, "<tr><td>%s (%s)</td><td>%d</td><td>%s</td></tr>%n", esc(a.layer()), a.kind(), l, gates));
                }
            }
            sb.append("</table><p class=\"note\">Sigmoid gates count as saturated within 0.01 of 0 or 1, tanh ones (the LSTM's cell candidate, the GRU's new state) beyond |g| &gt; 0.99.</p>\n");
        }
        if (!e.pictures().isEmpty()) {
            sb.append("<h2 id=\"pictures\">Pictures</h2>\n");
            for (Picture p : e.pictures()) {
                sb.append("<figure><img alt=\"").append(esc(p.title())).append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(p.png()))
                        .append("\"><figcaption><b>").append(esc(p.title())).append("</b><br>").append(esc(p.caption())).append("</figcaption></figure>\n");
            }
        }
        for (String n : e.notes()) sb.append("<p class=\"note\">Note: ").append(esc(n)).append("</p>\n");
        return sb.append("</body></html>\n").toString();
    }

    private static void card(LayerCard c, StringBuilder sb) {
        ActivationStats s = c.stats();
        sb.append("<div class=\"card").append(c.container() ? " container" : "").append("\" id=\"layer-").append(esc(c.path())).append("\"><h3>").append(esc(c.name())).append("</h3>")
                .append("<div class=\"what\">").append(esc(c.description())).append("</div><table>");
        row(sb, "shape", esc(TextReport.batch(c.inputShape()) + " → " + TextReport.batch(c.outputShape())));
        row(sb, "parameters", String.format(Locale.ROOT, "%,d (%.1f%% of the model)", c.parameters(), 100 * c.parameterShare()));
        row(sb, "per example", TextReport.count(c.macsPerExample()) + " multiply-adds, " + TextReport.bytes(c.activationBytes()) + " of activations");
        row(sb, "receptive field", TextReport.field(c.receptiveField()));
        String extra = (Double.isNaN(s.saturation()) ? "" : String.format(Locale.ROOT, ", saturated %.1f%%", 100 * s.saturation()))
                + (Double.isNaN(s.deadUnits()) ? "" : String.format(Locale.ROOT, ", dead units %.1f%%", 100 * s.deadUnits()))
                + (s.nonFinite() > 0 ? String.format(Locale.ROOT, ", %,d NaN/infinite", s.nonFinite()) : "");
        row(sb, "output", String.format(Locale.ROOT, "mean %.4g, std %.4g, range %.4g to %.4g, zeros %.1f%%%s", s.mean(), s.std(), s.min(), s.max(), 100 * s.zeros(), extra));
        if (!Double.isNaN(c.outputGradNorm()) || !Double.isNaN(c.weightGradRms())) {
            row(sb, "gradient", "norm at output " + TextReport.num(c.outputGradNorm()) + ", rms of weights " + TextReport.num(c.weightGradRms())
                    + (Double.isNaN(c.updateRatio()) ? "" : String.format(Locale.ROOT, "; update/weight ratio %.3g", c.updateRatio())));
        }
        sb.append("</table></div>\n");
    }

    private static void row(StringBuilder sb, String key, String value) {
        sb.append("<tr><th>").append(key).append("</th><td>").append(value).append("</td></tr>");
    }

    /** A bar per layer of the gradient rms at its output, on a log axis. */
    private static void gradientFlow(List<LayerCard> cards, StringBuilder sb) {
        List<LayerCard> shown = cards.stream().filter(c -> !c.container() && c.outputGradNorm() > 0 && Double.isFinite(c.outputGradNorm())).toList();
        if (shown.isEmpty()) return;
        double lo = shown.stream().mapToDouble(c -> Math.log10(c.outputGradNorm())).min().orElse(0), hi = shown.stream().mapToDouble(c -> Math.log10(c.outputGradNorm())).max().orElse(0);
        lo = Math.floor(lo) - 1;
        hi = Math.ceil(hi);
        int bar = 22, width = 640, label = 200, height = shown.size() * bar + 30;
        sb.append("<h2 id=\"gradients\">Gradient flow through depth</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height).append("\" font-size=\"12\">\n");
        for (int i = 0; i < shown.size(); i++) {
            LayerCard c = shown.get(i);
            double len = (Math.log10(c.outputGradNorm()) - lo) / (hi - lo) * (width - label - 70);
            int y = 10 + i * bar;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#2980b9\"/><text x=\"%.1f\" y=\"%d\">%.2g</text>%n",
                    label - 6, y + 14, esc(c.name()), label, y + 2, Math.max(1, len), bar - 6, label + Math.max(1, len) + 4, y + 14, c.outputGradNorm()));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">log scale, 1e%.0f to 1e%.0f: norm of the loss gradient at each layer's output</text>%n</svg>%n", label, height - 4, lo, hi));
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
