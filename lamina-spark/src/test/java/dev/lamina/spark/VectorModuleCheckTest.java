package dev.lamina.spark;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM without {@code --add-modules jdk.incubator.vector} is told which option to add. (Spark 4.2 itself passes the
 * module to the executors it launches, so in practice the driver of a {@code local[N]} run started with plain
 * {@code java} is the JVM that lacks it; the executor message covers launchers that bypass Spark's defaults.)
 */
class VectorModuleCheckTest {

    /** Started in a child JVM without the module: what {@link SparkTrainer#fit} says before it touches Spark. */
    public static void main(String[] args) {
        try {
            SparkTrainer.fit(null, SparkTrainConfig.builder(ModelFactory.named("mlp")).build());
            System.out.println("no error");
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }

    @Test
    void aDriverWithoutTheModuleIsToldTheOptionsToAdd() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(List.of(java, "-cp", cp, VectorModuleCheckTest.class.getName())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("Lamina needs the Vector API module, but the driver was started without it: add --add-modules jdk.incubator.vector to the driver's java command line"
                + " (spark-submit --driver-java-options \"--add-modules jdk.incubator.vector\", or spark.driver.extraJavaOptions), and for the executors"
                + " --conf spark.executor.extraJavaOptions=\"--add-modules jdk.incubator.vector\"", out);
    }

    @Test
    void anExecutorsMessageNamesSparkExecutorExtraJavaOptions() {
        assertEquals("Lamina needs the Vector API module, but executor 3 on 10.0.0.7 was started without it: set spark.executor.extraJavaOptions to include --add-modules"
                + " jdk.incubator.vector (spark-submit --conf spark.executor.extraJavaOptions=\"--add-modules jdk.incubator.vector\", or in SparkConf / spark-defaults.conf)",
                VectorModuleCheck.message("executor 3 on 10.0.0.7"));
        assertTrue(VectorModuleCheck.present(), "surefire runs with the module");
    }
}
