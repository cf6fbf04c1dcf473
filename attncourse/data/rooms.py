"""Rooms for chapter 10 (dense prediction with DPT): ray-cast images with per-pixel depth and classes.

Each scene is a closed box room seen by a pinhole camera, rendered by a small vectorised NumPy ray
caster (all S * S rays of a scene at once):

* the floor, the plane y = 0, a checker of two random muted colours (squares of 1 m); label ``floor``;
* the back wall z = Zb (Zb in [7, 9] m) and the side walls x = +-Wx (Wx in [3, 4] m), infinitely
  high, one random pale colour per scene (the side walls a little darker); label ``wall``;
* ``min_objects`` to ``max_objects`` objects standing on the floor, each a sphere, a box (rotated
  about the vertical axis) or a vertical cylinder with a top cap, in a random saturated colour (the
  colour says nothing about the class).  Their footprints (circles in the xz plane) do not overlap,
  and each footprint's centre is inside the camera's horizontal field of view.

The camera sits at (0, h, 0), h in [1.2, 2.0] m, looks along +z, pitched down by p in [10, 25] degrees,
with a 60 degree field of view both ways (square images).  The ray of the pixel in row i, column j of an
S x S image has the camera-space direction ``(u tan 30deg, v tan 30deg, 1)`` with
``u = (2 j + 1) / S - 1`` (growing to the right) and ``v = 1 - (2 i + 1) / S`` (growing up: row 0 is the
top), and the world direction ``(d_x, d_y cos p - d_z sin p, d_y sin p + d_z cos p)``.  A hit at ray
parameter t is the world point ``(0, h, 0) + t * d_world``, and t is the camera-space depth z (the
distance along the optical axis, not along the ray): ``depth`` holds t.

Shading is Lambert under one directional light plus ambient light (0.35), with shadows cast by the
objects (not by the room), and a little Gaussian noise.  ``lighting="default"`` lights from above,
front and left in a warm white; ``lighting="other"`` is a held-out family, for zero-shot transfer: a
light from above, right and a little in front in a cool white, and a striped floor instead of the checker.
The geometry (and so ``depth`` and ``labels``) does not depend on ``lighting``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

CLASSES = ("floor", "wall", "sphere", "box", "cylinder")  # label ids 0..4
FLOOR, WALL, SPHERE, BOX, CYLINDER = range(5)
OBJECT_KINDS = ("sphere", "box", "cylinder")
FOV = np.deg2rad(60.0)
TAN_HALF_FOV = float(np.tan(FOV / 2))
EPS = 1e-6            # the smallest ray parameter that counts as a hit
SHADOW_OFFSET = 1e-4  # shadow rays start this far off the surface, along the normal
AMBIENT = 0.35
NOISE = 0.02
MAX_OBJECTS = 6
_SEED_TAG = 10010

# Per lighting family: direction toward the light (normalised below), the light's colour, the floor texture.
LIGHTINGS = {
    "default": {"direction": (-0.5, 1.0, -0.7), "colour": (1.0, 0.95, 0.86), "texture": "checker"},
    "other": {"direction": (0.65, 0.9, -0.3), "colour": (0.84, 0.92, 1.0), "texture": "stripes"},
}


@dataclass
class RoomScenes:
    """``images`` (N, 3, S, S) in [0, 1]; ``depth`` (N, S, S) camera-space z in metres (> 0); ``labels``
    (N, S, S) long, indices into ``classes``.

    The geometry, for checking: ``cameras`` (N, 2) of (height in m, pitch down in radians); ``rooms``
    (N, 2) of (Zb, Wx); ``objects`` per scene a list of dicts ``{"kind", "centre", "size", "angle"}``:
    a sphere's ``size`` is ``(radius,)``; a box's ``(hx, hy, hz)`` half-sizes in its own frame, turned by
    ``angle`` radians about the vertical (world = centre + (c x + s z, y, -s x + c z) for a local point
    (x, y, z), c = cos angle, s = sin angle); a cylinder's ``(radius, height)``.  ``centre`` is the
    geometric centre, so its y is the radius, hy, or height / 2 (every object stands on the floor).
    """
    images: torch.Tensor
    depth: torch.Tensor
    labels: torch.Tensor
    cameras: torch.Tensor
    rooms: torch.Tensor
    objects: list[list[dict]] = field(default_factory=list)
    classes: tuple[str, ...] = CLASSES

    def __len__(self) -> int:
        return self.images.shape[0]

    @property
    def size(self) -> int:
        return self.images.shape[-1]

    @property
    def disparity(self) -> torch.Tensor:
        """1 / depth, (N, S, S)."""
        return 1.0 / self.depth


def render_rooms(n: int, *, seed: int, size: int = 32, min_objects: int = 1, max_objects: int = 3,
                 lighting: str = "default") -> RoomScenes:
    """``n`` seeded room scenes of ``size`` x ``size`` pixels with ``min_objects`` to ``max_objects`` objects.

    The same arguments give identical tensors; the same seed with another ``lighting`` gives the same
    geometry (depth, labels, cameras, rooms, objects) under another appearance.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if size < 8:
        raise ValueError(f"size must be >= 8 pixels, got {size}")
    if not 1 <= min_objects <= max_objects:
        raise ValueError(f"need 1 <= min_objects <= max_objects, got min_objects={min_objects}, max_objects={max_objects}")
    if max_objects > MAX_OBJECTS:
        raise ValueError(f"max_objects must be <= {MAX_OBJECTS} (the room fits no more), got {max_objects}")
    if lighting not in LIGHTINGS:
        raise ValueError(f"lighting must be one of {sorted(LIGHTINGS)}, got {lighting!r}")
    rng = np.random.default_rng([seed, _SEED_TAG])
    # All the geometry first, then all the appearance: the geometry cannot depend on the lighting.
    scenes = [_sample_geometry(rng, min_objects, max_objects) for _ in range(n)]
    images = np.zeros((n, 3, size, size), dtype=np.float32)
    depth = np.zeros((n, size, size), dtype=np.float32)
    labels = np.zeros((n, size, size), dtype=np.int64)
    for i, g in enumerate(scenes):
        look = _sample_look(rng, lighting)
        rgb, depth[i], labels[i] = _render_one(g["height"], g["pitch"], g["zb"], g["wx"], g["objects"], size, look)
        rgb += NOISE * rng.standard_normal(rgb.shape).astype(np.float32)
        images[i] = np.clip(rgb, 0.0, 1.0)
    cameras = np.array([[g["height"], g["pitch"]] for g in scenes], dtype=np.float32).reshape(n, 2)
    rooms = np.array([[g["zb"], g["wx"]] for g in scenes], dtype=np.float32).reshape(n, 2)
    return RoomScenes(torch.from_numpy(images), torch.from_numpy(depth), torch.from_numpy(labels),
                      torch.from_numpy(cameras), torch.from_numpy(rooms), [g["objects"] for g in scenes])


