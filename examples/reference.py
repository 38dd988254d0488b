"""PyTorch runs of the three ported tutorials, the numbers apps/mnist/src/examples.test.ts checks.

Each run is the tutorial's own PyTorch code, shortened to a few steps, with two changes that
make it comparable with Flint: the initial weights come from `fixed_init` (the same formula as
examples/common.ts, so both sides start from the same numbers without a random stream they
would have to share) and shuffling is off. zero_grad() gets PyTorch 2's default, set_to_none=True
(Flint's; torch 1.13 zeroes the gradients instead, so SGD with momentum keeps moving a parameter
that a step did not use, DynamicNet's e). Run with Debian's torch (1.13):

    /usr/bin/python3 examples/reference.py      # writes examples/fixtures/reference.json
"""

import gzip
import json
import math
import os

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
FASHION = os.environ.get("FLINT_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def fixed_values(shape, k):
    """sin(0.37 i + k) scaled by 1/sqrt(last dim) (0.1 for 1-D tensors), in float64, then float32."""
    n = int(np.prod(shape)) if len(shape) > 0 else 1
    i = np.arange(n, dtype=np.float64)
    scale = 1 / math.sqrt(shape[-1]) if len(shape) >= 2 else 0.1
    return torch.from_numpy((np.sin(0.37 * i + k) * scale).astype(np.float32).reshape(shape))


def fixed_init(model):
    """Every parameter, in state_dict order (k = its position), from fixed_values."""
    with torch.no_grad():
        for k, (_, p) in enumerate(model.named_parameters()):
            p.copy_(fixed_values(tuple(p.shape), k))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * d : 8 + 4 * d], "big") for d in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


# ---------------------------------------------------------------------------------------------
# (a) Quickstart: FashionMNIST, NeuralNetwork, train_loop / test_loop, save and load.
# ---------------------------------------------------------------------------------------------


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def fashion(split, count):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(FASHION, f"{prefix}-images-idx3-ubyte.gz"))[:count]
    labels = read_idx(os.path.join(FASHION, f"{prefix}-labels-idx1-ubyte.gz"))[:count]
    x = torch.from_numpy(images.astype(np.float32) / 255).reshape(count, 1, 28, 28)  # ToTensor()
    return torch.utils.data.TensorDataset(x, torch.from_numpy(labels.astype(np.int64)))


def quickstart(train_count=512, test_count=256, epochs=2, batch_size=64, learning_rate=1e-1):
    train_dataloader = torch.utils.data.DataLoader(fashion("train", train_count), batch_size=batch_size)
    test_dataloader = torch.utils.data.DataLoader(fashion("test", test_count), batch_size=batch_size)
    model = NeuralNetwork()
    fixed_init(model)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    train_losses, tests = [], []

    def test_loop():
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in test_dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        return {"loss": test_loss / len(test_dataloader), "accuracy": correct / len(test_dataloader.dataset)}

    for _ in range(epochs):
        model.train()
        for X, y in train_dataloader:
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            train_losses.append(loss.item())
        tests.append(test_loop())
    return {"trainLosses": train_losses, "tests": tests}


# ---------------------------------------------------------------------------------------------
# (b) Learning PyTorch with Examples: y = sin(x) by a third-order polynomial, five ways.
# ---------------------------------------------------------------------------------------------

X = torch.linspace(-math.pi, math.pi, 2000)
Y = torch.sin(X)
START = [0.1, -0.2, 0.3, -0.05, 0.02]  # a, b, c, d (and DynamicNet's e) instead of torch.randn(())


def poly_autograd(steps):
    a, b, c, d = (torch.tensor(v, requires_grad=True) for v in START[:4])
    learning_rate = 1e-6
    losses = []
    for t in range(steps):
        y_pred = a + b * X + c * X**2 + d * X**3
        loss = (y_pred - Y).pow(2).sum()
        if t % 100 == 99:
            losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    return {"losses": losses, "coefficients": [p.item() for p in (a, b, c, d)]}


