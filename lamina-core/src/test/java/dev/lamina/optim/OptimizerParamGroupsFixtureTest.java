package dev.lamina.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Fixtures;
import dev.lamina.io.Safetensors;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parameter groups against PyTorch's param_groups (tools/fixtures/make_param_group_fixtures.py): parameters 0 and
 * 1 with the optimizer's settings, parameter 2 in a group with its own lr and weight decay; three steps with given
 * gradients, every parameter compared after each step.
 */
class OptimizerParamGroupsFixtureTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("optim_groups_sgd_momentum", (Function<List<List<Tensor>>, Optimizer>) g ->
                        new SGD(groups(g, 0.5, 0.0), 0.1).momentum(0.9).weightDecay(0.01)),
                Arguments.of("optim_groups_adamw", (Function<List<List<Tensor>>, Optimizer>) g -> new AdamW(groups(g, 0.1, 0.0), 0.01, 0.1)),
                Arguments.of("optim_groups_adam", (Function<List<List<Tensor>>, Optimizer>) g -> new Adam(groups(g, 0.05, 0.2), 0.01)),
                Arguments.of("optim_groups_rmsprop", (Function<List<List<Tensor>>, Optimizer>) g -> new RMSprop(groups(g, 0.002, 0.0), 0.01).weightDecay(0.01)));
    }

    private static ParamGroups groups(List<List<Tensor>> g, double lr, double weightDecay) {
        return ParamGroups.of(ParamGroup.of(g.get(0)), ParamGroup.of(g.get(1)).lr(lr).weightDecay(weightDecay));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void stepsMatchPyTorch(String fixture, Function<List<List<Tensor>>, Optimizer> make) throws Exception {
        URL url = getClass().getResource("/fixtures/" + fixture + "/steps.safetensors");
        Map<String, Tensor> f = Safetensors.read(Path.of(url.toURI()));
        Tensor[] p = {f.get("p0").copy(), f.get("p1").copy(), f.get("p2").copy()};
        for (Tensor t : p) t.requiresGrad(true);
        Optimizer opt = make.apply(List.of(List.of(p[0], p[1]), List.of(p[2])));
        assertEquals(2, opt.groupCount());
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 3; i++) p[i].setGrad(f.get("grad" + s + "." + i).copy());
            opt.step();
            for (int i = 0; i < 3; i++) {
                double err = Fixtures.relativeError(p[i].toArray(), f.get("after" + s + "." + i).toArray());
                assertTrue(err <= Fixtures.TOLERANCE, fixture + " step " + s + " parameter " + i + ": relative error " + err);
            }
        }
    }

    @Test
    void aSchedulerScalesEveryGroupFromItsOwnBaseRate() {
        Tensor a = Tensor.zeros(2).requiresGrad(true), b = Tensor.zeros(2).requiresGrad(true);
        SGD sgd = new SGD(ParamGroups.of(ParamGroup.of(List.of(a)), ParamGroup.of(List.of(b)).lr(1.0)), 0.1);
        Scheduler s = new Scheduler(sgd, LrSchedule.step(1, 0.5));
        s.step();
        assertEquals(0.05, sgd.groupLr(0), 1e-12);
        assertEquals(0.5, sgd.groupLr(1), 1e-12);
        assertEquals(0.05, sgd.lr(), 1e-12);
    }

    @Test
    void groupSettingsRoundTripThroughTheStateDict() {
        Tensor a = Tensor.ones(2).requiresGrad(true), b = Tensor.ones(2).requiresGrad(true);
        AdamW one = new AdamW(ParamGroups.of(ParamGroup.of(List.of(a)), ParamGroup.of(List.of(b)).lr(0.3).weightDecay(0)), 0.01);
        OptimizerState state = one.stateDict();
        assertEquals(0.3, state.hyperparameters().get("param_groups.1.lr"));
        assertEquals(0.0, state.hyperparameters().get("param_groups.1.weight_decay"));
        AdamW two = new AdamW(ParamGroups.of(ParamGroup.of(List.of(a)), ParamGroup.of(List.of(b)).lr(0.7).weightDecay(0)), 0.01);
        two.loadStateDict(state);
        assertEquals(0.3, two.groupLr(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(a, b), 0.01).loadStateDict(state));
        assertTrue(e.getMessage().contains("param_groups.1.lr"), e.getMessage());
    }

    @Test
    void aParameterInTwoGroupsOrAnEmptyGroupIsRefused() {
        Tensor a = Tensor.zeros(2).requiresGrad(true);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> ParamGroups.of(ParamGroup.of(List.of(a)), ParamGroup.of(List.of(a))));
        assertTrue(twice.getMessage().contains("group 0 and in group 1"), twice.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> ParamGroups.of(ParamGroup.of(List.of(a)), ParamGroup.of(List.of())));
        assertTrue(empty.getMessage().contains("group 1 has no parameters"), empty.getMessage());
        IllegalArgumentException lr = assertThrows(IllegalArgumentException.class, () -> ParamGroup.of(List.of(a)).lr(-1));
        assertTrue(lr.getMessage().contains("lr") && lr.getMessage().contains("-1"), lr.getMessage());
    }

    @Test
    void splitPutsAPrefixInItsOwnGroupAndNamesAnUnknownPrefix() {
        Sequential net = new Sequential(new Linear(3, 4, true, new Rng(1)), new Linear(4, 2, true, new Rng(2)));
        ParamGroups g = ParamGroups.split(net, "1", 0.5, 0.0);
        assertEquals(2, g.size());
        assertEquals(List.of(net.namedParameters().get("1.weight"), net.namedParameters().get("1.bias")), g.groups().get(0).params());
        assertEquals(0.5, g.groups().get(0).lr());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParamGroups.split(net, "fc", 0.5, null));
        assertTrue(e.getMessage().contains("'fc'"), e.getMessage());
    }
}
