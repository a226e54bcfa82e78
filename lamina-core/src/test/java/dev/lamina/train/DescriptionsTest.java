package dev.lamina.train;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.loss.BCEWithLogitsLoss;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.loss.HuberLoss;
import dev.lamina.loss.KLDivLoss;
import dev.lamina.loss.L1Loss;
import dev.lamina.loss.MSELoss;
import dev.lamina.loss.NLLLoss;
import dev.lamina.loss.Reduction;
import dev.lamina.loss.SmoothL1Loss;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** toString of losses and loaders, and the line per epoch the Trainer prints by default. */
class DescriptionsTest {
    @Test
    void lossesNameTheirSettings() {
        assertEquals("CrossEntropyLoss(reduction=mean, label_smoothing=0.1, ignore_index=-100)", new CrossEntropyLoss(Reduction.MEAN, 0.1, -100).toString());
        assertEquals("MSELoss(reduction=mean)", new MSELoss().toString());
        assertEquals("L1Loss(reduction=mean)", new L1Loss().toString());
        assertEquals("NLLLoss(reduction=sum, ignore_index=3)", new NLLLoss(Reduction.SUM, 3).toString());
        assertTrue(new HuberLoss().toString().startsWith("HuberLoss(reduction=mean, delta=1.0"), new HuberLoss().toString());
        assertTrue(new SmoothL1Loss().toString().startsWith("SmoothL1Loss(reduction=mean, beta="), new SmoothL1Loss().toString());
        assertEquals("BCEWithLogitsLoss(reduction=mean)", new BCEWithLogitsLoss().toString());
        assertTrue(new KLDivLoss().toString().startsWith("KLDivLoss(reduction="), new KLDivLoss().toString());
    }

    @Test
    void loadersDescribeThemselves() {
        Dataset d = new Dataset(Tensor.zeros(1200, 2), Tensor.zeros(1200));
        assertEquals("DataLoader(1,200 examples, batch 16, shuffled, last short batch kept, 75 batches, prefetch 2)",
                new DataLoader(d, 16, true, false, new Rng(1)).prefetch(2).toString());
        assertEquals("DataLoader(1,200 examples, batch 500, in order, last short batch dropped, 2 batches)", new DataLoader(d, 500, false, true, null).toString());
    }

    @Test
    void theTrainerPrintsALinePerEpochUnlessToldNot() {
        Rng rng = new Rng(2);
        float[] x = new float[60 * 3], y = new float[60];
        for (int i = 0; i < 60; i++) {
            y[i] = i % 2;
            for (int j = 0; j < 3; j++) x[i * 3 + j] = (float) rng.nextGaussian() + (i % 2) * 2;
        }
        Dataset data = new Dataset(Tensor.of(x, 60, 3), Tensor.of(y, 60));
        var model = new dev.lamina.nn.Sequential(new dev.lamina.nn.Input(3), new dev.lamina.nn.Linear(3, 2, true, new Rng(3)));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Trainer t = new Trainer(model, new CrossEntropyLoss(), new dev.lamina.optim.Adam(model.parameters(), 1e-2))
                .log(new PrintStream(buf, true, StandardCharsets.UTF_8));
        t.fit(new DataLoader(data, 20, false, false, null), data, 2);
        String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(2, lines.length, String.join("\n", lines));
        assertTrue(lines[0].matches("Epoch 1/2 - [0-9.]+s - loss: [0-9.]+ - accuracy: [0-9.]+ - val_loss: [0-9.]+ - val_accuracy: [0-9.]+ - lr: 0.01000"), lines[0]);
        buf.reset();
        t.verbose(false).fit(new DataLoader(data, 20, false, false, null), 1);
        assertEquals("", buf.toString(StandardCharsets.UTF_8));
        EpochResult regression = new EpochResult(3, 0.25, Double.NaN, null, 1e-3, 1.0, 0.0, 10);
        assertEquals("Epoch 3/5 - 1.0s - loss: 0.2500 - lr: 0.001000", EpochLog.line(regression, 5));
    }
}
