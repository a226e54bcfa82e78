package dev.lamina.explain;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.explain.Diagnosis.Kind;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.models.Models;
import dev.lamina.nn.BatchNorm1d;
import dev.lamina.nn.Input;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.LastStep;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Module;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Reshape;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.Sigmoid;
import dev.lamina.optim.Adam;
import dev.lamina.optim.SGD;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each diagnosis raised on a model broken on purpose, at the layer that is broken; none on a healthy CNN. */
class ExplainerDiagnosesTest {
    static FashionMnist.Split data;

    @BeforeAll
    static void load() throws Exception {
        data = FashionMnist.load(Path.of("..", "data", "fashion-mnist-subset"));
    }

    static Dataset batch(int n) {
        return data.test().head(n);
    }

    static Sequential mlp(Rng rng) {
        return new Sequential(new Input(784), new Linear(784, 64, true, rng), new ReLU(), new Linear(64, 32, true, rng), new ReLU(), new Linear(32, 10, true, rng));
    }

    static List<Kind> kinds(Explanation e) {
        return e.diagnoses().stream().map(Diagnosis::kind).toList();
    }

    @Test
    void healthyCnnBrieflyTrainedRaisesNothing() {
        Rng rng = new Rng(7);
        Sequential cnn = Models.cnn(rng);
        Adam adam = new Adam(cnn.parameters(), 1e-3);
        new Trainer(cnn, new CrossEntropyLoss(), adam).verbose(false).fit(new DataLoader(data.train().head(1500), 32, true, false, rng.split()), 1);
        Dataset train = data.train().slice(5000, 5256), val = data.test().head(256);
        Explanation e = Explainer.of(cnn).validation(val).optimizer(adam).on(train);
        assertTrue(e.diagnoses().isEmpty(), e.text());
        assertTrue(e.fit().validationAccuracy() > 0.6, "validation accuracy " + e.fit().validationAccuracy());
        assertTrue(Double.isFinite(e.card("2").updateRatio()), "the optimizer step was measured");
        assertTrue(e.notes().isEmpty(), e.notes().toString());
    }

    @Test
    void allZeroInitialisationKillsTheReluAndTheGradient() {
        Sequential net = mlp(new Rng(1));
        for (Tensor p : net.parameters()) p.fill_(0f);
        Explanation e = Explainer.of(net).on(batch(64));
        Diagnosis dead = e.diagnoses(Kind.DEAD_RELU).getFirst();
        assertEquals("2 (ReLU)", dead.layer(), e.text());
        assertTrue(dead.evidence().startsWith("100% of its 64 units"), dead.evidence());
        assertEquals("4 (ReLU)", e.diagnoses(Kind.VANISHING_GRADIENT).getFirst().layer(), "the zero weights of 5 (Linear) pass no gradient back: " + e.text());
        assertBoundary(e, e.diagnoses(Kind.VANISHING_GRADIENT).getFirst(), true);
    }

    /**
     * The diagnosis is at the boundary: every layer from the first with a gradient up to the flagged one is past the
     * threshold (relative to the gradient at the model's output), the next layer is not.
     */
    static void assertBoundary(Explanation e, Diagnosis d, boolean vanishing) {
        List<LayerCard> cards = e.layers().stream().filter(c -> Double.isFinite(c.outputGradNorm())).toList();
        double ref = cards.getLast().outputGradNorm();
        int at = -1;
        for (int i = 0; i < cards.size(); i++) if (cards.get(i).name().equals(d.layer())) at = i;
        assertTrue(at >= 0 && at < cards.size() - 1, d.layer() + " is a layer with a gradient, before the output: " + e.text());
        for (int i = 0; i <= at; i++) {
            double r = cards.get(i).outputGradNorm() / ref;
            assertTrue(vanishing ? r < Diagnoses.VANISHING : r > Diagnoses.EXPLODING, cards.get(i).name() + " ratio " + r + ": " + e.text());
        }
        double next = cards.get(at + 1).outputGradNorm() / ref;
        assertTrue(vanishing ? next >= Diagnoses.VANISHING : next <= Diagnoses.EXPLODING, "the layer after the boundary is fine: " + e.text());
    }

    @Test
    void hugeInitialisationExplodesTheGradient() {
        Sequential net = mlp(new Rng(2));
        for (Map.Entry<String, Tensor> p : net.namedParameters().entrySet()) if (p.getKey().endsWith("weight")) p.getValue().copyFrom_(p.getValue().mul(50f));
        Explanation e = Explainer.of(net).on(batch(64));
        assertBoundary(e, e.diagnoses(Kind.EXPLODING_GRADIENT).getFirst(), false);
        assertFalse(e.has(Kind.VANISHING_GRADIENT));
    }

