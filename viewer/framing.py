"""Camera framing of a view preset: the camera that fits a region of the hip in a picture of any aspect.

One rule for the app and the exports. From a preset's direction, the region's points give
the focal point (the middle of their extent across the view), the distance at which they fill
the picture's height, and a few lines ``depth + reach / aspect`` whose largest is the distance at
which they fill its width. :func:`fit_distance` picks the larger of the two for an aspect; the
browser does the same with the same numbers (``app/js/framing.js``). Also the projection of
points to pixels of such a camera. No rendering library is imported here.
"""

from __future__ import annotations

import numpy as np

#: Aspects (width / height) the width lines are kept for: any other picture is framed too,
#: with every line kept that is the widest somewhere in this range.
ASPECTS = np.geomspace(0.2, 6.0, 200)


def screen_axes(direction: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit direction (focal point to camera), view-up made square to it, and the screen's right.

    Parameters
    ----------
    direction, up : (3,) float

    Returns
    -------
    d, u, r : (3,) float
    """
    d = np.asarray(direction, dtype=float)
    d = d / np.linalg.norm(d)
    u = np.asarray(up, dtype=float) - (np.asarray(up, dtype=float) @ d) * d
    u /= np.linalg.norm(u)
    return d, u, np.cross(u, d)


def view_fit(
    points: np.ndarray, direction: np.ndarray, up: np.ndarray, view_angle_deg: float, margin: float
) -> dict:
    """What frames ``points`` seen from ``direction``, for a picture of any aspect.

    Parameters
    ----------
    points : (n, 3) float
        The region to frame, mm.
    direction : (3,) float
        From the focal point to the camera.
    up : (3,) float
        View-up (made square to ``direction``).
    view_angle_deg : float
        Vertical field of view.
    margin : float
        Room around the region (1.08: 8 % of the half height or width).

    Returns
    -------
    dict
        ``focal_point`` (3,) mm, ``direction`` and ``view_up`` (3,) unit, ``height_mm``: the
        distance at which the region fills the height, ``width``: ``[[depth, reach], ...]`` mm,
        the distance at which it fills the width being the largest ``depth + reach / aspect``.
    """
    d, u, r = screen_axes(direction, up)
    p = np.asarray(points, dtype=float)
    pu, pr, pd = p @ u, p @ r, p @ d
    mid = lambda a: 0.5 * (a.min() + a.max())  # noqa: E731
    focal = mid(pu) * u + mid(pr) * r + mid(pd) * d
    tan = np.tan(np.radians(view_angle_deg) / 2)
    # a point at depth t before the focal point, h from the axis, is in view at a distance >= t + h / tan
    depth, up_reach, right_reach = (
        pd - mid(pd),
        margin * np.abs(pu - mid(pu)) / tan,
        margin * np.abs(pr - mid(pr)) / tan,
    )
    height = float((depth + up_reach).max())
    needed = depth[:, None] + right_reach[:, None] / ASPECTS[None, :]
    keep = np.unique(np.argmax(needed, axis=0))
    return {
        "focal_point": focal,
        "direction": d,
        "view_up": u,
        "height_mm": height,
        "width": [[float(depth[i]), float(right_reach[i])] for i in keep],
    }


def fit_distance(fit: dict, aspect: float) -> float:
    """Distance (mm) from the focal point at which a :func:`view_fit` region fills an ``aspect`` picture."""
    return max(fit["height_mm"], *(t + reach / aspect for t, reach in fit["width"]))


def fitted_camera(fit: dict, aspect: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position (mm), focal point (mm) and view-up of a :func:`view_fit` for an ``aspect`` picture."""
    focal = np.asarray(fit["focal_point"], dtype=float)
    return focal + fit_distance(fit, aspect) * np.asarray(fit["direction"]), focal, np.asarray(fit["view_up"])


def project(
    points: np.ndarray,
    camera: tuple[np.ndarray, np.ndarray, np.ndarray],
    view_angle_deg: float,
    size: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """Pixels and depths of points in a perspective picture.

    Parameters
    ----------
    points : (n, 3) float
        mm.
    camera : (position, focal point, view-up), each (3,) float
    view_angle_deg : float
        Vertical field of view.
    size : (width, height)
        Pixels.

    Returns
    -------
    xy : (n, 2) float
        Pixels from the top left corner.
    depth : (n,) float
        Distance from the camera along its axis, mm.
    """
    position, focal, up = (np.asarray(a, dtype=float) for a in camera)
    d, u, r = screen_axes(position - focal, up)
    rel = np.atleast_2d(np.asarray(points, dtype=float)) - position
    depth = -(rel @ d)
    w, h = size
    tan = np.tan(np.radians(view_angle_deg) / 2)
    x = (rel @ r) / (depth * tan * w / h)
    y = (rel @ u) / (depth * tan)
    return np.column_stack([0.5 * (x + 1) * w, 0.5 * (1 - y) * h]), depth
