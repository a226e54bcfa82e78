package dev.lamina.onnx;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ONNX engine computes through tensors and their backend (element-wise programs, packed products, the memory
 * plan keyed by {@link Tensor#storageIdentity()}): no class of it reads a tensor's raw storage or calls a raw-array
 * kernel (the kernels' enums, which only name an operation, are fine).
 */
class OnnxStorageAccessTest {
    @Test
    void noOnnxClassReadsStorageOrCallsRawKernels() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.lamina.onnx");
        assertTrue(classes.size() > 20, "imported " + classes.size() + " classes");
        Set<String> offenders = new TreeSet<>();
        for (JavaClass c : classes) {
            for (JavaMethodCall call : c.getMethodCallsFromSelf()) {
                String owner = call.getTargetOwner().getName(), name = call.getName();
                boolean raw = owner.equals(Tensor.class.getName()) && (name.equals("storage") || name.equals("ofRegion"))
                        || owner.startsWith("dev.lamina.kernels.") && !call.getTargetOwner().isEnum()   // descriptors such as Activation are fine
                        || owner.startsWith("dev.lamina.backend.cpu.");
                if (raw) offenders.add(c.getName() + " -> " + owner + "." + name);
            }
        }
        assertEquals(Set.of(), offenders);
    }
}
