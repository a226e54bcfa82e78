package dev.lamina.nn.functional;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Adaptive 1-d pooling as PyTorch's {@code F.adaptive_avg_pool1d} / {@code F.adaptive_max_pool1d}: output
 * position i pools input positions [floor(i·L/out), ceil((i+1)·L/out)) (bins overlap when the sizes do not
 * divide, and repeat inputs when out &gt; L).
 *
 * <p>Runs as the 2-d adaptive pools of {@link PoolOps} over [N, C, 1, L] with output 1 × out (the one-row bin
 * is [0, 1)), so forward, backward and the cached arg-max are theirs; this class checks and names the 1-d
 * shapes. Errors name the caller ({@code who}), the expected shape and the actual one.
 */
public final class AdaptivePool1dOp {
    private AdaptivePool1dOp() {}

    /**
     * {@code F.adaptive_avg_pool1d(x, out)}.
     *
     * @param x [N, C, L] or [C, L], L ≥ 1
     * @return [N, C, out] (or [C, out])
     */
    public static Tensor adaptiveAvgPool1d(String who, Tensor x, int out) {
        Tensor y = PoolOps.adaptiveAvgPool2d(who, lift(who, x, out), 1, out);
        return drop(x, y);
    }

    public static Tensor adaptiveAvgPool1d(Tensor x, int out) {
        return adaptiveAvgPool1d("adaptive_avg_pool1d", x, out);
    }

    /**
     * {@code F.adaptive_max_pool1d(x, out)}: the first maximum of a bin wins (NaN propagates) and gets the bin's
     * gradient; a position that is the maximum of several overlapping bins sums their gradients.
     *
     * @param x [N, C, L] or [C, L], L ≥ 1
     * @return [N, C, out] (or [C, out])
     */
    public static Tensor adaptiveMaxPool1d(String who, Tensor x, int out) {
        Tensor y = PoolOps.adaptiveMaxPool2d(who, lift(who, x, out), 1, out).output();
        return drop(x, y);
    }

    public static Tensor adaptiveMaxPool1d(Tensor x, int out) {
        return adaptiveMaxPool1d("adaptive_max_pool1d", x, out);
    }

    /** Checks the 1-d shapes and views x as [N, C, 1, L]. */
    private static Tensor lift(String who, Tensor x, int out) {
        if (out <= 0) throw new IllegalArgumentException(who + ": output size must be positive, got " + out);
        int r = x.dim();
        if (r != 2 && r != 3) {
            throw new ShapeException(who + ": expected input of shape [N, C, L] or [C, L], got " + Shape.str(x.shape()) + ": wrong rank " + r);
        }
        int n = r == 3 ? x.size(0) : 1, c = x.size(r - 2), len = x.size(r - 1);
        if (c <= 0 || len <= 0) {
            throw new ShapeException(who + ": expected input of shape [N, C >= 1, L >= 1] or [C >= 1, L >= 1], got " + Shape.str(x.shape())
                    + ": output size " + out + " needs a non-empty input");
        }
        return x.reshape(n, c, 1, len);
    }

    /** [N, C, 1, out] back to x's rank. */
    private static Tensor drop(Tensor x, Tensor y) {
        return x.dim() == 3 ? y.reshape(y.size(0), y.size(1), y.size(3)) : y.reshape(y.size(1), y.size(3));
    }
}
