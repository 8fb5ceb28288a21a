"""Shape instances of the LLP26 statistical shape model on our bones, re-seated like the mean.

A :class:`Shape` gives the first :data:`MODES` modes in standard deviations (SD, each in
:data:`SD_RANGE`). Its bones are ``mean + sum_i b_i * sigma_i * D_i`` (the fields of
``meshes/shape_modes.npz``, written by ``viewer.build_shape_modes``), then placed exactly as
``viewer.build_meshes`` placed the mean:

1. the pelvis is put back in the ISB pelvis frame of its own ASISs and PSISs;
2. each acetabulum is conformed about its own fitted hip joint centre (:func:`conform_socket`);
3. each femur is seated with its ISB frame (own head centre and epicondyles) aligned with the
   pelvis frame and its head centre on that hip joint centre, and its head conformed;
4. the tibia-fibula and patella take their femur's seating and are moved along the femoral
   axis (distally) and anteriorly until each leaves the knee joint space to the femur over the
   knee flexion range (:func:`viewer.knee.seat_at_knee`), as the build did.

Landmarks are defined on atlas nodes and elements (``annotations/landmarks.json``), and the
instance keeps every vertex, so they carry over by correspondence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from viewer import data, geometry, knee, landmarks

#: The modes offered, 1-based, by decreasing variance.
MODES = 5
#: Range of each mode's weight, in standard deviations.
SD_RANGE = (-3.0, 3.0)

_ITEM = re.compile(r"^\s*(\d+)\s*=\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Shape:
    """Weights of the first :data:`MODES` shape modes, in standard deviations.

    Attributes
    ----------
    sd : tuple of float
        ``sd[i]`` is the weight of mode ``i + 1``; all zero is the mean.

    Raises
    ------
    ValueError
        For a wrong number of weights, or a weight that is not finite or outside :data:`SD_RANGE`.
    """

    sd: tuple[float, ...] = (0.0,) * MODES

    def __post_init__(self):
        sd = tuple(float(x) for x in self.sd)
        if len(sd) != MODES:
            raise ValueError(f"a shape has {MODES} mode weights, not {len(sd)}")
        lo, hi = SD_RANGE
        for i, x in enumerate(sd, start=1):
            if not np.isfinite(x) or not lo <= x <= hi:
                raise ValueError(f"mode {i} weight {x:g} SD is outside {lo:g}..{hi:g} SD")
        object.__setattr__(self, "sd", sd)

    @classmethod
    def of(cls, weights: dict[int, float] | None = None) -> Shape:
        """A shape from ``{mode: sd}`` (modes 1..:data:`MODES`; the others 0)."""
        sd = [0.0] * MODES
        for mode, value in (weights or {}).items():
            if isinstance(mode, bool) or not isinstance(mode, (int, np.integer)) or not 1 <= mode <= MODES:
                raise ValueError(f"mode {mode!r} is not one of 1..{MODES}")
            sd[int(mode) - 1] = value
        return cls(tuple(sd))

    @classmethod
    def parse(cls, text: str) -> Shape:
        """A shape from ``"K=SD[,K=SD...]"``, e.g. ``"1=-2,5=1.5"`` (each mode once)."""
        weights: dict[int, float] = {}
        for item in text.split(","):
            m = _ITEM.match(item)
            if not m:
                raise ValueError(f"{item.strip()!r} is not MODE=SD (e.g. 2=-1.5)")
            mode = int(m.group(1))
            if mode in weights:
                raise ValueError(f"mode {mode} is given twice")
            weights[mode] = float(m.group(2))
        return cls.of(weights)

    @property
    def is_mean(self) -> bool:
        """Every weight is zero."""
        return not any(self.sd)

    def __str__(self) -> str:
        return ",".join(f"{i}={x:g}" for i, x in enumerate(self.sd, start=1) if x) or "mean"

    def describe(self, ascii: bool = False) -> str:
        """The shape in words: ``"mode 2 −1.5 SD, mode 5 +1 SD"`` (``"mean"`` when every weight is 0).

        ``ascii``: a plain hyphen for the minus sign (for PNG and GIF text chunks).
        """
        minus = "-" if ascii else "\u2212"
        items = [
            f"mode {i} {'+' if x > 0 else minus}{abs(x):g} SD" for i, x in enumerate(self.sd, start=1) if x
        ]
        return ", ".join(items) or "mean"


@cache
def _build_config() -> dict:
    return data.annotation("atlas_build")


def conform_socket(
    vertices: np.ndarray, centre_definition: dict, atlas_map: landmarks.AtlasMap, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Make the acetabulum at least ``radius`` (mm) around its own fitted centre.

    Conforming moves the surface the centre is fitted to, so repeat until the centre fitted on
    the conformed socket is the one it was conformed about (within 1e-3 mm).

    Returns
    -------
    vertices : (n, 3) float
    centre : (3,) float
        The hip joint centre, as the landmark definition resolves it on the returned vertices.
    """
    centre = landmarks.resolve(centre_definition, vertices, atlas_map)
    for _ in range(100):
        conformed = geometry.radial_clamp(vertices, centre, radius, keep="outside")
        refit = landmarks.resolve(centre_definition, conformed, atlas_map)
        if np.linalg.norm(refit - centre) < 1e-3:
            return conformed, refit
        centre = refit
    raise RuntimeError("hip joint centre did not converge while conforming the socket")


