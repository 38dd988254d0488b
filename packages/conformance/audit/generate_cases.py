#!/usr/bin/python3
"""Differential audit, part 1: random cases recorded from PyTorch 1.13.

    /usr/bin/python3 packages/conformance/audit/generate_cases.py [--seed N] [--per-op K] [--only REGEX]

Writes audit/cases.json (git-ignored; regenerate it). Every case is in the fixture format of
fixtures/generate.py (op name as PyTorch spells it, inputs, args, outputs, cotangents, grads) plus:
  family     the op family (for the per-family counts)
  raises     PyTorch's error message when the call raised (then Flint must raise too)
  transpose  input positions uploaded as x.transpose(-1, -2) (contiguous); replay.ts transposes them
             back, so Flint sees a non-contiguous view; the stored gradient is transposed alike

Nobody tuned these cases: shapes (rank 0-4, sizes 0-5), dims (negative too), keepdim, dtypes and
options are drawn at random, and float inputs mix in ties, signed zeros, infinities, NaN and large
magnitudes. The op runs in float64 on the float32 inputs; outputs and gradients are rounded to
float32 (so an overflow of the final result is PyTorch's float32 overflow too).
"""
import argparse
import json
import math
import os
import random
import re
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))
import generate as g  # noqa: E402  (the fixture encoder: same JSON format)

R = random.Random(0)
SPECIALS = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e30, -1e30, 0.5, -0.5, 1.5, 2.5, 1.0, -1.0, 3.0]


# ------------------------------------------------------------------------------------------------
# random inputs


def rshape(rank=None, lo=0, hi=4, min_rank=0, max_rank=4):
    rank = R.randint(min_rank, max_rank) if rank is None else rank
    return tuple(R.choice([lo, 1, 2, 3, hi] if lo == 0 else list(range(lo, hi + 1))) for _ in range(rank))


def nonempty(rank=None, **k):
    return rshape(rank, lo=1, **k)


def floats(shape, special=0.15, scale=None, lo=None, hi=None, ties=False):
    n = math.prod(shape)
    if lo is not None:
        t = torch.rand(n, dtype=torch.float64) * (hi - lo) + lo
    else:
        t = torch.randn(n, dtype=torch.float64) * (scale if scale is not None else R.choice([1.0, 1.0, 3.0, 0.01]))
    if ties and n > 1:
        t = torch.round(t * 2) / 2
    for i in range(n):
        if R.random() < special:
            t[i] = R.choice(SPECIALS)
    return t.float().reshape(shape)


def ints(shape, lo=-5, hi=6):
    return torch.randint(lo, hi, shape, dtype=torch.int32)


def bools(shape):
    return torch.rand(shape) < 0.5


def rdim(rank, allow_none=False):
    if allow_none and R.random() < 0.25:
        return None
    if rank == 0:
        return R.choice([0, -1])
    return R.randint(-rank, rank - 1)


def rdims(rank):
    """None, an int, or a tuple of distinct dims (maybe negative)."""
    c = R.random()
    if c < 0.2 or rank == 0:
        return None if R.random() < 0.5 or rank > 0 else 0
    if c < 0.6:
        return rdim(rank)
    k = R.randint(1, rank)
    ds = R.sample(range(rank), k)
    return tuple(d - rank if R.random() < 0.5 else d for d in ds)


def broadcast_pair(special=0.1):
    a = rshape(max_rank=3)
    b = list(a[R.randint(0, len(a)) :]) if a else []
    b = [1 if R.random() < 0.3 else d for d in b]
    a = [1 if R.random() < 0.2 else d for d in a]
    if R.random() < 0.2:
        a, b = b, a
    return tuple(a), tuple(b)


def typed(shape, dtype, **k):
    return {"float32": lambda: floats(shape, **k), "int32": lambda: ints(shape), "bool": lambda: bools(shape)}[dtype]()


# ------------------------------------------------------------------------------------------------
# recording


CASES = []


def f32(t):
    return t.float() if t.is_floating_point() else t


def evaluate(f, inputs, args, list_input, grad, nograd, dtype, cots=None):
    """Runs f on the inputs with float ones in `dtype`: (outputs, cotangents, gradients)."""
    xs = []
    for i, t in enumerate(inputs):
        if t.is_floating_point():
            xs.append(t.to(dtype).requires_grad_(grad and i not in nograd))
        else:
            xs.append(t.clone())
    out = f(xs, **args) if list_input else f(*xs, **args)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    outs = [o if torch.is_tensor(o) else torch.tensor(o) for o in outs]
    float_outs = [o for o in outs if o.is_floating_point()]
    if cots is None:
        cots = [torch.randn(o.shape).float() for o in float_outs]
    grads = []
    diff = [x for x in xs if x.is_floating_point() and x.requires_grad]
    if grad and diff and float_outs and any(o.requires_grad for o in float_outs):
        loss = sum((o * c.to(o.dtype)).sum() for o, c in zip(float_outs, cots))
        try:
            gs = torch.autograd.grad(loss, diff, allow_unused=True)
        except RuntimeError:  # no derivative in PyTorch: compare the forward only
            gs = None
        if gs is not None:
            gi = iter(gs)
            for x in xs:
                if x.is_floating_point() and x.requires_grad:
                    gx = next(gi)
                    grads.append(f32(gx if gx is not None else torch.zeros_like(x)))
                else:
                    grads.append(None)
    return [f32(o.detach()) for o in outs], cots, grads


