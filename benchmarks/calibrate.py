"""Time `churnsim calibrate`: three free parameters fitted to a yearly cohort table with the vector engine.

The table is Fader and Hardie's (2007) "regular" customers, years 0-12; years 8-12 are held
out and projected, by churnsim and by the sBG. Prints the time, the fit and the holdout errors.

    python benchmarks/calibrate.py                     # 5,000 customers, 4 seeds per candidate
    python benchmarks/calibrate.py --customers 2000    # a quicker look
"""

from __future__ import annotations

import argparse
import shlex
import time

from results import recorded

import churnsim
from churnsim.calibration.api import describe
from churnsim.engines import available_cores

SCENARIO = "mobile"
TARGETS = "fader_hardie_regular"
FREE = ("phase_out.base_attention=0.001:0.2", "ladder.promote_chosen=0.005:1", "ladder.promote_rechosen=0.005:1")
HOLDOUT = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--workers", type=int, default=available_cores())
    parser.add_argument("--out", default="runs/calibrate-benchmark")
    args = parser.parse_args()
    command = ["churnsim", "calibrate", SCENARIO, "--targets", TARGETS, *[x for f in FREE for x in ("--free", f)],
               "--holdout", str(HOLDOUT), "--customers", str(args.customers), "--replications",
               str(args.replications), "--workers", str(args.workers), "--out", args.out]
    print("the same as:", shlex.join(command))
    start = time.perf_counter()
    result = churnsim.calibrate(SCENARIO, TARGETS, FREE, holdout=HOLDOUT, customers=args.customers,
                                replications=args.replications, workers=args.workers, command=shlex.join(command))
    seconds = time.perf_counter() - start
    result.write(args.out)
    print(describe(result))
    summary = result.summary
    print(f"\n{len(FREE)} free parameters, {summary['candidates']} candidates x {summary['replications']} runs of "
          f"{args.customers:,} customers over {summary['months_simulated']} months, on {args.workers} worker "
          f"process{'es' if args.workers > 1 else ''}: {seconds:.1f} s")


if __name__ == "__main__":
    with recorded():
        main()
