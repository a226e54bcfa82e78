package dev.lamina.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.Fixtures;
import dev.lamina.tensor.Tensor;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optimizers, learning-rate schedules and gradient clipping against PyTorch. Optimizer cases: params p0 [3,4] and
 * p1 [4] from p0_init/p1_init; for t = 1..4 the gradients are set to g0_t/g1_t, one step() is taken and both
 * params are compared with p0_after_t/p1_after_t (the reference trajectory is float64, Lamina's float32).
 */
class OptimizerFixtureTest {
    private static final int STEPS = 4;

    static Arguments optimizer(String fixture, Function<List<Tensor>, Optimizer> make) {
        return Arguments.argumentSet(fixture, fixture, make);
    }

    static Stream<Arguments> optimizers() {
        return Stream.of(
                optimizer("sgd_plain", ps -> new SGD(ps, 0.1)),
                optimizer("sgd_momentum", ps -> new SGD(ps, 0.1).momentum(0.9)),
                optimizer("sgd_nesterov", ps -> new SGD(ps, 0.1).momentum(0.9).nesterov(true)),
                optimizer("sgd_wd", ps -> new SGD(ps, 0.1).momentum(0.9).weightDecay(0.01).dampening(0.1)),
                optimizer("adam", ps -> new Adam(ps, 0.01)),
                optimizer("adam_amsgrad", ps -> new Adam(ps, 0.01).amsgrad(true)),
                optimizer("adam_wd", ps -> new Adam(ps, 0.01).weightDecay(0.1).betas(0.8, 0.95).eps(1e-6)),
                optimizer("adamw", ps -> new AdamW(ps, 0.01, 0.1)),
                optimizer("rmsprop", ps -> new RMSprop(ps, 0.01)),
                optimizer("rmsprop_momentum_centered", ps -> new RMSprop(ps, 0.01).alpha(0.9).momentum(0.5).centered(true).weightDecay(0.01)));
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void followsPyTorchTrajectory(String fixture, Function<List<Tensor>, Optimizer> make) {
        Tensor p0 = Fixtures.tensor(fixture, "p0_init").requiresGrad(true);
        Tensor p1 = Fixtures.tensor(fixture, "p1_init").requiresGrad(true);
        Optimizer opt = make.apply(List.of(p0, p1));
        for (int t = 1; t <= STEPS; t++) {
            p0.setGrad(Fixtures.tensor(fixture, "g0_" + t));
            p1.setGrad(Fixtures.tensor(fixture, "g1_" + t));
            opt.step();
            Fixtures.assertMatches(fixture, "p0_after_" + t, p0);
            Fixtures.assertMatches(fixture, "p1_after_" + t, p1);
        }
    }

    static Stream<Arguments> schedules() {
        return Stream.of(
                Arguments.argumentSet("step_lr", "step_lr", LrSchedule.step(3, 0.5)),
                Arguments.argumentSet("cosine", "cosine", LrSchedule.cosine(10, 0.001)),
                Arguments.argumentSet("linear_warmup", "linear_warmup", LrSchedule.linear(0.1, 1.0, 5)),
                Arguments.argumentSet("exponential", "exponential", LrSchedule.exponential(0.9)),
                Arguments.argumentSet("warmup_cosine", "warmup_cosine",
                        LrSchedule.sequential(LrSchedule.linearWarmup(0.1, 3), 3, LrSchedule.cosine(9, 0))));
    }

    /** schedules/<name>.npy: the lr SGD(lr=0.1) used in epochs 0..11, read before each scheduler step. */
    @ParameterizedTest
    @MethodSource("schedules")
    @Fixtures.Covers("schedules")
    void scheduleMatchesPyTorch(String name, LrSchedule schedule) {
        int epochs = Fixtures.load("schedules", name).size();
        Tensor p = Tensor.zeros(1).requiresGrad(true);
        SGD sgd = new SGD(List.of(p), 0.1);
        Scheduler scheduler = new Scheduler(sgd, schedule);
        double[] viaScheduler = new double[epochs], closedForm = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            assertEquals(e, scheduler.epoch());
            viaScheduler[e] = sgd.lr();
            closedForm[e] = schedule.lr(0.1, e);
            scheduler.step();
        }
        Fixtures.assertMatches("schedules", name, viaScheduler);
        Fixtures.assertMatches("schedules", name, closedForm);
    }

    static Stream<Arguments> stepSchedules() {
        return Stream.of(
                Arguments.argumentSet("onecycle_default", "onecycle_default", 0.1, LrSchedule.oneCycle(50)),
                Arguments.argumentSet("onecycle_custom", "onecycle_custom", 0.02, LrSchedule.oneCycle(37, 0.25, 10, 100)),
                Arguments.argumentSet("warmup_cosine_steps", "warmup_cosine_steps", 0.1, LrSchedule.warmupCosine(8, 40, 0.001)));
    }

    /** step_schedules/<name>.npy: the lr SGD used at steps 0..n-1 with PyTorch's OneCycleLR / warm-up then cosine. */
    @ParameterizedTest
    @MethodSource("stepSchedules")
    @Fixtures.Covers("step_schedules")
    void perStepScheduleMatchesPyTorch(String name, double maxLr, LrSchedule schedule) {
        int steps = Fixtures.load("step_schedules", name).size();
        Tensor p = Tensor.zeros(1).requiresGrad(true);
        SGD sgd = new SGD(List.of(p), maxLr);
        Scheduler scheduler = Scheduler.perStep(sgd, schedule);
        double[] lrs = new double[steps];
        for (int i = 0; i < steps; i++) {
            lrs[i] = sgd.lr();
            p.setGrad(Tensor.zeros(1));
            sgd.step();
            scheduler.step();
        }
        Fixtures.assertMatches("step_schedules", name, lrs);
    }

    private static List<Tensor> clipParams() {
        Tensor p0 = Tensor.zeros(3, 4).requiresGrad(true), p1 = Tensor.zeros(5).requiresGrad(true);
        p0.setGrad(Fixtures.tensor("clip", "g0"));
        p1.setGrad(Fixtures.tensor("clip", "g1"));
        return List.of(p0, p1);
    }

    @Test
    @Fixtures.Covers("clip")
    void clipGradNorm() {
        List<Tensor> ps = clipParams();
        double total = GradClip.clipGradNorm(ps, 1.0);
        Fixtures.assertMatches("clip", "clipnorm_total", total);
        Fixtures.assertMatches("clip", "clipnorm_g0", ps.get(0).grad());
        Fixtures.assertMatches("clip", "clipnorm_g1", ps.get(1).grad());
    }

    /** max_norm above the total norm: the gradients stay as they are. */
    @Test
    @Fixtures.Covers("clip")
    void clipGradNormBelowLimit() {
        List<Tensor> ps = clipParams();
        double total = GradClip.clipGradNorm(ps, 100.0);
        Fixtures.assertMatches("clip", "clipnorm_big_total", total);
        Fixtures.assertMatches("clip", "clipnorm_big_g0", ps.get(0).grad());
        Fixtures.assertMatches("clip", "clipnorm_big_g1", ps.get(1).grad());
    }

    @Test
    @Fixtures.Covers("clip")
    void clipGradValue() {
        List<Tensor> ps = clipParams();
        GradClip.clipGradValue(ps, 0.3);
        Fixtures.assertMatches("clip", "clipvalue_g0", ps.get(0).grad());
        Fixtures.assertMatches("clip", "clipvalue_g1", ps.get(1).grad());
    }
}
