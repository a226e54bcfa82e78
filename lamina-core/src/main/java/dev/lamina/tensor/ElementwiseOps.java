package dev.lamina.tensor;

import dev.lamina.backend.Backend;
import dev.lamina.backend.Pointwise;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.kernels.Elementwise.Unary;

import java.util.Arrays;

/**
 * Element-wise ops of {@link Tensor}: arithmetic with broadcasting, activations, comparisons and select. Each
 * computes through the tensor's backend and records its gradient rule right beside the call. All of them are float
 * ops: an I64 or BOOL operand is refused at the entry (a field check), naming the op (a BOOL condition of
 * {@code where} is the exception: it is read as 0/1).
 */
final class ElementwiseOps {
    private ElementwiseOps() {}

    static Tensor add(Tensor self, Tensor b) {
        Tensor out = binary("add", Binary.ADD, self, b);
        return Tensor.record("add", out, g -> new Tensor[] {g, g}, self, b);
    }

    static Tensor sub(Tensor self, Tensor b) {
        Tensor out = binary("sub", Binary.SUB, self, b);
        return Tensor.record("sub", out, g -> new Tensor[] {g, b.requiresGrad ? g.neg() : null}, self, b);
    }

    static Tensor mul(Tensor self, Tensor b) {
        Tensor a = self;
        Tensor out = binary("mul", Binary.MUL, a, b);
        return Tensor.record("mul", out, g -> new Tensor[] {a.requiresGrad ? g.mul(b) : null, b.requiresGrad ? g.mul(a) : null}, a, b);
    }

    static Tensor div(Tensor self, Tensor b) {
        Tensor a = self;
        Tensor out = binary("div", Binary.DIV, a, b);
        return Tensor.record("div", out, g -> new Tensor[] {
                a.requiresGrad ? g.div(b) : null,
                b.requiresGrad ? g.mul(out).div(b).neg() : null}, a, b);
    }

    static Tensor pow(Tensor self, Tensor b) {
        Tensor a = self;
        Tensor out = binary("pow", Binary.POW, a, b);
        return Tensor.record("pow", out, g -> new Tensor[] {
                a.requiresGrad ? g.mul(b).mul(a.pow(b.sub(1f))) : null,
                b.requiresGrad ? g.mul(out).mul(a.log()) : null}, a, b);
    }

    static Tensor maximum(Tensor self, Tensor b) {
        Tensor a = self;
        Tensor out = binary("maximum", Binary.MAX, a, b);
        return Tensor.record("maximum", out, g -> {
            Tensor takeA = a.ge(b);
            return new Tensor[] {g.mul(takeA), g.mul(takeA.rsub(1f))};
        }, a, b);
    }

    static Tensor minimum(Tensor self, Tensor b) {
        Tensor a = self;
        Tensor out = binary("minimum", Binary.MIN, a, b);
        return Tensor.record("minimum", out, g -> {
            Tensor takeA = a.le(b);
            return new Tensor[] {g.mul(takeA), g.mul(takeA.rsub(1f))};
        }, a, b);
    }

    static Tensor add(Tensor self, float s) {
        return Tensor.record("add", scalarOp(self, Binary.ADD, s), g -> new Tensor[] {g}, self);
    }

    static Tensor sub(Tensor self, float s) {
        return self.add(-s);
    }

    static Tensor rsub(Tensor self, float s) {
        Tensor.requireFloat("rsub", self);
        Tensor out = self.backend.scalarBinary(Binary.SUB, s, self);
        return Tensor.record("rsub", out, g -> new Tensor[] {g.neg()}, self);
    }

    static Tensor mul(Tensor self, float s) {
        return Tensor.record("mul", scalarOp(self, Binary.MUL, s), g -> new Tensor[] {g.mul(s)}, self);
    }

    static Tensor div(Tensor self, float s) {
        return Tensor.record("div", scalarOp(self, Binary.DIV, s), g -> new Tensor[] {g.div(s)}, self);
    }

    static Tensor pow(Tensor self, float p) {
        Tensor x = self;
        Tensor out = p == 2f ? unary(self, Unary.SQUARE) : scalarOp(self, Binary.POW, p);
        return Tensor.record("pow", out, g -> new Tensor[] {g.mul(x.pow(p - 1f)).mul(p)}, self);
    }

    static Tensor neg(Tensor self) {
        return Tensor.record("neg", unary(self, Unary.NEG), g -> new Tensor[] {g.neg()}, self);
    }

    static Tensor exp(Tensor self) {
        Tensor out = unary(self, Unary.EXP);
        return Tensor.record("exp", out, g -> new Tensor[] {g.mul(out)}, self);
    }

    static Tensor log(Tensor self) {
        Tensor x = self;
        return Tensor.record("log", unary(self, Unary.LOG), g -> new Tensor[] {g.div(x)}, self);
    }

    static Tensor sqrt(Tensor self) {
        Tensor out = unary(self, Unary.SQRT);
        return Tensor.record("sqrt", out, g -> new Tensor[] {g.div(out).mul(0.5f)}, self);
    }

    static Tensor abs(Tensor self) {
        Tensor x = self;
        return Tensor.record("abs", unary(self, Unary.ABS), g -> new Tensor[] {g.mul(x.sign())}, self);
    }

    static Tensor sign(Tensor self) {
        return unary(self, Unary.SIGN);
    }

    static Tensor square(Tensor self) {
        Tensor x = self;
        return Tensor.record("square", unary(self, Unary.SQUARE), g -> new Tensor[] {g.mul(x).mul(2f)}, self);
    }

    static Tensor reciprocal(Tensor self) {
        Tensor out = unary(self, Unary.RECIPROCAL);
        return Tensor.record("reciprocal", out, g -> new Tensor[] {g.mul(out.square()).neg()}, self);
    }

