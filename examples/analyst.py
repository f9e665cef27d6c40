"""partnersim from Python: a scenario, its numbers as a DataFrame, a chart, and a what-if.

Run it from the project folder (python examples/analyst.py), or paste it into
a notebook cell by cell. It takes a few seconds.
"""

from pathlib import Path

import partnersim

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE.parent / "scenarios"

# 1. A DataFrame in three lines.
scenario = partnersim.load_scenario(SCENARIOS / "latam.yaml", overrides=["replications=2000"])
results = partnersim.simulate(scenario, keep_rows=True)
table = results.to_frame()
print(table[["name", "p_cooperation", "p_cooperation_low", "p_cooperation_high", "p50_date"]])

# 2. The findings as a briefing would say them.
print(results.summary())

# 3. One row per candidate per replication, for your own analysis.
rows = results.to_frame("replication")
print(rows.groupby("candidate")["outcome"].value_counts(normalize=True).unstack().round(3))

# 4. A chart, as a matplotlib Figure, ready to save or show.
figure = results.plot.s_curve()
figure.savefig("s_curve.png", dpi=100)  # in the current folder

# 5. A what-if on the same random numbers, with a paired interval on each change.
change = partnersim.compare(SCENARIOS / "latam.yaml", SCENARIOS / "latam-turkey-hold.yaml", replications=2000)
for candidate in change.variants[0].candidates:
    c = candidate.success
    print(f"{candidate.name}: {c.diff * 100:+.1f} points (95% interval {c.low * 100:+.1f} to {c.high * 100:+.1f})")
