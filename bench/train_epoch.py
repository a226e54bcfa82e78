"""PyTorch side of the epoch benchmarks: the same models, optimizer (Adam 1e-3), batch size (64) and data as
ModelBench.java. With --inference, also eval-mode batch-1 latency and batch-256 throughput.
Run with Debian's /usr/bin/python3 (python3-torch). Usage: train_epoch.py mlp|cnn DATA_DIR EPOCHS [--inference]"""
import sys, time
import torch
import torch.nn as nn
from fashion_data import load


def make(name):
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Unflatten(1, (1, 28, 28)),
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.25), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    sys.exit("unknown model " + name)


name, d, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
xtr, ytr, xte, yte = load(d)
torch.manual_seed(0)
model = make(name)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
n = xtr.shape[0]
for epoch in range(1, epochs + 1):
    model.train()
    t0 = time.perf_counter()
    perm = torch.randperm(n)
    for i in range(0, n, 64):
        idxs = perm[i:i + 64]
        opt.zero_grad()
        lossf(model(xtr[idxs]), ytr[idxs]).backward()
        opt.step()
    secs = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        correct = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, len(yte), 1000))
    print("torch epoch %d: %.3f s, test accuracy %.2f%%, threads %d" % (epoch, secs, 100 * correct / len(yte), torch.get_num_threads()), flush=True)
if "--inference" in sys.argv:
    model.eval()
    with torch.no_grad():
        one = xte[:1]
        for _ in range(2000):
            model(one)
        t = []
        for _ in range(1000):
            t0 = time.perf_counter(); model(one); t.append(time.perf_counter() - t0)
        t.sort()
        print("torch batch-1 latency: median %.1f us" % (1e6 * t[len(t) // 2]), flush=True)
        b = xte[:256]
        for _ in range(20):
            model(b)
        r = []
        for _ in range(20):
            t0 = time.perf_counter(); model(b); r.append(256 / (time.perf_counter() - t0))
        r.sort()
        print("torch batch-256 throughput: median %.0f images/s" % r[len(r) // 2], flush=True)