    @Test
    void learningRateTenIsTooHighAndATinyOneTooLow() {
        Sequential net = mlp(new Rng(3));
        Explanation high = Explainer.of(net).optimizer(new SGD(net.parameters(), 10)).on(batch(64));
        assertTrue(high.has(Kind.LEARNING_RATE_HIGH), high.text());
        assertEquals(List.of(Kind.LEARNING_RATE_HIGH), kinds(high), high.text());
        Explanation low = Explainer.of(net).optimizer(new SGD(net.parameters(), 1e-7)).on(batch(64));
        assertEquals(List.of(Kind.LEARNING_RATE_LOW), kinds(low), low.text());
    }

    @Test
    void theOptimizerStepIsUndone() {
        Sequential net = mlp(new Rng(4));
        Adam adam = new Adam(net.parameters(), 0.1);
        Map<String, float[]> before = new java.util.LinkedHashMap<>();
        net.namedParameters().forEach((k, v) -> before.put(k, v.toArray()));
        Explainer.of(net).optimizer(adam).on(batch(32));
        net.namedParameters().forEach((k, v) -> assertArrayEquals(before.get(k), v.toArray(), k));
        assertEquals(0, adam.stepCount());
        assertTrue(adam.stateDict().buffers().stream().allMatch(Map::isEmpty) || adam.stateDict().buffers().stream().flatMap(m -> m.values().stream()).allMatch(a -> allZero(a)));
    }

    static boolean allZero(float[] a) {
        for (float f : a) if (f != 0f) return false;
        return true;
    }

    @Test
    void aDeepSigmoidStackVanishesAndAHugeOneSaturates() {
        Rng rng = new Rng(5);
        Sequential deep = new Sequential(new Input(784));
        for (int i = 0; i < 8; i++) deep.add(new Linear(i == 0 ? 784 : 32, 32, true, rng)).add(new Sigmoid());
        deep.add(new Linear(32, 10, true, rng));
        Explanation e = Explainer.of(deep).on(batch(64));
        assertBoundary(e, e.diagnoses(Kind.VANISHING_GRADIENT).getFirst(), true);

        Sequential huge = new Sequential(new Input(784), new Linear(784, 32, true, rng), new Sigmoid(), new Linear(32, 10, true, rng));
        ((Linear) huge.get(1)).weight().copyFrom_(((Linear) huge.get(1)).weight().mul(100f));
        Explanation s = Explainer.of(huge).on(batch(64));
        assertEquals("2 (Sigmoid)", s.diagnoses(Kind.SATURATED_ACTIVATION).getFirst().layer(), s.text());
    }

    @Test
    void aModelThatMemorisesATinySubsetOverFits() {
        Rng rng = new Rng(6);
        Sequential net = new Sequential(new Input(784), new Linear(784, 256, true, rng), new ReLU(), new Linear(256, 10, true, rng));
        Dataset tiny = data.train().head(32);
        new Trainer(net, new CrossEntropyLoss(), new Adam(net.parameters(), 3e-3)).verbose(false).fit(new DataLoader(tiny, 32, true, false, rng.split()), 40);
        Explanation e = Explainer.of(net).validation(data.test().head(256)).on(tiny);
        Diagnosis d = e.diagnoses(Kind.OVERFITTING).getFirst();
        assertEquals("1 (Linear)", d.layer(), e.text());
        assertTrue(d.remedy().contains("Dropout"), d.remedy());
        assertTrue(e.fit().trainAccuracy() > 0.95 && e.fit().validationAccuracy() < 0.8, e.text());
    }

    @Test
    void unnormalisedPixelsAreFlaggedAtTheFirstLayer() {
        Sequential net = mlp(new Rng(8));
        Dataset raw = new Dataset(batch(64).features().mul(255f), batch(64).targets());
        Explanation e = Explainer.of(net).on(raw);
        assertEquals("1 (Linear)", e.diagnoses(Kind.UNNORMALIZED_INPUT).getFirst().layer(), e.text());
        assertFalse(Explainer.of(net).on(batch(64)).has(Kind.UNNORMALIZED_INPUT));
    }

    @Test
    void batchNormRunningStatisticsThatDoNotDescribeTheDataDrift() {
        Rng rng = new Rng(9);
        Sequential net = new Sequential(new Input(784), new Linear(784, 32, true, rng), new BatchNorm1d(32), new ReLU(), new Linear(32, 10, true, rng));
        Dataset b = batch(128);
        Explanation fresh = Explainer.of(net).on(b);
        assertEquals("2 (BatchNorm1d)", fresh.diagnoses(Kind.BATCHNORM_DRIFT).getFirst().layer(), fresh.text());
        net.train();
        for (int i = 0; i < 60; i++) net.forward(b.features());   // running statistics catch up with this data
        assertFalse(Explainer.of(net).on(b).has(Kind.BATCHNORM_DRIFT));
    }

