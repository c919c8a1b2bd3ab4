#!/usr/bin/env python3
"""Turns the files tests/bench/run.sh leaves in OUT (hyperfine JSON, machine.tsv) into markdown.

    report.py OUT > OUT/report.md
"""

import json
import math
import sys
from pathlib import Path

# A time that grows as lines^k: k is about 1 when linear and about 2 for a quadratic step.
# Above this, between the two largest sizes measured, the growth is called superlinear.
LINEAR_MAX_EXPONENT = 1.25

SWEEP = [
    ("show", "pmrc show"),
    ("convert-diff", "pmrc convert --from npm --to yarn,bun,pnpm (diff)"),
    ("convert-write", "pmrc convert --from npm --to yarn,bun,pnpm --write"),
]
NATIVE_PREFIXES = ("npm ", "yarn ", "pnpm ")

# Issue 20's goals. `pmrc show` against pnpm 12's native `config list`, in one run:
SHOW_VS_PNPM12 = {"small": 10, "large": 5}
# `convert` to any one target: seconds at a size (5 µs a line elsewhere).
CONVERT_SECONDS = {5000: 0.025, 50000: 0.300}
CONVERT_US_PER_LINE = 5
# Peak memory at most 3× the config read plus 10 MB.
MEMORY_FACTOR, MEMORY_EXTRA = 3, 10 * 1024 * 1024
GOAL_CMDS = [
    ("to-yarn", "convert --from npm --to yarn"),
    ("to-pnpm12", "convert --from npm --to pnpm@12"),
    ("to-bun", "convert --from npm --to bun"),
    ("to-npm", "convert --from yarn --to npm"),
    ("show", "show"),
]


def ms(seconds):
    value = seconds * 1000
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def ratio(x):
    if x >= 10:
        return f"{x:.1f}×"
    if x >= 1:
        return f"{x:.2f}×"
    return f"{x:.2g}×"


def results(path):
    return json.loads(path.read_text())["results"]


