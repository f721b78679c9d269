#!/usr/bin/env python3
"""Repeatability of the per-pupil PTB/ITT savings over seeds (issue 14 measure).

Usage: scripts/savings_repeat.py OUT_DIR SEED [SEED ...]
Reads OUT_DIR/seed-K/savings.json written by
  schoolrun savings data/demo --seeds 1 --seed K --out OUT_DIR/seed-K
and prints the share of pupils whose estimates agree within max(2%, £100) a year across
all the seeds given, the median and largest spread per pupil, and the 3-year figure.

Usage: scripts/savings_repeat.py OUT_DIR
Reads OUT_DIR/savings.json of one `schoolrun savings --seeds K` run, whose seeds all
estimate the savings of the same (cheapest) plan, and prints the same share from each
pupil's range over those K seeds, with the 3-year figure's spread.
"""
import json, statistics, sys

out, seeds = sys.argv[1], sys.argv[2:]
if not seeds:
    run = json.load(open(f"{out}/savings.json"))
    agree, spreads = 0, []
    for p in run["pupils"]:
        r = p["estimate_over_seeds_per_year"]
        spread = r["max"] - r["min"]
        spreads.append(spread)
        mid = (r["max"] + r["min"]) / 2
        if spread <= max(0.02 * abs(mid), 100.0):
            agree += 1
    n = len(run["pupils"])
    h = run["headlines"]
    print(f"seeds: {h['seeds']}; pupils: {n}")
    print(f"agree within max(2%, £100) over the seeds: {agree} ({100 * agree / max(1, n):.0f}%)")
    print(f"spread per pupil: median £{statistics.median(spreads):,.0f}, largest £{max(spreads):,.0f}")
    for k in ["plan_search", "plan_reference", "ptb_itt_projection"]:
        s = {x: h[k][x] / 100 for x in ["median", "min", "max"]}  # pence
        print(f"{k}: median £{s['median']:,.0f}, £{s['min']:,.0f} – £{s['max']:,.0f}"
              f" ({100 * (s['max'] - s['min']) / s['median']:.1f}%)")
    sys.exit(0)
runs = [json.load(open(f"{out}/seed-{s}/savings.json")) for s in seeds]
by = [{p["pupil"]: p["estimate_per_year"] for p in r["pupils"]} for r in runs]
pupils = sorted(set.intersection(*(set(b) for b in by)))
agree, spreads = 0, []
for p in pupils:
    v = [b[p] for b in by]
    spread = max(v) - min(v)
    spreads.append(spread)
    if spread <= max(0.02 * abs(statistics.median(v)), 100.0):
        agree += 1
print(f"pupils in every run: {len(pupils)}")
print(f"agree within max(2%, £100): {agree} ({100 * agree / max(1, len(pupils)):.0f}%)")
print(f"spread per pupil: median £{statistics.median(spreads):,.0f}, largest £{max(spreads):,.0f}")
tot = [r["projection"]["total"] / 100 if isinstance(r["projection"]["total"], int) else r["projection"]["total"] for r in runs]
print("3-year PTB/ITT:", ", ".join(f"£{t:,.0f}" for t in tot))
base = [r["base_per_year"] for r in runs]
print("base plan a year:", ", ".join(f"£{b:,.0f}" for b in base))
inside = [r["checks_against_thorough_resolves"] for r in runs]
print("exact pupils:", [r["exact"] for r in runs], "anomalies:", [len(r["anomalies"]) for r in runs])
