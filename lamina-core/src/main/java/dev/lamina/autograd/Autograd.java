package dev.lamina.autograd;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode automatic differentiation over the define-by-run tape, and the per-thread gradient mode.
 *
 * <pre>{@code
 * try (var scope = Autograd.noGrad()) { y = model.forward(x); }   // builds no tape
 * loss.backward();                                                 // fills .grad() of the leaves
 * }</pre>
 */
public final class Autograd {
    private Autograd() {}

    private static final ThreadLocal<boolean[]> GRAD_ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    /** True when ops on this thread record a tape. */
    public static boolean isGradEnabled() {
        return GRAD_ENABLED.get()[0];
    }

    /** A scope in which no tape is recorded on this thread; restores the previous mode on close. */
    public static Scope noGrad() {
        return setGradEnabled(false);
    }

    /** A scope with recording switched on or off; restores the previous mode on close. */
    public static Scope setGradEnabled(boolean enabled) {
        boolean[] flag = GRAD_ENABLED.get();
        boolean previous = flag[0];
        flag[0] = enabled;
        return () -> flag[0] = previous;
    }

    /** An {@link AutoCloseable} that throws nothing. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Back-propagates from {@code root}, seeded with {@code seed} (ones for a scalar root), accumulating into the
     * {@code grad} of every leaf that requires grad. Intermediate gradients are freed as soon as they are used.
     */
    public static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor " + Shape.str(root.shape()) + " does not require grad (no parameter or input with requiresGrad took part, or it was computed under noGrad)");
        }
        if (seed == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward: a gradient can be implied only for a scalar output, got shape " + Shape.str(root.shape()) + "; pass the output gradient explicitly");
            }
            seed = Tensor.ones(root.shape());
        } else if (!java.util.Arrays.equals(seed.shape(), root.shape())) {
            throw new ShapeMismatch("backward: output gradient shape " + Shape.str(seed.shape()) + " does not match output shape " + Shape.str(root.shape()));
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (Scope ignored = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) continue;
                Node node = t.node();
                if (node == null) {
                    t.accumulateGrad(g);
                    continue;
                }
                Tensor[] inGrads = node.rule().apply(g);
                Tensor[] inputs = node.inputs();
                for (int k = 0; k < inputs.length; k++) {
                    Tensor in = inputs[k];
                    if (in == null || !in.requiresGrad() || inGrads[k] == null) continue;
                    Tensor gk = inGrads[k];
                    if (!java.util.Arrays.equals(gk.shape(), in.shape())) gk = gk.sumTo(in.shape());
                    Tensor prev = grads.get(in);
                    grads.put(in, prev == null ? gk : prev.add(gk));
                }
            }
        }
    }

    /** Tensors reachable from root that require grad, ordered so every tensor comes after its inputs. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.node();
            Tensor[] inputs = node == null ? new Tensor[0] : node.inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && visited.put(in, Boolean.TRUE) == null) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    /** Thrown when an explicit output gradient has the wrong shape. */
    public static final class ShapeMismatch extends dev.lamina.tensor.ShapeException {
        private static final long serialVersionUID = 1L;

        ShapeMismatch(String message) {
            super(message);
        }
    }
}
