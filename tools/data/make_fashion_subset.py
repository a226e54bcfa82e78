#!/usr/bin/env python3
"""Writes the Fashion-MNIST subset shipped in data/fashion-mnist-subset/.

Source: Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist), which packages
https://github.com/zalandoresearch/fashion-mnist (MIT licence). Takes the first 10,000 training and the first
2,000 test examples, unchanged, as gzipped IDX files. Deterministic (gzip mtime 0).

    apt-get install -y dataset-fashion-mnist && python3 tools/data/make_fashion_subset.py
"""
import gzip
import os
import struct
import sys

SRC = "/usr/share/datasets/fashion-mnist"
DST = os.path.join(os.path.dirname(__file__), "..", "..", "data", "fashion-mnist-subset")


def subset(name, count):
    with gzip.open(os.path.join(SRC, name), "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    ndim = magic & 0xFF
    dims = list(struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim]))
    per_item = 1
    for d in dims[1:]:
        per_item *= d
    header_len = 4 + 4 * ndim
    dims[0] = count
    out = struct.pack(">I", magic) + struct.pack(">" + "I" * ndim, *dims) + data[header_len:header_len + count * per_item]
    with open(os.path.join(DST, name), "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as g:
            g.write(out)


if __name__ == "__main__":
    if not os.path.isdir(SRC):
        sys.exit("missing " + SRC + ": apt-get install -y dataset-fashion-mnist")
    os.makedirs(DST, exist_ok=True)
    subset("train-images-idx3-ubyte.gz", 10000)
    subset("train-labels-idx1-ubyte.gz", 10000)
    subset("t10k-images-idx3-ubyte.gz", 2000)
    subset("t10k-labels-idx1-ubyte.gz", 2000)
