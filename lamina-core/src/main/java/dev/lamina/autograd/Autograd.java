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
        List<Object> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (Scope ignored = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                if (order.get(i) instanceof Tensor leaf) {
                    Tensor g = grads.remove(leaf);
                    if (g != null) leaf.accumulateGrad(g);
                    continue;
                }
                Node node = (Node) order.get(i);
                Tensor[] gradOuts = new Tensor[node.outputCount()];
                boolean any = false;
                for (int o = 0; o < gradOuts.length; o++) {
                    gradOuts[o] = grads.remove(node.output(o));
                    any |= gradOuts[o] != null;
                }
                if (!any) continue;
                Tensor[] inGrads = node.applyRule(gradOuts);
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

    /**
     * The tape reachable from root, ordered so that everything comes after its inputs: a {@link Node} for each op
     * (once, however many of its outputs are used) and the leaf tensor itself for each leaf that requires grad.
     */
    private static List<Object> topologicalOrder(Tensor root) {
        List<Object> order = new ArrayList<>();
        Map<Object, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        Object start = item(root);
        stack.push(new Object[] {start, 0});
        visited.put(start, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor[] inputs = frame[0] instanceof Node node ? node.inputs() : NO_INPUTS;
            int next = (Integer) frame[1];
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad()) {
                    Object it = item(in);
                    if (visited.put(it, Boolean.TRUE) == null) stack.push(new Object[] {it, 0});
                }
            } else {
                stack.pop();
                order.add(frame[0]);
            }
        }
        return order;
    }

    private static final Tensor[] NO_INPUTS = new Tensor[0];

    /** What the order holds for a tensor: its node, or the tensor itself when it is a leaf. */
    private static Object item(Tensor t) {
        return t.node() == null ? t : t.node();
    }

    /** Thrown when an explicit output gradient has the wrong shape. */
    public static final class ShapeMismatch extends dev.lamina.tensor.ShapeException {
        private static final long serialVersionUID = 1L;

        ShapeMismatch(String message) {
            super(message);
        }
    }
}
