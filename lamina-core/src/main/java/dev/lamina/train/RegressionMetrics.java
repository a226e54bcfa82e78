package dev.lamina.train;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Locale;

/**
 * Regression quality of predictions against targets (same number of values): mean absolute error, root mean
 * squared error and the coefficient of determination R² = 1 − SS_res/SS_tot (1 is perfect, 0 is predicting the
 * mean; NaN when the targets are constant).
 */
public record RegressionMetrics(double mae, double rmse, double r2, int count) {
    public static RegressionMetrics of(Tensor predicted, Tensor actual) {
        float[] p = predicted.toArray(), a = actual.toArray();
        if (p.length != a.length || p.length == 0) {
            throw new IllegalArgumentException("RegressionMetrics: predictions " + Shape.str(predicted.shape()) + " and targets " + Shape.str(actual.shape()) + " must hold the same, non-zero number of values");
        }
        double mean = 0;
        for (float v : a) mean += v;
        mean /= a.length;
        double abs = 0, sq = 0, tot = 0;
        for (int i = 0; i < p.length; i++) {
            double d = p[i] - (double) a[i];
            abs += Math.abs(d);
            sq += d * d;
            tot += (a[i] - mean) * (a[i] - mean);
        }
        return new RegressionMetrics(abs / p.length, Math.sqrt(sq / p.length), tot > 0 ? 1 - sq / tot : Double.NaN, p.length);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "MAE %.4g  RMSE %.4g  R² %.4f", mae, rmse, r2);
    }
}
