#!/usr/bin/env python3
"""lastmetre beside PyVRP on CVRP instances: the same instances, the same seconds, one
thread each, each pinned to its own core, both scored with nearest-integer distances.

    python3 benches/peers/compare.py DIR_OR_FILES... [--seconds 10] [--seed 1] [--only PREFIX]
    python3 benches/peers/compare.py generate --out DIR [--count 10] [--min 500] [--max 1000] [--seed 1]

The first run creates a virtual environment (target/peers-venv) and installs PyVRP into it.
See benches/peers/README.md.
"""

import argparse
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYVRP = "pyvrp==0.14.1"
VENV = ROOT / "target" / "peers-venv"


def venv_python() -> Path:
    """The virtual environment's Python, made and given PyVRP on first use."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} and installing {PYVRP} (once)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PYVRP], check=True)
    return python


def pyvrp_worker(path: str, seconds: float, seed: int) -> None:
    """Runs inside the virtual environment: solves one instance, prints JSON."""
    from pyvrp import read, solve
    from pyvrp.stop import MaxRuntime

    data = read(path, round_func="round")
    started = time.perf_counter()
    result = solve(data, stop=MaxRuntime(seconds), seed=seed, collect_stats=False)
    took = time.perf_counter() - started
    feasible = result.is_feasible()
    cost = result.cost() if feasible else None
    print(json.dumps({"cost": cost, "feasible": feasible, "seconds": took}))


def best_known(path: Path, table: dict) -> float | None:
    """The best-known value: bks.csv beside the instance, else its .sol file's `Cost`."""
    if path.stem in table:
        return table[path.stem]
    sol = path.with_suffix(".sol")
    if sol.exists():
        for line in sol.read_text().splitlines():
            if line.lower().startswith("cost"):
                return float(line.split()[-1])
    return None


def read_bks(folder: Path) -> dict:
    found = {}
    bks = folder / "bks.csv"
    if bks.exists():
        with bks.open() as f:
            for row in csv.reader(f):
                try:
                    found[row[0]] = float(row[1])
                except (IndexError, ValueError):
                    pass
    return found


def customers(path: Path) -> int:
    for line in path.read_text().splitlines():
        if line.upper().startswith("DIMENSION"):
            return int(line.split(":")[-1]) - 1
    return 0