# --------------------------------------------------------------------------------------------- sampling

def _sample_geometry(rng: np.random.Generator, min_objects: int, max_objects: int) -> dict:
    """Camera, room and objects of one scene."""
    height, pitch = rng.uniform(1.2, 2.0), np.deg2rad(rng.uniform(10.0, 25.0))
    zb, wx = rng.uniform(7.0, 9.0), rng.uniform(3.0, 4.0)
    kinds = [OBJECT_KINDS[k] for k in rng.integers(0, 3, size=int(rng.integers(min_objects, max_objects + 1)))]
    for _restart in range(100):  # random sequential placement; start again when an object finds no room
        objects = []
        for kind in kinds:
            for _attempt in range(100):
                obj, footprint = _sample_object(rng, kind)
                x, y, z = obj["centre"]
                zc = z * np.cos(pitch) - (y - height) * np.sin(pitch)  # the centre's camera-space depth
                if not (-wx + 1 <= x <= wx - 1 and 2.5 <= z <= zb - 1.5 and abs(x) <= zc * TAN_HALF_FOV):
                    continue
                if all(np.hypot(x - o["centre"][0], z - o["centre"][2]) > footprint + r for o, r in objects):
                    objects.append((obj, footprint))
                    break
            else:
                break
        if len(objects) == len(kinds):
            return {"height": float(height), "pitch": float(pitch), "zb": float(zb), "wx": float(wx),
                    "objects": [o for o, _ in objects]}
    raise RuntimeError("could not place the objects")  # pragma: no cover  (never seen for <= 6 objects)