def record(family, op, inputs, args=None, fn=None, transpose=(), list_input=False, grad=True, nograd=()):
    """One case. The reference is PyTorch in float64 on the float32 inputs, rounded to float32; the
    same call in float32 is stored as `alt` (replay.ts accepts either: float32 overflow and
    rounding inside PyTorch's own kernel are not Flint's bugs)."""
    args = dict(args or {})
    f = fn or g.resolve(op)
    case = {
        "family": family,
        "name": f"{op} " + " ".join(f"{list(t.shape)}:{str(t.dtype)[6:]}" for t in inputs) + f" {json.dumps(args)}",
        "op": op,
        "args": {k: special_arg(v) for k, v in args.items()},
        "listInput": list_input,
        "transpose": list(transpose),
        "inputs": [enc_in(t, i, transpose) for i, t in enumerate(inputs)],
    }
    try:
        outs, cots, grads = evaluate(f, inputs, args, list_input, grad, nograd, torch.float64)
    except Exception as e:  # PyTorch refuses: Flint must refuse too
        case.update(raises=str(e).split("\n")[0][:200], outputs=[], cotangents=[], grads=[])
        CASES.append(case)
        return
    enc_grads = [None if gx is None else enc_in(gx, i, transpose, digits=10) for i, gx in enumerate(grads)]
    case.update(
        raises=None,
        outputs=[enc(o) for o in outs],
        cotangents=[enc(c, 9) for c in cots] if grads else [],
        grads=enc_grads,
    )
    try:
        outs32, _, grads32 = evaluate(f, inputs, args, list_input, grad, nograd, torch.float32, cots)
        if len(grads32) == len(grads):
            case["alt"] = {
                "outputs": [enc(o) for o in outs32],
                "grads": [None if gx is None else enc_in(gx, i, transpose, digits=10) for i, gx in enumerate(grads32)],
            }
    except Exception:  # noqa: BLE001  (float32-only refusals: the float64 reference stands)
        pass
    CASES.append(case)


def special_arg(v):
    """JSON has no NaN/Infinity: replay.ts revives {"float": "NaN" | "Infinity" | "-Infinity"}."""
    if isinstance(v, float) and not math.isfinite(v):
        return {"float": "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")}
    return v


def enc(t, digits=10):
    """generate.py's encoding, keeping the sign of -0.0 (its num() writes it as the integer 0)."""
    e = g.enc(t, digits)
    if t.is_floating_point():
        flat = t.detach().reshape(-1).tolist()
        e["data"] = [-0.0 if v == 0 and math.copysign(1, v) < 0 else d for v, d in zip(flat, e["data"])]
    return e


def enc_in(t, i, transpose, digits=9):
    if i in transpose:
        t = t.transpose(-1, -2).contiguous()
    return enc(t, digits)


# ------------------------------------------------------------------------------------------------
# op families (each a generator of one random case)

UNARY_FLOAT = (
    "neg abs exp log sqrt rsqrt reciprocal sin cos tanh sigmoid relu erf floor ceil round log1p expm1 square "
    "tan asin acos atan sinh cosh log2 log10 trunc frac"
).split()
UNARY_ANY = "neg abs relu square sign isnan isinf isfinite floor ceil round trunc".split()


def unary_case():
    op = R.choice(UNARY_FLOAT + ["isnan", "isinf", "isfinite"])
    s = rshape()
    tr = (0,) if len(s) >= 2 and R.random() < 0.3 else ()
    x = floats(s, ties=op in ("round", "floor", "ceil", "trunc", "frac"))
    if R.random() < 0.15 and op in UNARY_ANY:
        x = ints(s) if R.random() < 0.7 else bools(s)
    record("unary", op, [x], transpose=tr)


ACTIVATIONS = {
    "F.gelu": dict,
    "audit.gelu": lambda: {"approximate": R.choice(["none", "tanh"])},
    "F.leaky_relu": lambda: {"negative_slope": R.choice([0.01, 0.2, -0.5])},
    "F.elu": lambda: {"alpha": R.choice([1.0, 0.5, 2.0])},
    "F.hardtanh": lambda: R.choice([{}, {"min_val": -0.5, "max_val": 0.5}]),
    "F.silu": dict,
    "F.mish": dict,
    "F.hardswish": dict,
    "F.hardsigmoid": dict,
    "F.softplus": lambda: R.choice([{}, {"beta": 2.0, "threshold": 5.0}]),
    "F.softsign": dict,
    "F.logsigmoid": dict,
    "F.selu": dict,
    "F.celu": lambda: {"alpha": R.choice([1.0, 0.5])},
    "F.hardshrink": lambda: {"lambd": 0.5},
    "F.softshrink": lambda: {"lambd": 0.5},
    "F.threshold": lambda: {"threshold": 0.5, "value": -2.0},
    "F.tanhshrink": dict,
    "F.relu": dict,
}


def activation_case():
    op = R.choice(list(ACTIVATIONS))
    s = rshape()
    x = floats(s, ties=True, special=0.2)
    # kinks: put some elements exactly on them
    n = x.numel()
    flat = x.reshape(-1)
    for i in range(n):
        if R.random() < 0.15:
            flat[i] = R.choice([0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 20.0, -20.0, 100.0])
    fn = (lambda t, approximate: F.gelu(t, approximate=approximate)) if op == "audit.gelu" else None
    record("activation", op, [x], ACTIVATIONS[op](), fn=fn)


BINARY = "add sub mul div pow maximum minimum eq ne lt le gt ge".split()
BINARY_FN = "atan2 remainder fmod floor_divide logical_or logical_xor".split()