def run_pair(path: Path, args, lastmetre: Path, python: Path) -> dict:
    """Both solvers on one instance at once, each on its core."""
    core_a, core_b = args.cores.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        # A folder of one file: `bench --only` matches prefixes.
        (Path(tmp) / path.name).symlink_to(path.resolve())
        table = Path(tmp) / "lastmetre.csv"
        ours = subprocess.Popen(
            ["taskset", "-c", core_a, str(lastmetre), "bench", "cvrp", tmp, "--seconds", str(args.seconds),
             "--threads", "1", "--seed", str(args.seed), "--csv", str(table)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peer = subprocess.Popen(
            ["taskset", "-c", core_b, str(python), __file__, "pyvrp-worker", str(path), str(args.seconds),
             str(args.seed)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peer_out, peer_err = peer.communicate()
        _, our_err = ours.communicate()
        row = {"lastmetre": None, "pyvrp": None}
        if table.exists():
            with table.open() as f:
                for r in csv.DictReader(f):
                    if r.get("feasible") == "true" and r.get("cost"):
                        row["lastmetre"] = float(r["cost"])
        else:
            print(f"{path.name}: lastmetre failed: {our_err.strip()}", file=sys.stderr)
        try:
            answer = json.loads(peer_out.strip().splitlines()[-1])
            row["pyvrp"] = answer["cost"]
        except (IndexError, ValueError, KeyError):
            print(f"{path.name}: PyVRP failed: {peer_err.strip()[-400:]}", file=sys.stderr)
        return row


def gap(cost, best):
    return None if cost is None or not best else 100.0 * (cost - best) / best


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


def compare(args) -> int:
    lastmetre = Path(args.lastmetre)
    if not lastmetre.exists():
        print(f"{lastmetre}: build it first (cargo build --release)", file=sys.stderr)
        return 2
    python = venv_python()
    files = []
    for item in args.instances:
        p = Path(item)
        files += sorted(p.glob("*.vrp")) if p.is_dir() else [p]
    files = [f for f in files if not args.only or f.stem.startswith(args.only)]
    if not files:
        print("no .vrp instances", file=sys.stderr)
        return 2
    rows = []
    print(f"{len(files)} instance(s), {args.seconds} s each, seed {args.seed}, one thread each, cores {args.cores}")
    print("| instance | customers | BKS | lastmetre | gap % | PyVRP | gap % | lastmetre vs PyVRP % |")
    print("|---|---|---|---|---|---|---|---|")
    for path in files:
        best = best_known(path, read_bks(path.parent))
        r = run_pair(path, args, lastmetre, python)
        versus = None if r["lastmetre"] is None or r["pyvrp"] is None else 100.0 * (r["lastmetre"] - r["pyvrp"]) / r["pyvrp"]
        row = {"instance": path.stem, "customers": customers(path), "bks": best, **r,
               "lastmetre_gap": gap(r["lastmetre"], best), "pyvrp_gap": gap(r["pyvrp"], best), "versus": versus}
        rows.append(row)
        print(f"| {row['instance']} | {row['customers']} | {fmt(best, 0)} | {fmt(r['lastmetre'], 0)} | "
              f"{fmt(row['lastmetre_gap'])} | {fmt(r['pyvrp'], 0)} | {fmt(row['pyvrp_gap'])} | {fmt(versus)} |",
              flush=True)
    both = [r for r in rows if r["versus"] is not None]
    if both:
        mean = lambda key: sum(r[key] for r in both) / len(both)
        with_bks = [r for r in both if r["lastmetre_gap"] is not None]
        if with_bks:
            ours = sum(r["lastmetre_gap"] for r in with_bks) / len(with_bks)
            theirs = sum(r["pyvrp_gap"] for r in with_bks) / len(with_bks)
            print(f"mean gap to the BKS over {len(with_bks)}: lastmetre {ours:.2f} %, PyVRP {theirs:.2f} %")
        better = sum(1 for r in both if r["versus"] < -1e-9)
        print(f"lastmetre against PyVRP over {len(both)}: mean {mean('versus'):+.2f} %, better on {better}")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
    return 0 if len(both) == len(rows) else 1


def generate(args) -> int:
    """X-like instances after the recipe of Uchoa et al. (2017), "New benchmark instances for
    the capacitated vehicle routing problem": a 1000 x 1000 grid; the depot central,
    eccentric (a corner) or random; customers random, clustered or half and half; demands
    unitary, small or large with small or large spread, by quadrant, or many small and few
    large; a mean route size r from 3 to 25 sets the capacity. Our own code, from the
    paper's description."""
    rng = random.Random(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for k in range(args.count):
        n = rng.randint(args.min, args.max)
        depot_kind = rng.choice(["central", "eccentric", "random"])
        depot = {"central": (500, 500), "eccentric": (0, 0)}.get(depot_kind) or (rng.randint(0, 1000), rng.randint(0, 1000))
        layout = rng.choice(["random", "clustered", "random-clustered"])
        points = []
        clustered = {"random": 0, "clustered": n, "random-clustered": n // 2}[layout]
        seeds = [(rng.randint(0, 1000), rng.randint(0, 1000)) for _ in range(rng.randint(3, 8))]
        while len(points) < clustered:
            # Accept a point near a seed with probability falling exponentially with distance.
            x, y = rng.randint(0, 1000), rng.randint(0, 1000)
            weight = sum(math.exp(-math.dist((x, y), s) / 40.0) for s in seeds)
            if rng.random() < weight:
                points.append((x, y))
        while len(points) < n:
            points.append((rng.randint(0, 1000), rng.randint(0, 1000)))
        demand_kind = rng.choice(["unitary", "1-10", "5-10", "1-100", "50-100", "quadrant", "many-small"])

        def demand(p):
            if demand_kind == "unitary":
                return 1
            if demand_kind == "quadrant":
                odd = (p[0] >= 500) != (p[1] >= 500)
                return rng.randint(51, 100) if odd else rng.randint(1, 50)
            if demand_kind == "many-small":
                return rng.randint(50, 100) if rng.random() < 0.2 else rng.randint(1, 10)
            lo, hi = map(int, demand_kind.split("-"))
            return rng.randint(lo, hi)

        demands = [demand(p) for p in points]
        r = rng.uniform(3, 25)
        capacity = max(max(demands), math.ceil(r * sum(demands) / n))
        name = f"G-n{n + 1}-s{args.seed}-{k + 1:02d}"
        lines = [f"NAME : {name}", f"COMMENT : X-like, depot {depot_kind}, {layout}, demand {demand_kind}, r {r:.1f}",
                 "TYPE : CVRP", f"DIMENSION : {n + 1}", "EDGE_WEIGHT_TYPE : EUC_2D", f"CAPACITY : {capacity}",
                 "NODE_COORD_SECTION", f"1 {depot[0]} {depot[1]}"]
        lines += [f"{i + 2} {x} {y}" for i, (x, y) in enumerate(points)]
        lines += ["DEMAND_SECTION", "1 0"] + [f"{i + 2} {d}" for i, d in enumerate(demands)]
        lines += ["DEPOT_SECTION", "1", "-1", "EOF"]
        (out / f"{name}.vrp").write_text("\n".join(lines) + "\n")
        print(f"{out / name}.vrp: {n} customers, depot {depot_kind}, {layout}, demand {demand_kind}, capacity {capacity}")
    return 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "pyvrp-worker":
        pyvrp_worker(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "generate":
        p = argparse.ArgumentParser(prog="compare.py generate")
        p.add_argument("--out", required=True)
        p.add_argument("--count", type=int, default=10)
        p.add_argument("--min", type=int, default=500)
        p.add_argument("--max", type=int, default=1000)
        p.add_argument("--seed", type=int, default=1)
        return generate(p.parse_args(sys.argv[2:]))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("instances", nargs="+", help="folders of .vrp files, or files")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", help="instance name prefix")
    p.add_argument("--cores", default="0,1", help="lastmetre's core, PyVRP's core")
    p.add_argument("--lastmetre", default=str(ROOT / "target" / "release" / "lastmetre"))
    p.add_argument("--csv", help="write the rows here")
    return compare(p.parse_args())


if __name__ == "__main__":
    sys.exit(main())
