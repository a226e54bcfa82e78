package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.Fixtures;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Linear module and a small MLP trained step against PyTorch, with PyTorch's weights copied in. */
class LinearFixtureTest {

    /** in0 = input, in1 = weight [out, in], in2 = bias (absent for linear_nobias); gin<i> are their gradients. */
    @ParameterizedTest
    @CsvSource({"linear, true", "linear_3d, true", "linear_nobias, false"})
    void linear(String fixture, boolean hasBias) {
        Tensor x = Fixtures.tensor(fixture, "in0").requiresGrad(true);
        Tensor w = Fixtures.tensor(fixture, "in1");
        Linear layer = new Linear(w.size(1), w.size(0), hasBias, new Rng(1));
        Map<String, Tensor> params = layer.namedParameters();
        assertEquals(hasBias ? 2 : 1, params.size());
        params.get("weight").copyFrom_(w);
        if (hasBias) params.get("bias").copyFrom_(Fixtures.tensor(fixture, "in2"));

        Tensor out = layer.forward(x);
        Fixtures.assertMatches(fixture, "out", out);
        out.backward(Fixtures.tensor(fixture, "gout"));
        Fixtures.assertMatches(fixture, "gin0", x.grad());
        Fixtures.assertMatches(fixture, "gin1", params.get("weight").grad());
        if (hasBias) Fixtures.assertMatches(fixture, "gin2", params.get("bias").grad());
    }

    /** Sequential(Linear(6,8), ReLU, Linear(8,3)) + mean cross-entropy; backward() from the 0-d loss (upstream 1). */
    @Test
    @Fixtures.Covers("mlp_small")
    void mlpSmall() {
        String f = "mlp_small";
        Sequential model = new Sequential(new Linear(6, 8, true, new Rng(0)), new ReLU(), new Linear(8, 3, true, new Rng(1)));
        Map<String, Tensor> params = model.namedParameters();
        Map<String, String> torchName = Map.of("0.weight", "fc1_weight", "0.bias", "fc1_bias", "2.weight", "fc2_weight", "2.bias", "fc2_bias");
        assertEquals(torchName.keySet(), params.keySet());
        params.forEach((name, p) -> p.copyFrom_(Fixtures.tensor(f, torchName.get(name))));

        Tensor x = Fixtures.tensor(f, "x").requiresGrad(true);
        Tensor loss = new CrossEntropyLoss().forward(model.forward(x), Fixtures.tensor(f, "t"));
        Fixtures.assertMatches(f, "out", loss);
        loss.backward();
        Fixtures.assertMatches(f, "g_x", x.grad());
        params.forEach((name, p) -> Fixtures.assertMatches(f, "g_" + torchName.get(name), p.grad()));
    }
}