def binary_case():
    op = R.choice(BINARY + BINARY_FN)
    sa, sb = broadcast_pair()
    da = R.choice(["float32"] * 3 + ["int32", "bool"])
    db = R.choice(["float32"] * 3 + ["int32", "bool"])
    if op in ("atan2",):
        da = db = "float32"
    a, b = typed(sa, da, ties=True), typed(sb, db, ties=True)
    if op in ("div", "remainder", "fmod", "floor_divide") and db == "int32" and da != "float32":
        b = torch.where(b == 0, torch.ones_like(b), b)  # integer division by zero is undefined behaviour
    if op == "pow" and db == "int32":
        b = b.abs()  # integers to negative integer powers are an error in PyTorch
    if R.random() < 0.25 and op in ("add", "sub", "mul", "div", "pow", "remainder", "fmod", "floor_divide", "eq", "lt", "gt", "maximum"):
        other = R.choice([2, -3, 0.5, 2.5, 0, -1.5])
        if op in ("div", "remainder", "fmod", "floor_divide") and other == 0 and da != "float32":
            other = 2
        if op == "pow" and isinstance(other, int) and other < 0 and da != "float32":
            other = 2
        if op == "maximum":
            return record("binary", op, [a, b])
        fname = {"floor_divide": "floor_divide"}.get(op, op)
        record("binary", f"audit.scalar_{op}", [a], {"other": other}, fn=lambda x, other: getattr(torch, fname)(x, other))
        return
    record("binary", op, [a, b])


def reduction_case():
    op = R.choice("sum mean prod max min amax amin argmax argmin var std norm logsumexp all any".split())
    s = rshape()
    rank = len(s)
    dt = "float32"
    if op in ("sum", "prod", "max", "min", "amax", "amin", "argmax", "argmin") and R.random() < 0.25:
        dt = R.choice(["int32", "bool"])
    if op in ("all", "any"):
        dt = R.choice(["bool", "bool", "float32", "int32"])
    x = typed(s, dt, ties=True, special=0.1)
    tr = (0,) if rank >= 2 and R.random() < 0.3 else ()
    keep = R.random() < 0.4
    if op in ("sum", "mean", "amax", "amin", "logsumexp"):
        d = rdims(rank)
        if op == "logsumexp" and d is None:
            d = rdim(rank)
        args = {} if d is None else {"dim": d, "keepdim": keep}
        if op == "mean" and dt != "float32":
            pass
    elif op in ("prod", "argmax", "argmin", "max", "min", "all", "any"):
        d = rdim(rank, allow_none=True)
        args = {} if d is None else {"dim": d, "keepdim": keep}
        if op in ("all", "any") and d is not None:
            fn_name = op
            record("reduction", f"audit.{op}", [x], args, fn=lambda t, **k: getattr(torch, fn_name)(t, **k), transpose=tr)
            return
        if op in ("all", "any"):
            fn_name = op
            record("reduction", f"audit.{op}", [x], args, fn=lambda t: getattr(torch, fn_name)(t), transpose=tr)
            return
    elif op in ("var", "std"):
        d = rdims(rank)
        args = {"dim": d, "correction": R.choice([0, 1]), "keepdim": keep}
    else:  # norm
        d = rdims(rank)
        p = R.choice([2, 1, "inf", 3, 0.5, "fro"]) if R.random() < 0.6 else 2
        args = {"p": p, "dim": d, "keepdim": keep}
        if p == "fro":
            args["p"] = 2
        tp = math.inf if args["p"] == "inf" else args["p"]
        record("reduction", "norm:edge", [x], args, fn=lambda t, p, dim, keepdim: torch.norm(t, tp, dim, keepdim), transpose=tr)
        return
    record("reduction", op, [x], args, transpose=tr)


def scan_case():
    op = R.choice(["cumsum", "cumprod", "cummax", "cummin", "Tensor.cumsum", "transposed.cumsum", "transposed.cummax"])
    s = rshape()
    if op.startswith("transposed.") and len(s) != 2:
        s = nonempty(2)
    dt = "float32" if R.random() < 0.75 or "cumprod" in op else R.choice(["int32", "bool"])
    x = typed(s, dt, ties=True, special=0.1)
    d = rdim(len(s))
    base = op.split(".")[-1]
    fn = None
    if op.startswith("transposed."):
        fn = lambda t, dim: getattr(torch, base)(t.t(), dim)  # noqa: E731
    record("scan", op, [x], {"dim": d}, fn=fn)