def _sample_object(rng: np.random.Generator, kind: str) -> tuple[dict, float]:
    """One object at a random place in x in [-4, 4], z in [2.5, 7.5] (the caller checks the room), and its footprint radius."""
    x, z = rng.uniform(-3.0, 3.0), rng.uniform(2.5, 7.5)
    if kind == "sphere":
        r = rng.uniform(0.3, 0.8)
        return {"kind": kind, "centre": (x, r, z), "size": (r,), "angle": 0.0}, r
    if kind == "box":
        hx, hy, hz = rng.uniform(0.25, 0.7, size=3)
        angle = rng.uniform(0.0, np.pi / 2)
        return {"kind": kind, "centre": (x, hy, z), "size": (hx, hy, hz), "angle": angle}, float(np.hypot(hx, hz))
    r, h = rng.uniform(0.25, 0.6), rng.uniform(0.5, 1.6)
    return {"kind": kind, "centre": (x, h / 2, z), "size": (r, h), "angle": 0.0}, r


def _hsv(h, s, v) -> np.ndarray:
    """RGB (..., 3) of HSV colours (all in [0, 1])."""
    h, s, v = (np.asarray(a, dtype=np.float64)[..., None] for a in (h, s, v))
    k = (np.array([5.0, 3.0, 1.0]) + 6.0 * h) % 6.0
    return v - v * s * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)


def _sample_look(rng: np.random.Generator, lighting: str) -> dict:
    """The appearance of one scene: colours, floor texture and light.  Draws the same numbers for every lighting."""
    dark, light = rng.uniform(0.3, 0.48), rng.uniform(0.58, 0.75)
    if rng.random() < 0.5:
        dark, light = light, dark
    floor = _hsv(rng.uniform(size=2), rng.uniform(0.12, 0.4, size=2), np.array([dark, light]))
    wall = _hsv(rng.uniform(), rng.uniform(0.05, 0.22), rng.uniform(0.8, 0.95))
    objects = _hsv(rng.uniform(size=MAX_OBJECTS), rng.uniform(0.65, 1.0, size=MAX_OBJECTS),
                   rng.uniform(0.65, 0.95, size=MAX_OBJECTS))
    offset, angle, width = rng.uniform(size=2), rng.uniform(np.pi / 6, np.pi / 3), rng.uniform(0.35, 0.6)
    spec = LIGHTINGS[lighting]
    direction = np.array(spec["direction"], dtype=np.float64)
    return {"floor": floor, "wall": wall, "side_wall": 0.9 * wall, "objects": objects, "texture": spec["texture"],
            "offset": offset, "stripe_angle": angle, "stripe_width": width,
            "light": direction / np.linalg.norm(direction), "light_colour": np.array(spec["colour"])}


def _plain_look() -> dict:
    """A fixed appearance, for renders with explicit geometry."""
    direction = np.array(LIGHTINGS["default"]["direction"], dtype=np.float64)
    return {"floor": np.array([[0.35, 0.35, 0.35], [0.6, 0.6, 0.6]]), "wall": np.array([0.85, 0.85, 0.8]),
            "side_wall": np.array([0.75, 0.75, 0.72]), "objects": _hsv(np.arange(MAX_OBJECTS) / MAX_OBJECTS, 0.8, 0.85),
            "texture": "checker", "offset": np.zeros(2), "stripe_angle": 0.0, "stripe_width": 0.5,
            "light": direction / np.linalg.norm(direction), "light_colour": np.ones(3)}


# --------------------------------------------------------------------------------------------- geometry

