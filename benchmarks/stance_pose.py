"""Time one stance pose in Python: the equilibrium plus the stance muscle regenerated for it.

The issue's target is at most 5 ms per stance pose. The swing leg's muscle keeps one pose (the
test position), so it is built once, like the bones.

Run: python benchmarks/stance_pose.py [--poses 400] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from viewer.mechanics.stance import RANGES, StanceInput, StanceModel
from viewer.posed import Hip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--poses", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t0 = time.perf_counter()
    hip = Hip()
    model = StanceModel(hip)
    for side in ("right", "left"):
        model.table(side)
        model.body(side)
    t1 = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    inputs = [
        StanceInput(
            side=str(rng.choice(["right", "left"])),
            strength_pct=float(rng.uniform(*RANGES["strength_pct"])),
            lean_deg=float(rng.uniform(*RANGES["lean_deg"])),
            body_mass_kg=float(rng.uniform(*RANGES["body_mass_kg"])),
            cane_pct=float(rng.choice([0.0, rng.uniform(*RANGES["cane_pct"])])),
            cane_hand=str(rng.choice(["opposite", "same"])),
        )
        for _ in range(args.poses)
    ]
    weakening = [StanceInput(strength_pct=float(p)) for p in np.linspace(100, 10, 91)]
    model.solve(inputs[0])  # warm up
    rows = {}
    for name, batch in (("random inputs", inputs), ("weakening 100->10 %", weakening)):
        solve, pose = [], []
        for inp in batch:
            start = time.perf_counter()
            r = model.solve(inp)
            mid = time.perf_counter()
            hip.muscles[inp.side].surface(r.stance_pose)
            end = time.perf_counter()
            solve.append(mid - start)
            pose.append(end - start)
        rows[name] = (np.array(solve) * 1e3, np.array(pose) * 1e3)
    print(f"model build (bones, muscles, abductor tables of both sides): {t1 - t0:.2f} s")
    head = f"{'inputs':<22}{'n':>5}{'equilibrium median':>20}{'p95':>8}{'stance pose median':>20}{'p95':>8}"
    print(head + "  (ms)")
    for name, (solve, pose) in rows.items():
        print(
            f"{name:<22}{len(solve):>5}{np.median(solve):>20.2f}{np.percentile(solve, 95):>8.2f}"
            f"{np.median(pose):>20.2f}{np.percentile(pose, 95):>8.2f}"
        )
    print("target: stance pose (equilibrium + muscle) <= 5 ms")


if __name__ == "__main__":
    main()