def machine_table(info):
    rows = [
        ("CPU", f"{info['cpu']} ({info['nproc']} CPUs visible)"),
        ("memory", info["memory"]),
        ("kernel", info["kernel"]),
        ("rustc", info["rustc"]),
        ("pmrc", info["pmrc"]),
        ("hyperfine", info["hyperfine"]),
        ("date", info["date"]),
        ("load before", info["load before"].strip()),
        ("load after", info["load after"].strip()),
        ("whole run", info["duration"]),
    ]
    out = ["| machine | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in rows]
    return out


def spread(r):
    """`mean ± σ`, beside the median the report goes by."""
    return f"{ms(r['mean'])} ± {ms(r['stddev'] or 0)}"


def side_table(rows):
    by_name = {r["command"]: r for r in rows}
    show = by_name["pmrc show"]["median"]
    convert = by_name["pmrc convert (diff)"]["median"]
    out = [
        "| command | median (ms) | mean ± σ (ms) | min (ms) | runs | native ÷ `pmrc show` "
        "| native ÷ `pmrc convert` |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        native = r["command"].startswith(NATIVE_PREFIXES)
        cells = [
            f"`{r['command']}`",
            ms(r["median"]),
            spread(r),
            ms(r["min"]),
            str(len(r["times"])),
            ratio(r["median"] / show) if native else "",
            ratio(r["median"] / convert) if native else "",
        ]
        out.append("| " + " | ".join(cells) + " |")
    return out


def sweep_section(out_dir, key, title, sizes, info):
    limit = float(info["max seconds"])
    measured, skipped = [], []
    for n in sizes:
        json_path = out_dir / f"sweep-{key}-{n}.json"
        skip_path = out_dir / f"sweep-{key}-{n}.skipped"
        if json_path.exists():
            r = results(json_path)[0]
            measured.append((n, r["median"], r, len(r["times"])))
        elif skip_path.exists():
            over = int(skip_path.read_text())
            why = (
                f"over {limit:g} s in one run"
                if over == n
                else f"not run ({over:,} lines took over {limit:g} s)"
            )
            skipped.append((n, why))

    lines = [
        f"**{title}**",
        "",
        "| .npmrc lines | .yarnrc.yml lines | median (ms) | mean ± σ (ms) | µs per .npmrc line "
        "| runs |",
        "|--:|--:|--:|--:|--:|--:|",
    ]
    for n, median, r, runs in measured:
        lines.append(
            f"| {n:,} | {int(info[f'yarnrc {n}']):,} | {ms(median)} | {spread(r)} "
            f"| {median / n * 1e6:,.1f} | {runs} |"
        )
    for n, why in skipped:
        lines.append(f"| {n:,} | {int(info[f'yarnrc {n}']):,} | {why} | | | |")

    linear, verdict = judge(measured, skipped, limit)
    lines += ["", verdict, ""]
    return lines, linear


def judge(measured, skipped, limit):
    """One sentence from the numbers, and whether they look linear.

    A size that hit the time limit counts against linearity only when linear growth would
    have kept it under half the limit.
    """
    if len(measured) < 2:
        return False, "Not enough sizes measured to judge the growth."
    (n0, t0, *_), (n1, t1, *_), (n2, t2, *_) = measured[0], measured[-2], measured[-1]
    per_line = (t2 / n2) / (t0 / n0)
    exponent = math.log(t2 / t1) / math.log(n2 / n1)
    facts = (
        f"per-line cost {per_line:.2f}× from {n0:,} to {n2:,} lines; "
        f"time grows as lines^{exponent:.2f} from {n1:,} to {n2:,} lines"
    )
    linear = exponent <= LINEAR_MAX_EXPONENT
    if skipped:
        n_skip = skipped[0][0]
        predicted = t2 * n_skip / n2
        facts += (
            f"; {n_skip:,} lines took over {limit:g} s, where linear growth from "
            f"{n2:,} lines predicts {predicted:.1f} s"
        )
        linear = linear and predicted >= limit / 2
    word = "linear" if linear else "SUPERLINEAR"
    return linear, f"Verdict: {word} ({facts})."


def met(ok):
    return "yes" if ok else "**no**"


def goals_section(out_dir, info):
    """The issue's goals, each with the measured value and whether it is met."""
    lines = [
        "### Goals (issue 20)",
        "",
        "| goal | measured | met |",
        "|---|--:|:-:|",
    ]
    all_met = True
    for label, factor in SHOW_VS_PNPM12.items():
        by_name = {r["command"]: r for r in results(out_dir / f"side-{label}.json")}
        show, pnpm = by_name["pmrc show"]["median"], by_name["pnpm 12 config list"]["median"]
        ok = pnpm / show >= factor
        all_met &= ok
        lines.append(
            f"| `pmrc show` at least {factor}× faster than pnpm 12's `config list`, "
            f"{label} project ({int(info[f'npmrc {label}']):,} lines of .npmrc) "
            f"| {ratio(pnpm / show)} ({ms(show)} ms against {ms(pnpm)} ms) | {met(ok)} |"
        )
    tables = []
    for n in [int(s) for s in info.get("goal sizes", "").split()]:
        limit = CONVERT_SECONDS.get(n, CONVERT_US_PER_LINE * n / 1e6)
        budget = MEMORY_FACTOR * int(info[f"config bytes {n}"]) + MEMORY_EXTRA
        tables += [
            f"**Each target alone, {n:,} lines of .npmrc ({int(info[f'yarnrc {n}']):,} of "
            f".yarnrc.yml, {int(info[f'config bytes {n}']) / 1e6:.2f} MB read)**",
            "",
            "| `pmrc …` | median (ms) | mean ± σ (ms) | µs per .npmrc line | time goal "
            "| peak memory (MB) | memory goal (MB) |",
            "|---|--:|--:|--:|--:|--:|--:|",
        ]
        worst, memory_ok, measured = 0.0, True, True
        for key, command in GOAL_CMDS:
            json_path = out_dir / f"goal-{key}-{n}.json"
            convert = key != "show"
            if not json_path.exists():
                tables.append(f"| `{command}` | over {info['max seconds']} s | | | | | |")
                measured = measured and not convert
                continue
            r = results(json_path)[0]
            rss_path = out_dir / f"goal-{key}-{n}.maxrss"
            rss = int(rss_path.read_text().split()[-1]) * 1024 if rss_path.exists() else None
            if convert:
                worst = max(worst, r["median"])
            if rss is not None:
                memory_ok &= rss <= budget
            tables.append(
                f"| `{command}` | {ms(r['median'])} | {spread(r)} "
                f"| {r['median'] / n * 1e6:,.1f} "
                f"| {'≤ ' + ms(limit) + ' ms' if convert else ''} "
                f"| {f'{rss / 1e6:.1f}' if rss is not None else 'not measured'} "
                f"| ≤ {budget / 1e6:.1f} |"
            )
        tables.append("")
        ok = measured and worst <= limit
        all_met &= ok and memory_ok
        lines.append(
            f"| `convert` of {n:,} lines to any one target in at most {ms(limit)} ms "
            f"({limit / n * 1e6:g} µs a line) | slowest {ms(worst)} ms "
            f"({worst / n * 1e6:,.1f} µs a line, {worst / limit:.1f}× the goal) | {met(ok)} |"
        )
        lines.append(
            f"| peak memory at most {MEMORY_FACTOR}× the config read plus 10 MB, {n:,} lines "
            f"| see below | {met(memory_ok) if info.get('peak memory') != 'unavailable' else 'not measured'} |"
        )
    lines += ["", *tables]
    lines.append(
        "**Goals: all met.**" if all_met else "**Goals: not all met** (the rows marked no)."
    )
    lines.append("")
    return lines


def main(out_dir):
    out_dir = Path(out_dir)
    info = {}
    for row in (out_dir / "machine.tsv").read_text().splitlines():
        k, _, v = row.partition("\t")
        info[k] = v
    sizes = [int(s) for s in info["sizes"].split()]

    doc = [
        "## Benchmark",
        "",
        "`bash tests/bench/run.sh` (hyperfine; commands run without a shell, with an empty HOME; "
        + (
            "strace showed no command opening a network connection"
            if info["strace"] == "strace"
            else "network use not checked (no strace)"
        )
        + "; see tests/bench/README.md).",
        "",
        *machine_table(info),
        "",
        "### pmrc against the managers' own config queries",
        "",
        "Times are medians, as issue 20 measured them, and the ratios and goals go by them: "
        "runs on this machine have long tails (pnpm 12's σ can exceed its median), which a "
        "mean takes in whole; mean ± σ and the fastest run are beside them. "
        "Ratios above 1 mean the native command is slower than pmrc. npm 11.21.2, Yarn 4.18.1 "
        "and pnpm 11.28.11 run on Node 22.23.3; pnpm 12.21.0 is its native build. "
        "`pmrc convert` translates the project's .npmrc to Yarn, Bun and pnpm at once; "
        "`--write` runs on a fresh copy each time (restored outside the timing).",
        "",
    ]
    def files(label):
        npmrc, yarnrc = int(info[f"npmrc {label}"]), int(info[f"yarnrc {label}"])
        return f"{npmrc:,} lines of .npmrc, {yarnrc:,} of .yarnrc.yml"

    for label, what in [
        ("small", f"Small project ({files('small')}, shallow)"),
        (
            "large",
            f"Large project ({files('large')}, {info['depth']} folders deep; "
            "one scope in ten is stale in .yarnrc.yml)",
        ),
    ]:
        doc += [f"**{what}**", "", *side_table(results(out_dir / f"side-{label}.json")), ""]

    if "goal sizes" in info:
        doc += goals_section(out_dir, info)

    doc += [
        "### Growth with config size (pmrc alone)",
        "",
        f"Each size is a .npmrc of that many lines and its Yarn twin, {info['depth']} folders "
        f"deep. A size whose single run takes more than {info['max seconds']} s is not "
        "timed, nor are larger ones. The exponent compares the two largest sizes timed: "
        f"about 1 is linear, about 2 is quadratic; above {LINEAR_MAX_EXPONENT} counts as "
        "superlinear.",
        "",
    ]
    verdicts = []
    for key, title in SWEEP:
        lines, linear = sweep_section(out_dir, key, title, sizes, info)
        doc += lines
        verdicts.append((title, linear))
    bad = [t for t, ok in verdicts if not ok]
    if bad:
        doc.append("**Overall: NOT linear** in " + "; ".join(f"`{t}`" for t in bad) + ".")
    else:
        doc.append("**Overall: linear** in every command measured.")
    print("\n".join(doc))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
