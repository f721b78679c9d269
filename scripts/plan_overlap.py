#!/usr/bin/env python3
"""How alike are plans of the same scenario? (issue 12 measure: seed spread.)

Usage: scripts/plan_overlap.py PLAN_DIR [PLAN_DIR ...]
Reads PLAN_DIR/plan.json written by `schoolrun plan … --out PLAN_DIR` (money in pence)
and prints, for every pair of plans, the share of pupil pairs riding together in either
plan that ride together in both (the Jaccard index of their co-riding pairs; 100% = the same vehicle
groups, whatever the order of stops), with each plan's yearly cost, vehicles, km and
minutes driven a day. Then the mean overlap among the cheaper half of the plans and
between the cheaper and the dearer half: a search landscape with one deep valley shows
cheap plans alike, one with many separate near-equal optima shows them apart.
"""
import itertools, json, statistics, sys

plans = []
for d in sys.argv[1:]:
    p = json.load(open(f"{d}/plan.json"))
    pairs = set()
    for r in p["routes"]:
        pairs.update(itertools.combinations(sorted(r["pupils"]), 2))
    km = sum(r[h]["metres"] for r in p["routes"] for h in ("am", "pm")) / 1000
    mins = sum(r[h]["seconds"] for r in p["routes"] for h in ("am", "pm")) / 60
    plans.append((p["cost_per_year"] / 100, d, len(p["routes"]), km, mins, pairs))
plans.sort(key=lambda x: x[0])


def overlap(a, b):
    return len(a & b) / max(1, len(a | b)) * 100


print(f"{'plan':<28} {'£ a year':>12} {'veh':>4} {'km/day':>7} {'min/day':>7}  overlap with each (cheapest first)")
for cost, d, veh, km, mins, pairs in plans:
    row = " ".join(f"{overlap(pairs, q[5]):4.0f}" for q in plans)
    print(f"{d[-28:]:<28} {cost:>12,.0f} {veh:>4} {km:>7.0f} {mins:>7.0f}  {row}")
half = len(plans) // 2
cheap, dear = plans[:half], plans[half:]
within = [overlap(a[5], b[5]) for a, b in itertools.combinations(cheap, 2)]
across = [overlap(a[5], b[5]) for a in cheap for b in dear]
if within and across:
    print(f"mean overlap: cheaper half {statistics.mean(within):.0f}%, cheaper vs dearer {statistics.mean(across):.0f}%")
