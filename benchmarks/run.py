"""Speed and scale of partnersim against the plain SimPy model, measured side by side.

    python benchmarks/run.py            # every figure, about five minutes on two cores
    python benchmarks/run.py --quick    # smaller runs, for a first look

Each speed is the median of several repeats, and each target is a ratio of
two speeds measured in this same run, so a busy machine slows both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import numpy_limit  # noqa: E402
import plain_simpy  # noqa: E402

from partnersim.runner import simulate  # noqa: E402
from partnersim.scenario import load_scenario  # noqa: E402

ONE = ROOT / "scenarios" / "bench" / "one-candidate.yaml"
FIVE = ROOT / "scenarios" / "bench" / "five-candidates.yaml"


def rate(work: Callable[[int], object], n: int, repeats: int) -> float:
    """Median replications per second of ``work(n)`` over ``repeats`` runs."""
    speeds = []
    for _ in range(repeats):
        start = time.perf_counter()
        work(n)
        speeds.append(n / (time.perf_counter() - start))
    return statistics.median(speeds)


def child(code: str, setup: str = "from partnersim.runner import simulate") -> dict[str, float]:
    """Time ``code`` in a fresh interpreter (after ``setup``, untimed), with its peak memory."""
    wrapper = (
        "import json, resource, time, sys\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        f"{setup}\n"
        "start = time.perf_counter()\n"
        f"{code}\n"
        "seconds = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        # ru_maxrss survives exec on Linux, so it would include this parent's peak;
        # the child's own high-water mark is VmHWM.
        "try:\n"
        "    status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        "    peak = int(status) / 1024\n"
        "except (OSError, IndexError):\n"
        "    pass\n"
        "print(json.dumps({'seconds': seconds, 'peak_mb': peak}))\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (less precise)")
    args = parser.parse_args()
    scale = 0.2 if args.quick else 1.0
    repeats = 3 if args.quick else 5
    one, five = load_scenario(ONE), load_scenario(FIVE)
    rows: list[tuple[str, str, str, bool | None]] = []

    def n(x: float) -> int:
        return max(500, int(x * scale))

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; median of {repeats} repeats\n")
    plain_1 = rate(lambda k: plain_simpy.run(k, candidates=1), n(3000), repeats)
    plain_5 = rate(lambda k: plain_simpy.run(k, candidates=5), n(800), repeats)
    ours_1 = rate(lambda k: simulate(one, replications=k, jobs=1), n(60000), repeats)
    ours_5 = rate(lambda k: simulate(five, replications=k, jobs=1), n(10000), repeats)
    limit = rate(lambda k: numpy_limit.run(k), n(500000), repeats)
    print(f"{'replications per second, one worker':<46} {'1 candidate':>12} {'5 candidates':>13}")
    print(f"{'plain SimPy model (one process per ally)':<46} {plain_1:>12,.0f} {plain_5:>13,.0f}")
    print(f"{'partnersim':<46} {ours_1:>12,.0f} {ours_5:>13,.0f}")
    print(f"{'vectorised NumPy (no SimPy), the limit':<46} {limit:>12,.0f} {'–':>13}\n")
    rows.append(("partnersim ÷ plain SimPy, 1 candidate", f"{ours_1 / plain_1:.1f}×", "≥ 5×", ours_1 / plain_1 >= 5))
    rows.append(("partnersim ÷ plain SimPy, 5 candidates", f"{ours_5 / plain_5:.1f}×", "≥ 5×", ours_5 / plain_5 >= 5))
    rows.append(("NumPy limit ÷ partnersim, 1 candidate", f"{limit / ours_1:.1f}×", "≤ 10×", limit / ours_1 <= 10))

    big = n(100_000)
    one_worker = statistics.median(
        child(f"simulate({str(ONE)!r}, replications={big}, jobs=1)")["seconds"]
        for _ in range(3)
    )
    two_workers = statistics.median(
        child(f"simulate({str(ONE)!r}, replications={big}, jobs=2)")["seconds"]
        for _ in range(3)
    )
    rows.append((f"1 → 2 workers at {big:,} replications", f"{one_worker / two_workers:.2f}×", "≥ 1.8×",
                 one_worker / two_workers >= 1.8))

    sizes = [n(10_000), n(100_000), n(1_000_000)]
    timings = []
    for size in sizes:
        result = child(f"simulate({str(ONE)!r}, replications={size}, jobs=1)")
        timings.append(result)
        print(f"{size:>9,} replications, no rows: {result['seconds']:6.2f} s, peak memory {result['peak_mb']:5.0f} MB")
    per_rep = [t["seconds"] / s for t, s in zip(timings, sizes, strict=True)]
    linear = max(per_rep[1:]) / min(per_rep[1:])
    rows.append((f"peak memory at {sizes[-1]:,} replications", f"{timings[-1]['peak_mb']:.0f} MB", "≤ 300 MB",
                 timings[-1]["peak_mb"] <= 300))
    rows.append((
        f"time per replication, {sizes[1]:,} vs {sizes[2]:,} (linear in N)", f"{linear:.2f}×", "≈ 1×", linear <= 1.3
    ))

    helps = []
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "partnersim", "--help"], capture_output=True, check=True)
        helps.append(time.perf_counter() - start)
    interpreter = []
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
        interpreter.append(time.perf_counter() - start)
    help_s = statistics.median(helps)
    rows.append(("partnersim --help", f"{help_s:.2f} s (bare Python {statistics.median(interpreter):.2f} s)",
                 "< 0.3 s", help_s < 0.3))

    print()
    print(f"{'target':<48} {'measured':<32} {'goal':<9} result")
    for name, measured, goal, ok in rows:
        print(f"{name:<48} {measured:<32} {goal:<9} {'holds' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