def field(bone: str) -> np.ndarray:
    """(MODES, n, 3) float: the displacement of each vertex of ``bone`` per SD of each mode (mm)."""
    modes = data.shape_modes()
    if f"field_{bone}" in modes:
        return modes[f"field_{bone}"].astype(float)
    kind = bone.rpartition("_")[0]
    return modes[f"field_{kind}_left"].astype(float) @ modes[f"mirror_{bone}"].T


@dataclass
class Instance:
    """The bones of a shape at neutral, in the ISB pelvis frame (mm).

    Attributes
    ----------
    shape : Shape
    vertices : dict of str to (n, 3) float
        By bone id (``data.ALL_BONES``); faces are the mean meshes' faces.
    hip_centres : dict of str to (3,) float
        By side.
    knee_shift_mm : dict of str to float
        How far each lower-leg bone (``tibia_fibula_right``, ...) was moved at the knee from its
        femur's seating of the mean, to keep the joint space (0 when not re-seated there).
    """

    shape: Shape
    vertices: dict[str, np.ndarray]
    hip_centres: dict[str, np.ndarray]
    knee_shift_mm: dict[str, float]

    def lod(self, bone: str) -> np.ndarray:
        """Vertices ((m, 3) float) of the light mesh ``meshes/lod/<bone>.ply`` of this instance.

        The light meshes' vertices are vertices of the full ones (the atlas grid points), so
        they are taken from the full instance, conformity included.
        """
        return self.vertices[bone][data.shape_modes()[f"lod_{bone}"]]