_RAYS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _camera_rays(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Camera-space (d_x, d_y) of the S * S pixel rays, row-major (d_z = 1)."""
    if size not in _RAYS:
        c = (2 * np.arange(size) + 1) / size - 1
        v, u = np.meshgrid(-c, c, indexing="ij")  # row 0 is the top: v = +(1 - 1/S)
        _RAYS[size] = (u.ravel() * TAN_HALF_FOV, v.ravel() * TAN_HALF_FOV)
    return _RAYS[size]


def _where_positive(t):
    """t where it counts as a hit (t > EPS), else inf."""
    return np.where(t > EPS, t, np.inf)


def _sphere(o, d, obj):
    cx, cy, cz = obj["centre"]
    r = obj["size"][0]
    px, py, pz = o[0] - cx, o[1] - cy, o[2] - cz
    a = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
    b = px * d[0] + py * d[1] + pz * d[2]
    c = px * px + py * py + pz * pz - r * r
    disc = b * b - a * c
    sq = np.sqrt(np.maximum(disc, 0.0))
    t0, t1 = (-b - sq) / a, (-b + sq) / a
    t = np.where(t0 > EPS, t0, _where_positive(t1))
    return (np.where(disc >= 0, t, np.inf),)


def _box_frame(obj):
    c, s = np.cos(obj["angle"]), np.sin(obj["angle"])
    return c, s


def _box(o, d, obj):
    """Slab method in the box's own frame."""
    cx, cy, cz = obj["centre"]
    c, s = _box_frame(obj)
    px, py, pz = o[0] - cx, o[1] - cy, o[2] - cz
    lo = (c * px - s * pz, py, s * px + c * pz)
    ld = (c * d[0] - s * d[2], d[1], s * d[0] + c * d[2])
    tnear, tfar = -np.inf, np.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        for h, oo, dd in zip(obj["size"], lo, ld):
            inv = 1.0 / dd
            t1, t2 = (-h - oo) * inv, (h - oo) * inv
            tnear, tfar = np.maximum(tnear, np.minimum(t1, t2)), np.minimum(tfar, np.maximum(t1, t2))
    t = np.where(tnear > EPS, tnear, tfar)
    return (np.where((tnear <= tfar) & (tfar > EPS), t, np.inf),)


def _cylinder(o, d, obj):
    """The side (a quadratic in xz, kept where 0 <= y <= height) and the top cap, as two surfaces."""
    cx, _, cz = obj["centre"]
    r, height = obj["size"]
    px, pz = o[0] - cx, o[2] - cz
    with np.errstate(divide="ignore", invalid="ignore"):
        a = d[0] * d[0] + d[2] * d[2]
        b = px * d[0] + pz * d[2]
        c = px * px + pz * pz - r * r
        disc = b * b - a * c
        sq = np.sqrt(np.maximum(disc, 0.0))
        t0, t1 = (-b - sq) / a, (-b + sq) / a
        y0, y1 = o[1] + t0 * d[1], o[1] + t1 * d[1]
        ok0 = (disc >= 0) & (t0 > EPS) & (y0 >= 0) & (y0 <= height)
        ok1 = (disc >= 0) & (t1 > EPS) & (y1 >= 0) & (y1 <= height)
        side = np.where(ok0, t0, np.where(ok1, t1, np.inf))
        tc = (height - o[1]) / d[1]
        qx, qz = px + tc * d[0], pz + tc * d[2]
        cap = np.where((tc > EPS) & (qx * qx + qz * qz <= r * r), tc, np.inf)
    return side, cap


_INTERSECT = {"sphere": _sphere, "box": _box, "cylinder": _cylinder}
_LABEL = {"sphere": SPHERE, "box": BOX, "cylinder": CYLINDER}


def _normal(obj, part, p):
    """Outward unit normals (3, M) of an object's surface ``part`` at the points ``p`` (3, M) on it."""
    cx, cy, cz = obj["centre"]
    q = (p[0] - cx, p[1] - cy, p[2] - cz)
    if obj["kind"] == "sphere":
        return np.stack(q) / obj["size"][0]
    if obj["kind"] == "cylinder":
        if part == 1:
            return np.broadcast_to(np.array([[0.0], [1.0], [0.0]]), (3, p.shape[1]))
        return np.stack([q[0] / obj["size"][0], np.zeros_like(q[0]), q[2] / obj["size"][0]])
    c, s = _box_frame(obj)
    local = np.stack([c * q[0] - s * q[2], q[1], s * q[0] + c * q[2]])
    rel = np.abs(local) / np.array(obj["size"])[:, None]
    axis = rel.argmax(0)
    n = np.zeros_like(local)
    cols = np.arange(local.shape[1])
    n[axis, cols] = np.sign(local[axis, cols])
    return np.stack([c * n[0] + s * n[2], n[1], -s * n[0] + c * n[2]])


def _render_one(height: float, pitch: float, zb: float, wx: float, objects: list[dict], size: int = 32,
                look: dict | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ray-cast one scene of explicit geometry: the shaded image (3, S, S) float32 before noise, the depth
    (S, S) float32 (camera-space z) and the labels (S, S) int64.  ``look`` None: a fixed plain appearance."""
    look = _plain_look() if look is None else look
    ux, vy = _camera_rays(size)
    cp, sp = np.cos(pitch), np.sin(pitch)
    d = (ux, vy * cp - sp, vy * sp + cp)  # world directions of (u tan, v tan, 1) pitched down
    o = (0.0, height, 0.0)
    with np.errstate(divide="ignore"):
        hits = [  # (label, colour id, t): the room, then every surface of every object
            (FLOOR, -1, _where_positive(np.where(d[1] < 0, -height / d[1], np.inf))),
            (WALL, -2, _where_positive(np.where(d[2] > 0, zb / d[2], np.inf))),
            (WALL, -3, _where_positive(np.where(d[0] < 0, -wx / d[0], np.inf))),
            (WALL, -4, _where_positive(np.where(d[0] > 0, wx / d[0], np.inf))),
        ]
    parts = [None] * 4
    for k, obj in enumerate(objects):
        for part, t in enumerate(_INTERSECT[obj["kind"]](o, d, obj)):
            hits.append((_LABEL[obj["kind"]], k, t))
            parts.append((obj, part))
    ts = np.stack([t for _, _, t in hits])
    best = ts.argmin(0)
    t = ts[best, np.arange(ts.shape[1])]
    assert np.isfinite(t).all(), "every ray hits the room"
    labels = np.array([lab for lab, _, _ in hits])[best]
    p = np.stack([o[0] + t * d[0], o[1] + t * d[1], o[2] + t * d[2]])

    # normals and base colours, surface by surface
    normal = np.zeros_like(p)
    colour = np.zeros_like(p)
    room_normals = [(0.0, 1.0, 0.0), (0.0, 0.0, -1.0), (1.0, 0.0, 0.0), (-1.0, 0.0, 0.0)]
    for k in np.unique(best):
        m = best == k
        if k < 4:
            normal[:, m] = np.array(room_normals[k])[:, None]
            if k == 0:
                colour[:, m] = _floor_colour(p[0, m], p[2, m], look)
            else:
                colour[:, m] = (look["wall"] if k == 1 else look["side_wall"])[:, None]
        else:
            obj, part = parts[k]
            normal[:, m] = _normal(obj, part, p[:, m])
            colour[:, m] = look["objects"][hits[k][1]][:, None]

    # Lambert with object shadows
    light = look["light"]
    lambert = np.maximum(0.0, light @ normal)
    lit = lambert > 0
    if objects and lit.any():
        q = p[:, lit] + SHADOW_OFFSET * normal[:, lit]
        blocked = np.zeros(q.shape[1], dtype=bool)
        for obj in objects:
            for ts_ in _INTERSECT[obj["kind"]](q, light, obj):
                blocked |= np.isfinite(ts_)
        lambert[np.flatnonzero(lit)[blocked]] = 0.0
    rgb = colour * look["light_colour"][:, None] * (AMBIENT + (1 - AMBIENT) * lambert)
    return (rgb.reshape(3, size, size).astype(np.float32), t.reshape(size, size).astype(np.float32),
            labels.reshape(size, size).astype(np.int64))


def _floor_colour(x: np.ndarray, z: np.ndarray, look: dict) -> np.ndarray:
    """(3, M) floor colours at the points (x, 0, z): a 1 m checker, or stripes."""
    if look["texture"] == "checker":
        which = (np.floor(x + look["offset"][0]) + np.floor(z + look["offset"][1])) % 2
    else:
        a = look["stripe_angle"]
        which = np.floor((x * np.cos(a) + z * np.sin(a)) / look["stripe_width"] + look["offset"][0]) % 2
    return look["floor"][which.astype(np.int64)].T
