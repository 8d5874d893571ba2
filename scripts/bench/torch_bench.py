#!/usr/bin/env python3
"""The PyTorch side of `npm run bench` (run by bench/run.ts as a subprocess of /usr/bin/python3).

    python3 scripts/bench/torch_bench.py --threads=1 --items=gemm.1024,conv.fwd --limits='{...}'
    python3 scripts/bench/torch_bench.py --threads=1 --rss --limits='{...}'
    python3 scripts/bench/torch_bench.py --threads=1 --serve --limits='{...}'   (commands on stdin)

Does the same work as bench/suites/glubina.ts, in PyTorch's API, and times it the way
bench/suites/measure.ts does (warm-up, then timed runs of repeated iterations). Prints one
`META {json}` line and one `BENCH {json}` line per item; the runner computes units and medians.
With --serve it answers setup / run / teardown commands from stdin instead, as the Node sides do
(see bench/suites/protocol.ts), so that the runner can interleave the sides' timed runs.
When torch cannot be imported it prints a META line with "torch": null and exits 0.
The runner sets OPENBLAS_NUM_THREADS=1 (OpenBLAS's own threads fight PyTorch's intra-op threads).
"""
import json
import os
import resource
import statistics
import sys
import time


def out(prefix, obj):
    sys.stdout.write(prefix + json.dumps(obj) + "\n")
    sys.stdout.flush()


def parse_args(argv):
    opts = {}
    for a in argv:
        if not a.startswith("--"):
            raise SystemExit("torch_bench: cannot parse argument %r (expected --key=value)" % a)
        key, _, value = a[2:].partition("=")
        opts[key] = value if _ else "true"
    return opts


WARMUP_WINDOW_MS = 250
WARMUP_GAIN = 0.03


def measure(fn, limits):
    """Mirrors measure() in bench/suites/measure.ts."""
    warm = warm_up(fn, limits)
    if warm["status"] != "ok":
        return warm
    once = warm["iterationMs"]
    reps = reps_for(once, limits)
    single = once > limits["singleRunAboveMs"]
    min_runs = 1 if single else min(3, limits["minRuns"]) if once > 1000 else limits["minRuns"]
    max_runs = 1 if single else limits["maxRuns"]
    times = []
    start = time.perf_counter()
    while len(times) < max_runs:
        times.append(timed_run(fn, reps))
        if len(times) >= min_runs and (time.perf_counter() - start) * 1e3 > limits["budgetMs"]:
            break
    return {"status": "ok", "times": times}


