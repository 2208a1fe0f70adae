"""All the performance issue's workloads, one process per system, one table.

    python bench/run.py [--quick] [--only W5a,W7] [--repeat 5] [--systems tensorir,numpy]

Systems: tensorir, numpy, PyTensor (default mode), JAX (``jit``), torch (when importable);
an absent peer is skipped with a note. Each system runs every selected workload in its own
subprocess (``bench/workloads.py --system ...``), which checks each result against numpy
before timing it and prints its times as JSON. The table gives per-call times (best of
``--repeat``), tensorir against numpy and against the fastest peer, and the issue's goal.
``pip install -e ".[bench]"`` installs PyTensor and JAX.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from workloads import GOALS, GROUPS, MARK, PEERS, SYSTEMS  # noqa: E402

MODULES = {"tensorir": "tensorir", "numpy": "numpy", "pytensor": "pytensor", "jax": "jax"}


def available(system: str) -> bool:
    return importlib.util.find_spec(MODULES.get(system, system)) is not None


def run_worker(system: str, args: argparse.Namespace) -> dict[str, dict]:
    env = dict(os.environ)
    root = os.path.dirname(HERE)  # this checkout's tensorir, whatever is installed
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    cmd = [sys.executable, os.path.join(HERE, "workloads.py"), "--system", system]
    cmd += ["--only", args.only, "--repeat", str(args.repeat)] + ["--quick"] * args.quick
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    took = time.perf_counter() - t0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARK)]
    if proc.returncode or not lines:
        print(f"# {system}: worker failed (rc {proc.returncode})\n{proc.stderr[-2000:]}")
        return {}
    errors = [ln for ln in proc.stderr.splitlines() if "Error" in ln]
    print(f"# {system}: {took:.1f} s" + (f", {len(errors)} error lines on stderr" * bool(errors)))
    return json.loads(lines[-1][len(MARK) :])


def fmt_t(t: float | None) -> str:
    if t is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t * 1e9:.3g} ns"


def cell(res: dict | None) -> str:
    if res is None:
        return "-"
    if "t" in res:
        return fmt_t(res["t"])
    return "FAIL"


def goal_text(key: str, results: dict[str, dict[str, dict]], ours: float | None) -> str:
    group = next(
        (r["group"] for r in (s.get(key) for s in results.values()) if r and "group" in r), None
    )
    if group is None or ours is None:
        return ""
    goal = GOALS[group]
    if goal.ref == "abs":
        ok = ours <= goal.value
    elif goal.ref == "bw":
        ir = results["tensorir"][key]
        copy = results.get("numpy", {}).get("W5b copy 2 threads")
        if not copy or "t" not in copy:
            return goal.text + " (no copy reference)"
        gbs, copy_gbs = ir["nbytes"] / ours / 1e9, copy["nbytes"] / copy["t"] / 1e9
        one = results["numpy"].get("W5b copy 1 thread", {})
        one_gbs = one["nbytes"] / one["t"] / 1e9 if "t" in one else float("nan")
        ok = gbs >= goal.value * copy_gbs
        return (
            f"{goal.text}: {gbs:.1f} GB/s vs copy {copy_gbs:.1f} (2T) / {one_gbs:.1f} (1T) "
            f"GB/s = {gbs / copy_gbs:.0%} {'ok' if ok else 'MISS'}"
        )
    elif goal.ref == "peers":
        times = [r["t"] for p in PEERS if (r := results.get(p, {}).get(key)) and "t" in r]
        if not times:
            return goal.text + " (no peer)"
        ok = ours / min(times) <= goal.value
    else:
        ref = results.get(goal.ref, {}).get(key)
        if not ref or "t" not in ref:
            return goal.text + f" (no {goal.ref})"
        ok = ours / ref["t"] <= goal.value
    return f"{goal.text} {'ok' if ok else 'MISS'}"


def table(results: dict[str, dict[str, dict]]) -> list[list[str]]:
    seen: dict[str, tuple[int, int]] = {}  # key -> (workload's place, first seen)
    for system in results.values():
        for k, v in system.items():
            group = v.get("group", k.split()[0])
            place = GROUPS.index(group) if group in GROUPS else len(GROUPS)
            seen.setdefault(k, (place, len(seen)))
    keys = sorted(seen, key=seen.__getitem__)
    rows = [["workload", "tensorir", "numpy", "best peer", "ir/numpy", "ir/peer", "goal"]]
    for key in keys:
        ours_res = results.get("tensorir", {}).get(key)
        ours = ours_res.get("t") if ours_res else None
        np_res = results.get("numpy", {}).get(key)
        peers = [(r["t"], p) for p in PEERS if (r := results.get(p, {}).get(key)) and "t" in r]
        best = min(peers) if peers else None
        ratio_np = f"{ours / np_res['t']:.2f}" if ours and np_res and "t" in np_res else "-"
        ratio_peer = f"{ours / best[0]:.2f}" if ours and best else "-"
        peer = f"{fmt_t(best[0])} ({best[1]})" if best else "-"
        rows.append(
            [key, cell(ours_res), cell(np_res), peer, ratio_np, ratio_peer]
            + [goal_text(key, results, ours)]
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a smoke run")
    parser.add_argument("--only", default=",".join(GROUPS), help="e.g. W5a,W7 (of: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="best of N (default 5)")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(GROUPS)
    if unknown:
        parser.error(f"unknown workloads {sorted(unknown)}; choose from {GROUPS}")
    results: dict[str, dict[str, dict]] = {}
    for system in args.systems.split(","):
        if not available(system):
            print(f"# {system}: not installed, skipped")
            continue
        results[system] = run_worker(system, args)
    failures = [
        f"#   {s} {k}: {v['error']}"
        for s, r in results.items()
        for k, v in r.items()
        if "error" in v
    ]
    rows = table(results)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print()
    for i, row in enumerate(rows):
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    if failures:
        print("\n# failed (no time given):\n" + "\n".join(f.replace("\n", " ") for f in failures))


if __name__ == "__main__":
    main()
