"""PyTorch side of the MLP epoch benchmark: the same model, optimizer, batch size and data as ModelBench.java (model mlp).
Run with Debian's /usr/bin/python3 (python3-torch). Usage: mlp_epoch.py DATA_DIR EPOCHS"""
import sys, time
import torch
import torch.nn as nn
from fashion_data import load


d, epochs = sys.argv[1], int(sys.argv[2])
xtr, ytr, xte, yte = load(d)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
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
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    print("torch epoch %d: %.3f s, test accuracy %.2f%%, threads %d" % (epoch, secs, 100 * acc, torch.get_num_threads()), flush=True)
