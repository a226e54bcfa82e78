package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code norm_*} fixture directory is checked by {@link NormFixtureTest} (the same rule as
 * {@code dev.lamina.FixtureCoverageTest}, for this family, until NormFixtureTest is added to its list).
 */
class NormFixtureCoverageTest {

    @Test
    void everyNormFixtureIsChecked() throws Exception {
        Path root = Path.of(NormFixtureCoverageTest.class.getResource("/fixtures").toURI());
        Set<String> missing = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> n.startsWith("norm_")).forEach(missing::add);
        }
        int found = missing.size();
        Set<String> covered = new TreeSet<>();
        for (Method m : NormFixtureTest.class.getDeclaredMethods()) {
            MethodSource source = m.getAnnotation(MethodSource.class);
            if (source == null) continue;
            for (String sourceName : source.value()) {
                Method provider = NormFixtureTest.class.getDeclaredMethod(sourceName);
                provider.setAccessible(true);
                try (Stream<?> rows = (Stream<?>) provider.invoke(null)) {
                    rows.forEach(r -> covered.add((String) ((Arguments) r).get()[0]));
                }
            }
        }
        missing.removeAll(covered);
        assertTrue(found >= 20, "only " + found + " norm_ fixtures found");
        assertTrue(missing.isEmpty(), "norm_ fixture cases without a test: " + missing);
    }
}
