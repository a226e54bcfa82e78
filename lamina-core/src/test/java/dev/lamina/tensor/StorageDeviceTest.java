package dev.lamina.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.backend.Backends;

import org.junit.jupiter.api.Test;

/**
 * A tensor is a {@link Storage} on a {@link Device} plus offset, shape and strides: host tensors are on
 * {@link Device#CPU} in a {@link HostStorage}; a storage on another device (here a stand-in that keeps its values
 * out of reach and counts how often they are brought over) gives its values only through {@link Storage#toHost()}, and
 * the raw accessors refuse it naming the device.
 */
class StorageDeviceTest {

    /** Values "on a device": not reachable as an array, copied out on request. */
    private static final class FarStorage implements Storage {
        private final float[] values;
        int transfers;

        FarStorage(float... values) {
            this.values = values.clone();
        }

        @Override public DType dtype() { return DType.F32; }
        @Override public int length() { return values.length; }
        @Override public Device device() { return new Device("far", 1); }
        @Override public HostStorage toHost() {
            transfers++;
            return HostStorage.of(values.clone());
        }
    }

    @Test
    void hostTensorsOfEveryDtypeAreOnTheCpu() {
        assertEquals(Device.CPU, Tensor.zeros(2, 3).device());
        assertEquals(Device.CPU, Tensor.ofLongs(new long[] {1, 2}, 2).device());
        assertEquals(Device.CPU, Tensor.ofBooleans(new boolean[] {true}, 1).device());
        for (var b : Backends.available()) assertEquals(Device.CPU, b.device(), b.name());
        assertEquals("cpu:0", Device.CPU.toString());
    }

    @Test
    void viewsShareTheStorageAndItsIdentity() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor v = t.transpose(0, 1);
        assertSame(t.storageIdentity(), v.storageIdentity());
        assertSame(t.storage(), v.storage());
        assertTrue(t.storage != null && t.storage == v.storage);
    }

    @Test
    void aStorageOnAnotherDeviceIsReadOnlyThroughToHost() {
        FarStorage far = new FarStorage(1, 2, 3, 4, 5, 6);
        Tensor t = Tensor.onBackend(Backends.current(), far, 2, 3);
        assertEquals(new Device("far", 1), t.device());
        assertEquals(DType.F32, t.dtype());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toArray());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.transpose(0, 1).toArray(), "a strided view reads through the copy");
        assertEquals(6f, t.get(1, 2));
        assertEquals(3, far.transfers);
        assertSame(t.storageIdentity(), t.transpose(0, 1).storageIdentity());
        IllegalStateException e = assertThrows(IllegalStateException.class, t::storage);
        assertTrue(e.getMessage().contains("far:1") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void badDevicesAndMismatchedStoragesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Device("CUDA", 0));
        assertThrows(IllegalArgumentException.class, () -> new Device("cuda", -1));
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.onBackend(Backends.current(), new FarStorage(1, 2, 3), 2, 2));
        assertTrue(e.getMessage().contains("3 elements") && e.getMessage().contains("[2, 2]"), e.getMessage());
    }
}
