#!/usr/bin/env python3
"""Turns `sila eval --json` and `plain_pipeline.py` outputs into rows of the benchmark table (OUT/table/relevance.json).

Usage: table_rows.py SILA.json PLAIN.json OUT_DIR
Targets from the relevance issue: story MRR@10 >= 0.975, story R@3 and cross-source R@10 above the plain
pipeline's, cat P@10 >= 0.73, duplicate rate <= 1%.
"""
import json
import os
import sys

sila = json.load(open(sys.argv[1]))
plain = json.load(open(sys.argv[2]))
rows = []


def row(name, key, target, met, digits=3):
    rows.append({
        "benchmark": f"dev: relevance {name} (vs plain Python pipeline)",
        "sila": f"{sila[key]:.{digits}f}", "anchor": f"{plain[key]:.{digits}f}",
        "ratio": f"{sila[key] - plain[key]:+.{digits}f}", "target": target, "met": "—" if met is None else ("yes" if met else "NO"),
    })


row("cat P@10", "cat_p10", "≥ 0.73", sila["cat_p10"] >= 0.73)
row("story R@10", "story_r10", "—", None)
row("story R@3", "story_r3", "> plain", sila["story_r3"] > plain["story_r3"])
row("story MRR@10", "story_mrr10", "≥ 0.975", sila["story_mrr10"] >= 0.975)
row("cross-source R@10", "cross_source_r10", "> plain", sila["cross_source_r10"] > plain["cross_source_r10"])
row("duplicate rate", "duplicate_rate", "≤ 0.01", sila["duplicate_rate"] <= 0.01, digits=4)
os.makedirs(os.path.join(sys.argv[3], "table"), exist_ok=True)
with open(os.path.join(sys.argv[3], "table", "relevance.json"), "w") as f:
    json.dump(rows, f, ensure_ascii=False, indent=1)
