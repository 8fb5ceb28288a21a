"""Every muscle of one side posed at once: FanMuscle.sheets' steps, their wrapping done in one pass."""

from __future__ import annotations

import numpy as np

from viewer.anatomy import Pose
from viewer.muscles.fan import FanMuscle, MuscleSurface


class SideBatch:
    """The fan muscles of one side, posed together.

    Each muscle runs its own :meth:`FanMuscle.sheet_steps`; whenever they all wait for points
    to be wrapped, the points of every muscle are lifted out of the femur and the pelvis in
    one pass (one height-field lookup per bone field instead of one per muscle), which is
    where a pose's time goes. The numbers are those of :meth:`FanMuscle.sheets`
    (``tests/test_neighbours.py`` holds them to 1e-9 mm).

    Parameters
    ----------
    muscles : list of FanMuscle
        Of one side and one model.
    """

    def __init__(self, muscles: list[FanMuscle]):
        self.muscles = list(muscles)
        first = self.muscles[0]
        if any(m.side != first.side or m.model is not first.model for m in self.muscles):
            raise ValueError("a SideBatch holds the muscles of one side of one model")
        self.model, self.side, self.s = first.model, first.side, first.s
        self.femur = first.femur_height
        if any(m.femur_height is not self.femur for m in self.muscles):
            raise ValueError("the muscles of a side share one femur height field")
        self._mirror = np.array([1.0, 1.0, self.s])

    def _wrap(self, requests: list[tuple[np.ndarray, np.ndarray]], owners: list[FanMuscle], tf: np.ndarray):
        """Wrapped points of each request, as :meth:`FanMuscle._wrap` would give them."""
        r, t, lateral = tf[:3, :3], tf[:3, 3], self.s * tf[:3, 2]
        shapes = [p.shape for p, _ in requests]
        p = np.concatenate([x.reshape(-1, 3) for x, _ in requests])
        c = np.concatenate([np.broadcast_to(cl, x.shape[:-1]).reshape(-1) for x, cl in requests])
        q = ((p - t) @ r) * self._mirror
        lift = np.maximum(self.femur(q[:, 0], q[:, 1]) + c - q[:, 2], 0.0)
        p = p + lift[:, None] * lateral
        q = p * self._mirror
        bounds = np.cumsum([0] + [int(np.prod(sh[:-1])) for sh in shapes])
        fields: dict[int, tuple] = {}
        for m, a, b in zip(owners, bounds[:-1], bounds[1:], strict=True):
            fields.setdefault(id(m.pelvis_height), (m.pelvis_height, []))[1].append(np.arange(a, b))
        for field, idx in fields.values():
            i = np.concatenate(idx)
            lift = np.maximum(field(q[i, 0], q[i, 1]) + c[i] - q[i, 2], 0.0)
            p[i, 2] += self.s * lift
        return [p[a:b].reshape(sh) for a, b, sh in zip(bounds[:-1], bounds[1:], shapes, strict=True)]

    def surfaces(self, pose: Pose) -> dict[str, MuscleSurface]:
        """Every muscle's closed surface for a pose, by id (:meth:`FanMuscle.surface`)."""
        tf = self.model.femur_transform(self.side, pose)
        steps = {m.id: m.sheet_steps(pose, tf) for m in self.muscles}
        owners = {m.id: m for m in self.muscles}
        pending = {k: next(g) for k, g in steps.items()}
        done = {}
        while pending:
            keys = list(pending)
            wrapped = self._wrap([pending[k] for k in keys], [owners[k] for k in keys], tf)
            for k, w in zip(keys, wrapped, strict=True):
                try:
                    pending[k] = steps[k].send(w)
                except StopIteration as stop:
                    done[k] = stop.value
                    del pending[k]
        return {k: owners[k].surface_of(*done[k]) for k in owners}
