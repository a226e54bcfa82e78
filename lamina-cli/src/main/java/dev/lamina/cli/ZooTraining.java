package dev.lamina.cli;

import dev.lamina.data.BadImagePolicy;
import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.data.ImageFolder;
import dev.lamina.data.ImageOp;
import dev.lamina.data.ImageOps;
import dev.lamina.data.Pad;
import dev.lamina.io.Safetensors;
import dev.lamina.kernels.Parallel;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.models.ImageClassifier;
import dev.lamina.models.Zoo;
import dev.lamina.nn.Freezing;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.Callback;
import dev.lamina.train.EarlyStopping;
import dev.lamina.train.EpochResult;
import dev.lamina.train.History;
import dev.lamina.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code lamina train --model resnet18|...|vit}: a zoo model ({@link Zoo}) on Fashion-MNIST padded to 1×32×32 (the
 * bundled subset, or {@code --data DIR} with the IDX files) or on an image folder ({@code --data DIR} with one
 * sub-folder per class; {@code DIR/train} and {@code DIR/test} or {@code DIR/val} when it has them, otherwise a
 * stratified fifth of DIR held out as the test set). {@code --weights} starts from a state dict (torchvision's names;
 * a head of another class count is replaced), {@code --freeze} freezes parameters and holds their BatchNorms in
 * evaluation mode.
 */
final class ZooTraining {
    private final TrainCommand t;

    ZooTraining(TrainCommand t) {
        this.t = t;
    }

    /** What the run trains and tests on. */
    private record Data(DataLoader train, DataLoader test, String[] classes, int channels, int size, String description) {}