    static Tensor tanh(Tensor self) {
        Tensor out = unary(self, Unary.TANH);
        return Tensor.record("tanh", out, g -> new Tensor[] {g.mul(out.square().rsub(1f))}, self);
    }

    static Tensor sigmoid(Tensor self) {
        Tensor out = unary(self, Unary.SIGMOID);
        return Tensor.record("sigmoid", out, g -> new Tensor[] {g.mul(out).mul(out.rsub(1f))}, self);
    }

    static Tensor relu(Tensor self) {
        Tensor out = unary(self, Unary.RELU);
        return Tensor.record("relu", out, g -> new Tensor[] {self.backend.reluBackward(g, out)}, self);
    }

    /** Applies f elementwise; its gradient rule multiplies the incoming gradient by f'(x). */
    static Tensor pointwise(Tensor self, String op, Pointwise f, float alpha) {
        Tensor.requireFloat(op, self);
        Tensor x = self;
        return Tensor.record(op, self.backend.pointwise(f, alpha, x), g -> new Tensor[] {self.backend.pointwiseBackward(f, alpha, x, g)}, self);
    }

    static Tensor leakyRelu(Tensor self, float slope) {
        return pointwise(self, "leaky_relu", Pointwise.LEAKY_RELU, slope);
    }

    static Tensor elu(Tensor self, float alpha) {
        return pointwise(self, "elu", Pointwise.ELU, alpha);
    }

    static Tensor gelu(Tensor self) {
        Tensor.requireFloat("gelu", self);
        Tensor x = self;
        Tensor cdf = Tensor.gradWanted(self) ? self.backend.wrap(new float[self.numel()], self.shape) : null; // Φ(x), cached for backward
        return Tensor.record("gelu", self.backend.gelu(x, cdf), g -> new Tensor[] {self.backend.geluBackward(x, cdf, g)}, self);
    }

    static Tensor geluTanh(Tensor self) {
        return pointwise(self, "gelu_tanh", Pointwise.GELU_TANH, 0f);
    }

    static Tensor silu(Tensor self) {
        return pointwise(self, "silu", Pointwise.SILU, 0f);
    }

    static Tensor clamp(Tensor self, float min, float max) {
        Tensor.requireFloat("clamp", self);
        Tensor x = self;
        Tensor out = self.backend.clamp(self, min, max);
        return Tensor.record("clamp", out, g -> new Tensor[] {self.backend.clampBackward(g, x, min, max)}, self);
    }

    static Tensor gt(Tensor self, Tensor b) { return binary("gt", Binary.GT, self, b); }

    static Tensor lt(Tensor self, Tensor b) { return binary("lt", Binary.LT, self, b); }

    static Tensor ge(Tensor self, Tensor b) { return binary("ge", Binary.GE, self, b); }

    static Tensor le(Tensor self, Tensor b) { return binary("le", Binary.LE, self, b); }

    static Tensor eq(Tensor self, Tensor b) { return binary("eq", Binary.EQ, self, b); }

    static Tensor ne(Tensor self, Tensor b) { return binary("ne", Binary.NE, self, b); }

    static Tensor gt(Tensor self, float s) { return scalarOp(self, Binary.GT, s); }

    static Tensor lt(Tensor self, float s) { return scalarOp(self, Binary.LT, s); }

    static Tensor ge(Tensor self, float s) { return scalarOp(self, Binary.GE, s); }

    static Tensor le(Tensor self, float s) { return scalarOp(self, Binary.LE, s); }

    static Tensor eq(Tensor self, float s) { return scalarOp(self, Binary.EQ, s); }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype == DType.BOOL) cond = cond.to(DType.F32);
        Tensor.requireFloat("where (condition)", cond);
        Tensor.requireFloat("where", a);
        Tensor.requireFloat("where", b);
        int[] outShape = Shape.broadcast("where", Shape.broadcast("where", cond.shape, a.shape), b.shape);
        Tensor c = cond;
        return Tensor.record("where", a.backend.where(c, a, b, outShape), g -> {
            Tensor mask = ViewOps.broadcastTo(c, outShape);   // read only when the gradient is asked for
            return new Tensor[] {null, g.mul(mask), g.mul(mask.eq(0f))};
        }, c, a, b);
    }

    static boolean hasNonFinite(Tensor self) {
        if (self.dtype != DType.F32) return false;   // integers and booleans are always finite
        return self.backend.hasNonFinite(self);
    }

    static Tensor unary(Tensor self, Unary op) {
        if (self.dtype != DType.F32) Tensor.requireFloat(op.name().toLowerCase(java.util.Locale.ROOT), self);
        return self.backend.unary(op, self);
    }

    static Tensor scalarOp(Tensor self, Binary op, float s) {
        if (self.dtype != DType.F32) Tensor.requireFloat(op.name().toLowerCase(java.util.Locale.ROOT), self);
        return self.backend.binaryScalar(op, self, s);
    }

    /** Broadcasting binary op without tape. */
    static Tensor binary(String name, Binary op, Tensor a, Tensor b) {
        if (a.dtype != DType.F32) Tensor.requireFloat(name, a);
        if (b.dtype != DType.F32) Tensor.requireFloat(name, b);
        int[] outShape = Arrays.equals(a.shape, b.shape) ? a.shape.clone() : Shape.broadcast(name, a.shape, b.shape);
        return sameBackend(name, a, b).binary(op, a, b, outShape);
    }

    /** The backend of a and b; an op across two backends is refused. */
    static Backend sameBackend(String op, Tensor a, Tensor b) {
        if (a.backend != b.backend) {
            throw new IllegalArgumentException(op + ": operands live on different backends (" + a.backend.name() + ", " + b.backend.name() + ")");
        }
        return a.backend;
    }
}
