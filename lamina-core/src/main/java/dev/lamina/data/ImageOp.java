package dev.lamina.data;

import dev.lamina.tensor.Rng;

/** One step of an image pipeline ({@link ImagePipeline}): see {@link ImageOps} for torchvision's. */
@FunctionalInterface
public interface ImageOp {
    /** The transformed image; random steps draw from {@code rng}, deterministic ones ignore it. */
    Image apply(Image image, Rng rng);
}
