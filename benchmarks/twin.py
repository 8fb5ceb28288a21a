"""Time the muscle's JS twin (viewer/app/js/muscleModel.js) under node against Python, and its error.

Per pose: the femur matrix, the muscle surface and the fibre ribbons of one side, with and
without the read-out (length and the moment arms about all three hip angles, six more
surfaces), and of both sides; the same in Python; and the largest difference JS - Python of
any vertex and any read-out value over the random poses.

Run: python benchmarks/twin.py [--poses 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the node helpers
from nodejs import find_node, run_twin

from viewer import twin
from viewer.anatomy import POSE_RANGE, SIDES, Pose
from viewer.muscles import JOINTS
from viewer.posed import Hip

PARTS = ("anterior", "middle", "posterior", "whole")


def python_pose(hip: Hip, side: str, pose: Pose, readout: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """What the twin computes for one side, in Python: vertices, and the read-out if asked."""
    m = hip.muscles[side]
    hip.model.femur_transform(side, pose)
    s = m.surface(pose)
    hip.ribbon_points(side, s.superficial)
    if not readout:
        return s.vertices, None
    values = [m.lengths(pose, s)] + [m.moment_arms(pose, j) for j in JOINTS]
    return s.vertices, np.array([[v[p] for p in PARTS] for v in values])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--poses", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the poses in node")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    node = find_node()
    if not node:
        sys.exit("node (v18+) is needed: not found on PATH or at /usr/bin/node")

    hip = Hip()
    rng = np.random.default_rng(args.seed)
    poses = [tuple(float(rng.uniform(*POSE_RANGE[j])) for j in JOINTS) for _ in range(args.poses)]
    twins = [twin.twin_data(hip, side) for side in SIDES]
    with tempfile.TemporaryDirectory() as folder:
        results, timing = run_twin(node, Path(folder), twins, poses, repeat=args.repeat)

    # Python: the same work, and the reference numbers
    per_pose = {"one": [], "one_readout": []}
    worst_vertex = worst_readout = 0.0
    for i, p in enumerate(poses):
        pose = Pose(*p)
        for s, side in enumerate(SIDES):
            start = time.perf_counter()
            vertices, _ = python_pose(hip, side, pose, readout=False)
            middle = time.perf_counter()
            _, readout = python_pose(hip, side, pose, readout=True)
            end = time.perf_counter()
            if s == 0:
                per_pose["one"].append(middle - start)
                per_pose["one_readout"].append(end - middle)
            worst_vertex = max(worst_vertex, float(np.abs(results[s]["vertices"][i] - vertices).max()))
            worst_readout = max(worst_readout, float(np.abs(results[s]["readout"][i] - readout).max()))
    py = {k: 1e3 * float(np.median(v)) for k, v in per_pose.items()}

    m = hip.muscles["right"]
    print(f"muscle: {m.nu} fibres x {m.nv} samples per side; {len(poses)} random poses, node {node}")
    print("ms per pose (femur matrix, surface, ribbons; read-out = length + 3 moment arms)")
    print(f"{'':32}{'JS (node)':>12}{'Python':>12}")
    rows = (
        ("one side", timing["one_side"], py["one"]),
        ("one side with read-out", timing["one_side_readout"], py["one_readout"]),
        ("both sides", timing["both_sides"], 2 * py["one"]),
        ("both sides with read-out", timing["both_sides_readout"], 2 * py["one_readout"]),
    )
    for label, js_ms, py_ms in rows:
        print(f"{label:32}{js_ms:12.3f}{py_ms:12.3f}")
    print("(Python: median per pose; both sides = twice one side)")
    print(f"max |JS - Python| of any vertex       : {worst_vertex:.3g} mm")
    print(f"max |JS - Python| of any read-out value: {worst_readout:.3g} mm (lengths, moment arms, by part)")


if __name__ == "__main__":
    main()
