package dev.lamina.spark;

/**
 * Lamina's kernels need the incubating Vector API module in every JVM that runs them. Spark executors are started by
 * the cluster, so the module must be asked for in the Spark configuration; this check turns the bare
 * {@code NoClassDefFoundError: jdk/incubator/vector/FloatVector} into a message naming the option.
 */
public final class VectorModuleCheck {
    private VectorModuleCheck() {
    }

    /** The module's name. */
    public static final String MODULE = "jdk.incubator.vector";

    /** What to add to the executors' configuration. */
    public static final String EXECUTOR_FIX = "--conf spark.executor.extraJavaOptions=\"--add-modules " + MODULE + "\"";

    /** Whether this JVM was started with {@code --add-modules jdk.incubator.vector}. */
    public static boolean present() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /**
     * @param where which JVM this is ("executor 3 on host h", "the driver")
     * @throws IllegalStateException naming the exact option when the module is missing
     */
    public static void require(String where) {
        if (!present()) throw new IllegalStateException(message(where));
    }

    static String message(String where) {
        if (where.startsWith("the driver")) {
            return "Lamina needs the Vector API module, but " + where + " was started without it: add --add-modules " + MODULE
                    + " to the driver's java command line (spark-submit --driver-java-options \"--add-modules " + MODULE
                    + "\", or spark.driver.extraJavaOptions), and for the executors " + EXECUTOR_FIX;
        }
        return "Lamina needs the Vector API module, but " + where + " was started without it: set spark.executor.extraJavaOptions to include --add-modules "
                + MODULE + " (spark-submit " + EXECUTOR_FIX + ", or in SparkConf / spark-defaults.conf)";
    }
}
