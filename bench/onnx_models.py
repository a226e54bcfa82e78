"""Exports the inference benchmark's models to ONNX (opset 17) with random, seeded weights, and times PyTorch eager.

Usage: /usr/bin/python3 bench/onnx_models.py OUT_DIR [MODEL ...] [--time THREADS] [--runs N]
For each model it writes OUT_DIR/NAME.onnx, OUT_DIR/NAME.input.npy (the input, seeded) and OUT_DIR/NAME.torch.npy
(PyTorch's output for it, so the Java side checks it computes the same thing before timing). With --time it also
prints "torch NAME threads T: median X ms p90 Y ms" for PyTorch eager under torch.no_grad() at T threads.
Nothing is downloaded: torchvision 0.14 builds the architectures with random weights.
"""
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision


def vision(name, batch=1, size=224):
    def build():
        m = getattr(torchvision.models, name)(weights=None)
        return m, (torch.randn(batch, 3, size, size),)
    return build


class FashionCnn(nn.Module):
    """Lamina's Models.cnn: conv-BN-ReLU-pool twice, dropout, two dense layers."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.25), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


def fashion_cnn(batch):
    def build():
        m = FashionCnn()
        for bn in (m.net[1], m.net[5]):  # running statistics that are not the identity
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 1.5)
        return m, (torch.rand(batch, 1, 28, 28),)
    return build


class CharLstm(nn.Module):
    """Lamina's CharLstm: embedding 64, LSTM 256, linear to the vocabulary (65)."""

    def __init__(self, vocab=65):
        super().__init__()
        self.emb = nn.Embedding(vocab, 64)
        self.lstm = nn.LSTM(64, 256, batch_first=True)
        self.head = nn.Linear(256, vocab)

    def forward(self, ids):
        return self.head(self.lstm(self.emb(ids))[0])


def char_lstm():
    return CharLstm(), (torch.randint(0, 65, (1, 64)),)


class Encoder(nn.Module):
    """A BERT-base-shaped encoder written as Hugging Face's BERT is: token, position and type embeddings, LayerNorm,
    post-norm layers with separate query/key/value projections, an additive padding mask, exact (erf) GELU."""

    def __init__(self, layers=12, d=768, heads=12, vocab=30522, ctx=512):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(ctx, d)
        self.typ = nn.Embedding(2, d)
        self.norm = nn.LayerNorm(d, eps=1e-12)
        self.layers = nn.ModuleList([BertLayer(d, heads) for _ in range(layers)])

    def forward(self, ids, mask):
        t = ids.shape[1]
        x = self.tok(ids) + self.pos(torch.arange(t).unsqueeze(0)) + self.typ(torch.zeros_like(ids))
        x = self.norm(x)
        additive = (1.0 - mask[:, None, None, :].to(x.dtype)) * -10000.0  # 1 = token, 0 = padding
        for layer in self.layers:
            x = layer(x, additive)
        return x


class BertLayer(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.out = nn.Linear(d, d)
        self.ln1 = nn.LayerNorm(d, eps=1e-12)
        self.fc, self.proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-12)

    def forward(self, x, additive):
        b, t, d = x.shape
        h = self.heads
        split = lambda z: z.view(b, t, h, d // h).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / (d // h) ** 0.5 + additive
        ctx = torch.matmul(scores.softmax(dim=-1), v).permute(0, 2, 1, 3).reshape(b, t, d)
        x = self.ln1(x + self.out(ctx))
        return self.ln2(x + self.proj(nn.functional.gelu(self.fc(x))))


def bert(layers=12, d=768, heads=12, seq=128):
    def build():
        ids = torch.randint(0, 30522, (1, seq))
        mask = torch.ones(1, seq, dtype=torch.int64)
        mask[0, seq - seq // 8:] = 0  # the last eighth is padding
        return Encoder(layers, d, heads), (ids, mask)
    return build


class Gpt(nn.Module):
    """A GPT-2-small-shaped decoder written by hand, as GPT code usually is: pre-norm, causal mask, tied head."""

    def __init__(self, layers=12, d=768, heads=12, vocab=50257, ctx=1024):
        super().__init__()
        self.heads = heads
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(t).unsqueeze(0))
        for b in self.blocks:
            x = b(x)
        return self.ln_f(x) @ self.wte.weight.t()


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.proj = nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, h, d // h).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / (d // h) ** 0.5)
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        att = att.masked_fill(~causal, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, d)
        x = x + self.c_proj(y)
        return x + self.proj(nn.functional.gelu(self.fc(self.ln_2(x)), approximate="tanh"))


def gpt(layers=12, d=768, heads=12, seq=64):
    def build():
        return Gpt(layers, d, heads), (torch.randint(0, 50257, (1, seq)),)
    return build


MODELS = {
    "resnet18": vision("resnet18"),
    "resnet18_b8": vision("resnet18", batch=8),
    "resnet50": vision("resnet50"),
    "resnet50_b8": vision("resnet50", batch=8),
    "mobilenet_v2": vision("mobilenet_v2"),
    "efficientnet_b0": vision("efficientnet_b0"),
    "convnext_tiny": vision("convnext_tiny"),
    "bert_base": bert(),
    "gpt2_small": gpt(),
    "fashion_cnn": fashion_cnn(1),
    "fashion_cnn_b256": fashion_cnn(256),
    "char_lstm": char_lstm,
}
INPUT_NAMES = {"bert_base": ["ids", "mask"], "char_lstm": ["ids"], "gpt2_small": ["ids"]}


def export(name, out):
    torch.manual_seed(0)
    model, inputs = MODELS[name]()
    model.eval()
    names = INPUT_NAMES.get(name, ["x"])
    path = os.path.join(out, name + ".onnx")
    with torch.no_grad():
        expected = model(*inputs)
        if not os.path.exists(path):
            torch.onnx.export(model, inputs, path, opset_version=17, input_names=names, output_names=["y"])
    for n, t in zip(names, inputs):
        np.save(os.path.join(out, f"{name}.{n}.npy"), t.numpy())
    np.save(os.path.join(out, name + ".torch.npy"), expected.numpy())
    return model, inputs


def time_torch(name, model, inputs, threads, runs):
    torch.set_num_threads(threads)
    with torch.no_grad():
        for _ in range(max(3, runs // 5)):
            model(*inputs)
        ts = []
        for _ in range(runs):
            t0 = time.perf_counter()
            model(*inputs)
            ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    print(f"torch {name} threads {threads}: median {ts[len(ts) // 2]:.3f} ms p90 {ts[int(len(ts) * 0.9)]:.3f} ms", flush=True)


def main():
    args = sys.argv[1:]
    threads, runs = None, 30
    if "--time" in args:
        i = args.index("--time")
        threads = [int(t) for t in args[i + 1].split(",")]
        del args[i:i + 2]
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    out, names = args[0], args[1:] or list(MODELS)
    os.makedirs(out, exist_ok=True)
    for name in names:
        model, inputs = export(name, out)
        for t in threads or []:
            time_torch(name, model, inputs, t, runs)


if __name__ == "__main__":
    main()
