"""Fashion-MNIST IDX loading shared by the PyTorch benchmark scripts: images [N, 784] in [0, 1], labels [N]."""
import gzip, os, struct, sys
import numpy as np
import torch


def idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(d, base):
    for name in (base + ".gz", base):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    sys.exit("missing " + base + " in " + d)


def load(d):
    xtr = torch.tensor(idx(find(d, "train-images-idx3-ubyte")).reshape(-1, 784), dtype=torch.float32) / 255
    ytr = torch.tensor(idx(find(d, "train-labels-idx1-ubyte")), dtype=torch.long)
    xte = torch.tensor(idx(find(d, "t10k-images-idx3-ubyte")).reshape(-1, 784), dtype=torch.float32) / 255
    yte = torch.tensor(idx(find(d, "t10k-labels-idx1-ubyte")), dtype=torch.long)
    return xtr, ytr, xte, yte
