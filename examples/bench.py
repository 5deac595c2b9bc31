#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Small self-contained PyTorch inference benchmark for AIO Tuner.

Builds a tiny CNN or transformer block in code (nothing is downloaded), traces and freezes it with TorchScript
(the path Ampere Optimized PyTorch accelerates) and reports in the same format as the Ampere Model Library's
run.py, so the tuner handles it exactly like a real AML workload. Runs unchanged on stock PyTorch and on the
Ampere image; it finishes in seconds on a 2-CPU machine with --num_runs 20.

Examples:
  AIO_NUM_THREADS=4 OMP_NUM_THREADS=4 numactl --physcpubind=0-3 python3 bench.py -m cnn -b 1
  AIO_NUM_THREADS=1 OMP_NUM_THREADS=1 RESULTS_DIR=/tmp/r python3 bench.py -m transformer --timeout 10
  python3 bench.py -m cnn --save cnn.pt   # the traced model, for aio-tuner ops
"""
import argparse
import json
import os
import sys
import time

RED, RESET = "\033[91m", "\033[0m"


def die(msg):
    # Same shape as AML's goodbye message: one red FAIL line, exit status 1.
    print(f"{RED}FAIL: {msg}{RESET}", flush=True)
    sys.exit(1)


def caution(msg):
    print(f"{RED}CAUTION: {msg}{RESET}", flush=True)


def thread_count():
    """AML's rule: AIO_NUM_THREADS and OMP_NUM_THREADS must agree, and at least one must be set."""
    values = {}
    for name in ("AIO_NUM_THREADS", "OMP_NUM_THREADS"):
        raw = os.environ.get(name)
        if raw is None:
            continue
        try:
            values[name] = int(raw)
        except ValueError:
            die(f"{name}={raw!r} is not an integer")
        if values[name] < 1:
            die(f"{name}={raw} must be at least 1")
    if not values:
        die("Number of intra threads to use is not set!\nUse AIO_NUM_THREADS or OMP_NUM_THREADS flags.")
    if len(set(values.values())) > 1:
        die(f"AIO_NUM_THREADS={values['AIO_NUM_THREADS']} inconsistent with "
            f"OMP_NUM_THREADS={values['OMP_NUM_THREADS']}!")
    return next(iter(values.values()))


def parse_args():
    p = argparse.ArgumentParser(description="Tiny TorchScript inference benchmark in AML's report format.")
    p.add_argument("-m", "--model", choices=["cnn", "transformer"], default="cnn")
    p.add_argument("-p", "--precision", choices=["fp32", "fp16", "bf16"], default="fp32")
    p.add_argument("-b", "--batch_size", type=int, default=1)
    p.add_argument("--image_size", type=int, default=224,
                   help="side of the CNN's square input (default 224, ImageNet's): enough work per pass for "
                        "the intra-op threads to run in parallel")
    p.add_argument("-f", "--framework", choices=["pytorch"], default="pytorch", help="accepted for AML parity")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds of measured passes (default 60)")
    p.add_argument("--num_runs", type=int, default=None, help="measured passes (default: until timeout)")
    p.add_argument("--warmup", type=int, default=9, help="passes run first and discarded (default 9, as AML)")
    p.add_argument("--save", metavar="PATH", default=None,
                   help="save the traced TorchScript model (not frozen, as torch.jit.save keeps it) to PATH and "
                        "exit without measuring; its input shape is printed (for aio-tuner ops --input-shape)")
    a = p.parse_args()
    if a.batch_size < 1:
        die("batch size must be at least 1")
    if a.image_size < 8:
        die("--image_size must be at least 8")
    if a.num_runs is not None and a.num_runs < 1:
        die("--num_runs must be at least 1")
    if a.warmup < 0:
        die("--warmup cannot be negative")
    return a


def build_model(torch, name, image_size=224):
    nn = torch.nn

    class SmallCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
                nn.AdaptiveAvgPool2d(1),
            )
            self.head = nn.Linear(64, 10)

        def forward(self, x):
            return self.head(torch.flatten(self.features(x), 1))

    class TransformerBlock(nn.Module):
        # Written out (not nn.TransformerEncoderLayer) so tracing never takes PyTorch's fused fast path, which
        # differs between versions: the same graph is measured everywhere.
        def __init__(self, d=64, heads=4, ff=128):
            super().__init__()
            self.heads, self.dk = heads, d // heads
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.norm1 = nn.LayerNorm(d)
            self.norm2 = nn.LayerNorm(d)
            self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))

        def forward(self, x):
            b, s, d = x.shape
            q, k, v = self.qkv(x).reshape(b, s, 3, self.heads, self.dk).permute(2, 0, 3, 1, 4).unbind(0)
            att = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) / (self.dk ** 0.5), dim=-1)
            y = torch.matmul(att, v).transpose(1, 2).reshape(b, s, d)
            x = self.norm1(x + self.proj(y))
            return self.norm2(x + self.ff(x))

    if name == "cnn":
        return SmallCNN(), lambda b: torch.randn(b, 3, image_size, image_size)
    return TransformerBlock(), lambda b: torch.randn(b, 32, 64)


