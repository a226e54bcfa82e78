package dev.lamina.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layers below, policies above: what the core's packages may depend on, checked on the compiled main classes.
 * {@code io} writes and reads files (safetensors, .npy, the checkpoint directory) and knows no training, optimizer
 * or layer types; {@code train} owns the training state it saves.
 */
class PackageDependencyTest {
    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.lamina");
        assertTrue(core.size() > 100, "imported " + core.size() + " classes");
        assertTrue(core.containPackage("dev.lamina.io") && core.containPackage("dev.lamina.train"));
    }

    @Test
    void ioKnowsNoTrainingOptimizerOrLayerTypes() {
        EvaluationResult r = noClasses().that().resideInAPackage("dev.lamina.io..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lamina.train..", "dev.lamina.optim..", "dev.lamina.nn..", "dev.lamina.loss..",
                        "dev.lamina.data..", "dev.lamina.models..")
                .evaluate(core);
        assertFalse(r.hasViolation(), r.getFailureReport().toString());
    }

    @Test
    void noCycleBetweenIoAndTrain() {
        EvaluationResult r = slices().matching("dev.lamina.(io|train)..").should().beFreeOfCycles().evaluate(core);
        assertFalse(r.hasViolation(), r.getFailureReport().toString());
    }

    @Test
    void theRuleSeesAViolationWhenThereIsOne() {
        // train uses io (it saves through CheckpointDirectory): the reverse rule must fail, or the rules above prove nothing
        EvaluationResult r = noClasses().that().resideInAPackage("dev.lamina.train..")
                .should().dependOnClassesThat().resideInAPackage("dev.lamina.io..").evaluate(core);
        assertTrue(r.hasViolation());
    }
}
