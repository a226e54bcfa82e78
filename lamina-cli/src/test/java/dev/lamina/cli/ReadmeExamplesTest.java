package dev.lamina.cli;

import dev.lamina.models.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's Java examples are complete programs that compile against this build (javax.tools on every
 * {@code ```java} block, the test classpath holding lamina-core and lamina-onnx), the Maven-project program runs and
 * learns, and the model-file table lists every layer type.
 */
class ReadmeExamplesTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("public (?:final )?class (\\w+)");

    private static List<String> javaBlocks() throws Exception {
        String text = Files.readString(README);
        List<String> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /** Compiles {@code sources} (file name → text) into {@code dir}; the diagnostics, or null on success. */
    private static String compile(Path dir, List<Path> files) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", dir.toString(), "-classpath", System.getProperty("java.class.path"),
                    "--release", "25", "--add-modules", "jdk.incubator.vector", "-proc:none");
            boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
            if (ok) return null;
            StringBuilder sb = new StringBuilder();
            diagnostics.getDiagnostics().forEach(d -> sb.append(d).append('\n'));
            return sb.toString();
        }
    }

    @Test
    void everyJavaBlockIsAProgramThatCompiles(@TempDir Path dir) throws Exception {
        List<String> blocks = javaBlocks();
        assertTrue(blocks.size() >= 3, "expected the README's Java examples, found " + blocks.size());
        List<Path> files = new ArrayList<>();
        for (String code : blocks) {
            Matcher m = CLASS.matcher(code);
            assertTrue(m.find(), "a README Java block is not a complete program (no public class):\n" + code);
            Path f = dir.resolve("src").resolve(m.group(1) + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, code);
            files.add(f);
        }
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String errors = compile(classes, files);
        assertNull(errors, errors);
    }

    @Test
    void theMavenProjectProgramLearns(@TempDir Path dir) throws Exception {
        String blobs = javaBlocks().stream().filter(b -> b.contains("public class Blobs")).findFirst().orElseThrow();
        Path src = dir.resolve("Blobs.java");
        Files.writeString(src, blobs);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertNull(compile(classes, List.of(src)));
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            loader.loadClass("Blobs").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("Epoch 10/10 - "), "the Trainer prints its epochs by default:\n" + out);
        String last = out.lines().filter(l -> l.startsWith("test accuracy")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertTrue(Double.parseDouble(last.replace("test accuracy ", "")) > 0.9, last);
    }

    /** Why the README imports Module by name: the wildcard import clashes with java.lang.Module. */
    @Test
    void theWildcardImportWithModuleDoesNotCompile(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("Clash.java");
        Files.writeString(src, """
                import dev.lamina.nn.*;
                import dev.lamina.tensor.Tensor;
                public class Clash extends Module {
                    @Override public Tensor forward(Tensor x) { return x; }
                }
                """);
        String errors = compile(Files.createDirectories(dir.resolve("classes")), List.of(src));
        assertNotNull(errors);
        assertTrue(errors.contains("reference to Module is ambiguous"), errors);
        assertTrue(javaBlocks().stream().noneMatch(b -> b.contains("import dev.lamina.nn.*;")), "the README's examples must not use the clashing import");
    }

    @Test
    void theModelFileTableListsEveryLayerType() throws Exception {
        String text = Files.readString(README);
        String table = text.substring(text.indexOf("## Your own model in a JSON file"), text.indexOf("## Tabular data"));
        List<String> missing = new ArrayList<>();
        for (String type : ModelSpec.layerTypes()) if (!table.contains("`" + type + "`")) missing.add(type);
        assertTrue(missing.isEmpty(), "layer types missing from the README's table: " + missing);
        for (String type : ModelSpec.layerTypes()) {
            for (String arg : ModelSpec.arguments(type)) assertTrue(table.contains("`" + arg + "`"), type + "'s argument " + arg + " is not in the README's table");
        }
    }
}
