package dev.lamina.data;

/**
 * torchvision's image transforms as {@link ImageOp}s: {@link #resize}, {@link #centerCrop},
 * {@link #randomResizedCrop}, {@link #horizontalFlip}, {@link #normalize}. Resampling is bilinear with pixel
 * centres at half-integers (PyTorch's {@code interpolate(mode="bilinear", align_corners=False)}, no antialiasing).
 */
public final class ImageOps {
    private ImageOps() {}

    /** torchvision's {@code Resize(size)}: the shorter side becomes {@code size}, the other keeps the aspect ratio. */
    public static ImageOp resize(int size) {
        positive("resize", size);
        return (img, rng) -> {
            int h = img.height(), w = img.width();
            int nh = h <= w ? size : (int) ((long) size * h / w), nw = h <= w ? (int) ((long) size * w / h) : size;
            return resample(img, 0, 0, h, w, Math.max(1, nh), Math.max(1, nw));
        };
    }

    /** {@code Resize((height, width))}: exactly that size. */
    public static ImageOp resize(int height, int width) {
        positive("resize", height);
        positive("resize", width);
        return (img, rng) -> resample(img, 0, 0, img.height(), img.width(), height, width);
    }

    /** torchvision's {@code CenterCrop(size)}: the central size × size square (zero-padded when the image is smaller). */
    public static ImageOp centerCrop(int size) {
        positive("centerCrop", size);
        return (img, rng) -> crop(img, (img.height() - size) / 2, (img.width() - size) / 2, size, size);
    }

    /**
     * torchvision's {@code RandomResizedCrop(size, scale=(0.08, 1), ratio=(3/4, 4/3))}: a random area share in
     * {@code [minScale, maxScale]} and log-uniform aspect ratio in {@code [minRatio, maxRatio]} (ten tries, then the
     * central crop of the closest allowed ratio), resized to size × size.
     */
    public static ImageOp randomResizedCrop(int size, double minScale, double maxScale, double minRatio, double maxRatio) {
        positive("randomResizedCrop", size);
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) throw new IllegalArgumentException("randomResizedCrop: scale must satisfy 0 < min <= max <= 1, got " + minScale + ", " + maxScale);
        if (!(minRatio > 0 && minRatio <= maxRatio)) throw new IllegalArgumentException("randomResizedCrop: ratio must satisfy 0 < min <= max, got " + minRatio + ", " + maxRatio);
        return (img, rng) -> {
            int h = img.height(), w = img.width();
            double area = (double) h * w;
            for (int attempt = 0; attempt < 10; attempt++) {
                double target = area * (minScale + (maxScale - minScale) * rng.nextDouble());
                double ratio = Math.exp(Math.log(minRatio) + (Math.log(maxRatio) - Math.log(minRatio)) * rng.nextDouble());
                int cw = (int) Math.round(Math.sqrt(target * ratio)), ch = (int) Math.round(Math.sqrt(target / ratio));
                if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
                    int top = rng.nextInt(h - ch + 1), left = rng.nextInt(w - cw + 1);
                    return resample(img, top, left, ch, cw, size, size);
                }
            }
            double inRatio = (double) w / h;
            int cw = w, ch = h;
            if (inRatio < minRatio) ch = (int) Math.round(w / minRatio);
            else if (inRatio > maxRatio) cw = (int) Math.round(h * maxRatio);
            return resample(img, (h - ch) / 2, (w - cw) / 2, ch, cw, size, size);
        };
    }

    /** {@link #randomResizedCrop(int, double, double, double, double)} with torchvision's defaults (0.08–1, 3/4–4/3). */
    public static ImageOp randomResizedCrop(int size) {
        return randomResizedCrop(size, 0.08, 1.0, 3.0 / 4, 4.0 / 3);
    }

    /** torchvision's {@code RandomHorizontalFlip(p)}: mirrors left to right with probability p. */
    public static ImageOp horizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("horizontalFlip: probability must be in [0, 1], got " + p);
        return (img, rng) -> {
            if (rng.nextDouble() >= p) return img;
            int c = img.channels(), h = img.height(), w = img.width();
            float[] out = new float[img.data().length];
            for (int row = 0; row < c * h; row++) {
                for (int x = 0; x < w; x++) out[row * w + x] = img.data()[row * w + w - 1 - x];
            }
            return new Image(out, c, h, w);
        };
    }

    /** torchvision's {@code Normalize(mean, std)}: (x − mean[c]) / std[c] per channel; one value serves every channel. */
    public static ImageOp normalize(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) throw new IllegalArgumentException("normalize: need as many means as standard deviations (at least one), got " + mean.length + " and " + std.length);
        for (int i = 0; i < std.length; i++) {
            if (!(std[i] > 0) || !Float.isFinite(std[i]) || !Float.isFinite(mean[i])) throw new IllegalArgumentException("normalize: standard deviation must be positive and finite and mean finite, got mean " + mean[i] + ", std " + std[i] + " for channel " + i);
        }
        float[] m = mean.clone(), s = std.clone();
        return (img, rng) -> {
            int c = img.channels(), plane = img.height() * img.width();
            if (m.length != 1 && m.length != c) throw new IllegalArgumentException("normalize: " + m.length + " means for an image of " + c + " channels (" + img.size() + ")");
            float[] out = new float[img.data().length];
            for (int ch = 0; ch < c; ch++) {
                float mu = m[m.length == 1 ? 0 : ch], inv = 1f / s[s.length == 1 ? 0 : ch];
                for (int i = ch * plane; i < (ch + 1) * plane; i++) out[i] = (img.data()[i] - mu) * inv;
            }
            return new Image(out, c, img.height(), img.width());
        };
    }

    private static void positive(String op, int size) {
        if (size <= 0) throw new IllegalArgumentException(op + ": size must be positive, got " + size);
    }

    /** The [top, top + ch) × [left, left + cw) window, zero outside the image. */
    static Image crop(Image img, int top, int left, int ch, int cw) {
        int c = img.channels(), h = img.height(), w = img.width();
        float[] out = new float[c * ch * cw];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < ch; y++) {
                int sy = top + y;
                if (sy < 0 || sy >= h) continue;
                for (int x = 0; x < cw; x++) {
                    int sx = left + x;
                    if (sx >= 0 && sx < w) out[(k * ch + y) * cw + x] = img.data()[(k * h + sy) * w + sx];
                }
            }
        }
        return new Image(out, c, ch, cw);
    }

    /** Bilinear resampling of the window [top, top + ch) × [left, left + cw) to oh × ow. */
    static Image resample(Image img, int top, int left, int ch, int cw, int oh, int ow) {
        if (top == 0 && left == 0 && ch == oh && cw == ow && ch == img.height() && cw == img.width()) return img;
        int c = img.channels(), h = img.height(), w = img.width();
        float[] out = new float[c * oh * ow];
        double sy = (double) ch / oh, sx = (double) cw / ow;
        for (int y = 0; y < oh; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, ch - 1), y1 = Math.min(y0 + 1, ch - 1);
            double wy = fy - y0;
            for (int x = 0; x < ow; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, cw - 1), x1 = Math.min(x0 + 1, cw - 1);
                double wx = fx - x0;
                for (int k = 0; k < c; k++) {
                    int base = k * h * w;
                    double a = img.data()[base + (top + y0) * w + left + x0], b = img.data()[base + (top + y0) * w + left + x1];
                    double d = img.data()[base + (top + y1) * w + left + x0], e = img.data()[base + (top + y1) * w + left + x1];
                    out[(k * oh + y) * ow + x] = (float) ((a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy);
                }
            }
        }
        return new Image(out, c, oh, ow);
    }
}
