package dev.lamina.tensor;

/**
 * The elements behind a {@link Tensor} and its views, on one {@link Device}, as candle's per-device storage: a
 * tensor is storage + offset, shape and strides + the backend that runs its ops. {@link HostStorage} holds a Java
 * array on the heap (what the CPU and reference backends use); a backend for another device implements this
 * interface over its own buffers and hands its results out with {@link Tensor#onBackend(dev.lamina.backend.Backend,
 * Storage, int...)}. Code outside a backend never sees the buffers: it reads values with {@link Tensor#toArray()}
 * and friends, which go through {@link #toHost()}.
 */
public interface Storage {
    /** What each element is. */
    DType dtype();

    /** How many elements the storage holds (views may use part of it). */
    int length();

    /** Where the elements live. */
    Device device();

    /** The elements in host memory: this storage itself when it is on the host, a copy brought over otherwise. */
    HostStorage toHost();
}
