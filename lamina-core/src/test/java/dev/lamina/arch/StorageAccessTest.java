package dev.lamina.arch;

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
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The backend seam holds: a tensor's raw storage ({@link Tensor#storage()}, and {@link Tensor#ofRegion} that wraps a
 * raw array) is touched only by the backends ({@code dev.lamina.backend..}), by {@code io} (which reads and writes
 * files of floats) and by {@code tensor} itself. Everything else computes through {@link Tensor}'s ops or a
 * backend's module ops, so a second backend sees every op.
 *
 */
class StorageAccessTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importAll() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.lamina");
    }

    private static boolean allowed(JavaClass c) {
        String p = c.getPackageName();
        return p.startsWith("dev.lamina.backend") || p.equals("dev.lamina.io") || p.equals("dev.lamina.tensor");
    }

    /** Top-level classes (nested and lambda classes folded into their owner) that call a raw-storage method. */
    static Set<String> rawStorageCallers() {
        Set<String> callers = new TreeSet<>();
        for (JavaClass c : classes) {
            for (JavaMethodCall call : c.getMethodCallsFromSelf()) {
                if (!call.getTargetOwner().isEquivalentTo(Tensor.class)) continue;
                String name = call.getName();
                if (!name.equals("storage") && !name.equals("ofRegion")) continue;
                JavaClass owner = c;
                while (owner.getEnclosingClass().isPresent()) owner = owner.getEnclosingClass().get();
                if (!allowed(owner)) callers.add(owner.getName());
            }
        }
        return callers;
    }

    @Test
    void onlyBackendsAndIoReachStorage() {
        assertEquals(Set.of(), rawStorageCallers(), "classes outside the backends that read a tensor's storage");
    }

    @Test
    void theRuleSeesTheBackendsThemselves() {
        // the CPU backend reads storage: if the scan found nothing there, it would prove nothing elsewhere
        boolean seen = false;
        for (JavaClass c : classes) {
            if (!c.getPackageName().equals("dev.lamina.backend.cpu")) continue;
            for (JavaMethodCall call : c.getMethodCallsFromSelf()) seen |= call.getName().equals("storage") && call.getTargetOwner().isEquivalentTo(Tensor.class);
        }
        assertFalse(!seen, "no storage() call found in dev.lamina.backend.cpu");
    }
}
