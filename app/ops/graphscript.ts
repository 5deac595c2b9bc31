/**
 * The Python side of the op-coverage report, run with the user's interpreter as `python -c GRAPH_SCRIPT
 * REQUEST_JSON`. Shipped as text (like the engine probe) because the CLI and the app are bundles without data
 * files. It loads the TorchScript model, freezes it as the engine's fast path wants, counts the graph's nodes by
 * kind (nested blocks and fusion subgraphs included) and, given input shapes, runs it under PyTorch's autograd
 * profiler as AML does under AIO_PROFILER=1, attributing each op event's CPU time to the outermost graph kind it
 * belongs to (aten::linear's own aten::addmm counts as linear, not twice).
 *
 * Its answer is one JSON line behind a marker on stdout: importing torch on the Ampere image prints a banner there.
 */
export const GRAPH_MARK = '@@AIO_TUNER_OPS@@';

export const GRAPH_SCRIPT = String.raw`
import json, re, sys, time

MARK = "@@AIO_TUNER_OPS@@"
CONV = ("aten::_convolution", "aten::convolution")


def answer(obj):
    sys.stdout.write(MARK + json.dumps(obj) + "\n")
    sys.stdout.flush()
    sys.exit(0)


def describe(e):
    lines = [l.strip() for l in str(e).splitlines() if l.strip()]
    # A TorchScript interpreter error starts with a generic sentence and a traceback; the cause is its last
    # line, "RuntimeError: Expected 4-dimensional input…".
    if lines and re.match(r"^[A-Za-z_.]*(Error|Exception): ", lines[-1]):
        return lines[-1][:400]
    text = lines[0] if lines else ""
    return (type(e).__name__ + (": " + text if text else ""))[:400]


def conv_variant(node):
    # Generic convolutions record neither rank nor direction in their name: the weight's rank and the
    # transposed flag (6th input) say which table row they are.
    try:
        w = node.inputsAt(1)
        rank = w.type().dim()
        if rank is None:
            value = w.toIValue()
            rank = value.dim() if value is not None else None
        transposed = node.inputsAt(6).toIValue()
    except Exception:
        return None
    if rank is None or rank < 3:
        return None
    v = "%dd" % (rank - 2)
    return ("transposed " + v) if transposed else v


def makes_tensor(t):
    # Does a value of this type hold a tensor (a list, tuple or optional of tensors counts)?
    try:
        k = t.kind()
        if k == "TensorType":
            return True
        if k in ("ListType", "OptionalType"):
            return makes_tensor(t.getElementType())
        if k == "TupleType":
            return any(makes_tensor(e) for e in t.elements())
        return False
    except Exception:
        return True


def main():
    req = json.loads(sys.argv[1])
    out = {"python": sys.executable, "notes": []}
    try:
        import torch
    except BaseException as e:
        out.update(error="torch", message="cannot import torch: " + describe(e))
        answer(out)
    out["torch"] = str(getattr(torch, "__version__", "unknown"))
    out["engine"] = "_aio_profiler_print" in dir(torch._C)
    try:
        model = torch.jit.load(req["model"], map_location="cpu")
    except BaseException as e:
        out.update(error="load", message=describe(e))
        answer(out)
    try:
        model.eval()
        frozen = torch.jit.freeze(model)
        out["frozen"] = True
    except BaseException as e:
        frozen = model
        out["frozen"] = False
        out["notes"].append("the graph could not be frozen (%s): these are the saved graph's ops" % describe(e))
    try:
        graph = frozen.graph
    except BaseException as e:
        out.update(error="load", message="the model has no forward method to analyse (%s)" % describe(e))
        answer(out)

    counts = {}

    def walk(block):
        for node in block.nodes():
            kind = node.kind()
            scalar = not any(makes_tensor(o.type()) for o in node.outputs())
            key = (kind, conv_variant(node) if kind in CONV else None, scalar)
            counts[key] = counts.get(key, 0) + 1
            for b in node.blocks():
                walk(b)
            if node.hasAttribute("Subgraph"):
                walk(node.g("Subgraph"))

    walk(graph)
    times = None
    shapes = req.get("shapes") or []
    if shapes:
        dtypes = req.get("dtypes") or ["float32"] * len(shapes)
        try:
            inputs = []
            for s, name in zip(shapes, dtypes):
                dtype = getattr(torch, name)
                if dtype.is_floating_point:
                    inputs.append(torch.randn(*s).to(dtype))
                elif dtype == torch.bool:
                    inputs.append(torch.rand(*s) > 0.5)
                else:
                    # 0 and 1 are valid ids and indices whatever the vocabulary or table size.
                    inputs.append(torch.randint(0, 2, tuple(s), dtype=dtype))
        except BaseException as e:
            out.update(error="input", message=describe(e))
            answer(out)
        warmup, passes = int(req["warmup"]), int(req["passes"])
        try:
            with torch.no_grad():
                for _ in range(warmup):
                    frozen(*inputs)
                with torch.autograd.profiler.profile(record_shapes=True) as prof:
                    began = time.perf_counter()
                    for _ in range(passes):
                        frozen(*inputs)
                    wall = time.perf_counter() - began
        except BaseException as e:
            out.update(error="run", message=describe(e))
            answer(out)
        kinds = set(k[0] for k in counts)
        by_rank = {}
        for ev in prof.function_events:
            if ev.name not in kinds:
                continue
            parent, nested = ev.cpu_parent, False
            while parent is not None:
                if parent.name in kinds:
                    nested = True
                    break
                parent = parent.cpu_parent
            if nested:
                continue
            rank = None
            if ev.name in CONV:
                try:
                    rank = len(ev.input_shapes[1]) or None
                except Exception:
                    rank = None
            key = (ev.name, rank)
            by_rank[key] = by_rank.get(key, 0.0) + ev.cpu_time_total
        times = {}
        for (kind, rank), us in by_rank.items():
            # A rank's time goes to the variants of that rank (2d and transposed 2d) in proportion to their
            # counts; the profiler does not say which of them an event was.
            keys = [k for k in counts if k[0] == kind and not k[2] and (kind not in CONV or rank is None or
                    (k[1] is not None and int(k[1].split()[-1][:-1]) + 2 == rank))]
            if not keys:
                keys = [k for k in counts if k[0] == kind]
            total = sum(counts[k] for k in keys)
            for k in keys:
                times[k] = times.get(k, 0.0) + us * counts[k] / total
        out["profile"] = {"inputShapes": shapes, "inputDtypes": dtypes, "warmup": warmup, "passes": passes,
                          "passMs": wall * 1000.0 / passes}
    nodes = []
    for (kind, variant, scalar), n in counts.items():
        entry = {"kind": kind, "count": n}
        if variant is not None:
            entry["variant"] = variant
        if scalar:
            entry["scalar"] = True
        if times is not None:
            entry["timeMs"] = times.get((kind, variant, scalar), 0.0) / 1000.0 / passes
        nodes.append(entry)
    out["nodes"] = nodes
    answer(out)


main()
`;
