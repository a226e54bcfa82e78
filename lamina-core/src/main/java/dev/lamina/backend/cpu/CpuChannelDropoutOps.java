package dev.lamina.backend.cpu;

import dev.lamina.backend.ChannelDropoutOps;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Tensor;

/** Channel dropout on the CPU: planes split across cores, a dropped plane left as the zeros of the fresh array. */
public interface CpuChannelDropoutOps extends ChannelDropoutOps {
    @Override
    default Tensor scaleChannels(Tensor x, Tensor scale) {
        Tensor xc = x.isContiguous() ? x : x.contiguous(), sc = scale.isContiguous() ? scale : scale.contiguous();
        int planes = x.size(0) * x.size(1), s = planes == 0 ? 0 : x.numel() / planes;
        float[] xd = xc.storage(), f = sc.storage();
        int xo = xc.storageOffset(), fo = sc.storageOffset();
        float[] y = new float[planes * s];
        Parallel.forRange(planes, Math.max(1, (1 << 15) / Math.max(1, s)), (a, b) -> {
            for (int p = a; p < b; p++) {
                float v = f[fo + p];
                int base = p * s;
                if (v == 0f) continue;
                for (int i = 0; i < s; i++) y[base + i] = xd[xo + base + i] * v;
            }
        });
        return wrap(y, x.shape());
    }
}
