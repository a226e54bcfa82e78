package dev.lamina.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.function.Function;

/**
 * Axis tick labels with as many digits as the axis's span needs and no more: on an axis from 0.2 to 1.45 the ticks
 * read {@code 0.25}, {@code 1.4}, {@code 1.45} rather than {@code 1.448972765922546}; whole numbers read as whole
 * numbers; very large or very small magnitudes use three significant digits in scientific notation.
 */
final class TickFormat {
    /** Roughly how many ticks an axis shows; the label precision resolves a tenth of the span. */
    private static final int RESOLUTION = 10;

    private TickFormat() {
    }

    /** A formatter for the ticks of an axis spanning [lo, hi] (in either order; equal or non-finite ends are allowed). */
    static Function<Double, String> forRange(double lo, double hi) {
        double span = Math.abs(hi - lo);
        double magnitude = Math.max(Math.abs(lo), Math.abs(hi));
        double step = Double.isFinite(span) && span > 0 ? span / RESOLUTION : Double.isFinite(magnitude) && magnitude > 0 ? magnitude / RESOLUTION : 1;
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step)) + 1);
        return v -> format(v, decimals);
    }

    /** A round spacing (1, 2 or 5 times a power of ten) that cuts {@code span} into at most {@code ticks} intervals. */
    static double niceStep(double span, int ticks) {
        if (!(span > 0) || !Double.isFinite(span)) return 1;
        double raw = span / Math.max(1, ticks), power = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= raw * (1 - 1e-9)) return m * power;
        }
        return 10 * power;
    }

    /** {@code v} rounded to {@code decimals} decimal places, trailing zeros dropped. */
    static String format(double v, int decimals) {
        if (!Double.isFinite(v)) return Double.toString(v);
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e7 || decimals > 6)) {
            if (a < Math.pow(10, -decimals) / 2) return "0";
            return String.format(Locale.ROOT, "%.3g", v).replaceAll("\\.?0+e", "e");
        }
        String s = BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }
}
