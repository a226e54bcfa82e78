package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.models.Models;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StateDictsTest {

    private static Map<String, Tensor> copyOf(Map<String, Tensor> sd) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        sd.forEach((k, v) -> out.put(k, Tensor.of(v.toArray(), v.shape())));
        return out;
    }

    @Test
    void loadsParametersAndBuffersByName() {
        Sequential src = Models.cnn(new Rng(1));
        src.stateDict().get("3.running_mean").fill_(0.5f);
        Sequential dst = Models.cnn(new Rng(2));
        StateDicts.LoadResult r = dst.loadStateDict(copyOf(src.stateDict()), true);
        assertEquals(List.of(), r.missingKeys());
        assertEquals(List.of(), r.unexpectedKeys());
        src.stateDict().forEach((k, v) -> assertArrayEquals(v.toArray(), dst.stateDict().get(k).toArray(), k));
        assertTrue(dst.stateDict().get("2.weight").requiresGrad(), "parameters stay parameters");
    }

    @Test
    void strictListsEveryProblemAtOnceAndChangesNothing() {
        Sequential model = Models.mlp(new Rng(1));
        float[] before = model.stateDict().get("1.weight").toArray();
        Map<String, Tensor> sd = copyOf(model.stateDict());
        sd.remove("3.bias");
        sd.remove("5.weight");
        sd.put("extra.weight", Tensor.zeros(2));
        sd.put("9.running_mean", Tensor.zeros(2));
        sd.put("1.weight", Tensor.zeros(784, 256));
        sd.put("5.bias", Tensor.zeros(11));
        StateDicts.StateDictException e = assertThrows(StateDicts.StateDictException.class, () -> model.loadStateDict(sd, true));
        assertEquals(List.of("3.bias", "5.weight"), e.missingKeys());
        assertEquals(List.of("extra.weight", "9.running_mean"), e.unexpectedKeys());
        assertEquals(List.of("1.weight: state dict [784, 256], model [256, 784]", "5.bias: state dict [11], model [10]"),
                e.shapeMismatches());
        for (String s : List.of("3.bias", "5.weight", "extra.weight", "9.running_mean", "1.weight", "5.bias", "Sequential")) {
            assertTrue(e.getMessage().contains(s), s + " in " + e.getMessage());
        }
        assertArrayEquals(before, model.stateDict().get("1.weight").toArray(), "a failed load changes nothing");
    }

    @Test
    void nonStrictIgnoresMissingAndUnexpectedButNotShapes() {
        Sequential model = Models.mlp(new Rng(1));
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("1.bias", Tensor.full(2f, 256));
        sd.put("head.weight", Tensor.zeros(3));
        StateDicts.LoadResult r = model.loadStateDict(sd, false);
        assertEquals(List.of("1.weight", "3.weight", "3.bias", "5.weight", "5.bias"), r.missingKeys());
        assertEquals(List.of("head.weight"), r.unexpectedKeys());
        assertEquals(2f, model.stateDict().get("1.bias").get(7));

        sd.put("3.bias", Tensor.zeros(127));
        StateDicts.StateDictException e = assertThrows(StateDicts.StateDictException.class, () -> model.loadStateDict(sd, false));
        assertEquals(List.of("3.bias: state dict [127], model [128]"), e.shapeMismatches());
        assertTrue(e.missingKeys().isEmpty() && e.unexpectedKeys().isEmpty());
        assertTrue(!e.getMessage().contains("head.weight"), e.getMessage());
    }

    @Test
    void scalarBufferNeedsAScalar() {
        BatchNorm2d bn = new BatchNorm2d(2);
        Map<String, Tensor> sd = copyOf(bn.stateDict());
        sd.put("num_batches_tracked", Tensor.vector(3f));
        StateDicts.StateDictException e = assertThrows(StateDicts.StateDictException.class, () -> bn.loadStateDict(sd, true));
        assertEquals(List.of("num_batches_tracked: state dict [1], model []"), e.shapeMismatches());
    }
}
