package dev.lamina.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * Chooses the backend new tensors live on. The default comes from the system property {@code lamina.backend}
 * ({@code cpu} when unset); {@link #using} runs code with another one on the calling thread. Backends are found
 * with {@link ServiceLoader} ({@code META-INF/services/dev.lamina.backend.Backend}), so one in another jar needs
 * no change here.
 */
public final class Backends {
    private Backends() {}

    private static final List<Backend> AVAILABLE = load();
    private static final Backend DEFAULT = byName(System.getProperty("lamina.backend", "cpu"));
    private static final ThreadLocal<Backend> SCOPED = new ThreadLocal<>();

    private static List<Backend> load() {
        List<Backend> found = new ArrayList<>();
        ServiceLoader.load(Backend.class, Backends.class.getClassLoader()).forEach(found::add);
        if (found.isEmpty()) throw new IllegalStateException("no Lamina backend found: META-INF/services/dev.lamina.backend.Backend is missing from the class path");
        return List.copyOf(found);
    }

    /** The backends on the class path. */
    public static List<Backend> available() {
        return AVAILABLE;
    }

    /** The backend called {@code name}; the error lists the ones there are. */
    public static Backend byName(String name) {
        for (Backend b : AVAILABLE) if (b.name().equals(name)) return b;
        throw new IllegalArgumentException("unknown backend '" + name + "' (lamina.backend): available are "
                + AVAILABLE.stream().map(Backend::name).toList());
    }

    /** The backend new tensors get on this thread. */
    public static Backend current() {
        Backend b = SCOPED.get();
        return b != null ? b : DEFAULT;
    }

    /** The default from {@code lamina.backend}. */
    public static Backend defaultBackend() {
        return DEFAULT;
    }

    /** Runs {@code body} with {@code backend} as this thread's current backend. */
    public static <T> T using(Backend backend, Supplier<T> body) {
        Backend before = SCOPED.get();
        SCOPED.set(backend);
        try {
            return body.get();
        } finally {
            if (before == null) SCOPED.remove();
            else SCOPED.set(before);
        }
    }
}
