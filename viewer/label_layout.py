"""Where the labels of a picture go: boxes beside their anchors, leader lines, and which anchors are hidden.

The rule of the app (``app/js/labels.js`` ``layOut``): each label goes outward from the centre
of the anchors, left or right, ``reach`` pixels from its anchor and a quarter further from the
centre vertically; each column is then spread so that no two boxes overlap, kept inside the
picture, and a leader joins the anchor to the near edge of its box. An anchor behind the
geometry drawn is hidden: its label is drawn faded (:func:`hidden`, from the picture's depth
buffer). Plain numpy; ``viewer.export.labels`` draws the result.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

#: Pixels between two labels of a column, and kept free at the picture's edges (labels.js).
GAP_PX = 6.0
EDGE_PX = 4.0
#: An anchor is hidden when the nearest surface drawn over it is this much nearer (mm).
HIDDEN_TOLERANCE_MM = 3.0


@dataclass(frozen=True)
class Placement:
    """Labels placed in a picture (pixels from the top left corner).

    Attributes
    ----------
    boxes : (n, 4) float
        Left, top, width and height of each label's box.
    leaders : (n, 4) float
        x1, y1 (the anchor) and x2, y2 (the middle of the box's near edge) of each leader.
    sides : (n,) int
        -1: the box is left of its anchor, 1: right of it.
    """

    boxes: np.ndarray
    leaders: np.ndarray
    sides: np.ndarray


def place_labels(
    anchors: np.ndarray, sizes: np.ndarray, width: int, height: int, reach: float, gap: float = GAP_PX
) -> Placement:
    """Boxes and leaders of labels beside their anchors, no two boxes overlapping.

    Parameters
    ----------
    anchors : (n, 2) float
        Anchors in pixels from the top left corner.
    sizes : (n, 2) float
        Width and height of each label's box, pixels.
    width, height : int
        The picture, pixels.
    reach : float
        Pixels from an anchor to its box, across.
    gap : float
        Pixels between two boxes of a column.

    Returns
    -------
    Placement
    """
    xy = np.asarray(anchors, dtype=float).reshape(-1, 2)
    wh = np.asarray(sizes, dtype=float).reshape(-1, 2)
    n = len(xy)
    if n == 0:
        return Placement(np.empty((0, 4)), np.empty((0, 4)), np.empty(0, dtype=int))
    centre = xy.mean(axis=0)
    sides = np.where(xy[:, 0] < centre[0], -1, 1)
    lx = xy[:, 0] + sides * reach
    ly = xy[:, 1] + (xy[:, 1] - centre[1]) * 0.25
    for side in (-1, 1):
        column = [i for i in np.argsort(ly, kind="stable") if sides[i] == side]
        for a, b in itertools.pairwise(column):  # pushed down
            need = 0.5 * (wh[a, 1] + wh[b, 1]) + gap
            ly[b] = max(ly[b], ly[a] + need)
        if column:  # a column running out of the bottom is pushed back up, from the bottom
            last = column[-1]
            ly[last] = min(ly[last], height - EDGE_PX - 0.5 * wh[last, 1])
            for b, a in itertools.pairwise(column[::-1]):
                need = 0.5 * (wh[a, 1] + wh[b, 1]) + gap
                ly[a] = min(ly[a], ly[b] - need)
    left = np.where(sides < 0, lx - wh[:, 0], lx)
    left = np.clip(left, EDGE_PX, np.maximum(EDGE_PX, width - wh[:, 0] - EDGE_PX))
    top = np.clip(ly - wh[:, 1] / 2, EDGE_PX, np.maximum(EDGE_PX, height - wh[:, 1] - EDGE_PX))
    ex = np.where(sides < 0, left + wh[:, 0], left)
    boxes = np.column_stack([left, top, wh])
    leaders = np.column_stack([xy, ex, top + wh[:, 1] / 2])
    return Placement(boxes, leaders, sides)


def overlaps(boxes: np.ndarray) -> int:
    """How many pairs of boxes ((n, 4) float: left, top, width, height) overlap."""
    b = np.asarray(boxes, dtype=float).reshape(-1, 4)
    x0, y0, x1, y1 = b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    across = (x0[:, None] < x1[None, :]) & (x0[None, :] < x1[:, None])
    down = (y0[:, None] < y1[None, :]) & (y0[None, :] < y1[:, None])
    return int(np.triu(across & down, k=1).sum())


def hidden(
    anchors: np.ndarray, depths: np.ndarray, depth_image: np.ndarray, tolerance: float = HIDDEN_TOLERANCE_MM
) -> np.ndarray:
    """Which anchors lie behind the geometry of a picture.

    An anchor is hidden when every pixel around it (3 x 3) shows a surface nearer than the
    anchor by more than ``tolerance``: an anchor on the surface drawn, or at its outline, is seen.

    Parameters
    ----------
    anchors : (n, 2) float
        Anchors in pixels from the top left corner.
    depths : (n,) float
        Their distances from the camera along its axis, mm.
    depth_image : (h, w) float
        Distance of the surface drawn at each pixel along the camera's axis, mm (top row
        first; NaN or inf where nothing is drawn).
    tolerance : float
        mm.

    Returns
    -------
    (n,) bool
    """
    z = np.where(np.isfinite(depth_image), depth_image, np.inf)
    h, w = z.shape
    out = np.zeros(len(depths), dtype=bool)
    for i, ((x, y), d) in enumerate(zip(np.asarray(anchors, dtype=float), depths, strict=True)):
        c, r = int(np.floor(x)), int(np.floor(y))
        if not (0 <= c < w and 0 <= r < h):
            continue  # outside the picture: nothing drawn over it
        around = z[max(0, r - 1) : r + 2, max(0, c - 1) : c + 2]
        out[i] = bool(around.max() < d - tolerance)
    return out
