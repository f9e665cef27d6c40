"""Speed and scale of partnersim against the plain SimPy model, measured side by side.

    python benchmarks/run.py            # every figure, about fifteen minutes on two cores
    python benchmarks/run.py --quick    # smaller runs, for a first look

Each speed is the median of several repeats, and each target is a ratio of
two speeds measured in this same run, so a busy machine slows both sides. The
flagship scenario (scenarios/latam.yaml) is also run by the engine as it was
before the work on its speed (the commit BASELINE, checked out beside this one
with git), and the whole commands analysts run are timed as they run them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import numpy_limit  # noqa: E402
import plain_simpy  # noqa: E402

from partnersim.scenario import load_scenario  # noqa: E402
from partnersim.simulation import simulate  # noqa: E402

ONE = ROOT / "scenarios" / "bench" / "one-candidate.yaml"
FIVE = ROOT / "scenarios" / "bench" / "five-candidates.yaml"
LATAM = ROOT / "scenarios" / "latam.yaml"
BASELINE = "580c568"  # the last commit before the flagship's speed work: its engine, on today's latam.yaml


@contextlib.contextmanager
def baseline_tree() -> Iterator[Path | None]:
    """BASELINE checked out in a temporary folder (None when git or the commit is not at hand)."""
    folder = Path(tempfile.mkdtemp(prefix="partnersim-baseline-"))
    try:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder / "tree"), BASELINE],
                       capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        shutil.rmtree(folder, ignore_errors=True)
        yield None
        return
    try:
        yield folder / "tree"
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder / "tree")],
                       capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def latam_rate(n: int, repeats: int, tree: Path | None = None) -> float:
    """Median replications per second of latam on one worker, by this engine or the one in ``tree``, each run
    in a fresh interpreter after one untimed replication (first-use imports)."""
    setup = (f"import sys; sys.path.insert(0, {str(tree)!r})\n" if tree else "") + \
        f"from partnersim.simulation import simulate\nsimulate({str(LATAM)!r}, replications=20)"
    speeds = [n / child(f"simulate({str(LATAM)!r}, replications={n}, jobs=1)", setup=setup)["seconds"]
              for _ in range(repeats)]
    return statistics.median(speeds)


def command(args: list[str], repeats: int) -> float:
    """Median wall seconds of ``partnersim ARGS`` as a user runs it (in a scratch folder, its folder then removed)."""
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as scratch:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "partnersim", *args, "-o", str(Path(scratch) / "out")],
                           capture_output=True, check=True, cwd=scratch)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def rate(work: Callable[[int], object], n: int, repeats: int) -> float:
    """Median replications per second of ``work(n)`` over ``repeats`` runs."""
    speeds = []
    for _ in range(repeats):
        start = time.perf_counter()
        work(n)
        speeds.append(n / (time.perf_counter() - start))
    return statistics.median(speeds)


def _wrapper(code: str, setup: str) -> str:
    return (
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


def child(code: str, setup: str = "from partnersim.simulation import simulate") -> dict[str, float]:
    """Time ``code`` in a fresh interpreter (after ``setup``, untimed), with its peak memory."""
    out = subprocess.run([sys.executable, "-c", _wrapper(code, setup)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def together(runs: list[tuple[str, str]]) -> list[float]:
    """Seconds of each ``(code, setup)`` run in its own fresh interpreter, all at the same time."""
    procs = [subprocess.Popen([sys.executable, "-c", _wrapper(code, setup)], stdout=subprocess.PIPE, text=True)
             for code, setup in runs]
    return [json.loads(p.communicate()[0].strip().splitlines()[-1])["seconds"] for p in procs]


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
    rows.append(("partnersim ÷ plain SimPy, 5 candidates", f"{ours_5 / plain_5:.1f}×", "≥ 50×",
                 ours_5 / plain_5 >= 50))
    rows.append(("NumPy limit ÷ partnersim, 1 candidate", f"{limit / ours_1:.1f}×", "≤ 3×", limit / ours_1 <= 3))

    # The flagship: latam on one worker, this engine and the one before its speed work, on the same file.
    latam_n = n(20_000)
    latam = latam_rate(latam_n, repeats)
    with baseline_tree() as tree:
        before = latam_rate(latam_n // 4, repeats, tree) if tree is not None else None
    print(f"scenarios/latam.yaml, replications per second, one worker: {latam:,.0f}"
          + (f"; the engine of {BASELINE}: {before:,.0f}" if before else f"; {BASELINE} not at hand (git)"))
    if before:
        rows.append((f"latam ÷ the engine of {BASELINE}", f"{latam / before:.1f}×", "≥ 10×", latam / before >= 10))
    rows.append(("latam ÷ plain SimPy, 5 candidates", f"{latam / plain_5:.1f}×", "≥ 40×", latam / plain_5 >= 40))

    # The whole commands analysts run, as they run them (imports, charts and files included), on two cores.
    run_s = command(["run", str(LATAM), "--jobs", "2"], repeats)
    rows.append(("partnersim run latam (10,000, charts), 2 cores", f"{run_s:.1f} s", "≤ 3 s", run_s <= 3))
    sens_s = command(["sensitivity", str(LATAM), "--jobs", "2", "-q"], max(1, repeats // 2))
    rows.append(("partnersim sensitivity latam, 2 cores", f"{sens_s:.1f} s", "≤ 10 s", sens_s <= 10))
    samples = 1024 if not args.quick else 128
    sobol_s = command(["sensitivity", str(LATAM), "--method", "sobol", "--samples", str(samples), "--jobs", "2",
                       "-q"], 1)
    goal = 120 * samples / 1024
    rows.append((f"sensitivity latam --method sobol, N = {samples:,}", f"{sobol_s:.0f} s", f"≤ {goal:.0f} s",
                 sobol_s <= goal))
    seek_s = command(["seek", str(LATAM), "allies.TUR.hold.probability", "--candidate", "BRA", "--jobs", "2", "-q"],
                     1)
    print(f"partnersim seek latam (Türkiye's hold for Brazil's even chance), 2 cores: {seek_s:.1f} s\n")

    # Scaling is timed in fresh processes after one untimed replication, which loads the
    # modules the engine imports on first use (SciPy's special functions alone take about
    # 0.15 s, once per process, whatever the number of workers). The same runs timed
    # cold, imports included, are printed beside it.
    big = n(100_000)
    warm = f"from partnersim.simulation import simulate\nsimulate({str(ONE)!r}, replications=1)"
    pairs: dict[str, list[float]] = {"warm": [], "cold": [], "ceiling": []}
    for _ in range(repeats + 2):
        # One worker and two timed back to back, so a busy spell of the machine slows both.
        code = f"simulate({str(ONE)!r}, replications={big}, jobs={{}})"
        one_s = child(code.format(1), setup=warm)["seconds"]
        pairs["warm"].append(one_s / child(code.format(2), setup=warm)["seconds"])
        pairs["cold"].append(child(code.format(1))["seconds"] / child(code.format(2))["seconds"])
        # The machine's own ceiling: two independent one-worker runs at the same time, each
        # doing the whole work; no program can split work better than that.
        both = together([(code.format(1), warm), (code.format(1), warm)])
        pairs["ceiling"].append(2 * one_s / max(both))
    ratio = {setup: statistics.median(values) for setup, values in pairs.items()}
    spread = sorted(pairs["warm"])
    print(f"1 → 2 workers at {big:,} replications: {ratio['warm']:.2f}× (median of {len(spread)} pairs, "
          f"{spread[0]:.2f}–{spread[-1]:.2f}×); cold, first-use imports included: {ratio['cold']:.2f}×; "
          f"the machine's ceiling (two independent runs at once): {ratio['ceiling']:.2f}×\n")
    share = ratio["warm"] / ratio["ceiling"]
    rows.append((f"1 → 2 workers at {big:,} ÷ the machine's ceiling", f"{share:.2f} ({ratio['warm']:.2f}× of "
                 f"{ratio['ceiling']:.2f}×)", "≥ 0.95", share >= 0.95))

    # Memory: the flagship at a million replications without rows, one worker (this process holds it all).
    million = n(1_000_000)
    latam_peak = child(f"simulate({str(LATAM)!r}, replications={million}, jobs=1)")
    print(f"latam at {million:,} replications, no rows: {latam_peak['seconds']:.0f} s, "
          f"peak memory {latam_peak['peak_mb']:.0f} MB")
    rows.append((f"latam peak memory at {million:,} replications", f"{latam_peak['peak_mb']:.0f} MB", "≤ 300 MB",
                 latam_peak["peak_mb"] <= 300))

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
