#!/usr/bin/python3
"""PyTorch side of bench/lstm.sh: the char-LSTM workload of LstmBench (embedding 64, LSTM 256, seq 64, batch 32,
vocabulary 100). Prints the median wall ms and mean process-CPU ms of the LSTM layer forward+backward and of a whole Adam
training step.
Usage: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/lstm_step.py [SECONDS] [THREADS]"""
import sys
import time

import torch
import torch.nn as nn

SEQ, BATCH, EMB, HID, VOCAB = 64, 32, 64, 256, 100


def median(seconds, fn):
    for _ in range(5):
        fn()
    ms = []
    end = time.perf_counter() + seconds
    c0 = time.process_time()
    while time.perf_counter() < end or len(ms) < 5:
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1e3)
    cpu = (time.process_time() - c0) * 1e3 / len(ms)
    ms.sort()
    return "%.2f ms wall (median), %.2f ms cpu (mean)" % (ms[len(ms) // 2], cpu)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3
    if len(sys.argv) > 2:
        torch.set_num_threads(int(sys.argv[2]))
    torch.manual_seed(0)
    lstm = nn.LSTM(EMB, HID)
    x = torch.randn(SEQ, BATCH, EMB, requires_grad=True)
    g = torch.randn(SEQ, BATCH, HID)

    def layer():
        lstm.zero_grad()
        x.grad = None
        out, _ = lstm(x)
        out.backward(g)

    print("torch lstm layer fwd+bwd: %s, threads %d" % (median(seconds, layer), torch.get_num_threads()))
    emb = nn.Embedding(VOCAB, EMB)
    head = nn.Linear(HID, VOCAB)
    params = list(lstm.parameters()) + list(emb.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, 1e-3)
    tokens = torch.randint(VOCAB, (SEQ, BATCH))
    target = torch.randint(VOCAB, (SEQ * BATCH,))
    ce = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        out, _ = lstm(emb(tokens))
        ce(head(out).reshape(SEQ * BATCH, VOCAB), target).backward()
        opt.step()

    print("torch char-lstm train step: %s, threads %d" % (median(seconds, step), torch.get_num_threads()))


if __name__ == "__main__":
    main()
