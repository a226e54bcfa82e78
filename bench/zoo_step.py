"""PyTorch side of the zoo training-step benchmark (bench/zoo_train.sh): one training step (forward, cross-entropy,
backward, optimizer step) at batch 32 on random 32x32 images, 10 classes, of the architectures ZooStepBench.java
builds: torchvision's resnet18 with the small-input stem (conv1 3x3 stride 1, no max-pool) and SGD (momentum 0.9),
mobilenet_v2 with a stride-1 first conv and SGD, VisionTransformer(32, patch 4, 6 layers, 3 heads, 192, 768) and
Adam. Also prints the forward multiply-adds of one image (conv, linear and attention matmuls), from which the
script derives the step's FLOPs (3 x forward: forward, input gradients, weight gradients).
Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision). Usage: zoo_step.py MODEL [STEPS] [CHANNELS]"""
import sys
import time

import torch
import torch.nn as nn
import torchvision
from torchvision.models import vision_transformer as tv_vit

B, SIZE, CLASSES, WARMUP = 32, 32, 10, 5


def build(name, channels):
    if name == "resnet18":
        m = torchvision.models.resnet18(num_classes=CLASSES)
        m.conv1 = nn.Conv2d(channels, 64, 3, 1, 1, bias=False)
        m.maxpool = nn.Identity()
    elif name == "mobilenet_v2":
        m = torchvision.models.mobilenet_v2(num_classes=CLASSES)
        first = m.features[0][0]
        m.features[0][0] = nn.Conv2d(channels, first.out_channels, 3, 1, 1, bias=False)
    elif name == "vit":
        m = tv_vit.VisionTransformer(image_size=SIZE, patch_size=4, num_layers=6, num_heads=3, hidden_dim=192, mlp_dim=768, num_classes=CLASSES)
        if channels != 3:
            m.conv_proj = nn.Conv2d(channels, 192, 4, 4)
    else:
        raise SystemExit("unknown model " + name)
    return m


def forward_macs(model, channels):
    macs = [0]

    def conv(mod, inp, out):
        macs[0] += out.numel() // out.shape[0] * (mod.in_channels // mod.groups) * mod.kernel_size[0] * mod.kernel_size[1]

    def linear(mod, inp, out):
        macs[0] += out.numel() // out.shape[0] * mod.in_features

    def attention(mod, inp, out):
        n, length, e = out[0].shape  # batch_first; called with keywords, so read the output
        # in_proj and out_proj run inside F.multi_head_attention_forward (no Linear hook fires), then scores and values
        macs[0] += 4 * length * e * e + 2 * length * length * e

    hooks = []
    for mod in model.modules():
        if isinstance(mod, nn.Conv2d):
            hooks.append(mod.register_forward_hook(conv))
        elif isinstance(mod, nn.Linear):
            hooks.append(mod.register_forward_hook(linear))
        elif isinstance(mod, nn.MultiheadAttention):
            hooks.append(mod.register_forward_hook(attention))
    with torch.no_grad():
        model.eval()(torch.randn(1, channels, SIZE, SIZE))
    for h in hooks:
        h.remove()
    return macs[0]


name = sys.argv[1]
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
channels = int(sys.argv[3]) if len(sys.argv) > 3 else 3
torch.manual_seed(0)
model = build(name, channels)
macs = forward_macs(model, channels)
opt = torch.optim.Adam(model.parameters(), lr=1e-3) if name == "vit" else torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
lossf = nn.CrossEntropyLoss()
g = torch.Generator().manual_seed(1)
model.train()
times = []
for i in range(steps + WARMUP):
    x = torch.randn(B, channels, SIZE, SIZE, generator=g)
    y = torch.randint(0, CLASSES, (B,), generator=g)
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = lossf(model(x), y)
    loss.backward()
    opt.step()
    if i >= WARMUP:
        times.append(time.perf_counter() - t0)
times.sort()
print("torch %s step: median %.2f ms, loss %.3f, threads %d, forward MACs per image %d, step GFLOP %.2f"
      % (name, 1e3 * times[len(times) // 2], loss.item(), torch.get_num_threads(), macs, 3 * 2 * macs * B / 1e9), flush=True)