def warm_up(fn, limits):
    """Mirrors warmUp() in bench/suites/measure.ts: the first calls, then the warm-up."""
    clock = time.perf_counter
    t0 = clock()
    fn()
    once = (clock() - t0) * 1e3
    if once > limits["skipAboveMs"]:
        return skipped(once, limits)
    if once < 1000:
        t0 = clock()
        fn()
        once = (clock() - t0) * 1e3
        if once > limits["skipAboveMs"]:
            return skipped(once, limits)
    # Warm up as every other side does (see measure.ts): at least warmupMs, then on while each
    # 250 ms window's median beats the best before it by 3%, up to maxWarmupMs.
    if once <= limits["singleRunAboveMs"]:
        warm_start = clock()
        best = float("inf")
        while True:
            window = []
            window_start = clock()
            while (clock() - window_start) * 1e3 < WARMUP_WINDOW_MS:
                t0 = clock()
                fn()
                once = (clock() - t0) * 1e3
                window.append(once)
            typical = sorted(window)[len(window) // 2]
            improving = typical < best * (1 - WARMUP_GAIN)
            best = min(best, typical)
            elapsed = (clock() - warm_start) * 1e3
            if elapsed >= limits.get("maxWarmupMs", 0) or (elapsed >= limits.get("warmupMs", 0) and not improving):
                break
    return {"status": "ok", "iterationMs": once}


def reps_for(once, limits):
    return int(max(1, -(-limits["minRunMs"] // max(once, 1e-3))))


def timed_run(fn, reps):
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) / reps


def serve(benches, limits, note_for):
    """The --serve loop of bench/suites/protocol.ts: answers setup / run / teardown from stdin."""
    current = None
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        command, arg = parts[0], (parts[1] if len(parts) > 1 else "")
        if command == "setup":
            current = None
            setup = benches.get(arg)
            if setup is None:
                out("BENCH ", {"item": arg, "status": "fails", "note": "no benchmark %r on this side" % arg})
                continue
            try:
                fn = setup()
                warm = warm_up(fn, limits)
            except Exception as e:  # noqa: BLE001 - reported as a 'fails' cell
                out("BENCH ", {"item": arg, "status": "fails", "note": failure(e)})
                continue
            if warm["status"] == "ok":
                current = (arg, fn)
                out("READY ", {"item": arg, "iterationMs": warm["iterationMs"]})
            else:
                warm["item"] = arg
                out("BENCH ", warm)
        elif command == "run":
            if current is None:
                out("BENCH ", {"item": "", "status": "fails", "note": "run before a successful setup"})
                continue
            try:
                current[1]()
                out("TIME ", {"seconds": timed_run(current[1], max(1, int(arg or "1")))})
            except Exception as e:  # noqa: BLE001
                out("BENCH ", {"item": current[0], "status": "fails", "note": failure(e)})
                current = None
        elif command == "teardown":
            note = note_for(current[0]) if current is not None else None
            current = None
            out("DONE ", {"note": note} if note else {})


def failure(e):
    return (str(e).splitlines() or [type(e).__name__])[0][:200]


def skipped(ms, limits):
    return {"status": "skipped", "note": "one iteration took %.1f s (cap %.1f s)" % (ms / 1e3, limits["skipAboveMs"] / 1e3)}


def peak_rss():
    """VmHWM from /proc/self/status, else ru_maxrss (KiB on Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def blas_libraries():
    """The BLAS/LAPACK libraries mapped into this process (Debian's python3-torch uses whichever
    libblas.so.3 the alternatives system points to: the slow reference BLAS unless OpenBLAS is installed)."""
    found = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if "blas" in path.lower() and path not in found:
                    found.append(path)
    except OSError:
        pass
    return ", ".join(sorted({os.path.basename(os.path.realpath(p)) for p in found})) or "unknown"


def main():
    opts = parse_args(sys.argv[1:])
    limits = json.loads(opts.get("limits", "{}")) or {
        "budgetMs": 2000, "warmupMs": 1000, "maxWarmupMs": 8000, "minRuns": 5, "maxRuns": 15, "skipAboveMs": 15000, "singleRunAboveMs": 4000,
        "minRunMs": 100, "rssSteps": 100}
    items = [i for i in opts.get("items", "").split(",") if i]
    threads = int(opts.get("threads", "1"))
    try:
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
    except Exception as e:  # noqa: BLE001 - any import failure means "absent"
        out("META ", {"framework": "torch", "torch": None, "error": str(e).splitlines()[0] if str(e) else type(e).__name__})
        return

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    torch.mm(torch.randn(8, 8), torch.randn(8, 8))  # loads the BLAS if torch loads it lazily
    out("META ", {"framework": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_libraries(),
                  "python": sys.version.split()[0], "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS")})

    def lenet():
        # The same LeNet-5 as models.lenet5({ inputSize: 28 }): C1 pads by 2, tanh, average pooling.
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(),
            nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))

    def mlp():
        return nn.Sequential(nn.Linear(784, 1000), nn.ReLU(), nn.Linear(1000, 10))

    def training(make, shape):
        def setup():
            model = make()
            model.train()
            x = torch.randn(*shape)
            y = torch.randint(0, 10, (shape[0],))
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

            def step():
                opt.zero_grad()
                F.cross_entropy(model(x), y).backward()
                opt.step()
            return step
        return setup

    def inference(batch):
        def setup():
            model = lenet().eval()
            x = torch.randn(batch, 1, 28, 28)

            def run():
                with torch.no_grad():
                    model(x)
            return run
        return setup

    def gemm(n):
        def setup():
            a, b = torch.randn(n, n), torch.randn(n, n)
            return lambda: torch.mm(a, b)
        return setup

    def conv_fwd():
        x, w, b = torch.randn(32, 64, 32, 32), torch.randn(64, 64, 3, 3), torch.randn(64)

        def run():
            with torch.no_grad():
                F.conv2d(x, w, b, padding=1)
        return run

    def conv_fwdbwd():
        leaves = [torch.randn(32, 64, 32, 32, requires_grad=True), torch.randn(64, 64, 3, 3, requires_grad=True),
                  torch.randn(64, requires_grad=True)]

        def run():
            F.conv2d(leaves[0], leaves[1], leaves[2], padding=1).sum().backward()
            for t in leaves:
                t.grad = None
        return run

    def elementwise(kind, preallocated=False):
        def setup():
            a, b = torch.randn(10_000_000), torch.randn(10_000_000)
            if preallocated:
                z = torch.empty(10_000_000)
                if kind == "add":
                    return lambda: torch.add(a, b, out=z)
                if kind == "relu":
                    return lambda: torch.clamp(a, min=0, out=z)  # torch.relu has no out=
                return lambda: z.copy_(a)
            if kind == "add":
                return lambda: torch.add(a, b)
            if kind == "relu":
                return lambda: torch.relu(a)
            return lambda: a.clone()
        return setup

    # Bytes moved per call, as bench/suites/items.ts counts them.
    ew_bytes = {"ew.add": 3 * 4e7, "ew.relu": 2 * 4e7, "ew.clone": 2 * 4e7}

    benches = {"gemm.%d" % n: gemm(n) for n in (128, 256, 512, 1024, 2048)}
    benches.update({
        "conv.fwd": conv_fwd,
        "conv.fwdbwd": conv_fwdbwd,
        "lenet.train64": training(lenet, (64, 1, 28, 28)),
        "lenet.infer1": inference(1),
        "lenet.infer256": inference(256),
        "mlp.train64": training(mlp, (64, 784)),
        "ew.add": elementwise("add"),
        "ew.relu": elementwise("relu"),
        "ew.clone": elementwise("clone"),
    })

    if "rss" in opts:
        try:
            step = training(lenet, (64, 1, 28, 28))()
            start = time.perf_counter()
            steps = 0
            while steps < limits["rssSteps"] and (steps < 2 or (time.perf_counter() - start) * 1e3 < 4 * limits["budgetMs"]):
                step()
                steps += 1
            out("BENCH ", {"item": "rss.lenet", "status": "ok", "value": peak_rss(), "note": "after %d training steps" % steps})
        except Exception as e:  # noqa: BLE001
            out("BENCH ", {"item": "rss.lenet", "status": "fails", "note": str(e).splitlines()[0][:200]})
        return

    def preallocated_note(item):
        """A fresh 40 MB output is mmap'ed and unmapped by glibc on every call (page faults); the
        same op into a preallocated tensor shows what the kernel itself reaches."""
        if item not in ew_bytes:
            return None
        pre = measure(elementwise(item[3:], preallocated=True)(), limits)
        if pre["status"] != "ok":
            return None
        t = statistics.median(pre["times"])
        return "allocates its 40 MB output on every call; into a preallocated tensor (out=): %.1f GB/s" % (ew_bytes[item] / t / 1e9)

    if "serve" in opts:
        serve(benches, limits, preallocated_note)
        return

    for item in items:
        setup = benches.get(item)
        if setup is None:
            continue
        try:
            result = measure(setup(), limits)
        except Exception as e:  # noqa: BLE001 - reported as a 'fails' cell
            result = {"status": "fails", "note": failure(e)}
        if result["status"] == "ok":
            note = preallocated_note(item)
            if note:
                result["note"] = note
        result["item"] = item
        out("BENCH ", result)


if __name__ == "__main__":
    main()