def poly_model():
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    with torch.no_grad():
        model[0].bias.fill_(START[0])
        model[0].weight.copy_(torch.tensor([START[1:4]]))
    return model


def poly_nn(steps, rmsprop):
    p = torch.tensor([1, 2, 3])
    xx = X.unsqueeze(-1).pow(p)
    model = poly_model()
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate = 1e-3 if rmsprop else 1e-6
    optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate) if rmsprop else None
    losses = []
    for t in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, Y)
        if t % 100 == 99:
            losses.append(loss.item())
        if optimizer is not None:
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        else:
            model.zero_grad(set_to_none=True)
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= learning_rate * param.grad
    linear_layer = model[0]
    return {
        "losses": losses,
        "coefficients": [linear_layer.bias.item()] + [linear_layer.weight[:, i].item() for i in range(3)],
    }


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.c, self.d = (torch.nn.Parameter(torch.tensor(v)) for v in START[:4])

    def forward(self, x):
        return self.a + self.b * x + self.c * x**2 + self.d * x**3


class DynamicNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.c, self.d, self.e = (torch.nn.Parameter(torch.tensor(v)) for v in START)

    def forward(self, x, t):
        y = self.a + self.b * x + self.c * x**2 + self.d * x**3
        # The tutorial draws random.randint(4, 6); both sides use 4 + t % 3 to stay in step.
        for exp in range(4, 4 + t % 3):
            y = y + self.e * x**exp
        return y


def poly_module(steps, dynamic):
    model = DynamicNet() if dynamic else Polynomial3()
    criterion = torch.nn.MSELoss(reduction="sum")
    if dynamic:
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    losses = []
    for t in range(steps):
        y_pred = model(X, t) if dynamic else model(X)
        loss = criterion(y_pred, Y)
        if t % 100 == 99:
            losses.append(loss.item())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return {"losses": losses, "coefficients": [p.item() for p in model.parameters()]}


# ---------------------------------------------------------------------------------------------
# (c) A character-level LSTM with gradient clipping and a step learning-rate schedule.
# ---------------------------------------------------------------------------------------------

TEXT = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of "
    "foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, "
    "it was the season of Darkness, it was the spring of hope, it was the winter of despair."
)


class CharModel(nn.Module):
    def __init__(self, vocab, cell):
        super().__init__()
        self.embed = nn.Embedding(vocab, 16)
        self.rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(16, 32, num_layers=2, batch_first=True)
        self.head = nn.Linear(32, vocab)

    def forward(self, x):
        out, _ = self.rnn(self.embed(x))
        return self.head(out)


def char_rnn(cell, steps=12, seq_len=24, batch_size=4):
    chars = sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in TEXT])
    model = CharModel(len(chars), cell)
    fixed_init(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, steps // 3), gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()
    losses, norms, lrs = [], [], []
    for step in range(steps):
        # batch_size windows at fixed offsets that move with the step (no random sampling)
        starts = [(step * 7 + b * 53) % (len(data) - seq_len - 1) for b in range(batch_size)]
        x = torch.stack([data[s : s + seq_len] for s in starts])
        y = torch.stack([data[s + 1 : s + seq_len + 1] for s in starts])
        logits = model(x)
        loss = loss_fn(logits.reshape(-1, len(chars)), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norms.append(nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0).item())
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        lrs.append(scheduler.get_last_lr()[0])
    return {"losses": losses, "gradNorms": norms, "lrs": lrs}


def main():
    torch.set_num_threads(1)
    out = {
        "torch": torch.__version__,
        "quickstart": quickstart(),
        "polynomial": {
            "autograd": poly_autograd(300),
            "nn": poly_nn(300, rmsprop=False),
            "rmsprop": poly_nn(300, rmsprop=True),
            "module": poly_module(300, dynamic=False),
            "dynamic": poly_module(300, dynamic=True),
        },
        "charRnn": {"lstm": char_rnn("lstm"), "gru": char_rnn("gru")},
    }
    os.makedirs(os.path.join(HERE, "fixtures"), exist_ok=True)
    with open(os.path.join(HERE, "fixtures", "reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
