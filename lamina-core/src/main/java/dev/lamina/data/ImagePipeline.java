package dev.lamina.data;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.List;

/**
 * A {@link Transform} from positions in an {@link ImageFolder} ([B, 1], from {@link ImageFolder#dataset()}) to the
 * images after {@code ops} ([B, C, H, W]). Random steps draw from one seeded generator, image after image in
 * batch order: the same seed and the same sequence of batches give the same augmentations, on the caller's
 * thread or the loader's prefetch thread alike. Every image must come out of the ops with the same size (add a
 * resize or crop when the files differ); the error names the two files.
 */
public final class ImagePipeline implements Transform {
    private final ImageFolder folder;
    private final List<ImageOp> ops;
    private final Rng rng;

    ImagePipeline(ImageFolder folder, List<ImageOp> ops, Rng rng) {
        this.folder = folder;
        this.ops = List.copyOf(ops);
        this.rng = java.util.Objects.requireNonNull(rng, "rng");
    }

    public Rng rng() {
        return rng;
    }

    @Override
    public Tensor apply(Tensor positions) {
        if (positions.dim() != 2 || positions.size(1) != 1) throw new ShapeException("image pipeline: expected positions [B, 1] from ImageFolder.dataset(), got " + Shape.str(positions.shape()));
        float[] ids = positions.contiguous().toArray();
        float[] out = null;
        Image first = null;
        int firstIndex = -1;
        synchronized (rng) {
            for (int b = 0; b < ids.length; b++) {
                int index = (int) ids[b];
                if (index < 0 || index >= folder.size() || index != ids[b]) throw new IllegalArgumentException("image pipeline: position " + ids[b] + " is not an image of " + folder.root() + " (0.." + (folder.size() - 1) + ")");
                Image img = folder.image(index);
                for (ImageOp op : ops) img = op.apply(img, rng);
                if (first == null) {
                    first = img;
                    firstIndex = index;
                    out = new float[ids.length * img.data().length];
                } else if (img.channels() != first.channels() || img.height() != first.height() || img.width() != first.width()) {
                    throw new IllegalArgumentException("image pipeline: " + folder.file(index) + " comes out " + img.size() + ", " + folder.file(firstIndex) + " " + first.size()
                            + "; resize or crop the images to one size");
                }
                System.arraycopy(img.data(), 0, out, b * img.data().length, img.data().length);
            }
        }
        return Tensor.of(out, ids.length, first.channels(), first.height(), first.width());
    }
}
