"""Single-leg stance: frontal-plane equilibrium of the pelvis on the stance hip; the Trendelenburg drop."""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass, field

import numpy as np

from viewer import geometry
from viewer.anatomy import FRONTAL_RANGE, SIDES, Pose
from viewer.mechanics.abductor import STEP_DEG, abductor_table, line_through
from viewer.mechanics.body import Body, build_body, other, stance_parameters

#: Standard acceleration of gravity (m/s^2), the SI conventional value.
GRAVITY = 9.80665

#: Input ranges (inclusive): the CLI, the browser and the data check these.
RANGES = {
    "strength_pct": (0.0, 100.0),
    "lean_deg": (0.0, 30.0),
    "body_mass_kg": (20.0, 200.0),
    "cane_pct": (0.0, 30.0),
    "cane_tip_mm": (0.0, 600.0),
}
CANE_HANDS = ("opposite", "same")

#: Default distance of the cane's tip from the midline (mm): ``annotations/stance.json`` ``cane``.
CANE_TIP_MM = 300.0

#: Step of the search for the first equilibrium as the hip adducts, and bisection steps after it.
SCAN_DEG = 0.25
BISECTIONS = 40

#: Hip adduction the abductor table starts from (degrees; negative is abduction): a trunk leaning
#: far over the stance hip puts the foot under it with the hip slightly abducted.
TABLE_FROM_DEG = -20.0

#: The columns of ``gmed stance --csv``, in order.
COLUMNS = (
    "stance_side",
    "strength_pct",
    "lean_deg",
    "body_mass_kg",
    "pelvic_drop_deg",
    "pelvic_drop_mm",
    "abductor_force_bw",
    "abductor_force_n",
    "hip_contact_force_bw",
    "abductor_moment_arm_mm",
    "weight_lever_arm_mm",
    "knee_valgus_deg",
    "trendelenburg_positive",
)


@dataclass(frozen=True)
class StanceInput:
    """What the user sets: stance side, abductor strength, trunk lean, body mass and cane.

    ``cane_tip_mm`` is how far from the body's midline the cane's tip stands, on the side of
    the hand that holds it; its default is ``annotations/stance.json`` ``cane.tip_from_midline_mm``
    (:data:`CANE_TIP_MM`, checked by the tests).

    Raises
    ------
    ValueError
        One line naming the field and its range, for a value out of range or not finite.
    """

    side: str = "right"
    strength_pct: float = 100.0
    lean_deg: float = 0.0
    body_mass_kg: float = 70.0
    cane_pct: float = 0.0
    cane_hand: str = "opposite"
    cane_tip_mm: float = CANE_TIP_MM

    def __post_init__(self):
        if self.side not in SIDES:
            raise ValueError(f"side {self.side!r} is not one of {', '.join(SIDES)}")
        if self.cane_hand not in CANE_HANDS:
            raise ValueError(f"cane_hand {self.cane_hand!r} is not one of {', '.join(CANE_HANDS)}")
        for name, (lo, hi) in RANGES.items():
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or not lo <= value <= hi:
                raise ValueError(f"{name} {value!r} is outside {lo:g}..{hi:g}")


@dataclass(frozen=True)
class Force:
    """A force on the upper body: a point of its line of action ((3,) mm) and the vector ((3,) N)."""

    point: np.ndarray
    vector: np.ndarray


