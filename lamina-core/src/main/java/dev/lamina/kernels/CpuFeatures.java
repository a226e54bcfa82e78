package dev.lamina.kernels;

/**
 * What the kernels may use on this machine: the Vector API or not, decided once per JVM, with the one warning when
 * they cannot. Without
 * {@code --add-modules jdk.incubator.vector} on the {@code java} command line the module is absent, every kernel takes
 * its scalar path and training runs about six times slower; that is worth a line on the log, once. Turning the vector
 * kernels off on purpose ({@code -Dlamina.vector=false}) warns of nothing.
 */
public final class CpuFeatures {
    private CpuFeatures() {
    }

    /**
     * Whether the Vector API kernels are in use (the module is present and {@code lamina.vector} isn't false); every
     * kernel's choice of path reads this one flag.
     */
    public static final boolean VECTOR = decide();

    /** The warning logged (to {@code System.Logger} "dev.lamina", standard error by default) when the module is absent. */
    static final String MISSING_MODULE_WARNING = "Lamina: the Vector API (module jdk.incubator.vector) is not available in this JVM, so every kernel"
            + " runs its scalar fallback, about 6x slower. Add --add-modules jdk.incubator.vector to the java command line"
            + " (or to surefire's argLine, the exec plugin or the IDE's run configuration).";

    /** Decides whether the Vector API kernels are used (and warns once if the module is missing). */
    private static boolean decide() {
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        boolean disabled = "false".equalsIgnoreCase(System.getProperty("lamina.vector"));
        if (!present && !disabled) System.getLogger("dev.lamina").log(System.Logger.Level.WARNING, MISSING_MODULE_WARNING);
        return present && !disabled;
    }
}