    Integer run() throws IOException {
        refuseUnsupported();
        PrintStream out = System.out;
        PrintStream human = t.json ? System.err : System.out;
        Rng rng = new Rng(t.seed);
        Data d = data(rng);
        boolean small = t.stem == null ? d.size() <= 64 : switch (t.stem.toLowerCase(Locale.ROOT)) {
            case "small" -> true;
            case "imagenet" -> false;
            default -> throw new IllegalArgumentException("--stem must be small or imagenet, got '" + t.stem + "'");
        };
        ImageClassifier net = model(d, small, rng, human);
        if (t.freeze != null && !t.freeze.isEmpty()) {
            String[] prefixes = t.freeze.toArray(String[]::new);
            List<String> frozen = Freezing.freeze(net, prefixes);
            Freezing.batchNorms(net, prefixes).values().forEach(bn -> bn.keepEval(true));
            human.printf(Locale.ROOT, "frozen %d parameter tensors under %s (their BatchNorms kept in evaluation mode); training %s%n",
                    frozen.size(), String.join(", ", t.freeze), String.join(", ", Freezing.trainable(net)));
        }
        Optimizer opt = t.optimizer(net.parameters());
        human.printf(Locale.ROOT, "model %s (%,d parameters, %s stem%s), data %s, %d threads%n", t.model, net.parameterCount(), small ? "small-input" : "ImageNet",
                t.widthMult != 1 ? ", width x" + t.widthMult : "",
                d.description(), Parallel.threads());

        String watched = "test";
        Trainer trainer = new Trainer(net, new CrossEntropyLoss(), opt).verbose(false);
        if (!t.noProgress && Progress.interactive()) trainer.callback(new Progress(t.epochs));
        trainer.callback(new Callback() {
            @Override
            public void onEpochEnd(EpochResult r) {
                if (t.json) {
                    out.println(TrainCommand.jsonLine(r, t.epochs, watched));
                    out.flush();
                } else {
                    human.println(TrainCommand.summaryLine(r, t.epochs, watched));
                }
            }
        });
        if (t.clipNorm != null) trainer.clipGradNorm(t.clipNorm);
        if (t.patience != null) trainer.earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, t.patience).restoreBestWeights(false));
        Scheduler lrScheduler = t.scheduler(opt, d.train().batches());
        if (lrScheduler != null) trainer.scheduler(lrScheduler);
        if (t.dashboard.active()) {
            // the probe batch for activation histograms: the test loader's first batch, model-ready (resized, padded,
            // normalised) and drawn without touching the training loader's shuffling
            Dataset probe;
            try (DataLoader.BatchIterator it = d.test().iterator()) {
                probe = it.next();
            }
            t.recordRun(trainer, t.model, probe, d.classes(), human);
        }
        History history = trainer.fitWithValidationLoader(d.train(), d.test(), t.epochs);
        FinalReport.of(history, null, t.patience).print(human, d.classes());
        if (t.save != null) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("lamina.model", t.model);
            meta.put("lamina.classes", String.join("\n", d.classes()));
            meta.put("lamina.channels", Integer.toString(d.channels()));
            meta.put("lamina.image_size", Integer.toString(d.size()));
            meta.put("lamina.stem", small ? "small" : "imagenet");
            meta.put("lamina.width_mult", Double.toString(t.widthMult));
            Safetensors.write(t.save, net.stateDict(), meta);
            human.printf(Locale.ROOT, "wrote %s (the weights of epoch %d, torchvision's names)%n", t.save, history.modelEpoch());
        }
        return 0;
    }

    private void refuseUnsupported() {
        List<String> errors = new ArrayList<>();
        String m = "--model " + t.model;
        if (t.modelFile != null) errors.add("give --model or --model-file, not both");
        if (t.target != null) errors.add(m + " trains on images, not on a table (--target)");
        if (t.resume != null || t.checkpointDir != null) errors.add(m + ": --checkpoint-dir and --resume are not supported for the zoo models yet");
        if (t.valSplit != null || t.valData != null) errors.add(m + ": --val-split and --val-data are not supported for the zoo models yet (an image folder with train/ and val/ sub-folders validates on val/)");
        if (t.plot != null) errors.add(m + ": --plot is not supported for the zoo models yet");
        if (t.channels != null && t.channels != 1 && t.channels != 3) errors.add("--channels must be 1 or 3, got " + t.channels);
        if (!(t.widthMult > 0) || Double.isInfinite(t.widthMult)) errors.add("--width-mult must be a positive number, got " + t.widthMult);
        if (t.imageSize != null && t.imageSize <= 0) errors.add("--image-size must be positive, got " + t.imageSize);
        if (!errors.isEmpty()) throw new IllegalArgumentException(String.join("; ", errors));
    }

    private Data data(Rng rng) throws IOException {
        Path dir = t.data != null ? t.data : TrainCommand.defaultData();
        int batch = t.batchSize != null ? t.batchSize : 64;
        if (!ImageFolder.looksLikeOne(dir)) {
            if (t.imageSize != null && t.imageSize != 32) throw new IllegalArgumentException("--image-size " + t.imageSize + ": Fashion-MNIST (" + dir + ") is 28×28, padded to 32×32");
            if (t.channels != null && t.channels != 1) throw new IllegalArgumentException("--channels " + t.channels + ": Fashion-MNIST (" + dir + ") is grey (1 channel)");
            FashionMnist.Split split = FashionMnist.load(dir);
            Pad pad = Pad.of(28, 28, 2);
            Dataset train = t.limit != null ? split.train().head(t.limit) : split.train();
            Dataset padded = new Dataset(pad.apply(train.features()), train.targets());
            Dataset test = new Dataset(pad.apply(split.test().features()), split.test().targets());
            return new Data(new DataLoader(padded, batch, true, false, rng.split()).prefetch(2), new DataLoader(test, batch, false, false, null),
                    FashionMnist.CLASSES, 1, 32, String.format(Locale.ROOT, "%s padded to 32x32: %,d train / %,d test", dir, padded.size(), test.size()));
        }
        int channels = t.channels != null ? t.channels : 3, size = t.imageSize != null ? t.imageSize : 32;
        BadImagePolicy onBad = BadImagePolicy.parse("--on-bad-image", t.onBadImage);
        java.util.function.Consumer<String> warn = w -> System.err.println("lamina: warning: " + w);
        Path trainDir = dir.resolve("train"), testDir = Files.isDirectory(dir.resolve("test")) ? dir.resolve("test") : dir.resolve("val");
        ImageFolder trainFolder, testFolder;
        Dataset train, test;
        String how;
        if (Files.isDirectory(trainDir) && Files.isDirectory(testDir)) {
            trainFolder = ImageFolder.open(trainDir, channels, onBad, warn);
            testFolder = ImageFolder.open(testDir, channels, onBad, warn);
            if (!trainFolder.classes().equals(testFolder.classes())) {
                throw new IllegalArgumentException("--data " + dir + ": the classes of " + trainDir + " " + trainFolder.classes() + " and of " + testDir + " " + testFolder.classes() + " differ");
            }
            train = trainFolder.dataset();
            test = testFolder.dataset();
            how = trainDir + " / " + testDir;
        } else {
            trainFolder = testFolder = ImageFolder.open(dir, channels, onBad, warn);
            Dataset[] parts = trainFolder.dataset().stratifiedSplit(new double[] {0.8, 0.2}, new Rng(t.seed));
            train = parts[0];
            test = parts[1];
            how = dir + " (a stratified fifth held out as the test set, seed " + t.seed + ")";
        }
        if (t.limit != null) train = train.head(t.limit);
        if (test.size() == 0) throw new IllegalArgumentException("--data " + dir + ": no test images (put some in " + testDir + ", or more images per class in " + dir + ")");
        List<ImageOp> eval = List.of(ImageOps.resize(size), ImageOps.centerCrop(size));
        List<ImageOp> augment = List.of(ImageOps.resize(size), ImageOps.centerCrop(size), ImageOps.horizontalFlip(0.5));
        DataLoader trainLoader = new DataLoader(train, batch, true, false, rng.split()).transform(trainFolder.pipeline(augment, rng.split())).prefetch(2);
        DataLoader testLoader = new DataLoader(test, batch, false, false, null).transform(testFolder.pipeline(eval, new Rng(0)));
        return new Data(trainLoader, testLoader, trainFolder.classes().toArray(String[]::new), channels, size,
                String.format(Locale.ROOT, "image folder %s, %d classes, %dx%dx%d: %,d train / %,d test", how, trainFolder.classes().size(), channels, size, size, train.size(), test.size()));
    }

    /** A fresh model, or one from --weights (the head replaced when the weights have another class count). */
    private ImageClassifier model(Data d, boolean small, Rng rng, PrintStream human) throws IOException {
        int classes = d.classes().length;
        ImageClassifier net = Zoo.create(t.model, classes, d.channels(), d.size(), small, t.widthMult, rng);
        if (t.weights == null) return net;
        Map<String, Tensor> sd = Safetensors.read(t.weights);
        Tensor head = sd.get(net.headPath() + ".weight");
        if (head != null && head.dim() == 2 && head.size(0) != classes) net = Zoo.create(t.model, head.size(0), d.channels(), d.size(), small, t.widthMult, rng);
        try {
            net.loadStateDict(sd, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--weights " + t.weights + " does not fit --model " + t.model + " (" + d.channels() + " input channels, " + (small ? "small-input" : "ImageNet")
                    + " stem): " + e.getMessage(), e);
        }
        human.printf(Locale.ROOT, "loaded %s (%d tensors)%n", t.weights, sd.size());
        if (net.head().outFeatures() != classes) {
            int before = net.head().outFeatures();
            net.replaceHead(classes, rng);
            human.printf(Locale.ROOT, "replaced the head %s: %d -> %d classes%n", net.headPath(), before, classes);
        }
        return net;
    }
}