def shape_case():
    op = R.choice(
        "reshape transpose permute Tensor.expand cat stack flip roll tril triu diag diagonal movedim tile "
        "repeat_interleave squeeze unsqueeze flatten split chunk t".split()
    )
    s = rshape()
    rank = len(s)
    x = floats(s, special=0.05)
    n = x.numel()
    if op == "reshape":
        shape = list(s)
        R.shuffle(shape)
        if shape and R.random() < 0.5:
            shape[R.randrange(len(shape))] = -1
        if R.random() < 0.2:
            shape = [n + 1]
        record("shape", op, [x], {"shape": shape})
    elif op == "transpose":
        record("shape", op, [x], {"dim0": rdim(rank), "dim1": rdim(rank)})
    elif op == "permute":
        p = list(range(rank))
        R.shuffle(p)
        record("shape", op, [x], {"dims": [d - rank if R.random() < 0.3 else d for d in p]})
    elif op == "Tensor.expand":
        size = [R.choice([d, -1]) if d != 1 else R.choice([1, 3, -1]) for d in s]
        size = [R.choice([2, 1])] * R.randint(0, 1) + size
        record("shape", op, [x], {"size": size})
    elif op in ("cat", "stack"):
        k = R.randint(1, 3)
        d = rdim(rank + (1 if op == "stack" else 0)) if rank or op == "stack" else 0
        xs = []
        for _ in range(k):
            ss = list(s)
            if op == "cat" and rank and R.random() < 0.6:
                ss[d] = R.choice([0, 1, 2])
            xs.append(floats(tuple(ss)))
        record("shape", op, xs, {"dim": d}, list_input=True)
    elif op == "flip":
        record("shape", op, [x], {"dims": list(R.sample(range(-rank, rank), R.randint(0, rank))) if rank else []})
    elif op == "roll":
        if R.random() < 0.3:
            record("shape", op, [x], {"shifts": R.randint(-5, 5)})
        else:
            k = R.randint(1, max(1, rank))
            record("shape", op, [x], {"shifts": [R.randint(-5, 5) for _ in range(k)], "dims": [rdim(rank) for _ in range(k)]})
    elif op in ("tril", "triu"):
        x = floats(nonempty(R.randint(2, 4)))
        record("shape", op, [x], {"diagonal": R.randint(-3, 3)}, transpose=(0,) if R.random() < 0.3 else ())
    elif op == "diag":
        x = floats(rshape(R.randint(1, 2)))
        record("shape", op, [x], {"diagonal": R.randint(-2, 2)})
    elif op == "diagonal":
        x = floats(rshape(R.randint(2, 4)))
        r = x.dim()
        record("shape", op, [x], {"offset": R.randint(-2, 2), "dim1": rdim(r), "dim2": rdim(r)})
    elif op == "movedim":
        record("shape", op, [x], {"source": rdim(rank), "destination": rdim(rank)})
    elif op == "tile":
        record("shape", op, [x], {"dims": [R.randint(0, 3) for _ in range(R.randint(0, 4))]})
    elif op == "repeat_interleave":
        d = rdim(rank, allow_none=True)
        record("shape", op, [x], {"repeats": R.randint(0, 3), "dim": d} if d is not None else {"repeats": R.randint(1, 3)})
    elif op == "squeeze":
        d = rdim(rank, allow_none=True)
        record("shape", "audit.squeeze", [x], {} if d is None else {"dim": d}, fn=lambda t, **k: torch.squeeze(t, **k))
    elif op == "unsqueeze":
        record("shape", "audit.unsqueeze", [x], {"dim": R.randint(-rank - 1, rank)}, fn=lambda t, dim: torch.unsqueeze(t, dim))
    elif op == "flatten":
        a, b = rdim(rank), rdim(rank)
        record("shape", "audit.flatten", [x], {"start_dim": a, "end_dim": b}, fn=lambda t, start_dim, end_dim: torch.flatten(t, start_dim, end_dim))
    elif op == "split":
        if rank == 0:
            x = floats((4,))
            rank = 1
        d = rdim(rank)
        if R.random() < 0.5:
            size = R.randint(1, 3)
        else:
            total = x.shape[d]
            parts = []
            while total > 0:
                p = R.randint(0, total)
                parts.append(p)
                total -= p
            size = parts or [0]
        record("shape", "audit.split", [x], {"split_size_or_sections": size, "dim": d}, fn=lambda t, split_size_or_sections, dim: torch.split(t, split_size_or_sections, dim))
    elif op == "chunk":
        if rank == 0:
            x = floats((5,))
            rank = 1
        record("shape", "audit.chunk", [x], {"chunks": R.randint(1, 4), "dim": rdim(rank)}, fn=lambda t, chunks, dim: torch.chunk(t, chunks, dim))
    elif op == "t":
        record("shape", op, [floats(rshape(R.randint(0, 3)))])