def percentile(sorted_values, p):
    # Linear interpolation between closest ranks, like numpy.percentile (used by AML).
    pos = (len(sorted_values) - 1) * p / 100
    lo, hi = int(pos), min(int(pos) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


class ResultsDump:
    """RESULTS_DIR support as in AML: <dir>/<pid>.json with per-pass times; <dir>/STOP ends the run cleanly."""

    def __init__(self, directory):
        self.dir = directory
        self.path = os.path.join(directory, f"{os.getpid()}.json") if directory else None
        self.last_write = 0.0

    def stop_requested(self):
        return self.dir is not None and os.path.exists(os.path.join(self.dir, "STOP"))

    def write(self, starts, finishes, sizes, force=False):
        now = time.time()
        if self.path is None or (not force and now - self.last_write < 1.0):
            return
        self.last_write = now
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"start_times": starts, "finish_times": finishes, "workload_size": sizes}, f)
        os.replace(tmp, self.path)  # readers never see a half-written file


def save_model(torch, model, example, path):
    # Traced, not frozen: aio-tuner ops freezes it after loading, as the benchmark does before measuring, so it
    # reads the graph the benchmark runs. Written beside the target and renamed: a reader never sees half a file.
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        torch.jit.save(traced, tmp)
        os.replace(tmp, path)
    except (OSError, RuntimeError) as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        die(f"cannot save the model to {path}: {getattr(e, 'strerror', None) or str(e).splitlines()[0]}")
    shape = ",".join(str(d) for d in example.shape)
    print(f"saved {path} (TorchScript, input shape {shape}, {example.dtype})")


def main():
    args = parse_args()
    # Saving measures nothing, so it needs no thread count.
    threads = thread_count() if args.save is None else None
    sys.stdout.reconfigure(line_buffering=True)

    try:
        import torch
    except ImportError as e:
        die(f"{sys.executable} cannot import PyTorch ({e}); run this with a Python that has it "
            "(pip install torch, Debian's python3-torch, or the Ampere image)")

    aio = "_aio_profiler_print" in dir(torch._C)
    print(f"AIO Tuner example benchmark: model={args.model} precision={args.precision} batch={args.batch_size}")
    print(f"PyTorch {torch.__version__}, Ampere Optimized PyTorch engine: {'detected' if aio else 'not detected'}")
    if threads is not None:
        torch.set_num_threads(threads)
        print(f"\nIntraop parallelism set to {threads} threads\n")

    torch.manual_seed(0)
    model, make_input = build_model(torch, args.model, args.image_size)
    model = model.eval()
    example = make_input(args.batch_size)
    if args.precision == "fp16":
        model, example = model.half(), example.half()
        try:
            with torch.no_grad():
                model(example)
        except RuntimeError as e:
            die(f"fp16 is not supported on CPU by this PyTorch build ({str(e).splitlines()[0]}); "
                f"use -p bf16, or the Ampere Optimized PyTorch image")
    elif args.precision == "bf16":
        model, example = model.to(torch.bfloat16), example.to(torch.bfloat16)

    if args.save is not None:
        save_model(torch, model, example, args.save)
        return

    with torch.no_grad():
        traced = torch.jit.freeze(torch.jit.trace(model, example))
        dump = ResultsDump(os.environ.get("RESULTS_DIR"))
        for _ in range(args.warmup):
            traced(example)

        starts, finishes, sizes = [], [], []
        began = time.time()
        while True:
            if args.num_runs is not None and len(starts) >= args.num_runs:
                break
            if time.time() - began >= args.timeout or dump.stop_requested():
                break
            t0 = time.time()
            traced(example)
            t1 = time.time()
            starts.append(t0)
            finishes.append(t1)
            sizes.append(args.batch_size)
            dump.write(starts, finishes, sizes)
        dump.write(starts, finishes, sizes, force=True)

    n = len(starts)
    if n == 0:
        die("Cannot print performance data as not a single measured pass has been completed! "
            "Increase the timeout.")
    lat = sorted((f - s) * 1000 for s, f in zip(starts, finishes))
    total_s = sum(lat) / 1000
    observed = sum(sizes) / total_s if total_s > 0 else float("inf")

    print("\n  LATENCY")
    for label, value in (("mean", sum(lat) / n), ("median", percentile(lat, 50)), ("p90", percentile(lat, 90)),
                         ("p99", percentile(lat, 99)), ("p99.9", percentile(lat, 99.9))):
        print(f"      {label:<8}{value:>18.2f} [ms]")
    print("\n  THROUGHPUT")
    print(f"      {'observed':<8}{observed:>18.2f} [samples/s]")
    print(f"      {'inverted':<8}{1000 / observed:>18.2f} [ms]")
    print(f"\n  Performance results above are based on {n} pass(es) through the network.")
    print(f"  {args.warmup} warm-up runs have not been considered.")


if __name__ == "__main__":
    main()
