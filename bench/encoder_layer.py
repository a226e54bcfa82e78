#!/usr/bin/python3
"""Forward + backward of torch.nn.TransformerEncoder layers at issue 5's LM size (d_model 128, 4 heads, ff 512,
relu, post-norm, batch_first, causal float mask, dropout 0) on [32, 64, 128]; the workload of Lamina's
EncoderLayerBench. Set OMP_NUM_THREADS etc. before running. Prints the median and fastest step in ms.
Usage: encoder_layer.py [LAYERS] [SECONDS]"""
import sys
import time

import torch
import torch.nn as nn

layers = int(sys.argv[1]) if len(sys.argv) > 1 else 1
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
torch.manual_seed(0)
layer = nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, batch_first=True)
enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
x = torch.randn(32, 64, 128, requires_grad=True)
g = torch.randn(32, 64, 128)
mask = torch.triu(torch.full((64, 64), float("-inf")), 1)


def step():
    enc.zero_grad()
    x.grad = None
    enc(x, mask=mask).backward(g)


warm_end = time.time() + 3
i = 0
while i < 10 or time.time() < warm_end:
    step()
    i += 1
ts = []
end = time.time() + seconds
while len(ts) < 10 or time.time() < end:
    t0 = time.perf_counter()
    step()
    ts.append((time.perf_counter() - t0) * 1000)
ts.sort()
print("torch %s layers=%d threads=%d median %.2f ms min %.2f ms (%d steps)"
      % (torch.__version__, layers, torch.get_num_threads(), ts[len(ts) // 2], ts[0], len(ts)))
