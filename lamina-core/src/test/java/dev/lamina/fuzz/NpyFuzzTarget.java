package dev.lamina.fuzz;

import dev.lamina.io.Npy;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Jazzer fuzz target for {@link Npy#read(java.io.InputStream, String)}: any input must load or be rejected with an
 * {@link IOException}; every other throwable (and a hang or an OutOfMemoryError) is a finding. Run by
 * {@code tools/fuzz.sh}; not part of the unit tests.
 */
public final class NpyFuzzTarget {
    private NpyFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            Npy.read(new ByteArrayInputStream(data), "fuzz.npy");
        } catch (IOException expected) {
            FuzzSupport.checkMessage(expected);
        }
    }
}
