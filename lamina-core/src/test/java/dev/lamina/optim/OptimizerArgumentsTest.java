package dev.lamina.optim;

import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Optimizers refuse learning rates and hyperparameters that cannot train, naming the argument and the value. */
class OptimizerArgumentsTest {
    private static List<Tensor> params() {
        return List.of(Tensor.zeros(3).requiresGrad(true));
    }

    private static void refused(Executable e, String... parts) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        for (String part : parts) assertTrue(x.getMessage().contains(part), x.getMessage());
    }

    @Test
    void learningRateMustBeAFiniteNonNegativeNumber() {
        refused(() -> new Adam(params(), Double.NaN), "Adam", "lr", "NaN");
        refused(() -> new SGD(params(), Double.POSITIVE_INFINITY), "SGD", "lr", "Infinity");
        refused(() -> new RMSprop(params(), -1e-3), "RMSprop", "lr", "-0.001");
        refused(() -> new AdamW(params(), Double.NEGATIVE_INFINITY), "AdamW", "lr", "-Infinity");
        SGD sgd = new SGD(params(), 0.1);
        refused(() -> sgd.setLr(-5), "SGD.setLr", "-5.0");
        refused(() -> sgd.setLr(Double.NaN), "SGD.setLr", "NaN");
        assertEquals(0.1, sgd.lr());
        sgd.setLr(0);
        assertEquals(0, sgd.lr());
    }

    @Test
    void emptyOrNullParameterListIsRefused() {
        refused(() -> new Adam(List.of(), 1e-3), "Adam", "parameter list is empty");
        assertThrows(NullPointerException.class, () -> new SGD((List<dev.lamina.tensor.Tensor>) null, 0.1));
        assertThrows(NullPointerException.class, () -> new SGD((ParamGroups) null, 0.1));
    }

    @Test
    void hyperparametersAreChecked() {
        refused(() -> new SGD(params(), 0.1).momentum(-0.9), "SGD", "momentum", "-0.9");
        refused(() -> new SGD(params(), 0.1).weightDecay(-1e-4), "weight_decay", "-1.0E-4");
        refused(() -> new SGD(params(), 0.1).dampening(Double.NaN), "dampening", "NaN");
        refused(() -> new Adam(params(), 1e-3).betas(0.9, 1.0), "Adam", "beta2", "[0, 1)", "1.0");
        refused(() -> new Adam(params(), 1e-3).betas(-0.1, 0.999), "beta1", "-0.1");
        refused(() -> new Adam(params(), 1e-3).eps(0), "eps", "> 0", "0.0");
        refused(() -> new Adam(params(), 1e-3).weightDecay(-0.01), "weight_decay");
        refused(() -> new AdamW(params(), 1e-3, -0.01), "AdamW", "weight_decay", "-0.01");
        refused(() -> new RMSprop(params(), 1e-3).alpha(-0.5), "RMSprop", "alpha", "-0.5");
        refused(() -> new RMSprop(params(), 1e-3).eps(-1e-8), "eps");
        refused(() -> new RMSprop(params(), 1e-3).momentum(-1), "momentum", "-1.0");
    }

    @Test
    void toStringGivesTypeAndHyperparameters() {
        assertEquals("Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0, amsgrad=false)", new Adam(params(), 1e-3).toString());
        assertEquals("SGD(lr=0.1, momentum=0.9, dampening=0, weight_decay=0.0001, nesterov=true)",
                new SGD(params(), 0.1).momentum(0.9).nesterov(true).weightDecay(1e-4).toString());
        assertEquals("AdamW(lr=0.003, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01, amsgrad=false)", new AdamW(params(), 3e-3).toString());
        assertEquals("RMSprop(lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0, centered=true)", new RMSprop(params(), 0.01).centered(true).toString());
    }

    @Test
    void stepScheduleArgumentsAreChecked() {
        refused(() -> LrSchedule.oneCycle(1), "total steps", "1");
        refused(() -> LrSchedule.oneCycle(10, 1.5, 25, 1e4), "pct_start", "1.5");
        refused(() -> LrSchedule.warmupCosine(10, 10, 0), "warm-up steps", "10");
    }

    @Test
    void oneCycleKeepsItsFinalRateAfterTheLastStep() {
        LrSchedule s = LrSchedule.oneCycle(20);
        assertEquals(0.1 / 25, s.lr(0.1, 0), 1e-15);
        assertEquals(s.lr(0.1, 19), s.lr(0.1, 25));
        assertEquals(0.1 / 25 / 1e4, s.lr(0.1, 19), 1e-15);
    }
}
