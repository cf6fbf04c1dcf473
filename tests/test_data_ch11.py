"""Chapter 11's data: MNIST digits as point sets (checked against the images they come from), and
procedural part-labelled point clouds (a ShapeNet-Part analogue), whole or as single-view scans.

The geometry checks use that the clouds keep +z up (they are only turned about z), so heights and
distances from a vertical axis mean the same as in the objects' own frames.  The occlusion checks
scan single objects from chosen cameras with the module's private helpers.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from attncourse.data import parts as P
from attncourse.data.images import load_mnist5k
from attncourse.data.points import mnist_points
from attncourse.data.parts import CATEGORIES, CATEGORY_PARTS, PART_NAMES, PARTS, PartShapes, part_shapes

# ----------------------------------------------------------------- digits as point sets
@pytest.fixture(scope="module")
def digits():
    return mnist_points(points=64, seed=0)


def test_point_digits_are_seeded_and_shaped(digits):
    again, other = mnist_points(points=64, seed=0), mnist_points(points=64, seed=1)
    assert digits.points.shape == (5000, 64, 3) and digits.features.shape == (5000, 64, 1)
    assert digits.points.dtype == torch.float32 and digits.labels.dtype == torch.long
    assert torch.equal(digits.points, again.points) and not torch.equal(digits.points, other.points)
    assert (digits.points[..., 2] == 0).all() and digits.points[..., :2].abs().max() <= 1
    assert len(digits[:10]) == 10 and torch.equal(digits[3:5].labels, digits.labels[3:5])


def test_every_point_lies_in_a_bright_pixel_of_its_digit(digits):
    images, labels = load_mnist5k()
    assert torch.equal(labels, digits.labels)
    pts = digits.points[:300]
    cols = ((pts[..., 0] + 1) / 2 * 28).floor().long().clamp(0, 27)   # x = 2 (c + u) / 28 - 1
    rows = ((1 - pts[..., 1]) / 2 * 28).floor().long().clamp(0, 27)   # y = 1 - 2 (r + v) / 28
    values = images[:300, 0][torch.arange(300)[:, None], rows, cols]
    assert (values > 0.5).all(), "a point outside the digit's strokes"
    assert torch.allclose(values, digits.features[:300, :, 0]), "the feature is the pixel's intensity"


def test_point_digits_spread_over_the_strokes_not_a_corner(digits):
    images, _ = load_mnist5k()
    bright = (images[:, 0] > 0.5).sum((1, 2))
    chosen = torch.cat([torch.arange(100), (bright < 64).nonzero()[:100, 0]])   # both kinds of digit
    cols = ((digits.points[chosen, :, 0] + 1) / 2 * 28).floor().long().clamp(0, 27)
    rows = ((1 - digits.points[chosen, :, 1]) / 2 * 28).floor().long().clamp(0, 27)
    covered = torch.tensor([len(set(zip(r.tolist(), c.tolist()))) for r, c in zip(rows, cols)])
    many = bright[chosen] >= 64
    assert many.any() and (~many).any()
    assert (covered[many] == 64).all(), "with enough bright pixels, the points are drawn without replacement"
    assert (covered[~many] >= 0.5 * bright[chosen][~many]).all(), "with fewer, drawn with replacement: most pixels still"


def test_point_digits_reject_bad_arguments():
    with pytest.raises(ValueError):
        mnist_points(points=0)
    with pytest.raises(ValueError):
        mnist_points(threshold=1.0)


# ----------------------------------------------------------------- part shapes
TABLE, LAMP, MUG, AIRPLANE = range(4)
TOP, LEG, BASE, POLE, SHADE, BODY, HANDLE, FUSELAGE, WING, TAIL = range(10)


@pytest.fixture(scope="module")
def whole() -> PartShapes:
    return part_shapes(200, seed=0, noise=0.0, occlusion=False)


@pytest.fixture(scope="module")
def scans() -> PartShapes:
    return part_shapes(200, seed=0, noise=0.0)


def _of(shapes, category):
    """(points, labels) numpy pairs of the clouds of one category."""
    return [(shapes.points[i].numpy().astype(np.float64), shapes.labels[i].numpy())
            for i in range(len(shapes)) if shapes.category[i] == category]


def test_part_names_and_ranges():
    assert len(PART_NAMES) == 10 == len(set(PART_NAMES))
    assert PART_NAMES[:3] == ("table/top", "table/leg", "lamp/base") and PART_NAMES[-1] == "airplane/tail"
    assert sorted(CATEGORY_PARTS) == [0, 1, 2, 3] and CATEGORIES == ("table", "lamp", "mug", "airplane")
    ids = [g for k in range(4) for g in CATEGORY_PARTS[k]]
    assert ids == list(range(10)), "consecutive, disjoint ranges covering 0..9 in category order"
    for k, name in enumerate(CATEGORIES):
        assert [PART_NAMES[g] for g in CATEGORY_PARTS[k]] == [f"{name}/{p}" for p in PARTS[name]]


def test_seeded_shapes_and_dtypes():
    a, b, c = (part_shapes(12, points=64, seed=s) for s in (3, 3, 4))
    for name in ("points", "labels", "category"):
        assert torch.equal(getattr(a, name), getattr(b, name)), name
    assert not torch.equal(a.points, c.points)
    assert a.points.shape == (12, 64, 3) and a.points.dtype == torch.float32
    assert a.labels.shape == (12, 64) and a.labels.dtype == torch.long
    assert a.category.shape == (12,) and a.category.dtype == torch.long and len(a) == 12
    head = part_shapes(5, points=64, seed=3)
    assert torch.equal(head.points, a.points[:5]) and torch.equal(head.labels, a.labels[:5]), "a prefix"
    plain = part_shapes(12, points=64, seed=3, occlusion=False)
    assert torch.equal(plain.category, a.category), "the same objects, scanned or not"
    assert part_shapes(0).points.shape == (0, 256, 3)


@pytest.mark.parametrize("kwargs", [{"n": -1}, {"points": 1}, {"noise": -0.1}, {"noise": float("nan")}])
def test_bad_arguments_raise(kwargs):
    args = {"n": 2, **kwargs}
    with pytest.raises(ValueError):
        part_shapes(args.pop("n"), **args)


def test_clouds_are_centred_in_the_unit_ball_and_noise_comes_after(whole, scans):
    for s in (whole, scans):
        norms = s.points.norm(dim=-1)
        torch.testing.assert_close(norms.max(1).values, torch.ones(len(s)), atol=1e-5, rtol=0)
        assert s.points.mean(1).abs().max() < 1e-5, "centred at the centroid"
        assert torch.isfinite(s.points).all()
    clean, noisy = part_shapes(40, seed=1, noise=0.0), part_shapes(40, seed=1, noise=0.02)
    assert torch.equal(clean.labels, noisy.labels)
    jitter = noisy.points - clean.points
    assert 0.019 < jitter.std().item() < 0.021, "std `noise` in the unit-ball units"
    assert jitter.mean(1).abs().max() < 0.01
    assert noisy.points.norm(dim=-1).max() <= 1 + 6 * 0.02


def test_labels_stay_in_their_category_and_everything_appears(whole, scans):
    for s in (whole, scans):
        counts = torch.bincount(s.category, minlength=4)
        assert (counts >= 30).all(), f"categories drawn uniformly, got {counts.tolist()}"
        for i in range(len(s)):
            allowed = set(CATEGORY_PARTS[int(s.category[i])])
            assert set(s.labels[i].tolist()) <= allowed
    for i in range(len(whole)):  # without occlusion every part of every object has points
        assert set(whole.labels[i].tolist()) == set(CATEGORY_PARTS[int(whole.category[i])])
    changes = (whole.labels[:, 1:] != whole.labels[:, :-1]).sum(1).float()
    assert changes.mean() > 50, "points in random order, not part after part"
    # With it, parts may hide; but rarely (a mug's handle behind its body the most often).
    hidden = sum(set(scans.labels[i].tolist()) != set(CATEGORY_PARTS[int(scans.category[i])])
                 for i in range(len(scans)))
    assert 0 < hidden <= 0.15 * len(scans)


def test_tables_have_their_top_above_the_legs(whole):
    tables = _of(whole, TABLE)
    assert len(tables) >= 30
    for p, lab in tables:
        top, leg = p[lab == TOP, 2], p[lab == LEG, 2]
        assert leg.max() <= top.min() + 1e-5, "the legs end at the top's underside"
        assert top.min() > leg.mean() and top.std() < leg.std()
        assert math.isclose(p[:, 2].min(), leg.min()), "the legs stand lowest"


def test_lamps_stack_base_pole_shade(whole):
    lamps = _of(whole, LAMP)
    assert len(lamps) >= 30
    for p, lab in lamps:
        z = {part: p[lab == part, 2] for part in (BASE, POLE, SHADE)}
        assert z[BASE].mean() < z[POLE].mean() < z[SHADE].mean()
        assert z[SHADE].min() > z[POLE].mean() and z[BASE].max() < z[POLE].mean()
        assert math.isclose(p[:, 2].min(), z[BASE].min())


def test_mug_handles_stick_out_of_the_body(whole):
    mugs = _of(whole, MUG)
    assert len(mugs) >= 30
    for p, lab in mugs:
        body, handle = p[lab == BODY], p[lab == HANDLE]
        # The wall is round about a vertical axis (a, b), its radius linear in z: x^2 + y^2 = 2ax + 2by + a
        # quadratic in z, which least squares recovers exactly from the wall's points.
        wall = body[body[:, 2] > body[:, 2].min() + 1e-4]
        x, y, z = wall.T
        design = np.stack([2 * x, 2 * y, np.ones_like(z), z, z * z], 1)
        (a, b, *c), *_ = np.linalg.lstsq(design, x * x + y * y, rcond=None)
        axis = np.array([a, b])
        radius = lambda q: np.linalg.norm(q[:, :2] - axis, axis=1)  # noqa: E731
        wall_radius2 = lambda z: c[0] + c[1] * z + c[2] * z * z + a * a + b * b  # noqa: E731
        assert np.abs(radius(wall) ** 2 - wall_radius2(z)).max() < 1e-4, "a round wall"
        assert (radius(handle) ** 2 > wall_radius2(handle[:, 2]) - 1e-4).all(), "no handle inside the body"
        assert radius(handle).mean() > radius(body).max()
        assert radius(handle).max() > 1.2 * radius(body).max()
        assert handle[:, 2].min() > body[:, 2].min() + 0.05 and handle[:, 2].max() < body[:, 2].max()
        assert (np.abs(body[:, 2] - body[:, 2].min()) < 1e-5).mean() > 0.05, "a bottom"


def test_airplane_wings_span_wider_than_the_fuselage_and_the_fin_rises(whole):
    planes = _of(whole, AIRPLANE)
    assert len(planes) >= 30
    for p, lab in planes:
        fus = p[lab == FUSELAGE]
        centre = fus.mean(0)
        _, _, vt = np.linalg.svd(fus[:, :2] - centre[:2], full_matrices=False)
        axis = vt[0]  # the fuselage's long horizontal direction
        side = np.array([-axis[1], axis[0]])
        lateral = lambda q: np.abs((q[:, :2] - centre[:2]) @ side)  # noqa: E731
        along = lambda q: (q[:, :2] - centre[:2]) @ axis  # noqa: E731
        wing, tail = p[lab == WING], p[lab == TAIL]
        assert lateral(wing).max() > 3 * lateral(fus).max() and lateral(wing).mean() > lateral(fus).max()
        assert tail[:, 2].max() > fus[:, 2].max(), "the fin rises above the fuselage"
        assert abs(along(tail).mean()) > 0.6 * np.abs(along(fus)).max(), "the tail is at one end"
        assert abs(along(wing).mean()) < abs(along(tail).mean())


def test_sampling_is_uniform_by_area():
    rng = np.random.default_rng(0)
    box = P._Prim("box", 0, (1.0, 0.5, 0.1))
    x, _ = P._scan([box], rng, 20000, None)
    on_z = (np.abs(np.abs(x[:, 2]) - 0.1) < 1e-12).mean()
    assert on_z == pytest.approx(4 * 0.5 / (4 * 0.5 + 4 * 0.1 + 4 * 0.05), abs=0.015)
    cone = P._Prim("frustum", 0, (1.0, 0.0, 1.0), faces=(True, False, False))
    x, _ = P._scan([cone], rng, 20000, None)
    assert (x[:, 2] < 0.5).mean() == pytest.approx(0.75, abs=0.015), "3/4 of a cone's side is below half height"
    cigar = P._Prim("ellipsoid", 0, (1.0, 0.05, 0.05))
    x, _ = P._scan([cigar], rng, 20000, None)
    # A thin ellipsoid's area per unit length goes as sqrt(1 - x^2); a stretched sphere's would be flat (0.5).
    assert (np.abs(x[:, 0]) < 0.5).mean() == pytest.approx(0.609, abs=0.015)


def _direction(prims, camera):
    lo, hi = P._bounds(prims)
    centre = (lo + hi) / 2
    return centre, (camera - centre) / np.linalg.norm(camera - centre), np.linalg.norm(hi - lo) / 2


def test_scans_lean_towards_the_camera():
    shifts = []
    for k in range(4):
        for s in range(3):
            prims = P._BUILDERS[k](np.random.default_rng(s))
            for az, el in ((0.4, 25), (2.0, -10), (4.0, 60)):
                camera = P._camera(prims, az, np.deg2rad(el))
                centre, d, r = _direction(prims, camera)
                seen, _ = P._scan(prims, np.random.default_rng(1), 512, camera)
                every, _ = P._scan(prims, np.random.default_rng(1), 512, None)
                shifts.append((((seen - centre) @ d).mean() - ((every - centre) @ d).mean()) / r)
                if k == MUG:
                    assert shifts[-1] > 0.05
    assert np.mean(shifts) > 0.08 and np.min(shifts) > -0.02


def test_a_table_seen_from_above_shows_only_its_top_face_and_from_below_its_underside():
    for s in range(6):
        prims = P._table(np.random.default_rng(s))
        every, part = P._scan(prims, np.random.default_rng(0), 1000, None)
        top_z = every[part == 0, 2]
        above, part = P._scan(prims, np.random.default_rng(0), 300, P._camera(prims, 0.3, np.pi / 2))
        assert (part == 0).all(), "the top hides the legs"
        assert np.abs(above[:, 2] - top_z.max()).max() < 1e-9, "and its own sides and underside"
        below, part = P._scan(prims, np.random.default_rng(0), 300, P._camera(prims, 0.3, -np.pi / 2))
        assert (part == 1).any() and (part == 0).any()
        assert np.abs(below[part == 0, 2] - top_z.min()).max() < 1e-9


def test_a_mug_hides_its_handle_behind_it_and_is_seen_into_from_above():
    for s in range(6):
        prims = P._mug(np.random.default_rng(s))  # the handle is on the +x side
        _, part = P._scan(prims, np.random.default_rng(0), 300, P._camera(prims, 0.0, 0.0))
        assert (part == 1).sum() > 10, "facing the handle"
        _, part = P._scan(prims, np.random.default_rng(0), 300, P._camera(prims, np.pi, 0.0))
        assert (part == 0).all(), "the body hides the handle"
        x, part = P._scan(prims, np.random.default_rng(0), 300, P._camera(prims, 0.0, np.pi / 2))
        assert (np.abs(x[part == 0, 2]) < 1e-9).mean() > 0.1, "the inside bottom, through the opening"
        assert (x[part == 0, 2] > 0.5).mean() > 0.1, "and the inside wall"
        x, part = P._scan(prims, np.random.default_rng(0), 300, P._camera(prims, 0.0, -np.pi / 2))
        assert np.abs(x[part == 0, 2]).max() < 1e-9, "from below, the bottom hides the wall"
        assert (part == 1).any()


def test_occlusion_makes_table_tops_one_sided(whole, scans):
    """A table top's two big faces face opposite ways: a scan sees one of them, the whole cloud both."""
    def minority(shapes):
        out = []
        for p, lab in _of(shapes, TABLE):
            z = p[lab == TOP, 2]
            mid = (z.min() + z.max()) / 2
            out.append(min((z > mid).mean(), (z < mid).mean()))
        return np.median(out)
    assert minority(whole) > 0.4
    assert minority(scans) < 0.15
