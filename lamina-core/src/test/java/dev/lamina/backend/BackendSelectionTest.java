package dev.lamina.backend;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code lamina.backend} property picks the backend tensors and their results live on; the run that sets it really uses it. */
class BackendSelectionTest {
    @Test
    void thePropertyChoosesTheBackendOfNewTensorsAndOfResults() {
        String wanted = System.getProperty("lamina.backend", "cpu");
        assertEquals(wanted, Backends.current().name());
        Tensor a = Tensor.randn(new Rng(1), 3, 4), b = Tensor.randn(new Rng(2), 4, 5);
        assertEquals(wanted, a.backend().name());
        assertEquals(wanted, a.matmul(b).relu().sum(0, true).backend().name());
    }

    @Test
    void bothBackendsAreOnTheClassPathAndAgreeOnTheirPrimitives() {
        Backend cpu = Backends.byName("cpu"), ref = Backends.byName("reference");
        assertNotEquals(cpu.getClass(), ref.getClass());
        Tensor[] onCpu = Backends.using(cpu, BackendSelectionTest::someOps), onRef = Backends.using(ref, BackendSelectionTest::someOps);
        for (int i = 0; i < onCpu.length; i++) {
            assertSame(cpu, onCpu[i].backend());
            assertSame(ref, onRef[i].backend());
            float[] c = onCpu[i].toArray(), r = onRef[i].toArray();
            assertEquals(c.length, r.length);
            for (int j = 0; j < c.length; j++) assertEquals(c[j], r[j], 1e-5f * (1 + Math.abs(c[j])), "result " + i + " element " + j);
        }
    }

    private static Tensor[] someOps() {
        Tensor x = Tensor.randn(new Rng(7), 2, 3, 5), w = Tensor.randn(new Rng(8), 5, 4);
        return new Tensor[] {x.matmul(w).gelu(), x.softmax(1), x.transpose(0, 2).exp().sum(1, false), x.max(2, true), x.silu().mul(x.slice(2, 1, 5, 2).mean(2, true))};
    }

    @Test
    void anOpAcrossTwoBackendsIsRefused() {
        Tensor onCpu = Backends.using(Backends.byName("cpu"), () -> Tensor.ones(2));
        Tensor onRef = Backends.using(Backends.byName("reference"), () -> Tensor.ones(2));
        var e = assertThrows(IllegalArgumentException.class, () -> onCpu.add(onRef));
        assertTrue(e.getMessage().contains("different backends (cpu, reference)"), e.getMessage());
    }

    @Test
    void anUnknownBackendNamesTheOnesThereAre() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backends.byName("cuda"));
        assertTrue(e.getMessage().contains("[cpu, reference]"), e.getMessage());
    }

    @Test
    void gradientsFlowOnTheReferenceBackend() {
        Tensor[] grads = Backends.using(Backends.byName("reference"), () -> {
            Tensor x = Tensor.of(new float[] {-1f, 0.5f, 2f}, 3).requiresGrad(true);
            x.relu().mul(x).sum().backward();
            return new Tensor[] {x.grad()};
        });
        assertArrayEquals(new float[] {0f, 1f, 4f}, grads[0].toArray());
    }

    @Test
    void aBackendCannotWrapValuesThatDoNotFillTheShape() {
        var e = assertThrows(dev.lamina.tensor.ShapeException.class, () -> Backends.byName("reference").wrap(new float[5], 2, 3));
        assertEquals("reference backend: 5 values cannot have shape [2, 3]", e.getMessage());
    }
}
