#!/usr/bin/env python3
"""PyTorch side of `mnist bench` (apps/mnist/src/commands/bench-pytorch.ts): one persistent process,
so the benchmark's rounds pay Python's and torch's start-up once and the two sides alternate within
seconds.

The models and settings are those of the reference run torch_train.py (batch 64, SGD lr 0.05
momentum 0.9, cross-entropy; mlp-small 784-16-16-10 sigmoid, mlp 784-512-512-10 ReLU, LeNet-5).

Protocol: one JSON object per line on stdin, one JSON answer per line on stdout ({"ok": true, ...}
or {"ok": false, "error": "..."}). On start it answers {"ok": true, "ready": true, "torch": ...,
"threads": ...} before reading anything. Commands:
  {"cmd": "load", "images": path, "labels": path, "limit": n}
      the first n training samples of an IDX pair (raw or .gz), pixels byte / 255 as float32
  {"cmd": "build", "model": name, "lr": 0.05, "momentum": 0.9, "optimizer": "sgd" | "adam",
   "batch": 64, "weights": [{"shape": [...], "f32": base64 little-endian float32}, ...]}
      a fresh model; the weights, when given, replace the initial ones parameter by parameter
      (in the order of model.parameters(), shapes checked)
  {"cmd": "train", "steps": n, "start": b, "losses": false}
      n optimisation steps on batches b, b+1, ... (batch k = samples k*batch.. of the loaded set,
      wrapping around); answers the seconds the steps took, the last loss and, with "losses",
      every step's loss
  {"cmd": "infer", "calls": n, "index": i}
      n batch-1 forward passes of sample i in eval mode without grad; answers the seconds and
      the logits
  {"cmd": "quit"}
The process also ends when stdin closes. Threads: the parent sets OPENBLAS_NUM_THREADS=1 and
OMP_NUM_THREADS=1; torch.set_num_threads(1) makes it certain.
"""
import base64
import gzip
import json
import sys
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(0)

MODELS = {
    "mlp-small": lambda: nn.Sequential(
        nn.Flatten(), nn.Linear(784, 16), nn.Sigmoid(), nn.Linear(16, 16), nn.Sigmoid(), nn.Linear(16, 10)
    ),
    "mlp": lambda: nn.Sequential(
        nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
    ),
    "lenet": lambda: nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    ),
}


class BenchError(Exception):
    pass


def read_idx(path, magic):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 8 or int.from_bytes(raw[:4], "big") != magic:
        raise BenchError(f"{path}: not an IDX file with magic 0x{magic:08x}")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise BenchError(f"{path}: header says {dims}, the file holds {data.size} bytes of data")
    return data.reshape(dims)


class State:
    def __init__(self):
        self.x = None
        self.y = None
        self.model = None
        self.opt = None
        self.batch = 64
        self.loss_fn = nn.CrossEntropyLoss()


def load(s, c):
    limit = int(c["limit"])
    images = read_idx(c["images"], 0x00000803)[:limit]
    labels = read_idx(c["labels"], 0x00000801)[:limit]
    if images.shape[0] != labels.shape[0]:
        raise BenchError(f"{c['images']} has {images.shape[0]} images but {c['labels']} {labels.shape[0]} labels")
    s.x = torch.from_numpy(images.reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    s.y = torch.from_numpy(labels.astype(np.int64))
    return {"count": int(s.x.shape[0])}


def build(s, c):
    name = c["model"]
    if name not in MODELS:
        raise BenchError(f"unknown model '{name}'; the worker has {', '.join(MODELS)}")
    model = MODELS[name]()
    params = list(model.parameters())
    weights = c.get("weights")
    if weights is not None:
        if len(weights) != len(params):
            raise BenchError(f"{name} has {len(params)} parameters, {len(weights)} weights were sent")
        with torch.no_grad():
            for i, (p, w) in enumerate(zip(params, weights)):
                if list(w["shape"]) != list(p.shape):
                    raise BenchError(f"{name} parameter {i}: shape {list(p.shape)}, the weights sent are {w['shape']}")
                values = np.frombuffer(base64.b64decode(w["f32"]), "<f4")
                if values.size != p.numel():
                    raise BenchError(f"{name} parameter {i}: {p.numel()} values expected, {values.size} sent")
                p.copy_(torch.from_numpy(values.copy()).reshape(p.shape))
    if c.get("optimizer", "sgd") == "adam":
        s.opt = torch.optim.Adam(params, lr=float(c["lr"]))
    else:
        s.opt = torch.optim.SGD(params, lr=float(c["lr"]), momentum=float(c["momentum"]))
    s.model = model
    s.batch = int(c["batch"])
    return {"parameters": [list(p.shape) for p in params]}


def batches(s, start, steps):
    """The (x, y) of batches start, start+1, ... as views of the loaded set (wrapping around)."""
    if s.x is None:
        raise BenchError("no data: send 'load' first")
    per_set = s.x.shape[0] // s.batch
    if per_set == 0:
        raise BenchError(f"{s.x.shape[0]} samples loaded, fewer than one batch of {s.batch}")
    out = []
    for k in range(start, start + steps):
        i = (k % per_set) * s.batch
        out.append((s.x[i: i + s.batch], s.y[i: i + s.batch]))
    return out


def train(s, c):
    if s.model is None:
        raise BenchError("no model: send 'build' first")
    steps = int(c["steps"])
    work = batches(s, int(c["start"]), steps)
    keep = bool(c.get("losses", False))
    losses = []
    loss = None
    model, opt, loss_fn = s.model, s.opt, s.loss_fn
    model.train()
    start = time.perf_counter()
    for x, y in work:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if keep:
            losses.append(loss.item())
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "loss": None if loss is None else loss.item(), "losses": losses if keep else None}


def infer(s, c):
    if s.model is None:
        raise BenchError("no model: send 'build' first")
    if s.x is None:
        raise BenchError("no data: send 'load' first")
    i = int(c["index"]) % s.x.shape[0]
    x = s.x[i: i + 1]
    calls = int(c["calls"])
    model = s.model
    model.eval()
    with torch.no_grad():
        start = time.perf_counter()
        for _ in range(calls):
            out = model(x)
        seconds = time.perf_counter() - start
    model.train()
    return {"seconds": seconds, "logits": out[0].tolist()}


COMMANDS = {"load": load, "build": build, "train": train, "infer": infer}


def answer(value):
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def main():
    s = State()
    answer({"ok": True, "ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
            "python": sys.version.split()[0]})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            c = json.loads(line)
            if c.get("cmd") == "quit":
                answer({"ok": True})
                return
            handler = COMMANDS.get(c.get("cmd"))
            if handler is None:
                raise BenchError(f"unknown command {c.get('cmd')!r}; the commands are {', '.join(COMMANDS)}, quit")
            answer({"ok": True, **handler(s, c)})
        except Exception as e:  # any failure of one command is answered, and the worker keeps serving
            if isinstance(e, BenchError):
                message = str(e)
            elif isinstance(e, KeyError):
                message = f"missing field {e}"
            else:
                message = f"{type(e).__name__}: {e}"
            answer({"ok": False, "error": message})


if __name__ == "__main__":
    main()
