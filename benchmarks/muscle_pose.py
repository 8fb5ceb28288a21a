"""Time the regeneration of every muscle of both sides per pose, as the app and exports use it.

Run: python benchmarks/muscle_pose.py [--poses 300]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from viewer.anatomy import POSE_RANGE, HipModel, Pose
from viewer.muscles import Neighbourhood


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--poses", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t0 = time.perf_counter()
    model = HipModel()
    t1 = time.perf_counter()
    hoods = {side: Neighbourhood(model, side) for side in ("right", "left")}
    every = [m for n in hoods.values() for m in n.muscles.values()]
    muscles = {side: n.muscles["gluteus_medius"] for side, n in hoods.items()}
    t2 = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    poses = [
        Pose(*(rng.uniform(*POSE_RANGE[k]) for k in ("abduction", "flexion", "rotation")))
        for _ in range(args.poses)
    ]
    for m in every:  # warm up
        m.surface(poses[0])
    per_pose, medius = [], []
    for pose in poses:
        start = time.perf_counter()
        for m in muscles.values():
            m.surface(pose)
        middle = time.perf_counter()
        for m in every:
            if m.id != "gluteus_medius":
                m.surface(pose)
        per_pose.append(time.perf_counter() - start)
        medius.append(middle - start)
    ms, ms_medius = np.array(per_pose) * 1e3, np.array(medius) * 1e3
    s = muscles["right"].surface(Pose())
    print(f"load bones + landmarks      : {1e3 * (t1 - t0):8.1f} ms")
    print(f"precompute every structure  : {1e3 * (t2 - t1):8.1f} ms (both sides, {len(every)} muscles)")
    print(
        f"muscle resolution (per side): {muscles['right'].nu} fibres x {muscles['right'].nv} samples, "
        f"{len(s.vertices)} vertices, {len(s.faces)} triangles"
    )
    print(f"poses timed                 : {len(poses)} random poses in the supported range")
    med, p95 = np.median(ms_medius), np.percentile(ms_medius, 95)
    print(f"gluteus medius, both sides  : median {med:.2f} ms, p95 {p95:.2f} ms")
    print(f"every muscle, both sides    : median {np.median(ms):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms")


if __name__ == "__main__":
    main()
