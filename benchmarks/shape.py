"""Time a new LLP26 shape: instance, re-seating, landmarks, and the muscles of both sides at neutral.

Run: python benchmarks/shape.py [--repeat 5]

Each repeat builds a different shape (modes 1-5 at varied SD) from a loaded mean model
(``HipModel.with_shape``), then resolves every landmark, then builds both sides' muscles
(``viewer.muscles.Neighbourhood``) and poses them at neutral. Printed: the median ms of each
stage, with the knee re-seating (the lower legs) timed separately. Target (issue #16): a new
shape in <= 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

from viewer.anatomy import SIDES, HipModel, Pose
from viewer.muscles import Neighbourhood
from viewer.shape import Shape


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    mean = HipModel()
    times: dict[str, list[float]] = {k: [] for k in ("bones", "knee", "landmarks", "muscles", "total")}
    for i in range(args.repeat):
        shape = Shape(tuple(((i + j) % 5 - 2) * 0.7 for j in range(5)))
        t0 = time.perf_counter()
        m = mean.with_shape(shape, seat_knee=False)
        t1 = time.perf_counter()
        _ = m._neutral_landmarks
        t2 = time.perf_counter()
        for side in SIDES:
            Neighbourhood(m, side).surfaces(Pose())
        t3 = time.perf_counter()
        mean.with_shape(shape, seat_knee=True)
        t4 = time.perf_counter()
        times["bones"].append(t1 - t0)
        times["landmarks"].append(t2 - t1)
        times["muscles"].append(t3 - t2)
        times["knee"].append(t4 - t3 - (t1 - t0))
        times["total"].append(t3 - t0)
    med = {k: 1000 * statistics.median(v) for k, v in times.items()}
    print(f"new shape, median of {args.repeat} (ms):")
    print(f"  bones: instance + pelvis frame + sockets + femurs seated  {med['bones']:8.1f}")
    print(f"  landmarks                                               {med['landmarks']:8.1f}")
    print(f"  muscles of both sides built and posed at neutral        {med['muscles']:8.1f}")
    print(f"  total without the knee                                  {med['total']:8.1f}   (target <= 100)")
    print(f"  + lower legs re-seated at the knee (extra)              {med['knee']:8.1f}")


if __name__ == "__main__":
    main()
