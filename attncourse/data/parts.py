"""Part-labelled point clouds for chapter 11 (Point Transformer): a small, procedural ShapeNet-Part.

ShapeNet-Part gives, for every point of a scanned object, the part it lies on (a chair's back, seat
or legs).  Here the objects are built from a seed instead of downloaded: four categories, each a
composite of simple parametric surfaces with random proportions, so no two shapes are alike:

* ``table``: a top (a rectangular slab of random aspect ratio and thickness, or a round disc) on four
  legs (square or round, maybe tapered, of random length, thickness and inset from the edge);
* ``lamp``: a base (a low disc), a pole (a thin cylinder: straight up, slanted, or bent at a knee)
  and a shade (an open frustum, from a near-cylinder drum to a cone) around the pole's top;
* ``mug``: a body (an open, maybe tapered, cylinder with a bottom) and a handle (a tube bent into an
  arc of a torus, on the side);
* ``airplane``: a fuselage (an elongated ellipsoid, or a cylinder with a rounded nose and a tail
  cone), two wings (thin slabs, maybe swept back, maybe with dihedral) and a tail (a swept vertical
  fin and two small horizontal stabilisers, low or on top of the fin: all of it labelled ``tail``).

Labels are GLOBAL part ids, as in ShapeNet-Part's 50-part scheme: each category owns a consecutive range
of ids (``CATEGORY_PARTS``), named in ``PART_NAMES`` ("table/top" is 0, "table/leg" 1, "lamp/base" 2,
..., "airplane/tail" 9).  A cloud of category k only ever holds ids of ``CATEGORY_PARTS[k]``, so a
model told the category can restrict its prediction to that range (the usual ShapeNet-Part protocol).

Points lie on the SURFACE of the parts, sampled uniformly by area (a part's share of the points is its
share of the area), a few candidates per output point, from which ``points`` are kept.

Occlusion (``occlusion=True``) makes every cloud a single-view scan.  A camera looks at the shape from
a random direction (any azimuth, elevation between -15 and 65 degrees, from three bounding radii away);
a candidate point is kept only if the camera sees it:

* on a closed part (a box, a solid cylinder, the fuselage) its outward normal must face the camera,
  normal . (camera - p) > 0, which hides the part's own far side (back-face culling);
* the open shells (a mug's body, a lamp's shade) are thin sheets, seen from both sides: their inside
  shows through the opening when the camera looks into them;
* and the straight segment from the point to the camera must not pass through another part (or, for a
  shell, through the shell itself): a table's top hides the legs' tops from above, a mug's body hides
  a handle behind it.  Every part occludes except the mug's handle (a thin tube; it hides little).

So a part can be wholly hidden.  Over 1500 scans of 256 points: a mug's handle behind its body in about
one mug in five, a lamp's pole (under and inside its shade, seen from high above) in 1 to 3 % of the lamps,
all of a table's legs under its top in 1 to 2 % of the tables, never a part of a plane; in all, one
scan in 15 to 20.  Thin parts keep few points: a lamp's pole has under 5 points in about one lamp
in 15.  Without occlusion every cloud samples the whole surface and shows every part.

Coordinates: the shapes stand upright, +z up (a table's top is above its legs, a lamp's shade above its
base, a plane's wings are horizontal).  Each cloud is then centred at its centroid (of the points kept,
before noise), scaled so its farthest point is at distance 1 (inside the unit ball), turned by a random
angle about z (so the parts cannot be told apart by a fixed horizontal axis; z stays up), given
isotropic Gaussian noise of std ``noise`` and listed in random order.

Shape i of ``part_shapes(n, seed=s)`` depends only on (s, i): a smaller n gives a prefix of a larger
one, and the same seed with another ``occlusion`` gives the same categories and objects, scanned
differently.  Different seeds give independent sets.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

CATEGORIES = ("table", "lamp", "mug", "airplane")
PARTS = {"table": ("top", "leg"), "lamp": ("base", "pole", "shade"), "mug": ("body", "handle"),
         "airplane": ("fuselage", "wing", "tail")}
PART_NAMES = tuple(f"{c}/{p}" for c in CATEGORIES for p in PARTS[c])  # the global part ids 0..9, in order


def _part_ranges() -> dict[int, tuple[int, ...]]:
    ranges, start = {}, 0
    for k, c in enumerate(CATEGORIES):
        ranges[k] = tuple(range(start, start + len(PARTS[c])))
        start += len(PARTS[c])
    return ranges


CATEGORY_PARTS = _part_ranges()  # category index -> its global part ids, a consecutive range

CANDIDATES = 4           # candidate surface points drawn per output point, per batch
MAX_BATCHES = 8          # batches of candidates before a scan falls back on drawing with replacement
ELEVATION = (-15.0, 65.0)  # camera elevation in degrees: scans mostly look down, as a person would
CAMERA_DISTANCE = 3.0    # camera distance from the bounding-box centre, in bounding radii
_EPS = 1e-6              # segment parameters within this of either end do not count as hits
_MARGIN = 1e-7           # a point counts as inside a solid only this far in (surfaces may touch)
_SEED_TAG = 11011


@dataclass
class PartShapes:
    """``points`` (n, N, 3) float32, each cloud centred and inside the unit ball (up to noise), +z up;
    ``labels`` (n, N) long, global part ids (indices into ``PART_NAMES``); ``category`` (n,) long,
    indices into ``CATEGORIES``."""
    points: torch.Tensor
    labels: torch.Tensor
    category: torch.Tensor

    def __len__(self) -> int:
        return self.points.shape[0]


def part_shapes(n: int, *, points: int = 256, seed: int = 0, noise: float = 0.01, occlusion: bool = True) -> PartShapes:
    """``n`` seeded part-labelled clouds of ``points`` points each, categories drawn uniformly.

    ``occlusion=True`` makes each a single-view scan (see the module's docstring); ``noise`` is the std
    of the Gaussian jitter added after scaling into the unit ball.  Shape i depends only on
    (``seed``, i), so a smaller ``n`` gives a prefix of a larger one.
    """
    if n < 0 or points < 2 or not noise >= 0:
        raise ValueError(f"need n >= 0, points >= 2 and noise >= 0; got n={n}, points={points}, noise={noise}")
    xyz = np.zeros((n, points, 3), dtype=np.float32)
    labels = np.zeros((n, points), dtype=np.int64)
    category = np.zeros(n, dtype=np.int64)
    for i in range(n):
        rng = np.random.default_rng([seed, _SEED_TAG, i])  # one stream per shape: prefixes agree
        k = int(rng.integers(len(CATEGORIES)))
        prims = _BUILDERS[k](rng)
        # The camera is drawn also without occlusion, so that both settings see the same objects.
        camera = _camera(prims, rng.uniform(0.0, 2 * np.pi), np.deg2rad(rng.uniform(*ELEVATION)))
        p, part = _scan(prims, rng, points, camera if occlusion else None)
        p = p - p.mean(axis=0)
        p /= np.linalg.norm(p, axis=1).max()
        turn = rng.uniform(0.0, 2 * np.pi)
        c, s = np.cos(turn), np.sin(turn)
        p = p @ np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]).T
        xyz[i] = p + noise * rng.standard_normal(p.shape)
        labels[i] = np.asarray(CATEGORY_PARTS[k])[part]
        category[i] = k
    return PartShapes(torch.from_numpy(xyz), torch.from_numpy(labels), torch.from_numpy(category))


# --------------------------------------------------------------------------------------------- primitives

class _Prim:
    """One parametric surface of a shape, in its own frame: world = rot @ local + at.

    ``kind`` and ``size``: ``"box"`` (hx, hy, hz) half-sizes about the origin; ``"frustum"`` (r0, r1, h),
    radius r0 at z = 0 and r1 at z = h about the z axis; ``"ellipsoid"`` (a, b, c) semi-axes;
    ``"torus"`` (R, r, phi0, phi1), the arc phi0..phi1 of a tube of radius r about the circle of radius R
    in the xy plane.  ``faces`` says which faces carry points: a box's six (-x, +x, -y, +y, -z, +z), a
    frustum's (side, bottom, top); faces touching another part are left out.  ``part`` is the local part
    index.  ``open``: a two-sided sheet (no back-face culling; it can hide its own points), else a closed
    solid.  ``clip``: other parts' points inside its volume are dropped.  ``occludes``: it hides what is
    behind it (a closed solid as a whole, an open sheet by its faces).
    """
    __slots__ = ("kind", "part", "size", "faces", "rot", "at", "open", "clip", "occludes")

    def __init__(self, kind, part, size, *, rot=None, at=(0.0, 0.0, 0.0), faces=None, open=False, clip=True,
                 occludes=True):
        self.kind, self.part, self.size = kind, part, tuple(float(v) for v in size)
        self.faces = np.array(faces if faces is not None else (True,) * {"box": 6, "frustum": 3}.get(kind, 1))
        self.rot = np.eye(3) if rot is None else np.asarray(rot, dtype=np.float64)
        self.at = np.asarray(at, dtype=np.float64)
        self.open, self.clip, self.occludes = open, clip, occludes


def _face_areas(p: _Prim) -> np.ndarray:
    if p.kind == "box":
        hx, hy, hz = p.size
        areas = 4 * np.array([hy * hz, hy * hz, hx * hz, hx * hz, hx * hy, hx * hy])
    elif p.kind == "frustum":
        r0, r1, h = p.size
        areas = np.pi * np.array([(r0 + r1) * np.hypot(h, r1 - r0), r0 ** 2, r1 ** 2])
    elif p.kind == "ellipsoid":  # Knud Thomsen's approximation, within about 1 %
        a, b, c = p.size
        q = 1.6075
        areas = np.array([4 * np.pi * (((a * b) ** q + (a * c) ** q + (b * c) ** q) / 3) ** (1 / q)])
    else:
        big, small, phi0, phi1 = p.size
        areas = np.array([(phi1 - phi0) * big * 2 * np.pi * small])
    return areas * p.faces


def _sample(p: _Prim, m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``m`` points uniform on the primitive's faces, with their outward unit normals, in world coordinates."""
    rows = np.arange(m)
    if p.kind == "box":
        h = np.array(p.size)
        area = _face_areas(p)
        face = rng.choice(6, size=m, p=area / area.sum())
        axis, sign = face // 2, np.where(face % 2 == 1, 1.0, -1.0)
        x = rng.uniform(-1.0, 1.0, (m, 3)) * h
        x[rows, axis] = sign * h[axis]
        nrm = np.zeros((m, 3))
        nrm[rows, axis] = sign
    elif p.kind == "frustum":
        r0, r1, h = p.size
        area = _face_areas(p)
        face = rng.choice(3, size=m, p=area / area.sum())
        u, theta = rng.random(m), rng.uniform(0.0, 2 * np.pi, m)
        if abs(r1 - r0) > 1e-6 * max(r0, r1):
            # Unrolled, the side is a piece of an annulus: the area out to radius r grows as r^2 - r0^2.
            r = np.sqrt(r0 ** 2 + u * (r1 ** 2 - r0 ** 2))
            z = h * (r - r0) / (r1 - r0)
        else:
            r, z = np.full(m, r0), h * u
        cap = np.sqrt(u) * np.where(face == 1, r0, r1)  # uniform on a disc
        r = np.where(face == 0, r, cap)
        z = np.where(face == 0, z, np.where(face == 1, 0.0, h))
        x = np.stack([r * np.cos(theta), r * np.sin(theta), z], axis=1)
        side = np.stack([np.cos(theta), np.sin(theta), np.full(m, (r0 - r1) / h)], axis=1)
        side /= np.linalg.norm(side, axis=1, keepdims=True)
        nrm = np.where((face == 0)[:, None], side, np.where((face == 1)[:, None], [0.0, 0.0, -1.0], [0.0, 0.0, 1.0]))
    elif p.kind == "ellipsoid":
        abc = np.array(p.size)
        found = []
        while sum(len(f) for f in found) < m:  # rejection: stretching a sphere crowds its points at the ends
            s = rng.standard_normal((2 * m + 16, 3))
            s /= np.linalg.norm(s, axis=1, keepdims=True)
            stretch = np.sqrt(((s / abc) ** 2).sum(axis=1)) * abc.min()  # area element, relative to its maximum
            found.append(s[rng.random(len(s)) < stretch])
        s = np.concatenate(found)[:m]
        x = s * abc
        nrm = s / abc
        nrm /= np.linalg.norm(nrm, axis=1, keepdims=True)
    else:
        big, small, phi0, phi1 = p.size
        found = []
        while sum(len(f) for f in found) < m:  # rejection: the outer side of a tube has more area than the inner
            phi, psi = rng.uniform(phi0, phi1, 2 * m + 16), rng.uniform(0.0, 2 * np.pi, 2 * m + 16)
            keep = rng.random(len(phi)) * (big + small) < big + small * np.cos(psi)
            found.append(np.stack([phi[keep], psi[keep]], axis=1))
        phi, psi = np.concatenate(found)[:m].T
        radial = np.stack([np.cos(phi), np.sin(phi), np.zeros(m)], axis=1)
        nrm = np.cos(psi)[:, None] * radial + np.sin(psi)[:, None] * np.array([0.0, 0.0, 1.0])
        x = big * radial + small * nrm
    return x @ p.rot.T + p.at, nrm @ p.rot.T


def _local(p: _Prim, x: np.ndarray) -> np.ndarray:
    return (x - p.at) @ p.rot  # rot is orthogonal: its transpose undoes it


def _inside(p: _Prim, x: np.ndarray) -> np.ndarray:
    """Whether points (M, 3) lie strictly inside the primitive's volume."""
    o = _local(p, x)
    if p.kind == "box":
        return (np.abs(o) < np.array(p.size) - _MARGIN).all(axis=1)
    if p.kind == "frustum":
        r0, r1, h = p.size
        radius = r0 + (r1 - r0) / h * o[:, 2]
        return (o[:, 2] > _MARGIN) & (o[:, 2] < h - _MARGIN) & (np.hypot(o[:, 0], o[:, 1]) < radius - _MARGIN)
    if p.kind == "ellipsoid":
        return ((o / np.array(p.size)) ** 2).sum(axis=1) < 1 - _MARGIN
    return np.zeros(len(x), dtype=bool)


def _blocks(p: _Prim, x: np.ndarray, camera: np.ndarray) -> np.ndarray:
    """Whether the segment from each point (M, 3) to the camera passes through the primitive
    (meets it at a parameter t in (0, 1), the point at t = 0, the camera at t = 1)."""
    o = _local(p, x)
    d = _local(p, camera[None]) - o
    inner = lambda t: (t > _EPS) & (t < 1 - _EPS)  # noqa: E731
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p.kind == "box":  # slab test: the segment's stretch inside each pair of planes must overlap
            h = np.array(p.size)
            d = np.where(d == 0, 1e-300, d)
            t1, t2 = (-h - o) / d, (h - o) / d
            near, far = np.minimum(t1, t2).max(axis=1), np.maximum(t1, t2).min(axis=1)
            return (near <= far) & (far > _EPS) & (near < 1 - _EPS)
        if p.kind == "ellipsoid":
            o, d = o / np.array(p.size), d / np.array(p.size)
            a, b, c = (d * d).sum(axis=1), 2 * (o * d).sum(axis=1), (o * o).sum(axis=1) - 1
            disc = b * b - 4 * a * c
            root = np.sqrt(np.maximum(disc, 0.0))
            return (disc > 0) & ((-b + root) / (2 * a) > _EPS) & ((-b - root) / (2 * a) < 1 - _EPS)
        # Frustum: the side where x^2 + y^2 = (r0 + k z)^2 with 0 <= z <= h, then the caps.
        r0, r1, h = p.size
        k = (r1 - r0) / h
        rz = r0 + k * o[:, 2]
        a = d[:, 0] ** 2 + d[:, 1] ** 2 - (k * d[:, 2]) ** 2
        b = 2 * (o[:, 0] * d[:, 0] + o[:, 1] * d[:, 1] - k * rz * d[:, 2])
        c = o[:, 0] ** 2 + o[:, 1] ** 2 - rz ** 2
        disc = b * b - 4 * a * c
        q = -0.5 * (b + np.copysign(np.sqrt(np.maximum(disc, 0.0)), b))  # the stable pair of roots q / a, c / q
        hit = np.zeros(len(x), dtype=bool)
        for t in (q / a, c / q):
            z = o[:, 2] + t * d[:, 2]
            hit |= (disc >= 0) & inner(t) & (z >= 0) & (z <= h)
        caps = p.faces[1:] if p.open else (True, True)  # a solid is closed whatever carries points
        for present, zc, rc in zip(caps, (0.0, h), (r0, r1)):
            if present:
                t = (zc - o[:, 2]) / d[:, 2]
                hit |= inner(t) & (((o[:, :2] + t[:, None] * d[:, :2]) ** 2).sum(axis=1) <= rc ** 2)
        return hit


def _bounds(prims: list[_Prim]) -> tuple[np.ndarray, np.ndarray]:
    corners = []
    for p in prims:
        if p.kind == "box":
            half = np.array(p.size)
            lo, hi = -half, half
        elif p.kind == "frustum":
            r = max(p.size[:2])
            lo, hi = np.array([-r, -r, 0.0]), np.array([r, r, p.size[2]])
        elif p.kind == "ellipsoid":
            lo, hi = -np.array(p.size), np.array(p.size)
        else:
            big, small = p.size[:2]
            hi = np.array([big + small, big + small, small])
            lo = -hi
        box = np.array(np.meshgrid(*zip(lo, hi), indexing="ij")).reshape(3, 8).T  # the 8 corners
        corners.append(box @ p.rot.T + p.at)
    corners = np.concatenate(corners)
    return corners.min(axis=0), corners.max(axis=0)


def _camera(prims: list[_Prim], azimuth: float, elevation: float) -> np.ndarray:
    """The camera's position: CAMERA_DISTANCE bounding radii from the shape's bounding-box centre, in the
    direction of the given azimuth (about z, from +x) and elevation (radians)."""
    lo, hi = _bounds(prims)
    direction = np.array([np.cos(elevation) * np.cos(azimuth), np.cos(elevation) * np.sin(azimuth), np.sin(elevation)])
    return (lo + hi) / 2 + CAMERA_DISTANCE * np.linalg.norm(hi - lo) / 2 * direction


def _scan(prims: list[_Prim], rng: np.random.Generator, points: int,
          camera: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``points`` surface points (points, 3) of a shape and their local part indices: all of the surface
    when ``camera`` is None, else what a camera at that position sees."""
    share = np.array([_face_areas(p).sum() for p in prims])
    share /= share.sum()
    closed = np.array([not p.open for p in prims])
    kept_x, kept_part, total = [], [], 0
    for _batch in range(MAX_BATCHES):  # more batches only when a scan sees too little of the shape
        counts = rng.multinomial(CANDIDATES * points, share)
        pieces = [(_sample(p, c, rng), j) for j, (p, c) in enumerate(zip(prims, counts)) if c]
        x = np.concatenate([xn[0] for xn, _ in pieces])
        nrm = np.concatenate([xn[1] for xn, _ in pieces])
        owner = np.concatenate([np.full(len(xn[0]), j) for xn, j in pieces])
        keep = np.ones(len(x), dtype=bool)
        for j, p in enumerate(prims):  # where parts overlap (a wing's root in the fuselage), the inner bits go
            if p.clip:
                test = keep & (owner != j)
                keep[test] = ~_inside(p, x[test])
        if camera is not None:
            keep &= ~closed[owner] | ((nrm * (camera - x)).sum(axis=1) > 0)
            for j, p in enumerate(prims):
                if p.occludes:
                    # A closed part is convex (the handle, the one that is not, occludes nothing): culling
                    # its back faces has already hidden all of it that it hides itself.
                    test = keep & ((owner != j) | p.open)
                    keep[test] = ~_blocks(p, x[test], camera)
        kept_x.append(x[keep])
        kept_part.append(np.array([p.part for p in prims])[owner[keep]])
        total += int(keep.sum())
        if total >= points:
            break
    x, part = np.concatenate(kept_x), np.concatenate(kept_part)
    pick = rng.choice(total, size=points, replace=total < points)  # a random order too
    return x[pick], part[pick]


# --------------------------------------------------------------------------------------------- shapes

def _frame(z_axis, x_hint=(1.0, 0.0, 0.0)) -> np.ndarray:
    """A rotation whose third column is the unit vector along ``z_axis``."""
    z = np.asarray(z_axis, dtype=np.float64)
    z = z / np.linalg.norm(z)
    hint = np.asarray(x_hint, dtype=np.float64)
    if abs(hint @ z) > 0.9:
        hint = np.array([0.0, 1.0, 0.0]) if abs(z[1]) < 0.9 else np.array([0.0, 0.0, 1.0])
    x = hint - (hint @ z) * z
    x /= np.linalg.norm(x)
    return np.column_stack([x, np.cross(z, x), z])


def _slab(part, chord_dir, span_dir, root, chord, length, thick, *, root_face=False) -> _Prim:
    """A thin box (a wing, a fin) from ``root`` along ``span_dir``, ``chord`` wide along ``chord_dir``
    (perpendicular to ``span_dir``); its root face is left out unless ``root_face``."""
    c, u = np.asarray(chord_dir, dtype=np.float64), np.asarray(span_dir, dtype=np.float64)
    rot = np.column_stack([c, u, np.cross(c, u)])
    faces = (True, True, root_face, True, True, True)
    return _Prim("box", part, (chord / 2, length / 2, thick / 2), rot=rot, at=np.asarray(root) + u * length / 2,
                 faces=faces)


def _table(rng: np.random.Generator) -> list[_Prim]:
    """A top (long side 1) on four legs; the floor is z = 0."""
    height, thick = rng.uniform(0.35, 0.85), rng.uniform(0.02, 0.08)  # leg length and top thickness
    leg = rng.uniform(0.015, 0.045)  # a leg's half-width or radius
    round_legs, taper = rng.random() < 0.4, rng.uniform(0.6, 1.0)
    if rng.random() < 0.3:
        top = _Prim("frustum", 0, (0.5, 0.5, thick), at=(0.0, 0.0, height))
        rho, spin = 0.5 - rng.uniform(0.03, 0.15) - leg, rng.uniform(0.0, np.pi / 2)
        feet = [(rho * np.cos(spin + q * np.pi / 2), rho * np.sin(spin + q * np.pi / 2)) for q in range(4)]
    else:
        width = rng.uniform(0.45, 1.0)
        top = _Prim("box", 0, (0.5, width / 2, thick / 2), at=(0.0, 0.0, height + thick / 2))
        inset = rng.uniform(0.02, 0.15) * width
        fx, fy = 0.5 - inset - leg, width / 2 - inset - leg
        feet = [(sx * fx, sy * fy) for sx in (-1, 1) for sy in (-1, 1)]
    prims = [top]
    for x, y in feet:  # a leg's top face touches the top: no points there
        if round_legs:
            prims.append(_Prim("frustum", 1, (leg * taper, leg, height), at=(x, y, 0.0), faces=(True, True, False)))
        else:
            prims.append(_Prim("box", 1, (leg, leg, height / 2), at=(x, y, height / 2), faces=(True,) * 5 + (False,)))
    return prims


def _lamp(rng: np.random.Generator) -> list[_Prim]:
    """A base disc on z = 0, a pole from its middle, and a shade around the pole's top (the bulb)."""
    base_r, base_h = rng.uniform(0.12, 0.28), rng.uniform(0.025, 0.07)
    prims = [_Prim("frustum", 0, (base_r, base_r * rng.uniform(0.6, 1.0), base_h))]
    shade_r, shade_h = rng.uniform(0.15, 0.32), rng.uniform(0.18, 0.35)
    shade_top = shade_r * rng.uniform(0.25, 0.9)
    pole_r = rng.uniform(0.014, 0.03)
    top_z = base_h + rng.uniform(0.45, 0.85)
    inside = 0.6 * shade_h  # the pole's top is this far above the shade's lower rim
    style, heading = int(rng.integers(3)), rng.uniform(0.0, 2 * np.pi)  # straight up, slanted, bent
    path = [np.array([0.0, 0.0, base_h])]
    if style == 2:
        path.append(np.array([0.0, 0.0, base_h + (top_z - base_h) * rng.uniform(0.35, 0.7)]))
    offset = 0.0 if style == 0 else rng.uniform(0.08, 0.3)
    # The last stretch of pole must enter the shade through its open rim, not through its side.
    offset = min(offset, 0.7 * shade_r * (top_z - path[-1][2]) / inside)
    path.append(np.array([offset * np.cos(heading), offset * np.sin(heading), top_z]))
    for q, (a, b) in enumerate(zip(path[:-1], path[1:])):
        last = q == len(path) - 2
        prims.append(_Prim("frustum", 1, (pole_r, pole_r, np.linalg.norm(b - a)), rot=_frame(b - a), at=a,
                           faces=(True, False, last)))
    if style == 2:
        prims.append(_Prim("ellipsoid", 1, (pole_r,) * 3, at=path[1]))  # the knee
    prims.append(_Prim("frustum", 2, (shade_r, shade_top, shade_h), at=(path[-1][0], path[-1][1], top_z - inside),
                       faces=(True, False, False), open=True, clip=False))
    return prims


def _mug(rng: np.random.Generator) -> list[_Prim]:
    """A body of height 1 standing on z = 0, open at the top, and a handle on its +x side."""
    r0 = rng.uniform(0.25, 0.4)
    r1 = r0 * rng.uniform(1.0, 1.2)
    body = _Prim("frustum", 0, (r0, r1, 1.0), faces=(True, True, False), open=True, clip=True)
    small = rng.uniform(0.04, 0.07)
    zc = rng.uniform(0.45, 0.55)
    big = min(rng.uniform(0.25, 0.4), min(zc, 1 - zc) - small - 0.04)
    tuck = rng.uniform(0.0, 0.3) * big  # the arc's centre this far inside the wall: a flatter handle
    reach = np.arccos(tuck / big) + 0.25  # a little past the wall; the ends inside the body are clipped
    # The torus's plane (local xy) is the world's xz plane: local x -> x, local y -> z, local z -> -y.
    rot = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    handle = _Prim("torus", 1, (big, small, -reach, reach), rot=rot, at=(r0 + (r1 - r0) * zc - tuck, 0.0, zc),
                   clip=False, occludes=False)
    return [body, handle]


def _airplane(rng: np.random.Generator) -> list[_Prim]:
    """A fuselage of length 1 along x (nose at +x) on the z = 0 plane, wings along +-y, a tail at -x."""
    rf = rng.uniform(0.045, 0.085)
    along = _frame((1.0, 0.0, 0.0), x_hint=(0.0, 0.0, 1.0))  # a frustum's axis along +x
    if rng.random() < 0.5:
        prims = [_Prim("ellipsoid", 0, (0.5, rf, rf))]

        def radius(x):
            return rf * np.sqrt(max(0.0, 1 - (2 * x) ** 2))
    else:
        nose, cone = rng.uniform(0.08, 0.16), rng.uniform(0.18, 0.3)
        end = rng.uniform(0.15, 0.4)  # the tail cone's end radius, relative
        x0, x1 = -0.5 + cone, 0.5 - nose
        prims = [_Prim("frustum", 0, (rf, rf, x1 - x0), rot=along, at=(x0, 0.0, 0.0), faces=(True, False, False)),
                 _Prim("ellipsoid", 0, (nose, rf, rf), at=(x1, 0.0, 0.0)),
                 _Prim("frustum", 0, (end * rf, rf, cone), rot=along, at=(-0.5, 0.0, 0.0), faces=(True, True, False))]

        def radius(x):
            return rf * (end + (1 - end) * np.clip((x + 0.5) / cone, 0.0, 1.0))

    # Wings: slabs from inside the fuselage outward, swept back by `sweep`, tilted up by `dihedral`.
    span, chord, thick = rng.uniform(0.35, 0.6), rng.uniform(0.1, 0.22), rng.uniform(0.01, 0.022)
    sweep, dihedral = np.deg2rad(rng.uniform(0.0, 35.0)), np.deg2rad(rng.uniform(-3.0, 8.0))
    xw, zw = rng.uniform(-0.08, 0.12), rf * rng.uniform(-0.6, 0.4)
    for side in (1.0, -1.0):
        flat = np.array([-np.sin(sweep), side * np.cos(sweep), 0.0])
        u = np.cos(dihedral) * flat + np.array([0.0, 0.0, np.sin(dihedral)])
        c = np.array([np.cos(sweep), side * np.sin(sweep), 0.0])
        root = np.array([xw, side * 0.5 * rf, zw])
        prims.append(_slab(1, c, u, root, chord, (span - 0.5 * rf) / (np.cos(sweep) * np.cos(dihedral)), thick))
    # Tail: a swept fin on top at the back, and two stabilisers (low on the fuselage, or a T-tail).
    fin_h, fin_c, fin_t = rng.uniform(0.1, 0.2), rng.uniform(0.08, 0.15), rng.uniform(0.008, 0.016)
    fin_sweep = np.deg2rad(rng.uniform(15.0, 45.0))
    xf = -0.5 + rng.uniform(0.04, 0.08) + fin_c / 2
    u_fin = np.array([-np.sin(fin_sweep), 0.0, np.cos(fin_sweep)])
    fin_root = np.array([xf, 0.0, 0.3 * radius(xf)])
    fin_len = fin_h / np.cos(fin_sweep)
    prims.append(_slab(2, (np.cos(fin_sweep), 0.0, np.sin(fin_sweep)), u_fin, fin_root, fin_c, fin_len, fin_t))
    stab_span, stab_c = rng.uniform(0.08, 0.16), rng.uniform(0.05, 0.1)
    stab_sweep = np.deg2rad(rng.uniform(10.0, 35.0))
    t_tail = rng.random() < 0.25
    for side in (1.0, -1.0):
        u = np.array([-np.sin(stab_sweep), side * np.cos(stab_sweep), 0.0])
        c = np.array([np.cos(stab_sweep), side * np.sin(stab_sweep), 0.0])
        if t_tail:  # from the middle of the fin's top
            root = fin_root + u_fin * (fin_len - fin_t)
        else:
            root = np.array([xf - 0.01, side * 0.3 * radius(xf), 0.0])
        prims.append(_slab(2, c, u, root, stab_c, stab_span / np.cos(stab_sweep), fin_t))
    return prims


_BUILDERS = (_table, _lamp, _mug, _airplane)  # in the order of CATEGORIES