def indexing_case():
    op = R.choice(["gather", "index_select", "masked_fill", "take", "narrow", "select", "where", "scatter", "transposed.index", "Tensor.__getitem__"])
    s = nonempty(R.randint(1, 3))
    rank = len(s)
    x = floats(s)
    d = rdim(rank)
    size = s[d]
    if op == "gather":
        ishape = [R.randint(0, s[i]) if i != (d % rank) else R.randint(0, 4) for i in range(rank)]
        idx = torch.randint(0, size, ishape)
        if R.random() < 0.1:
            idx = idx - size  # negative indices: PyTorch raises
        record("indexing", op, [x, idx], {"dim": d})
    elif op == "index_select":
        idx = torch.randint(-size if R.random() < 0.2 else 0, size, (R.randint(0, 5),))
        record("indexing", op, [x, idx], {"dim": d})
    elif op == "masked_fill":
        m = bools(tuple(R.choice([1, di]) for di in s[R.randint(0, rank) :]))
        record("indexing", op, [x, m], {"value": R.choice([0.0, -math.inf, 2.5, math.nan])})
    elif op == "take":
        idx = torch.randint(-x.numel(), x.numel(), rshape(max_rank=2))
        record("indexing", op, [x, idx])
    elif op == "narrow":
        start = R.randint(-size, size - 1)
        length = R.randint(0, size - (start % size))
        record("indexing", op, [x], {"dim": d, "start": start, "length": length})
    elif op == "select":
        record("indexing", op, [x], {"dim": d, "index": R.randint(-size, size - 1)})
    elif op == "where":
        sa, sb = broadcast_pair()
        c = bools(rshape(max_rank=2))
        a = typed(sa, R.choice(["float32", "float32", "int32"]))
        b = typed(sb, R.choice(["float32", "float32", "int32"]))
        record("indexing", op, [c, a, b])
    elif op == "scatter":
        ishape = [R.randint(1, s[i]) for i in range(rank)]
        # distinct targets per line so overwrite order does not matter
        idx = torch.stack([torch.randperm(size)[: ishape[d % rank]] for _ in range(math.prod(ishape) // ishape[d % rank])])
        idx = idx.reshape([ishape[i] for i in range(rank) if i != d % rank] + [ishape[d % rank]]).movedim(-1, d % rank)
        src = floats(tuple(ishape))
        record("indexing", op, [x, idx, src], {"dim": d}, fn=lambda t, i, s_, dim: torch.scatter(t, dim, i, s_))
    elif op == "transposed.index" or op == "Tensor.__getitem__":
        # x[i, j] with two broadcasting index tensors
        if rank < 2:
            x = floats((3, 4))
            s = (3, 4)
        i = torch.randint(-s[0], s[0], rshape(max_rank=2))
        j = torch.randint(-s[1], s[1], tuple(i.shape[R.randint(0, i.dim()) :]))
        record(
            "indexing",
            "Tensor.__getitem__",
            [x, i, j],
            {"index": [{"tensor": 1}, {"tensor": 2}]},
            fn=lambda t, a, b, index: t[a.long(), b.long()],
        )


def sorting_case():
    op = R.choice(["sort", "argsort", "topk", "kthvalue", "median", "mode", "msort", "transposed.sort"])
    s = rshape(max_rank=3)
    if op.startswith("transposed."):
        s = nonempty(2)
    x = floats(s, ties=True, special=0.05, scale=1.0)
    rank = len(s)
    d = rdim(rank)
    if op in ("sort", "argsort", "transposed.sort"):
        args = {"dim": d, "descending": R.random() < 0.5}
        fn = None
        if op == "transposed.sort":
            fn = lambda t, dim, descending: torch.sort(t.t(), dim=dim, descending=descending, stable=True)  # noqa: E731
        elif op == "sort":
            fn = lambda t, dim, descending: torch.sort(t, dim=dim, descending=descending, stable=True)  # noqa: E731
        else:
            fn = lambda t, dim, descending: torch.argsort(t, dim=dim, descending=descending, stable=True)  # noqa: E731
        record("sorting", op, [x], args, fn=fn)
    elif op == "topk":
        size = s[d] if rank else 1
        x = floats(s, special=0.0, scale=1.0)  # distinct values: topk's order among ties is unspecified
        record("sorting", op, [x], {"k": R.randint(0, size), "dim": d, "largest": R.random() < 0.5})
    elif op == "kthvalue":
        size = s[d] if rank else 1
        x = floats(s, special=0.0, scale=1.0)
        record("sorting", op, [x], {"k": R.randint(1, max(1, size)), "dim": d, "keepdim": R.random() < 0.5})
    elif op == "median":
        x = floats(s, special=0.0, scale=1.0)
        if R.random() < 0.5:
            record("sorting", op, [x])
        else:
            record("sorting", op, [x], {"dim": d, "keepdim": R.random() < 0.5})
    elif op == "mode":
        x = floats(s, special=0.0, lo=0, hi=3).floor()
        record("sorting", op, [x], {"dim": d, "keepdim": R.random() < 0.5})
    elif op == "msort":
        record("sorting", op, [x])


def linalg_case():
    op = R.choice(["matmul", "mm", "bmm", "mv", "dot", "outer", "einsum", "cdist", "cross", "F.linear", "addmm"])
    k = R.randint(0, 4)
    if op == "matmul":
        ra, rb = R.randint(1, 4), R.randint(1, 4)
        m, n = R.randint(0, 3), R.randint(0, 3)
        batch = [R.choice([1, 2, 3]) for _ in range(max(ra, rb) - 2)] if max(ra, rb) > 2 else []
        sa = ([k] if ra == 1 else [m, k])
        sb = ([k] if rb == 1 else [k, n])
        ba = [R.choice([d, 1]) for d in batch][len(batch) - max(0, ra - 2) :] if ra > 2 else []
        bb = [R.choice([d, 1]) for d in batch][len(batch) - max(0, rb - 2) :] if rb > 2 else []
        a, b = floats(tuple(ba + sa), special=0.02), floats(tuple(bb + sb), special=0.02)
        record("linalg", op, [a, b], transpose=(0,) if a.dim() >= 2 and R.random() < 0.3 else ())
    elif op == "mm":
        record("linalg", op, [floats((R.randint(0, 3), k)), floats((k, R.randint(0, 3)))])
    elif op == "bmm":
        b = R.randint(0, 3)
        record("linalg", op, [floats((b, R.randint(0, 3), k)), floats((b, k, R.randint(0, 3)))])
    elif op == "mv":
        record("linalg", op, [floats((R.randint(0, 3), k)), floats((k,))])
    elif op == "dot":
        record("linalg", op, [floats((k,)), floats((k,))])
    elif op == "outer":
        record("linalg", op, [floats((R.randint(0, 3),)), floats((k,))])
    elif op == "einsum":
        eq, shapes = R.choice(
            [
                ("ij,jk->ik", [(2, k), (k, 3)]),
                ("bij,bjk->bik", [(2, 3, k), (2, k, 2)]),
                ("ii->i", [(3, 3)]),
                ("ii", [(3, 3)]),
                ("ij->ji", [(2, 3)]),
                ("i,j->ij", [(3,), (k,)]),
                ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]),
                ("ijk->", [(2, 3, 4)]),
                ("ij,ij->i", [(3, 4), (3, 4)]),
                ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
                ("i,i", [(k,), (k,)]),
                ("ji", [(2, 3)]),
            ]
        )
        xs = [floats(sh, special=0.0) for sh in shapes]
        record("linalg", op, xs, {"equation": eq}, fn=lambda *ts, equation: torch.einsum(equation, *ts))
    elif op == "cdist":
        bdim = [R.randint(1, 2)] if R.random() < 0.4 else []
        p = R.choice([2, 1, 0, 3, "inf", 0.5])
        a = floats(tuple(bdim + [R.randint(1, 3), max(k, 1)]), special=0.0)
        b = floats(tuple(bdim + [R.randint(1, 3), max(k, 1)]), special=0.0)
        tp = math.inf if p == "inf" else p
        record("linalg", op, [a, b], {"p": p}, fn=lambda x, y, p: torch.cdist(x, y, tp))
    elif op == "cross":
        s = list(nonempty(R.randint(1, 3)))
        d = R.randrange(len(s))
        s[d] = 3
        record("linalg", op, [floats(tuple(s)), floats(tuple(s))], {"dim": d - len(s) if R.random() < 0.5 else d})
    elif op == "F.linear":
        batch = list(rshape(max_rank=2))
        out = R.randint(0, 3)
        xs = [floats(tuple(batch + [k])), floats((out, k))]
        if R.random() < 0.6:
            xs.append(floats((out,)))
        record("linalg", op, xs)
    elif op == "addmm":
        m, n = R.randint(0, 3), R.randint(0, 3)
        record(
            "linalg",
            op,
            [floats(R.choice([(m, n), (n,), (1, n), ()])), floats((m, k)), floats((k, n))],
            {"beta": R.choice([1.0, 0.5, 0.0]), "alpha": R.choice([1.0, 2.0])},
        )


def softmax_case():
    op = R.choice(["softmax", "log_softmax", "F.softmin"])
    s = rshape()
    x = floats(s, special=0.1, scale=R.choice([1.0, 30.0]))
    d = rdim(len(s))
    record("softmax", op, [x], {"dim": d}, transpose=(0,) if len(s) >= 2 and R.random() < 0.3 else ())


def loss_case():
    op = R.choice(
        "F.cross_entropy F.nll_loss F.mse_loss F.l1_loss F.binary_cross_entropy F.binary_cross_entropy_with_logits "
        "F.huber_loss F.smooth_l1_loss F.kl_div F.soft_margin_loss F.cross_entropy".split()
    )
    red = R.choice(["mean", "sum", "none"])
    if op in ("F.cross_entropy", "F.nll_loss"):
        n, c = R.randint(0, 4), R.randint(1, 4)
        extra = list(rshape(max_rank=2, lo=1, hi=3)) if R.random() < 0.3 else []
        if R.random() < 0.15:  # unbatched: input [C], target []
            x, y = floats((c,), special=0.0), torch.randint(0, c, ())
        else:
            x, y = floats(tuple([n, c] + extra), special=0.0), torch.randint(0, c, tuple([n] + extra))
        args = {"reduction": red}
        inputs = [x, y]
        if R.random() < 0.4:
            args["ignore_index"] = R.choice([0, -100, 1])
            if args["ignore_index"] == -100 and y.numel():
                y.view(-1)[0] = -100
        if op == "F.nll_loss":
            x = torch.log_softmax(x.double(), 1 if x.dim() > 1 else 0).float()
            inputs = [x, y]
        if op == "F.cross_entropy" and R.random() < 0.3:
            args["label_smoothing"] = R.choice([0.1, 0.3])
        if R.random() < 0.3:
            w = floats((c,), lo=0.1, hi=2.0, special=0.0)
            fn_name = op[2:]
            record("loss", f"audit.{fn_name}_weighted", inputs + [w], args, nograd=(2,), fn=lambda a, b, w, **k: getattr(F, fn_name)(a, b, weight=w, **k))
            return
        record("loss", op, inputs, args)
        return
    s = rshape(max_rank=3)
    if op == "F.binary_cross_entropy":
        x = floats(s, lo=0.0, hi=1.0, special=0.0)
        if x.numel():
            x.view(-1)[0] = R.choice([0.0, 1.0, 0.5])
        y = floats(s, lo=0.0, hi=1.0, special=0.0).round() if R.random() < 0.7 else floats(s, lo=0, hi=1, special=0)
        record("loss", op, [x, y], {"reduction": red})
    elif op == "F.binary_cross_entropy_with_logits":
        x = floats(s, special=0.0, scale=R.choice([1.0, 50.0]))
        y = floats(s, lo=0.0, hi=1.0, special=0.0)
        if R.random() < 0.3 and s:
            pw = floats(s[-1:], lo=0.5, hi=3.0, special=0.0)
            record("loss", "audit.bce_logits_pos_weight", [x, y, pw], {"reduction": red}, nograd=(2,), fn=lambda a, b, p, reduction: F.binary_cross_entropy_with_logits(a, b, pos_weight=p, reduction=reduction))
        else:
            record("loss", op, [x, y], {"reduction": red})
    elif op in ("F.huber_loss", "F.smooth_l1_loss"):
        x, y = floats(s, special=0.0, ties=True), floats(s, special=0.0, ties=True)
        key = "delta" if op == "F.huber_loss" else "beta"
        record("loss", op if op == "F.huber_loss" else "F.smooth_l1_loss:edge", [x, y], {"reduction": red, key: R.choice([1.0, 0.5, 2.0])}, fn=getattr(F, op[2:]))
    elif op == "F.kl_div":
        x = torch.log_softmax(floats(nonempty(2), special=0.0).double(), -1).float()
        y = torch.softmax(floats(tuple(x.shape), special=0.0).double(), -1).float()
        if y.numel() and R.random() < 0.5:
            y.view(-1)[0] = 0.0
        record("loss", op, [x, y], {"reduction": R.choice(["mean", "sum", "none", "batchmean"]), "log_target": False})
    elif op == "F.soft_margin_loss":
        x = floats(s, special=0.0)
        y = torch.where(torch.rand(s) < 0.5, -1.0, 1.0).float()
        record("loss", op, [x, y], {"reduction": red}, nograd=(1,))
    else:  # mse, l1, broadcasting targets too
        sa, sb = (s, s) if R.random() < 0.8 else broadcast_pair()
        x, y = floats(sa, special=0.0, ties=True), floats(sb, special=0.0, ties=True)
        record("loss", op, [x, y], {"reduction": red})


def conv_pool_case():
    op = R.choice(["F.conv2d", "F.max_pool2d", "F.avg_pool2d", "F.conv2d", "F.adaptive_avg_pool2d"])
    n, c = R.randint(1, 2), R.choice([1, 2, 4])
    h, w = R.randint(1, 7), R.randint(1, 7)
    x = floats((n, c, h, w), special=0.0)
    if op == "F.conv2d":
        groups = R.choice([1, c]) if c > 1 else 1
        oc = groups * R.randint(1, 2)
        kh, kw = R.randint(1, 3), R.randint(1, 3)
        wt = floats((oc, c // groups, kh, kw), special=0.0)
        args = {
            "stride": R.choice([1, 2, [1, 2]]),
            "padding": R.choice([0, 1, [1, 0], "same", "valid"]),
            "dilation": R.choice([1, 1, 2]),
            "groups": groups,
        }
        if args["padding"] == "same" and args["stride"] != 1:
            args["stride"] = 1
        xs = [x, wt] + ([floats((oc,), special=0.0)] if R.random() < 0.5 else [])
        if R.random() < 0.15:
            xs[0] = floats((c, h, w), special=0.0)  # unbatched
        record("conv", op, xs, args)
    elif op in ("F.max_pool2d", "F.avg_pool2d"):
        k = R.choice([1, 2, 3, [2, 3]])
        args = {"kernel_size": k, "stride": R.choice([None, 1, 2, [2, 1]]), "padding": R.choice([0, 1]), "ceil_mode": R.random() < 0.4}
        if op == "F.max_pool2d":
            args["dilation"] = R.choice([1, 2])
            kk = k if isinstance(k, list) else [k, k]
            if max(2 * (kk[0] - 1) + 1 - h, 2 * (kk[1] - 1) + 1 - w) > 0:
                args["dilation"] = 1  # torch 1.13's CPU max_pool2d corrupts memory on a dilated window wider than the input
            x = floats((n, c, h, w), special=0.1, ties=True)
        else:
            args["count_include_pad"] = R.random() < 0.5
            if R.random() < 0.2:
                args["divisor_override"] = 3
        if args["stride"] is None:
            del args["stride"]
        if os.environ.get("AUDIT_TRACE"):
            print(op, list(x.shape), args, flush=True)
        record("conv", op, [x], args)
    else:
        osz = [R.randint(1, 4), R.randint(1, 4)]
        record("conv", op, [x], {"output_size": osz})


def norm_case():
    op = R.choice(["F.layer_norm", "F.batch_norm", "F.group_norm", "F.embedding", "F.dropout", "F.pad", "F.interpolate", "F.normalize"])
    if op == "F.layer_norm":
        s = nonempty(R.randint(1, 4))
        k = R.randint(1, len(s))
        ns = list(s[len(s) - k :])
        xs = [floats(s, special=0.0)]
        aff = R.random() < 0.6
        if aff:
            xs += [floats(tuple(ns), special=0.0), floats(tuple(ns), special=0.0)]
            record("norm", "audit.layer_norm_affine", xs, {"normalized_shape": ns, "eps": 1e-5}, fn=lambda x, w, b, normalized_shape, eps: F.layer_norm(x, normalized_shape, w, b, eps))
        else:
            record("norm", "audit.layer_norm", xs, {"normalized_shape": ns}, fn=lambda x, normalized_shape: F.layer_norm(x, normalized_shape))
    elif op == "F.batch_norm":
        c = R.randint(1, 3)
        s = [R.randint(2, 3), c] + list(rshape(max_rank=2, lo=1, hi=3))
        x = floats(tuple(s), special=0.0)
        rm, rv = floats((c,), special=0.0), floats((c,), lo=0.5, hi=2, special=0.0)
        w, b = floats((c,), special=0.0), floats((c,), special=0.0)
        training = R.random() < 0.5
        record(
            "norm",
            "audit.batch_norm",
            [x, rm, rv, w, b],
            {"training": training, "momentum": 0.1, "eps": 1e-5},
            fn=lambda x, rm, rv, w, b, training, momentum, eps: F.batch_norm(x, rm.detach().clone(), rv.detach().clone(), w, b, training, momentum, eps),
        )
    elif op == "F.group_norm":
        g_ = R.choice([1, 2])
        c = g_ * R.randint(1, 2)
        x = floats(tuple([R.randint(1, 2), c] + list(rshape(max_rank=2, lo=1, hi=3))), special=0.0)
        record("norm", op, [x, floats((c,), special=0.0), floats((c,), special=0.0)], {"num_groups": g_}, fn=lambda x, w, b, num_groups: F.group_norm(x, num_groups, w, b))
    elif op == "F.embedding":
        v, dim = R.randint(1, 5), R.randint(1, 3)
        idx = torch.randint(0, v, rshape(max_rank=2))
        pi = R.choice([None, 0, -1])
        record("norm", op, [idx, floats((v, dim), special=0.0)], {} if pi is None else {"padding_idx": pi})
    elif op == "F.dropout":
        x = floats(rshape(), special=0.1)
        record("norm", "audit.dropout_eval", [x], {"p": R.choice([0.0, 0.5, 1.0])}, fn=lambda t, p: F.dropout(t, p, training=False))
    elif op == "F.pad":
        rank = R.randint(1, 4)
        s = nonempty(rank, hi=4)
        mode = R.choice(["constant", "constant", "reflect", "replicate", "circular"])
        npairs = R.randint(1, min(rank, 3))
        pad = []
        for i in range(npairs):
            lim = s[rank - 1 - i] - 1 if mode == "reflect" else s[rank - 1 - i] if mode == "circular" else 3
            pad += [R.randint(-1 if mode == "constant" else 0, max(0, lim)), R.randint(0, max(0, lim))]
        if mode != "constant":
            # PyTorch 1.13: reflect/replicate/circular pad the trailing 1-3 dims of a batched input
            while len(s) < npairs + 1 or len(s) > npairs + 2:
                s = nonempty(R.randint(npairs + 1, npairs + 2), hi=4)
                lim_ok = all(
                    (s[len(s) - 1 - i] > max(pad[2 * i], pad[2 * i + 1])) if mode == "reflect" else (s[len(s) - 1 - i] >= max(pad[2 * i], pad[2 * i + 1]))
                    for i in range(npairs)
                )
                if not lim_ok:
                    s = ()
        x = floats(s, special=0.0)
        args = {"pad": pad, "mode": mode}
        if mode == "constant" and R.random() < 0.5:
            args["value"] = R.choice([1.5, -math.inf])
        record("norm", op, [x], args)
    elif op == "F.interpolate":
        rank = R.choice([3, 4])
        s = [R.randint(1, 2), R.randint(1, 2)] + [R.randint(1, 5) for _ in range(rank - 2)]
        x = floats(tuple(s), special=0.0)
        mode = R.choice(["nearest", "bilinear", "linear", "nearest-exact"]) if True else ""
        if mode == "bilinear" and rank != 4:
            mode = "linear"
        if mode == "linear" and rank != 3:
            mode = "bilinear"
        args = {"mode": mode}
        if R.random() < 0.5:
            args["size"] = [R.randint(1, 7) for _ in range(rank - 2)]
        else:
            args["scale_factor"] = R.choice([2.0, 0.5, 1.5, 3.0])
        if mode in ("bilinear", "linear"):
            args["align_corners"] = R.random() < 0.5
        record("norm", op, [x], args)
    else:
        s = nonempty(R.randint(1, 3))
        x = floats(s, special=0.0)
        if R.random() < 0.3:
            x = torch.zeros(s)
        record("norm", "F.normalize:edge", [x], {"p": R.choice([2.0, 1.0]), "dim": rdim(len(s))}, fn=lambda t, p, dim: F.normalize(t, p, dim))


def unique_case():
    x = floats(rshape(max_rank=2), special=0.0, lo=0, hi=4).floor()
    if R.random() < 0.3:
        x = x.int()
    args = {"sorted": True, "return_inverse": R.random() < 0.5, "return_counts": R.random() < 0.5}
    record("unique", "unique", [x], args, grad=False)


def misc_case():
    op = R.choice(["clamp", "clip", "lerp", "addcmul", "addcdiv", "soft_ce", "neginf_lse", "neginf_softmax", "nan_to_num", "cosine", "pdist", "maximum_nan", "isclose"])
    s = rshape(max_rank=3)
    if op in ("clamp", "clip"):
        lo, hi = R.choice([(-0.5, 0.5), (None, 0.0), (0.0, None), (1.0, -1.0)])
        args = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
        record("misc", "clip" if op == "clip" else "clamp:edge", [floats(s, ties=True)], args, fn=lambda t, **k: torch.clamp(t, **k))
    elif op == "lerp":
        a, b = broadcast_pair()
        w = R.choice([0.25, -1.0, 2.0])
        record("misc", op, [floats(a, special=0.0), floats(b, special=0.0)], {"weight": w}, fn=lambda x, y, weight: torch.lerp(x, y, weight))
    elif op in ("addcmul", "addcdiv"):
        t2 = floats(s, special=0.0) if op == "addcmul" else floats(s, lo=0.5, hi=2.0, special=0.0)
        record("misc", op, [floats(s, special=0.0), floats(s, special=0.0), t2], {"value": R.choice([1.0, 0.5, -2.0])})
    elif op == "soft_ce":
        n, c = R.randint(1, 3), R.randint(1, 4)
        x = floats((n, c), special=0.0)
        y = torch.softmax(torch.randn(n, c), 1).float()
        args = {"reduction": R.choice(["mean", "sum", "none"])}
        if R.random() < 0.4:
            args["label_smoothing"] = 0.2
        record("misc", "F.cross_entropy", [x, y], args, nograd=(1,))
    elif op in ("neginf_lse", "neginf_softmax"):
        x = floats(nonempty(2), special=0.0)
        x[0] = -math.inf
        if op == "neginf_lse":
            record("misc", "logsumexp", [x], {"dim": 1, "keepdim": R.random() < 0.5})
        else:
            record("misc", R.choice(["softmax", "log_softmax"]), [x], {"dim": 1})
    elif op == "nan_to_num":
        args = R.choice([{}, {"nan": 1.5}, {"nan": 0.0, "posinf": 9.0, "neginf": -9.0}])
        record("misc", op, [floats(s, special=0.4)], args, grad=False)
    elif op == "cosine":
        a = floats(nonempty(2), special=0.0)
        if R.random() < 0.3:
            a[0] = 0.0
        record("misc", "F.cosine_similarity", [a, floats(tuple(a.shape), special=0.0)], {"dim": R.choice([0, 1, -1])})
    elif op == "pdist":
        a = floats(nonempty(2), special=0.0)
        record("misc", "F.pairwise_distance", [a, floats(tuple(a.shape), special=0.0)], {"p": R.choice([2.0, 1.0]), "keepdim": R.random() < 0.5})
    elif op == "maximum_nan":
        a, b = broadcast_pair()
        record("misc", R.choice(["maximum", "minimum"]), [floats(a, special=0.3), floats(b, special=0.3)])
    else:
        a, b = broadcast_pair()
        record("misc", op, [floats(a, special=0.3, ties=True), floats(b, special=0.3, ties=True)], {"rtol": 1e-5, "atol": 1e-8, "equal_nan": R.random() < 0.5})


FAMILIES = {
    "misc": misc_case,
    "unary": unary_case,
    "activation": activation_case,
    "binary": binary_case,
    "reduction": reduction_case,
    "scan": scan_case,
    "shape": shape_case,
    "indexing": indexing_case,
    "sorting": sorting_case,
    "unique": unique_case,
    "linalg": linalg_case,
    "softmax": softmax_case,
    "loss": loss_case,
    "conv": conv_pool_case,
    "norm": norm_case,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-family", type=int, default=300)
    ap.add_argument("--only", default=".*")
    a = ap.parse_args()
    R.seed(a.seed)
    torch.manual_seed(a.seed)
    for name, gen in FAMILIES.items():
        if not re.fullmatch(a.only, name):
            continue
        for _ in range(a.per_family):
            gen()
    out = os.path.join(HERE, "cases.json")
    with open(out, "w") as f:
        json.dump({"torch": torch.__version__, "seed": a.seed, "cases": CASES}, f, separators=(",", ":"), allow_nan=False)
    print(f"{len(CASES)} cases ({sum(1 for c in CASES if c['raises'])} where PyTorch raises) -> {out}")


if __name__ == "__main__":
    main()
