package dev.lamina.data;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * A function of a batch's (or a whole data set's) features, such as normalisation. A {@link DataLoader} with
 * prefetching applies its transform on its background thread, so a transform should be self-contained (it must not
 * share mutable state with the training thread); the built-in ones use plain loops rather than tensor ops, which
 * keeps them off the shared worker pool the training thread uses.
 */
@FunctionalInterface
public interface Transform {
    /** The transformed features; must not modify {@code features} in place. */
    Tensor apply(Tensor features);

    /** This transform, then {@code next}. */
    default Transform andThen(Transform next) {
        return x -> next.apply(apply(x));
    }

    static Transform identity() {
        return x -> x;
    }

    /** (x − mean) / std with one mean and standard deviation for every feature (torchvision's Normalize for one channel). */
    static Normalize normalize(float mean, float std) {
        return new Normalize(new float[] {mean}, new float[] {std});
    }

    /**
     * (x − mean[j]) / std[j] per feature {@code j} along the last dimension (for a table: one mean and deviation per
     * column).
     */
    static Normalize normalize(float[] mean, float[] std) {
        return new Normalize(mean, std);
    }

    /** Normalisation by fixed statistics; {@link #fit} computes them from training features. */
    final class Normalize implements Transform {
        private final float[] mean;
        private final float[] invStd;
        private final float[] std;

        Normalize(float[] mean, float[] std) {
            if (mean.length == 0 || mean.length != std.length) {
                throw new IllegalArgumentException("normalize: need as many means as standard deviations (at least one), got " + mean.length + " and " + std.length);
            }
            this.mean = mean.clone();
            this.std = std.clone();
            this.invStd = new float[std.length];
            for (int j = 0; j < std.length; j++) {
                if (!(std[j] > 0) || !Float.isFinite(std[j]) || !Float.isFinite(mean[j])) {
                    throw new IllegalArgumentException("normalize: standard deviation must be positive and finite and mean finite, got mean " + mean[j] + ", std " + std[j] + " at position " + j);
                }
                invStd[j] = 1f / std[j];
            }
        }

        /**
         * Statistics of {@code features} [N, ...]: one mean and (population) standard deviation over all values, or
         * with {@code perFeature} one per position of the last dimension. A constant feature gets std 1 so it maps
         * to 0 rather than to NaN.
         */
        public static Normalize fit(Tensor features, boolean perFeature) {
            float[] v = features.toArray();
            int width = perFeature ? features.size(features.dim() - 1) : 1;
            if (v.length == 0) throw new IllegalArgumentException("normalize: cannot fit statistics of an empty tensor");
            double[] sum = new double[width], sq = new double[width];
            for (int i = 0; i < v.length; i++) {
                int j = i % width;
                sum[j] += v[i];
            }
            long count = v.length / width;
            float[] mean = new float[width], std = new float[width];
            for (int j = 0; j < width; j++) mean[j] = (float) (sum[j] / count);
            for (int i = 0; i < v.length; i++) {
                double d = v[i] - (double) mean[i % width];
                sq[i % width] += d * d;
            }
            for (int j = 0; j < width; j++) {
                double s = Math.sqrt(sq[j] / count);
                std[j] = s > 1e-12 ? (float) s : 1f;
            }
            return new Normalize(mean, std);
        }

        public float[] mean() {
            return mean.clone();
        }

        public float[] std() {
            return std.clone();
        }

        @Override
        public Tensor apply(Tensor features) {
            int width = mean.length;
            int[] shape = features.shape();
            if (width > 1 && (shape.length == 0 || shape[shape.length - 1] != width)) {
                throw new ShapeException("normalize: statistics for " + width + " features, but features have shape " + Shape.str(shape));
            }
            float[] x = features.toArray();
            float[] out = new float[x.length];
            if (width == 1) {
                float m = mean[0], s = invStd[0];
                for (int i = 0; i < x.length; i++) out[i] = (x[i] - m) * s;
            } else {
                for (int i = 0; i < x.length; i += width) {
                    for (int j = 0; j < width; j++) out[i + j] = (x[i + j] - mean[j]) * invStd[j];
                }
            }
            return Tensor.of(out, shape);
        }
    }
}