def instance(
    shape: Shape,
    base: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    maps: dict[str, landmarks.AtlasMap] | None = None,
    seat_knee: bool = True,
) -> Instance:
    """The bones of ``shape``, re-seated (see the module docstring).

    Parameters
    ----------
    shape : Shape
    base : dict, optional
        The mean bones as ``{bone: (vertices, faces)}`` (``meshes/``); loaded when omitted.
    maps : dict, optional
        :func:`viewer.data.atlas_maps`; loaded when omitted.
    seat_knee : bool
        Re-seat the tibia-fibulas and patellas at the knee (about 1-2 s for both legs); without
        it they keep the mean's knee seating relative to their femur.

    Returns
    -------
    Instance
        For the mean shape, the stored meshes themselves (copies).
    """
    if base is None:
        base = {b: (np.asarray(m.vertices), np.asarray(m.faces)) for b, m in _loaded().items()}
    maps = maps if maps is not None else data.atlas_maps()
    defs = data.landmark_definitions()
    cfg = _build_config()
    if shape.is_mean:
        return Instance(
            shape,
            {b: v.copy() for b, (v, _) in base.items()},
            {
                s: landmarks.resolve(defs[f"hip_centre_{s}"], base[f"hip_{s}"][0], maps[f"hip_{s}"])
                for s in ("right", "left")
            },
            {b: 0.0 for b in data.LEG_BONES},
        )
    modes = data.shape_modes()
    sd = np.asarray(shape.sd, dtype=float)
    v: dict[str, np.ndarray] = {}
    for bone in data.ALL_BONES:
        lin = base[bone][0].copy()
        if f"linear_index_{bone}" in modes:  # undo the mean's articular conformity
            lin[modes[f"linear_index_{bone}"]] = modes[f"linear_{bone}"]
        v[bone] = lin + np.tensordot(sd, field(bone), axes=1)
    # 1. the pelvis back in its own ISB frame (every bone moves with it)
    frame = geometry.isb_pelvis_frame(
        *(
            landmarks.resolve(defs[k], v[defs[k]["bone"]], maps[defs[k]["bone"]])
            for k in ("asis_right", "asis_left", "psis_right", "psis_left")
        )
    )
    to_pelvis = geometry.invert(frame)
    v = {b: geometry.apply(to_pelvis, x) for b, x in v.items()}
    centres, shifts = {}, {}
    flexions = np.arange(
        knee.KNEE_FLEXION_RANGE[0], knee.KNEE_FLEXION_RANGE[1] + 1e-9, cfg["knee"]["flexion_step_deg"]
    )
    for side in ("right", "left"):
        # 2. the socket about its own centre
        v[f"hip_{side}"], hjc = conform_socket(
            v[f"hip_{side}"], defs[f"hip_centre_{side}"], maps[f"hip_{side}"], cfg["socket_radius_mm"]
        )
        centres[side] = hjc
        # 3. the femur: its frame aligned with the pelvis frame, head centre on the hip centre
        fb, fmap = f"femur_{side}", maps[f"femur_{side}"]
        femur_frame = landmarks.femur_frame(defs, v[fb], fmap, side)
        seat = geometry.transform(None, hjc) @ geometry.invert(femur_frame)
        v[fb] = geometry.apply(seat, v[fb])
        head = modes[f"linear_index_{fb}"]
        v[fb][head] = geometry.radial_clamp(v[fb][head], hjc, cfg["head_radius_mm"], keep="inside")
        # 4. the lower leg with its femur, then at the knee
        for leg in ("tibia_fibula", "patella"):
            v[f"{leg}_{side}"] = geometry.apply(seat, v[f"{leg}_{side}"])
        if seat_knee:
            shifts.update(_seat_knee(side, v, base, maps, defs, flexions, cfg["knee"]["joint_space_mm"]))
        else:
            shifts.update({f"{leg}_{side}": 0.0 for leg in ("tibia_fibula", "patella")})
    return Instance(shape, v, centres, shifts)


def _seat_knee(side, v, base, maps, defs, angles, joint_space) -> dict[str, float]:
    """Move this side's tibia-fibula and patella (in ``v``) to leave ``joint_space`` at the knee."""
    fb, fmap = f"femur_{side}", maps[f"femur_{side}"]
    lateral = landmarks.resolve(defs[f"epicondyle_lateral_{side}"], v[fb], fmap)
    medial = landmarks.resolve(defs[f"epicondyle_medial_{side}"], v[fb], fmap)
    centre = (lateral + medial) / 2.0
    flexions = [knee.knee_flexion_matrix(lateral, medial, side, a) for a in angles]
    femur = knee.Surface(v[fb], base[fb][1], centre)
    directions = {"tibia_fibula": np.array([0.0, -1.0, 0.0]), "patella": np.array([1.0, 0.0, 0.0])}
    out = {}
    for leg, direction in directions.items():
        bone = f"{leg}_{side}"
        moving = knee.Surface(v[bone], base[bone][1], centre)
        # start where the bone's near end lies wholly past the femur's along the direction
        near = np.linalg.norm(v[bone] - centre, axis=1) < knee.KNEE_REACH
        femur_near = np.linalg.norm(v[fb] - centre, axis=1) < knee.KNEE_REACH
        past = float((v[fb][femur_near] @ direction).max() - (v[bone][near] @ direction).min())
        shift = knee.seat_at_knee(
            moving, femur, centre, direction, flexions, joint_space, start=max(past, 0.0) + 5.0
        )
        v[bone] = v[bone] + shift * direction
        out[bone] = float(shift)
    return out


@cache
def _loaded():
    return {b: data.load_bone_mesh(b) for b in data.ALL_BONES}
