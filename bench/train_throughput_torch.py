#!/usr/bin/env python3
"""PyTorch side of bench/train_throughput.ts: training and encoder-inference images/s of the
"cheap" and "ref" conv autoencoders (same layers as lib/nn/reference_models.ts), batch 128, Adam
lr 1e-3, MSE, 28x28x1, CPU, a fixed thread count (default 1). Prints one JSON object on stdout.
With --serve it instead reads lines "<model> <seconds>" on stdin and answers each with one JSON
line (one training and one inference measurement), so that a caller can interleave its own
measurements with PyTorch's on a busy machine.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn


def up(cin, cout):  # Keras Conv2DTranspose(3, strides=2, padding='same')
    return nn.ConvTranspose2d(cin, cout, 3, stride=2, padding=1, output_padding=1)


def make(name, latent=10):
    if name == "ref":
        enc = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(7 * 7 * 64, latent))
        dec = nn.Sequential(nn.Linear(latent, 7 * 7 * 64), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
                            up(64, 32), nn.ReLU(), up(32, 1), nn.Sigmoid())
    elif name == "cheap":
        enc = nn.Sequential(nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
                            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
                            nn.Flatten(), nn.Linear(7 * 7 * 32, latent))
        dec = nn.Sequential(nn.Linear(latent, 7 * 7 * 32), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
                            up(32, 16), nn.ReLU(), up(16, 1), nn.Sigmoid())
    else:
        raise SystemExit(f"unknown model {name}")
    return enc, dec


def rate(fn, batch, seconds, reps):
    """(wall images/s per run, images per CPU-second per run), each sorted."""
    rates, per_cpu = [], []
    for _ in range(reps):
        t, c, steps = time.perf_counter(), time.process_time(), 0
        while time.perf_counter() - t < seconds:
            fn()
            steps += 1
        rates.append(steps * batch / (time.perf_counter() - t))
        per_cpu.append(steps * batch / max(time.process_time() - c, 1e-9))
    return sorted(rates), sorted(per_cpu)


class Bench:
    """One model, its optimizer and a fixed batch, warmed up on creation."""

    def __init__(self, name, batch):
        torch.manual_seed(0)
        self.enc, self.dec = make(name)
        self.model = nn.Sequential(self.enc, self.dec)
        self.opt = torch.optim.Adam(self.model.parameters(), 1e-3)
        self.x = torch.rand(batch, 1, 28, 28)
        self.batch = batch
        for _ in range(5):
            self.step()
            self.infer()

    def step(self):
        self.opt.zero_grad()
        loss = nn.functional.mse_loss(self.model(self.x), self.x)
        loss.backward()
        self.opt.step()

    def infer(self):
        with torch.no_grad():
            self.enc(self.x)


def serve(a):
    benches = {}
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        name, seconds = parts[0], float(parts[1])
        if name not in benches:
            benches[name] = Bench(name, a.batch)
        b = benches[name]
        train, train_cpu = rate(b.step, a.batch, seconds, 1)
        inference, inference_cpu = rate(b.infer, a.batch, seconds / 2, 1)
        print(json.dumps({"train_img_per_s": train[0], "train_img_per_cpu_s": train_cpu[0],
                          "encoder_img_per_s": inference[0], "encoder_img_per_cpu_s": inference_cpu[0]}),
              flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--models", default="cheap,ref")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--seconds", type=float, default=3.0, help="seconds per measurement")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--serve", action="store_true", help="answer '<model> <seconds>' lines on stdin")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.serve:
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
        return serve(a)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "batch": a.batch,
           "load_before": os.getloadavg(), "models": {}}
    for name in a.models.split(","):
        torch.manual_seed(0)
        enc, dec = make(name)
        model = nn.Sequential(enc, dec)
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        x = torch.rand(a.batch, 1, 28, 28)

        def step():
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), x)
            loss.backward()
            opt.step()

        def infer():
            with torch.no_grad():
                enc(x)

        for _ in range(5):
            step()
            infer()
        train, train_cpu = rate(step, a.batch, a.seconds, a.reps)
        inference, inference_cpu = rate(infer, a.batch, a.seconds / 2, a.reps)
        out["models"][name] = {
            "params": sum(q.numel() for q in model.parameters()),
            "train_img_per_s": train[len(train) // 2], "train_runs": train,
            "encoder_img_per_s": inference[len(inference) // 2], "encoder_runs": inference,
            "train_img_per_cpu_s": train_cpu[len(train_cpu) // 2],
            "encoder_img_per_cpu_s": inference_cpu[len(inference_cpu) // 2],
        }
    out["load_after"] = os.getloadavg()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
