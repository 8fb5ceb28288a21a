"""Time the regeneration of the muscles of both sides per pose, as the app and exports use it.

Run: python benchmarks/muscle_pose.py [--poses 300]

Prints the gluteus medius alone (both sides), every muscle one by one (FanMuscle.surface) and
every muscle of a side at once (Neighbourhood.surfaces: SideBatch, the muscles' grids stacked,
the way exports pose them). Target (issue #14): every muscle of both sides <= 2 ms per pose.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from viewer.anatomy import POSE_RANGE, HipModel, Pose
from viewer.muscles import Neighbourhood


def timed(poses, work) -> np.ndarray:
    """Milliseconds ((len(poses),) float) that ``work(pose)`` takes for each pose."""
    work(poses[0])  # warm up
    out = []
    for pose in poses:
        start = time.perf_counter()
        work(pose)
        out.append(time.perf_counter() - start)
    return np.array(out) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--poses", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t0 = time.perf_counter()
    model = HipModel()
    t1 = time.perf_counter()
    hoods = {side: Neighbourhood(model, side) for side in ("right", "left")}
    t2 = time.perf_counter()
    every = [m for n in hoods.values() for m in n.muscles.values()]
    medius = [n.muscles["gluteus_medius"] for n in hoods.values()]
    rng = np.random.default_rng(args.seed)
    poses = [
        Pose(*(rng.uniform(*POSE_RANGE[k]) for k in ("abduction", "flexion", "rotation")))
        for _ in range(args.poses)
    ]
    rows = {
        "gluteus medius, both sides": timed(poses, lambda p: [m.surface(p) for m in medius]),
        "every muscle, one by one": timed(poses, lambda p: [m.surface(p) for m in every]),
        "every muscle, side at once": timed(poses, lambda p: [n.surfaces(p) for n in hoods.values()]),
    }
    s = medius[0].surface(Pose())
    per_side = sum(len(m.surface(Pose()).vertices) for m in hoods["right"].muscles.values())
    print(f"load bones + landmarks      : {1e3 * (t1 - t0):8.1f} ms")
    print(f"build every structure       : {1e3 * (t2 - t1):8.1f} ms (both sides, {len(every)} muscles)")
    print(
        f"gluteus medius resolution   : {medius[0].nu} x {medius[0].nv} samples, {len(s.vertices)} vertices"
    )
    print(f"every muscle, vertices/side : {per_side}")
    print(f"poses timed                 : {len(poses)} random poses in the supported range")
    for name, ms in rows.items():
        print(f"{name:<28}: median {np.median(ms):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms")


if __name__ == "__main__":
    main()
