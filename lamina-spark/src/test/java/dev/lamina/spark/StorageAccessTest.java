package dev.lamina.spark;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark trainer stays on the backend seam (as core's {@code dev.lamina.arch.StorageAccessTest}): it moves tensor
 * values (gradients into the all-reduce buffer and back) through {@link Tensor} and backend copies, never a tensor's raw storage
 * ({@link Tensor#storage()}, {@link Tensor#ofRegion}), so data-parallel training works on every backend.
 */
class StorageAccessTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importSpark() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.lamina.spark");
    }

    /** "Class.method -> Tensor.name" for every call from the Spark module to a Tensor method named in {@code names}. */
    private static Set<String> callsToTensor(Set<String> names) {
        Set<String> calls = new TreeSet<>();
        for (JavaClass c : classes) {
            for (JavaMethodCall call : c.getMethodCallsFromSelf()) {
                if (call.getTargetOwner().isEquivalentTo(Tensor.class) && names.contains(call.getName())) {
                    calls.add(call.getOrigin().getFullName() + " -> Tensor." + call.getName());
                }
            }
        }
        return calls;
    }

    @Test
    void noSparkClassReadsATensorsStorage() {
        assertEquals(Set.of(), callsToTensor(Set.of("storage", "ofRegion")), "Spark code that reads a tensor's raw storage");
    }

    @Test
    void theScanSeesTheReplicaLoopsTensorCopies() {
        // the replica loop reads parameters with toArray(): if the scan missed those, finding no storage() call would prove nothing
        assertTrue(callsToTensor(Set.of("toArray")).stream().anyMatch(s -> s.startsWith(ReplicaLoop.class.getName())),
                "no toArray() call found in ReplicaLoop");
    }
}