    @Test
    void saturatedLstmGatesAreFlagged() {
        Rng rng = new Rng(10);
        Sequential net = new Sequential(new Input(784), new Reshape(28, 28), new LSTM(28, 32, 1, true, false, rng).batchFirst(true), new LastStep(), new Linear(32, 10, true, rng));
        Explanation ok = Explainer.of(net).on(batch(16));
        assertFalse(ok.has(Kind.SATURATED_GATES), ok.text());
        for (Tensor p : net.get(2).parameters()) p.copyFrom_(p.mul(40f));
        Explanation e = Explainer.of(net).on(batch(16));
        assertEquals("2 (LSTM)", e.diagnoses(Kind.SATURATED_GATES).getFirst().layer(), e.text());

        Sequential gru = new Sequential(new Input(784), new Reshape(28, 28), new dev.lamina.nn.GRU(28, 32, 1, true, false, rng).batchFirst(true), new LastStep(), new Linear(32, 10, true, rng));
        assertFalse(Explainer.of(gru).on(batch(16)).has(Kind.SATURATED_GATES));
        for (Tensor p : gru.get(2).parameters()) p.copyFrom_(p.mul(40f));
        Explanation g = Explainer.of(gru).on(batch(16));
        assertEquals("2 (GRU)", g.diagnoses(Kind.SATURATED_GATES).getFirst().layer(), g.text());
    }

    /** Self-attention over 6 tokens of width 8 with 2 heads; in_proj rows [0, 8) are the queries, [8, 16) the keys. */
    static Sequential attention(Rng rng) {
        return new Sequential(new MultiheadAttention(8, 2, 0.0, true, true, rng));
    }

    @Test
    void collapsedUniformAndIdenticalHeadsAreFlagged() {
        Rng rng = new Rng(11);
        Tensor x = Tensor.randn(rng, 4, 6, 8);
        Sequential net = attention(rng);
        MultiheadAttention mha = (MultiheadAttention) net.get(0);
        float[] w = mha.inProjWeight().toArray();   // [24, 8]
        for (int i = 0; i < 4 * 8; i++) w[i] *= 60f;        // head 0's queries: huge scores, one key wins
        for (int i = 4 * 8; i < 8 * 8; i++) w[i] = 0f;      // head 1's queries: all scores 0, uniform
        mha.inProjWeight().copyFrom_(Tensor.of(w, 24, 8));
        Explanation e = Explainer.of(net).on(x);
        assertEquals("0 (MultiheadAttention) head 0", e.diagnoses(Kind.ATTENTION_COLLAPSED).getFirst().layer(), e.text());
        assertEquals("0 (MultiheadAttention) head 1", e.diagnoses(Kind.ATTENTION_UNIFORM).getFirst().layer(), e.text());
        assertFalse(e.has(Kind.ATTENTION_IDENTICAL));

        float[] same = mha.inProjWeight().toArray();
        Rng r2 = new Rng(12);
        for (int part = 0; part < 3; part++) {
            for (int row = 0; row < 4; row++) {
                for (int c = 0; c < 8; c++) {
                    float v = (float) (r2.nextGaussian() * 0.5);
                    same[(part * 8 + row) * 8 + c] = v;
                    same[(part * 8 + row + 4) * 8 + c] = v;     // head 1 is a copy of head 0
                }
            }
        }
        mha.inProjWeight().copyFrom_(Tensor.of(same, 24, 8));
        Explanation twins = Explainer.of(net).on(x);
        assertEquals("0 (MultiheadAttention) head 0", twins.diagnoses(Kind.ATTENTION_IDENTICAL).getFirst().layer(), twins.text());
    }

    @Test
    void explainingEachEpochWritesTheRunDirectorysPageAndLeavesTrainingUnchanged(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.util.function.Function<Boolean, float[]> train = explain -> {
            Rng rng = new Rng(13);
            Sequential net = mlp(rng);
            Adam adam = new Adam(net.parameters(), 1e-3);
            Trainer t = new Trainer(net, new CrossEntropyLoss(), adam).verbose(false);
            if (explain) t.callback(new ExplainEachEpoch(net, data.train().slice(1000, 1064), data.test().head(64), adam, dir));
            t.fit(new DataLoader(data.train().head(512), 64, true, false, rng.split()), 2);
            return ((Linear) net.get(1)).weight().toArray();
        };
        float[] plain = train.apply(false), explained = train.apply(true);
        assertArrayEquals(plain, explained, "the undone optimizer step and the explainer's passes change nothing");
        String html = java.nio.file.Files.readString(dir.resolve("explain.html"));
        assertTrue(html.contains("after epoch 2 on 64 training examples"), "the page shows the latest epoch");

        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("not-a-dir"), "x");
        Sequential net = mlp(new Rng(14));
        ExplainEachEpoch cb = new ExplainEachEpoch(net, batch(8), null, null, file);
        java.io.UncheckedIOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class,
                () -> new Trainer(net, new CrossEntropyLoss(), new Adam(net.parameters(), 1e-3)).verbose(false).callback(cb).fit(new DataLoader(batch(8), 8, false, false, null), 1));
        assertTrue(e.getMessage().contains("not-a-dir"), e.getMessage());
    }
}
