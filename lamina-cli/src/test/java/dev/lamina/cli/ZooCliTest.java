package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.io.Safetensors;
import dev.lamina.tensor.Tensor;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lamina train --model <zoo model>} on the bundled Fashion-MNIST and on image folders the tests write. */
class ZooCliTest {
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");

    /**
     * {@code classes} classes of 16×16 pictures, {@code perClass} each (a PNG and a JPEG in turn): class k is a bright
     * square in quadrant k on a noisy dark background, so the classes are learnable in a few steps.
     */
    static Path imageFolder(Path root, int classes, int perClass) throws Exception {
        java.util.Random r = new java.util.Random(11);
        for (int k = 0; k < classes; k++) {
            Path dir = Files.createDirectories(root.resolve("class" + k));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        boolean lit = (x / 8) == (k % 2) && (y / 8) == (k / 2);
                        int v = lit ? 200 + r.nextInt(55) : r.nextInt(60);
                        img.setRGB(x, y, v << 16 | v << 8 | v);
                    }
                }
                String format = i % 2 == 0 ? "png" : "jpg";
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ImageIO.write(img, format, out);
                Files.write(dir.resolve(i + "." + format), out.toByteArray());
            }
        }
        return root;
    }

    @Test
    void resnet18TrainsOnTheBundledFashionMnistPaddedTo32() {
        CliRun r = CliRun.run("train", "--model", "resnet18", "--data", DATA.toString(), "--width-mult", "0.125", "--limit", "768", "--batch-size", "32", "--epochs", "1", "--lr", "3e-3", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("padded to 32x32: 768 train / 2,000 test"), r.out());
        assertTrue(r.out().contains("small-input stem"), r.out());
        String epoch = r.out().lines().filter(l -> l.startsWith("epoch 1/1")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        double accuracy = Double.parseDouble(epoch.replaceAll(".*test accuracy ([0-9.]+)%.*", "$1"));
        assertTrue(accuracy > 30, "one epoch on 768 images (24 steps, enough for BatchNorm's running statistics) beats chance (10%): " + epoch);
        assertTrue(r.out().contains("Ankle boot"), "the per-class report names the classes");
    }

    @Test
    void anImageFolderTrainsSavesAndFineTunesFromTheWeightsWithAFrozenBackbone(@TempDir Path dir) throws Exception {
        Path four = imageFolder(dir.resolve("four"), 4, 10);
        Path saved = dir.resolve("mobile.safetensors");
        CliRun first = CliRun.run("train", "--model", "mobilenet_v2", "--width-mult", "0.25", "--data", four.toString(), "--image-size", "16",
                "--epochs", "3", "--batch-size", "8", "--lr", "3e-3", "--save", saved.toString(), "--no-progress");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("4 classes, 3x16x16: 32 train / 8 test"), first.out());
        assertTrue(first.out().contains("a stratified fifth held out"), first.out());
        Map<String, Tensor> trained = Safetensors.read(saved);
        assertArrayEquals(new int[] {4, 1280}, trained.get("classifier.1.weight").shape());
        assertEquals("mobilenet_v2", Safetensors.readMetadata(saved).get("lamina.model"));

        Path two = imageFolder(dir.resolve("two"), 2, 10);
        Path tuned = dir.resolve("tuned.safetensors");
        CliRun second = CliRun.run("train", "--model", "mobilenet_v2", "--width-mult", "0.25", "--data", two.toString(), "--image-size", "16",
                "--weights", saved.toString(), "--freeze", "features", "--epochs", "2", "--batch-size", "8", "--lr", "1e-2", "--save", tuned.toString(), "--no-progress");
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("replaced the head classifier.1: 4 -> 2 classes"), second.out());
        assertTrue(second.out().contains("training classifier.1.weight, classifier.1.bias"), second.out());
        Map<String, Tensor> after = Safetensors.read(tuned);
        trained.forEach((name, t) -> {
            if (name.startsWith("features.")) assertArrayEquals(t.toArray(), after.get(name).toArray(), name + " is frozen (running statistics included)");
        });
        assertArrayEquals(new int[] {2, 1280}, after.get("classifier.1.weight").shape());
    }

    /** A torchvision ResNet-18 state dict (base width 8, written by tools/fixtures/make_model_fixtures.py, int64 counters included). */
    private static final Path TORCHVISION_R18 = Path.of("..", "lamina-core", "src", "test", "resources", "fixtures", "models_resnet18_w8", "state.safetensors");

    @Test
    void torchvisionWeightsLoadStrictlyAndTheFrozenBackboneStaysTorchvisions(@TempDir Path dir) throws Exception {
        Path two = imageFolder(dir.resolve("two"), 2, 10);
        Path tuned = dir.resolve("tuned.safetensors");
        CliRun r = CliRun.run("train", "--model", "resnet18", "--width-mult", "0.125", "--stem", "imagenet", "--data", two.toString(), "--image-size", "32",
                "--weights", TORCHVISION_R18.toString(), "--freeze", "conv1,bn1,layer1,layer2,layer3,layer4", "--epochs", "2", "--batch-size", "8", "--lr", "1e-2",
                "--save", tuned.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("loaded " + TORCHVISION_R18 + " (122 tensors)"), r.out());
        assertTrue(r.out().contains("replaced the head fc: 10 -> 2 classes"), r.out());
        assertTrue(r.out().contains("ImageNet stem"), r.out());
        Map<String, Tensor> torchvision = Safetensors.read(TORCHVISION_R18), after = Safetensors.read(tuned);
        assertEquals(torchvision.keySet(), after.keySet());
        torchvision.forEach((name, t) -> {
            if (!name.startsWith("fc.")) assertArrayEquals(t.toArray(), after.get(name).toArray(), name + " is frozen at torchvision's value");
        });
        assertArrayEquals(new int[] {2, 64}, after.get("fc.weight").shape());
    }

    @Test
    void weightsOfAnotherArchitectureListEveryMismatch(@TempDir Path dir) throws Exception {
        Path four = imageFolder(dir.resolve("four"), 4, 5);
        Path saved = dir.resolve("r18.safetensors");
        assertEquals(0, CliRun.run("train", "--model", "resnet18", "--width-mult", "0.0625", "--data", four.toString(), "--image-size", "16", "--epochs", "1",
                "--save", saved.toString(), "--no-progress").code());
        CliRun r = CliRun.run("train", "--model", "resnet34", "--width-mult", "0.0625", "--data", four.toString(), "--image-size", "16", "--epochs", "1",
                "--weights", saved.toString(), "--no-progress");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--weights " + saved) && r.err().contains("does not fit --model resnet34"), r.err());
        assertTrue(r.err().contains("missing keys") && r.err().contains("layer1.2.conv1.weight") && r.err().contains("layer3.5.bn2.running_var"), r.err());
        CliRun gray = CliRun.run("train", "--model", "resnet18", "--width-mult", "0.0625", "--data", four.toString(), "--image-size", "16", "--channels", "1", "--epochs", "1",
                "--weights", saved.toString(), "--no-progress");
        assertNotEquals(0, gray.code());
        assertTrue(gray.err().contains("conv1.weight: state dict [4, 3, 3, 3], model [4, 1, 3, 3]"), gray.err());
    }

    @Test
    void aBrokenImageIsSkippedNamingItOrStopsTheRun(@TempDir Path dir) throws Exception {
        Path root = imageFolder(dir.resolve("data"), 2, 6);
        byte[] good = Files.readAllBytes(root.resolve("class0/1.jpg"));
        Path broken = root.resolve("class1/broken.jpg");
        Files.write(broken, Arrays.copyOf(good, good.length / 3));
        String[] args = {"train", "--model", "vit", "--width-mult", "0.25", "--data", root.toString(), "--image-size", "16", "--epochs", "1", "--no-progress"};
        CliRun fail = CliRun.run(args);
        assertNotEquals(0, fail.code());
        assertTrue(fail.err().contains(broken.toString()) && fail.err().contains("--on-bad-image skip"), fail.err());
        String[] skipArgs = Arrays.copyOf(args, args.length + 2);
        skipArgs[args.length] = "--on-bad-image";
        skipArgs[args.length + 1] = "skip";
        CliRun skip = CliRun.run(skipArgs);
        assertEquals(0, skip.code(), skip.err());
        assertTrue(skip.err().contains("lamina: warning: skipped " + broken), skip.err());
        assertTrue(skip.out().contains("2 classes, 3x16x16: 10 train / 2 test"), skip.out());
        CliRun badFlag = CliRun.run("train", "--model", "vit", "--data", root.toString(), "--on-bad-image", "ignore");
        assertNotEquals(0, badFlag.code());
        assertTrue(badFlag.err().contains("--on-bad-image must be skip or fail, got 'ignore'"), badFlag.err());
    }

    @Test
    void unsupportedFlagsAndAnUnknownPrefixAreNamed(@TempDir Path dir) throws Exception {
        Path root = imageFolder(dir.resolve("data"), 2, 5);
        CliRun plot = CliRun.run("train", "--model", "resnet18", "--data", root.toString(), "--plot", dir.resolve("p.png").toString());
        assertNotEquals(0, plot.code());
        assertTrue(plot.err().contains("--plot is not supported for the zoo models"), plot.err());
        CliRun freeze = CliRun.run("train", "--model", "resnet18", "--width-mult", "0.0625", "--data", root.toString(), "--image-size", "16", "--freeze", "backbone", "--no-progress");
        assertNotEquals(0, freeze.code());
        assertTrue(freeze.err().contains("'backbone'") && freeze.err().contains("layer4"), freeze.err());
        assertFalse(freeze.out().contains("epoch 1/"), freeze.out());
    }
}