@dataclass(frozen=True)
class StanceResult:
    """The equilibrium of one :class:`StanceInput`.

    Angles in degrees, lengths in mm, forces in N and body weights (BW). The world frame is
    the pelvis frame of the level posture (X anterior, Y up, Z right), the floor at
    ``floor_y``. ``transforms`` take each bone (and the pelvis-frame muscles, with
    ``"pelvis"``) from neutral to the world; ``forces`` act on the upper body (pelvis, trunk
    and swing leg): ``weight``, ``abductor``, ``cane`` (with a cane) and ``hip_contact``.
    ``trunk`` is (2, 3): the lumbosacral joint and the trunk's centre of mass.
    ``abductor_effort_pct`` is the force needed as a share of the force available.
    ``limit_moment_nm`` is what the end of the hip's adduction range (or, leaning far,
    the adductors) holds beyond muscle and ligaments.
    """

    inp: StanceInput
    hip_adduction_deg: float
    base_adduction_deg: float
    pelvic_drop_deg: float
    pelvic_drop_mm: float
    knee_valgus_deg: float
    abductor_force_n: float
    abductor_available_n: float
    abductor_effort_pct: float
    abductor_force_bw: float
    hip_contact_force_n: float
    hip_contact_force_bw: float
    abductor_moment_arm_mm: float
    weight_lever_arm_mm: float
    cane_lever_arm_mm: float
    passive_moment_nm: float
    limit_moment_nm: float
    body_weight_n: float
    trendelenburg_positive: bool
    stance_pose: Pose
    swing_pose: Pose
    swing_knee_flexion_deg: float
    floor_y: float
    com_above: np.ndarray
    trunk: np.ndarray = field(repr=False)
    transforms: dict[str, np.ndarray] = field(repr=False)
    forces: dict[str, Force] = field(repr=False)

    def row(self) -> dict:
        """The values of :data:`COLUMNS`, as ``gmed stance`` prints them."""
        return {
            "stance_side": self.inp.side,
            "strength_pct": self.inp.strength_pct,
            "lean_deg": self.inp.lean_deg,
            "body_mass_kg": self.inp.body_mass_kg,
            "pelvic_drop_deg": self.pelvic_drop_deg,
            "pelvic_drop_mm": self.pelvic_drop_mm,
            "abductor_force_bw": self.abductor_force_bw,
            "abductor_force_n": self.abductor_force_n,
            "hip_contact_force_bw": self.hip_contact_force_bw,
            "abductor_moment_arm_mm": self.abductor_moment_arm_mm,
            "weight_lever_arm_mm": self.weight_lever_arm_mm,
            "knee_valgus_deg": self.knee_valgus_deg,
            "trendelenburg_positive": self.trendelenburg_positive,
        }


def _rot(cy: float, cz: float, y: float, z: float, c: float, s: float) -> tuple[float, float]:
    """(y, z) of a point turned about the X axis through (cy, cz) by the angle of cosine c, sine s."""
    dy, dz = y - cy, z - cz
    return cy + dy * c - dz * s, cz + dy * s + dz * c


def _asin(x: float) -> float:
    """arcsin, its argument clipped to [-1, 1] (the nearest posture when none balances exactly)."""
    return math.asin(min(max(x, -1.0), 1.0))


def rotation_x(angle_rad: float, centre: np.ndarray) -> np.ndarray:
    """(4, 4) rotation about the X axis through ``centre`` ((3,) float)."""
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    r = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    return geometry.rotation_about(centre, r)


def passive_moment(params: dict, adduction_deg: float) -> float:
    """Passive abduction moment (N m) of the hip's ligaments at a hip adduction (degrees).

    Anderson's double exponential (``annotations/stance.json`` ``passive_hip_adduction``), whose
    positive moment adducts; its negative, returned here, resists adduction.
    """
    p = params["passive_hip_adduction"]
    q = math.radians(adduction_deg)
    adducting = p["k1_nm"] * math.exp(p["k2_per_rad"] * (q - p["q1_rad"])) + p["k3_nm"] * math.exp(
        p["k4_per_rad"] * (q - p["q2_rad"])
    )
    return -adducting


