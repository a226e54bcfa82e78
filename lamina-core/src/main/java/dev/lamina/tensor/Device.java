package dev.lamina.tensor;

/**
 * The memory a tensor's storage lives in, as PyTorch's {@code torch.device}: a type ({@code "cpu"}, or a device
 * backend's own name such as {@code "cuda"}) and an index among devices of that type. Every backend in this
 * repository keeps its tensors in the JVM heap, on {@link #CPU}; a backend for an accelerator gives its tensors a
 * {@link Storage} of its own with its device.
 *
 * @param type  the device type, lower case, e.g. {@code "cpu"}
 * @param index which device of that type, from 0
 */
public record Device(String type, int index) {
    /** Host memory: the JVM heap. */
    public static final Device CPU = new Device("cpu", 0);

    public Device {
        if (type == null || type.isEmpty() || !type.equals(type.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("device type must be a non-empty lower-case name, got " + type);
        }
        if (index < 0) throw new IllegalArgumentException("device index must be at least 0, got " + index);
    }

    @Override
    public String toString() {
        return type + ":" + index;
    }
}
