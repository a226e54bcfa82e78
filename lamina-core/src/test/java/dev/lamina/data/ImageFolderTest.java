package dev.lamina.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders written by the test (PNG and JPEG, good and broken), the transforms, and loading them in batches. */
class ImageFolderTest {
    @TempDir
    Path dir;

    /** A w × h RGB picture whose red channel is x·10, green y·10, blue {@code blue}. */
    static BufferedImage picture(int w, int h, int blue) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 10) << 16 | (y * 10) << 8 | blue);
        return img;
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), format);
        return out.toByteArray();
    }

    /** cat/ two PNGs, dog/ a PNG and a JPEG, and a README that is not an image. */
    private Path goodFolder() throws IOException {
        Files.createDirectories(dir.resolve("cat"));
        Files.createDirectories(dir.resolve("dog"));
        Files.write(dir.resolve("cat/a.png"), encode(picture(6, 4, 0), "png"));
        Files.write(dir.resolve("cat/b.PNG"), encode(picture(6, 4, 50), "png"));
        Files.write(dir.resolve("dog/c.png"), encode(picture(6, 4, 100), "png"));
        Files.write(dir.resolve("dog/d.jpg"), encode(picture(6, 4, 200), "jpg"));
        Files.writeString(dir.resolve("dog/README.txt"), "not an image");
        return dir;
    }

    @Test
    void classesAreSortedFolderNamesAndImagesDecodeExactly() throws IOException {
        ImageFolder f = ImageFolder.open(goodFolder(), 3, BadImagePolicy.FAIL, w -> {});
        assertEquals(List.of("cat", "dog"), f.classes());
        assertEquals(4, f.size());
        assertArrayEquals(new int[] {0, 0, 1, 1}, new int[] {f.label(0), f.label(1), f.label(2), f.label(3)});
        Image a = f.image(0);
        assertEquals("3x4x6", a.size());
        assertEquals(50 / 255f, a.get(0, 2, 5), 1e-6);
        assertEquals(30 / 255f, a.get(1, 3, 0), 1e-6);
        assertEquals(50 / 255f, f.image(1).get(2, 0, 0), 1e-6);
        assertEquals(200 / 255f, f.image(3).get(2, 1, 1), 12 / 255f);
        Image grey = ImageFolder.open(dir, 1, BadImagePolicy.FAIL, w -> {}).image(0);
        assertEquals((0.299 * 50 + 0.587 * 20) / 255, grey.get(0, 2, 5), 1e-6);
    }

    @Test
    void brokenImagesAreSkippedNamingThemOrFailTheOpen() throws IOException {
        goodFolder();
        byte[] jpeg = encode(picture(40, 40, 90), "jpg");
        Files.write(dir.resolve("cat/truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        byte[] png = encode(picture(40, 40, 90), "png");
        Files.write(dir.resolve("dog/truncated.png"), Arrays.copyOf(png, png.length / 2));
        Files.writeString(dir.resolve("dog/text.png"), "this is text");
        List<String> warnings = new ArrayList<>();
        ImageFolder f = ImageFolder.open(dir, 3, BadImagePolicy.SKIP, warnings::add);
        assertEquals(4, f.size());
        assertEquals(3, warnings.size(), warnings.toString());
        for (String name : List.of("truncated.jpg", "truncated.png", "text.png")) {
            assertTrue(warnings.stream().anyMatch(w -> w.startsWith("skipped ") && w.contains(name)), name + " in " + warnings);
        }
        IOException e = assertThrows(IOException.class, () -> ImageFolder.open(dir, 3, BadImagePolicy.FAIL, w -> {}));
        assertTrue(e.getMessage().contains("truncated.jpg") && e.getMessage().contains("--on-bad-image skip"), e.getMessage());
    }

    @Test
    void aFolderWithoutClassesOrImagesIsRefusedNamingIt() throws IOException {
        IOException none = assertThrows(IOException.class, () -> ImageFolder.open(dir, 3, BadImagePolicy.FAIL, w -> {}));
        assertTrue(none.getMessage().contains("no class folders"), none.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        IOException empty = assertThrows(IOException.class, () -> ImageFolder.open(dir, 3, BadImagePolicy.FAIL, w -> {}));
        assertTrue(empty.getMessage().contains("empty") && empty.getMessage().contains("without images"), empty.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> ImageFolder.open(dir.resolve("missing"), 3, BadImagePolicy.FAIL, w -> {}));
        assertEquals("--on-bad-image must be skip or fail, got 'ignore'", assertThrows(IllegalArgumentException.class, () -> BadImagePolicy.parse("--on-bad-image", "ignore")).getMessage());
    }

    @Test
    void transformsFollowTorchvision() {
        Image img = new Image(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 1, 3, 4);
        Image flipped = ImageOps.horizontalFlip(1).apply(img, new Rng(1));
        assertArrayEquals(new float[] {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8}, flipped.data());
        assertEquals(img, ImageOps.horizontalFlip(0).apply(img, new Rng(1)));
        assertArrayEquals(new float[] {1, 2, 5, 6}, ImageOps.centerCrop(2).apply(img, null).data());
        Image up = ImageOps.resize(6, 8).apply(img, null);
        assertEquals("1x6x8", up.size());
        assertEquals(0f, up.get(0, 0, 0));
        assertEquals(11f, up.get(0, 5, 7));
        assertEquals(4 * 0.75 + 1.25, up.get(0, 2, 3), 1e-6); // the ramp 4y + x at source (0.75, 1.25), as F.interpolate(bilinear)
        assertEquals("1x2x2", ImageOps.resize(2).apply(new Image(new float[16], 1, 4, 4), null).size());
        assertEquals("1x2x4", ImageOps.resize(2).apply(new Image(new float[32], 1, 4, 8), null).size());
        Image norm = ImageOps.normalize(new float[] {1}, new float[] {2}).apply(img, null);
        assertEquals(-0.5f, norm.get(0, 0, 0));
        Image crop1 = ImageOps.randomResizedCrop(5).apply(img, new Rng(3)), crop2 = ImageOps.randomResizedCrop(5).apply(img, new Rng(3));
        assertArrayEquals(crop1.data(), crop2.data());
        assertEquals("1x5x5", crop1.size());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ImageOps.normalize(new float[] {0, 0}, new float[] {1, 1}).apply(new Image(new float[27], 3, 3, 3), null));
        assertTrue(bad.getMessage().contains("2 means") && bad.getMessage().contains("3 channels"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageOps.randomResizedCrop(5, 0.5, 0.2, 1, 1));
    }

    @Test
    void batchesAreTheSameOnThePrefetchThreadAndSeeded() throws IOException {
        ImageFolder f = ImageFolder.open(goodFolder(), 3, BadImagePolicy.FAIL, w -> {});
        List<ImageOp> ops = List.of(ImageOps.randomResizedCrop(4), ImageOps.horizontalFlip(0.5), ImageOps.normalize(new float[] {0.5f}, new float[] {0.25f}));
        List<float[]> plain = batches(new DataLoader(f.dataset(), 3, true, false, new Rng(5)).transform(f.pipeline(ops, new Rng(6))));
        List<float[]> prefetched = batches(new DataLoader(f.dataset(), 3, true, false, new Rng(5)).transform(f.pipeline(ops, new Rng(6))).prefetch(2));
        assertEquals(plain.size(), prefetched.size());
        for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i), prefetched.get(i));
        List<float[]> other = batches(new DataLoader(f.dataset(), 3, true, false, new Rng(5)).transform(f.pipeline(ops, new Rng(7))));
        assertFalse(Arrays.equals(plain.get(0), other.get(0)), "another seed, other crops");
        Tensor batch = f.pipeline(List.of(), new Rng(1)).apply(Tensor.of(new float[] {2, 0}, 2, 1));
        assertArrayEquals(new int[] {2, 3, 4, 6}, batch.shape());
    }

    @Test
    void imagesOfDifferentSizesNeedAResize() throws IOException {
        goodFolder();
        Files.write(dir.resolve("dog/big.png"), encode(picture(8, 8, 0), "png"));
        ImageFolder f = ImageFolder.open(dir, 3, BadImagePolicy.FAIL, w -> {});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.pipeline(List.of(), new Rng(1)).apply(f.dataset().features()));
        assertTrue(e.getMessage().contains("big.png") && e.getMessage().contains("3x8x8") && e.getMessage().contains("3x4x6"), e.getMessage());
        assertArrayEquals(new int[] {5, 3, 4, 4}, f.pipeline(List.of(ImageOps.resize(4, 4)), new Rng(1)).apply(f.dataset().features()).shape());
    }

    private static List<float[]> batches(DataLoader loader) {
        List<float[]> out = new ArrayList<>();
        for (Dataset b : loader) out.add(b.features().toArray());
        return out;
    }
}