class StanceModel:
    """Single-leg stance on this model's bones and muscle; :meth:`solve` gives the equilibrium.

    The model, in the frontal plane (moments about the antero-posterior axis):

    - **Body.** Segment masses and centres of mass are Dempster's, as tabulated by Winter
      (``annotations/stance.json`` ``segments``), placed on this model's own hip, knee and
      ankle centres; the trunk (head, arms and trunk less the pelvis) sits above the
      lumbosacral joint at the height Winter's stature fractions give, the stature being
      estimated from this femur. The swing leg is held as in the Trendelenburg test.
    - **Level stance.** The stance foot is placed under the whole body's centre of mass (with
      a cane, where foot and cane together balance it) with the pelvis level: the stance
      hip adducts by ``base_adduction_deg`` for that (Youdas et al. measured 83 +/- 3 degrees
      pelvis-on-femur in healthy stance, i.e. 4-10 degrees of adduction).
    - **Moments about the stance hip.** The weight above the hip (pelvis, trunk, swing leg)
      acts at its centre of mass; the gluteus medius acts with its moment arm ``-dL/dθ``
      from the muscle model (:mod:`viewer.mechanics.abductor`), its parts in proportion to
      their maximum forces (gait2392); the hip ligaments add Anderson's passive moment; a
      cane pushes up at its tip.
    - **Weakness.** The muscle gives at most ``strength`` times its maximum force. When that
      cannot hold the pelvis level, the hip adducts further, searched from the level posture
      in :data:`SCAN_DEG` steps and then bisected, to the first angle where muscle,
      ligaments and cane hold the weight. The foot stays planted and the body's centre of
      mass stays over it, so the hip moves out over the knee as the pelvis drops (knee
      valgus), the trunk tipping with the pelvis toward the swing side. Because this
      muscle's lever shortens as the hip adducts while the weight's lengthens, there is no
      such angle inside the range once the muscle falls short: the pelvis then drops to the
      end of the hip's adduction range (:attr:`limit_deg`, the low end of the normal 20-30
      degrees), where the capsule and iliotibial band hold the rest (``limit_moment_nm``).
    - **Lean** is lateral flexion of the trunk toward the stance side at the lumbosacral
      joint (the Duchenne compensation); it brings the centre of mass over the hip.

    Parameters
    ----------
    hip : viewer.posed.Hip, optional
        The hip (model and both muscles); built when omitted.
    params : dict, optional
        ``annotations/stance.json``; loaded when omitted.
    """

    def __init__(self, hip=None, params: dict | None = None):
        if hip is None:
            from viewer.posed import Hip

            hip = Hip()
        self.hip = hip
        self.model = hip.model
        self.params = params if params is not None else stance_parameters()
        forces = self.params["gluteus_medius_max_force_n"]
        self.max_force = {p["id"]: float(forces[p["id"]]) for p in hip.muscles["right"].parts}
        # the stance hip adducts as far as the low end of the normal range (cited), which the
        # muscle model's frontal poses reach
        self.limit_deg = min(float(self.params["hip_adduction_limit_deg"]["range"][0]), -FRONTAL_RANGE[0])
        self._bodies: dict[str, Body] = {}
        self._tables: dict[str, dict] = {}

    def twin_data(self) -> dict:
        """What the JS twin needs: see :func:`viewer.mechanics.stance_twin.twin_data`."""
        from viewer.mechanics.stance_twin import twin_data

        return twin_data(self)

    def body(self, side: str) -> Body:
        """The :class:`Body` standing on ``side`` (built once)."""
        if side not in self._bodies:
            self._bodies[side] = build_body(self.model, side, self.params)
        return self._bodies[side]

    def table(self, side: str) -> dict:
        """The stance muscle's moment arm and line of action over hip adduction (built once)."""
        if side not in self._tables:
            muscle = self.hip.muscles[side]
            self._tables[side] = abductor_table(muscle, self.max_force, TABLE_FROM_DEG, self.limit_deg)
        return self._tables[side]

    def _line(self, side: str, adduction: float) -> tuple[float, np.ndarray, np.ndarray]:
        """Moment arm (mm), unit pull and a point of the line of action at a hip adduction (pelvis frame)."""
        t = self.table(side)
        x = (adduction - TABLE_FROM_DEG) / STEP_DEG
        i = min(max(math.floor(x), 0), len(t["adduction_deg"]) - 2)
        f = x - i
        arm = float(t["moment_arm_mm"][i] * (1.0 - f) + t["moment_arm_mm"][i + 1] * f)
        u = t["direction"][i] * (1.0 - f) + t["direction"][i + 1] * f
        u = u / np.linalg.norm(u)
        c = t["point"][i] * (1.0 - f) + t["point"][i + 1] * f
        return arm, u, line_through(c, u, self.body(side).hip, arm, self.body(side).s)

    def solve(self, inp: StanceInput) -> StanceResult:
        """The equilibrium of the pelvis on the stance hip for ``inp``.

        The foot is placed under the body's centre of mass (between foot and cane) with the
        pelvis level: the stance hip adducts by ``base_adduction_deg`` for that. When the
        gluteus medius cannot hold the pelvis level, the hip adducts further until muscle
        (at its available force), passive tissue and cane balance the weight; the pelvis drops
        on the swing side and, the foot staying planted and the centre of mass over it, the
        hip moves out over the knee (knee valgus). The class docstring describes the model.
        """
        b = self.body(inp.side)
        s = b.s
        bw = inp.body_mass_kg * GRAVITY
        cane = inp.cane_pct / 100.0
        tip_z = (-s if inp.cane_hand == "opposite" else s) * inp.cane_tip_mm
        lean = math.radians(inp.lean_deg)
        d = b.trunk_height_mm
        hy, hz = float(b.hip[1]), float(b.hip[2])
        # the trunk leans on the pelvis (lateral flexion at the lumbosacral joint) and tips with it
        py, pz = float(b.pivot[1]), float(b.pivot[2])
        trunk = (py + d * math.cos(lean), pz + d * s * math.sin(lean))
        upper = [
            (float(m), float(p[1]), float(p[2])) for m, p in zip(b.upper_mass, b.upper_points, strict=True)
        ]
        upper.append((b.trunk_mass, *trunk))
        leg = [
            (float(m), float(p[1]), float(p[2])) for m, p in zip(b.stance_mass, b.stance_points, strict=True)
        ]

        # -- the level posture: the stance leg turns about the hip until the foot is under the body
        ay, az = float(b.ankle[1]), float(b.ankle[2])
        a_coef = sum(m * (y - hy) for m, y, _ in leg) - (1.0 - cane) * (ay - hy)
        b_coef = sum(m * (z - hz) for m, _, z in leg) - (1.0 - cane) * (az - hz)
        fixed = sum(m * z for m, _, z in upper)
        k = sum(m for m, _, _ in leg) * hz + fixed - (1.0 - cane) * hz - cane * tip_z
        theta0 = _asin(-k / math.hypot(a_coef, b_coef)) - math.atan2(b_coef, a_coef)
        # a foot that cannot reach under the body stops at the ends of the hip's range
        alpha0 = min(max(s * math.degrees(theta0), TABLE_FROM_DEG), self.limit_deg)
        theta0 = s * math.radians(alpha0)
        c0, s0 = math.cos(theta0), math.sin(theta0)
        leg_w = [(m, *_rot(hy, hz, y, z, c0, s0)) for m, y, z in leg]
        ky, kz = _rot(hy, hz, float(b.knee[1]), float(b.knee[2]), c0, s0)
        com_z = sum(m * z for m, _, z in leg_w) + fixed
        thigh, rest = leg_w[0], leg_w[1:]
        rest_z = sum(m * z for m, _, z in rest)

        def posture(alpha: float):
            """Knee turn, hip and upper-body points when the hip adducts to ``alpha`` (degrees)."""
            g = -s * math.radians(alpha - alpha0)
            cg, sg = math.cos(g), math.sin(g)
            moving = [thigh] + [(m, *_rot(hy, hz, y, z, cg, sg)) for m, y, z in upper]
            ac = sum(m * (y - ky) for m, y, _ in moving)
            bc = sum(m * (z - kz) for m, _, z in moving)
            kc = sum(m for m, _, _ in moving) * kz + rest_z - com_z
            theta = _asin(-kc / math.hypot(ac, bc)) - math.atan2(bc, ac)
            ct, st = math.cos(theta), math.sin(theta)
            hip_w = _rot(ky, kz, hy, hz, ct, st)
            up_w = [(m, *_rot(ky, kz, y, z, ct, st)) for m, y, z in moving[1:]]
            total = sum(m for m, _, _ in up_w)
            above_y = sum(m * y for m, y, _ in up_w) / total
            above_z = sum(m * z for m, _, z in up_w) / total
            return theta, g, hip_w, (above_y, above_z), total

        available = inp.strength_pct / 100.0 * sum(self.max_force.values())

        def balance(alpha: float) -> float:
            """Moment (N m) the available muscle, passive tissue and cane hold beyond the weight's."""
            _, _, hip_w, above, total = posture(alpha)
            lever = s * (hip_w[1] - above[1])
            arm = self._line(inp.side, alpha)[0]
            weight = total * bw * lever / 1000.0
            return (
                available * arm / 1000.0
                + passive_moment(self.params, alpha)
                + cane * bw * s * (hip_w[1] - tip_z) / 1000.0
                - weight
            )

        alpha, limit_moment = alpha0, 0.0
        if balance(alpha0) < 0.0:
            lo, hi = alpha0, None
            a = alpha0
            while a < self.limit_deg:
                a = min(a + SCAN_DEG, self.limit_deg)
                if balance(a) >= 0.0:
                    hi = a
                    break
                lo = a
            if hi is None:
                alpha = self.limit_deg
                limit_moment = -balance(alpha)
            else:
                for _ in range(BISECTIONS):
                    mid = 0.5 * (lo + hi)
                    if balance(mid) >= 0.0:
                        hi = mid
                    else:
                        lo = mid
                alpha = hi
        return self._result(inp, b, alpha, alpha0, limit_moment, bw, cane, tip_z, available, posture)

    def _result(
        self, inp, b, alpha, alpha0, limit_moment, bw, cane, tip_z, available, posture
    ) -> StanceResult:
        s = b.s
        theta, g, hip_w, above, total = posture(alpha)
        knee_w = rotation_x(s * math.radians(alpha0), b.hip)[:3] @ np.append(b.knee, 1.0)
        pelvis = rotation_x(theta, knee_w) @ rotation_x(g, b.hip)
        lever = s * (hip_w[1] - above[1])
        arm, u, q = self._line(inp.side, alpha)
        passive = passive_moment(self.params, alpha)
        weight_moment = total * bw * lever / 1000.0
        cane_lever = s * (hip_w[1] - tip_z) if cane > 0 else 0.0
        need = (weight_moment - passive - limit_moment - cane * bw * cane_lever / 1000.0) * 1000.0 / arm
        force = min(max(need, 0.0), available)
        if need < 0.0:  # the trunk leans so far that the weight lifts the swing side: the adductors hold it
            # (negative: an adducting moment; equal to the limit's moment where need is 0)
            limit_moment = weight_moment - passive - cane * bw * cane_lever / 1000.0
        hip_point = np.array([b.hip[0], hip_w[0], hip_w[1]])
        above_x = float((b.upper_mass @ b.upper_points[:, 0] + b.trunk_mass * b.pivot[0]) / total)
        lean = math.radians(inp.lean_deg)
        trunk_top = b.pivot + np.array(
            [0.0, b.trunk_height_mm * math.cos(lean), b.s * b.trunk_height_mm * math.sin(lean)]
        )
        rot = pelvis[:3, :3]
        forces = {
            "weight": Force(np.array([above_x, above[0], above[1]]), np.array([0.0, -total * bw, 0.0])),
            "abductor": Force(geometry.apply(pelvis, q[None])[0], force * (rot @ u)),
        }
        floor_y = float(self._floor_y(b, alpha0))
        if cane > 0:
            forces["cane"] = Force(np.array([b.hip[0], floor_y, tip_z]), np.array([0.0, cane * bw, 0.0]))
        forces["hip_contact"] = Force(hip_point, -sum(f.vector for f in forces.values()))
        asis = geometry.apply(pelvis, b.asis_swing[None])[0]
        drop_deg = alpha - alpha0 - s * math.degrees(theta)
        stance_pose = Pose(abduction=-alpha, frontal=True)
        swing = other(inp.side)
        model = self.model
        transforms = {
            "pelvis": pelvis,
            f"femur_{inp.side}": pelvis @ model.femur_transform(inp.side, stance_pose),
            f"femur_{swing}": pelvis @ model.femur_transform(swing, b.swing_pose),
        }
        base_leg = model.lower_leg_transform(inp.side, Pose(abduction=-alpha0, frontal=True))
        swing_leg = pelvis @ model.lower_leg_transform(swing, b.swing_pose, b.swing_knee_flexion_deg)
        for bone in ("tibia_fibula", "patella"):
            transforms[f"{bone}_{inp.side}"] = base_leg
            transforms[f"{bone}_{swing}"] = swing_leg
        contact = float(np.linalg.norm(forces["hip_contact"].vector))
        return StanceResult(
            inp=inp,
            hip_adduction_deg=float(alpha),
            base_adduction_deg=float(alpha0),
            pelvic_drop_deg=float(drop_deg),
            pelvic_drop_mm=float(b.asis_swing[1] - asis[1]),
            knee_valgus_deg=float(s * math.degrees(theta)),
            abductor_force_n=float(force),
            abductor_available_n=float(available),
            abductor_effort_pct=float(100.0 * force / available) if available > 0 else 100.0,
            abductor_force_bw=float(force / bw),
            hip_contact_force_n=contact,
            hip_contact_force_bw=contact / bw,
            abductor_moment_arm_mm=float(arm),
            weight_lever_arm_mm=float(lever),
            cane_lever_arm_mm=float(cane_lever),
            passive_moment_nm=float(passive),
            limit_moment_nm=float(limit_moment),
            body_weight_n=float(bw),
            trendelenburg_positive=bool(
                b.asis_swing[1] - asis[1] > self.params["trendelenburg"]["drop_threshold_mm"]
            ),
            stance_pose=stance_pose,
            swing_pose=b.swing_pose,
            swing_knee_flexion_deg=b.swing_knee_flexion_deg,
            floor_y=floor_y,
            com_above=forces["weight"].point,
            trunk=geometry.apply(pelvis, np.array([b.pivot, trunk_top])),
            transforms=transforms,
            forces=forces,
        )

    def _floor_y(self, b: Body, alpha0: float) -> float:
        """Height of the floor: the planted ankle's height above it is the cited stature fraction."""
        ankle = rotation_x(b.s * math.radians(alpha0), b.hip)[:3] @ np.append(b.ankle, 1.0)
        return ankle[1] - self.params["heights_over_stature"]["ankle"] * b.stature_mm


_shared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_shared_lock = threading.Lock()


def stance_model(hip) -> StanceModel:
    """The :class:`StanceModel` of ``hip`` with the cited parameters, one per hip: its
    abductor tables (the costly part, about 0.3 s a side) are then built once for the page's
    stance and exercise models and the shape's measures."""
    with _shared_lock:
        found = _shared.get(hip)
        if found is None:
            found = _shared[hip] = StanceModel(hip)
        return found
