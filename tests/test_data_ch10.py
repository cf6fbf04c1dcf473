"""Chapter 10's data: ray-cast rooms with depth and per-pixel classes.

The geometry checks back-project every pixel with the documented camera model, written out here again:
pixel (i, j) of an S x S image has u = (2j + 1)/S - 1, v = 1 - (2i + 1)/S, the camera-space direction
(u tan 30deg, v tan 30deg, 1), and a camera at (0, h, 0) pitched down by p.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from attncourse.data.rooms import CLASSES, RoomScenes, _render_one, render_rooms

T = math.tan(math.radians(30))
FLOOR, WALL, SPHERE, BOX, CYLINDER = range(5)


def _uv(size):
    c = (2 * np.arange(size) + 1) / size - 1
    return np.broadcast_to(c[None, :], (size, size)), np.broadcast_to(-c[:, None], (size, size))


def _backproject(depth, height, pitch):
    """World points (S, S, 3) of a depth map (camera-space z) seen by the camera (height, pitch)."""
    u, v = _uv(depth.shape[-1])
    right = np.array([1.0, 0.0, 0.0])
    up = np.array([0.0, math.cos(pitch), math.sin(pitch)])
    forward = np.array([0.0, -math.sin(pitch), math.cos(pitch)])
    cam = u[..., None] * T * right + v[..., None] * T * up + forward
    return np.array([0.0, height, 0.0]) + np.asarray(depth, dtype=np.float64)[..., None] * cam


def _surface_distance(obj, p):
    """Distance-like residual (M,) of points p (M, 3) from the surface of one object (0 on it)."""
    c = np.array(obj["centre"])
    q = p - c
    if obj["kind"] == "sphere":
        return np.abs(np.linalg.norm(q, axis=1) - obj["size"][0])
    if obj["kind"] == "box":
        co, si = math.cos(obj["angle"]), math.sin(obj["angle"])
        local = np.stack([co * q[:, 0] - si * q[:, 2], q[:, 1], si * q[:, 0] + co * q[:, 2]], axis=1)
        excess = np.abs(local) - np.array(obj["size"])  # on the surface: the largest is 0, none positive
        return np.abs(excess.max(axis=1))
    r, height = obj["size"]
    radial, y = np.hypot(q[:, 0], q[:, 2]), p[:, 1]
    side = np.abs(radial - r) + np.maximum(0, y - height) + np.maximum(0, -y)
    cap = np.abs(y - height) + np.maximum(0, radial - r)
    return np.minimum(side, cap)


@pytest.fixture(scope="module")
def scenes() -> RoomScenes:
    return render_rooms(200, seed=0)


def test_seeded_shapes_dtypes_and_ranges(scenes):
    a, b, c = (render_rooms(12, seed=s, size=24) for s in (3, 3, 4))
    for name in ("images", "depth", "labels", "cameras", "rooms"):
        assert torch.equal(getattr(a, name), getattr(b, name)), name
    assert a.objects == b.objects
    assert not torch.equal(a.images, c.images) and not torch.equal(a.depth, c.depth)
    assert a.images.shape == (12, 3, 24, 24) and a.images.dtype == torch.float32
    assert a.depth.shape == (12, 24, 24) and a.depth.dtype == torch.float32
    assert a.labels.shape == (12, 24, 24) and a.labels.dtype == torch.long
    assert a.cameras.shape == (12, 2) and a.rooms.shape == (12, 2) and len(a.objects) == 12 and len(a) == 12
    assert a.classes == CLASSES == ("floor", "wall", "sphere", "box", "cylinder")

    s = scenes
    assert 0 <= s.images.min() and s.images.max() <= 1
    assert s.depth.min() > 0 and torch.isfinite(s.depth).all() and s.depth.max() < 10
    assert s.labels.min() >= 0 and s.labels.max() <= 4
    h, p = s.cameras.T
    assert (1.2 <= h).all() and (h <= 2.0).all()
    assert (p >= math.radians(10) - 1e-6).all() and (p <= math.radians(25) + 1e-6).all()
    zb, wx = s.rooms.T
    assert (7 <= zb).all() and (zb <= 9).all() and (3 <= wx).all() and (wx <= 4).all()
    assert render_rooms(0, seed=0).images.shape == (0, 3, 32, 32)


def test_every_class_appears_and_objects_come_in_proportion(scenes):
    labels = scenes.labels.flatten(1)
    for k in range(5):
        assert (labels == k).any(), CLASSES[k]
    for k in (SPHERE, BOX, CYLINDER):
        share = (labels == k).any(1).float().mean().item()
        assert share >= 0.15, f"{CLASSES[k]} is in only {share:.0%} of the scenes"
    assert (labels == FLOOR).any(1).all() and (labels == WALL).any(1).all()
    counts = {len(objs) for objs in scenes.objects}
    assert counts == {1, 2, 3}


def test_objects_stand_on_the_floor_apart_inside_the_room():
    s = render_rooms(40, seed=5, min_objects=6, max_objects=6)
    for objs, (zb, wx) in zip(s.objects, s.rooms.tolist()):
        assert len(objs) == 6
        feet = []
        for o in objs:
            x, y, z = o["centre"]
            half_height = o["size"][-1] / 2 if o["kind"] == "cylinder" else o["size"][0 if o["kind"] == "sphere" else 1]
            assert y == pytest.approx(half_height), "stands on the floor"
            assert -wx + 1 - 1e-6 <= x <= wx - 1 + 1e-6 and 2.5 <= z <= zb - 1.5 + 1e-6
            radius = math.hypot(o["size"][0], o["size"][-1]) if o["kind"] == "box" else o["size"][0]
            feet.append((x, z, radius))
        for i in range(6):
            for j in range(i):
                (x1, z1, r1), (x2, z2, r2) = feet[i], feet[j]
                assert math.hypot(x1 - x2, z1 - z2) > r1 + r2, "footprints do not overlap"


def test_back_projected_pixels_lie_on_their_surfaces(scenes):
    for i in range(60):
        (height, pitch), (zb, wx) = scenes.cameras[i].tolist(), scenes.rooms[i].tolist()
        p = _backproject(scenes.depth[i].numpy(), height, pitch)
        lab = scenes.labels[i].numpy()
        floor = p[lab == FLOOR]
        assert np.abs(floor[:, 1]).max() < 1e-3, "floor pixels lie on y = 0"
        wall = p[lab == WALL]
        off = np.minimum(np.abs(wall[:, 2] - zb), np.minimum(np.abs(wall[:, 0] - wx), np.abs(wall[:, 0] + wx)))
        assert off.max() < 1e-3 and wall[:, 1].min() > -1e-3, "wall pixels lie on z = Zb or x = +-Wx"
        inside = (np.abs(p[..., 0]) <= wx + 1e-3) & (p[..., 2] <= zb + 1e-3) & (p[..., 1] >= -1e-3)
        assert inside.all(), "every hit is inside the room"
        for k, kind in ((SPHERE, "sphere"), (BOX, "box"), (CYLINDER, "cylinder")):
            pts = p[lab == k]
            objs = [o for o in scenes.objects[i] if o["kind"] == kind]
            if not len(pts):
                continue
            assert objs, f"{kind} pixels without a {kind}"
            residual = np.min([_surface_distance(o, pts) for o in objs], axis=0)
            assert residual.max() < 2e-3, f"{kind} pixels lie on a {kind}'s surface"


def test_zero_pitch_camera_sees_the_back_wall_at_its_exact_depth():
    size, height, zb, wx = 32, 1.5, 8.0, 3.5
    _, depth, labels = _render_one(height, 0.0, zb, wx, [], size)
    u, v = _uv(size)
    assert depth.dtype == np.float32 and labels.dtype == np.int64
    assert (labels[v > 0] == WALL).all(), "nothing but wall above the horizon"
    back = (v > 0) & (np.abs(u) * T * zb < wx)
    assert back.any() and (depth[back] == np.float32(zb)).all()
    floor = (v < 0) & (height / (-v * T) < zb) & (np.abs(u) * T * height / (-v * T) < wx)
    assert floor.any() and (labels[floor] == FLOOR).all()
    np.testing.assert_allclose(depth[floor], (height / (-v * T))[floor], rtol=1e-6)


def test_a_sphere_straight_ahead_has_the_analytic_depth():
    size, height = 32, 1.0
    ball = {"kind": "sphere", "centre": (0.0, height, 5.0), "size": (1.0,), "angle": 0.0}
    rgb, depth, labels = _render_one(height, 0.0, 8.0, 3.5, [ball], size)
    u, v = _uv(size)
    k = (u * T) ** 2 + (v * T) ** 2 + 1  # |d|^2; the ray (0, h, 0) + t d meets the sphere where k t^2 - 10 t + 24 = 0
    disc = 100 - 96 * k
    hit = disc > 1e-3
    assert (labels[hit] == SPHERE).all() and (labels[disc < -1e-3] != SPHERE).all()
    np.testing.assert_allclose(depth[hit], ((10 - np.sqrt(disc[hit])) / (2 * k[hit])), rtol=1e-5)
    assert rgb.shape == (3, size, size) and 0 <= rgb.min() and rgb.max() <= 1


def test_disparity_is_inverse_depth(scenes):
    assert scenes.disparity.shape == scenes.depth.shape
    torch.testing.assert_close(scenes.disparity * scenes.depth, torch.ones_like(scenes.depth))


@pytest.mark.parametrize("kwargs", [
    {"n": -1}, {"size": 7}, {"min_objects": 0}, {"min_objects": 3, "max_objects": 2}, {"max_objects": 7},
    {"min_objects": 7, "max_objects": 7}, {"lighting": "sunset"},
])
def test_bad_arguments_raise(kwargs):
    args = {"n": 2, "seed": 0, **kwargs}
    with pytest.raises(ValueError):
        render_rooms(args.pop("n"), **args)


def test_other_lighting_changes_the_look_not_the_geometry():
    a, b = render_rooms(30, seed=7), render_rooms(30, seed=7, lighting="other")
    for name in ("depth", "labels", "cameras", "rooms"):
        assert torch.equal(getattr(a, name), getattr(b, name)), name
    assert a.objects == b.objects
    assert (a.images - b.images).abs().mean() > 0.05
    floor = (a.labels == FLOOR).unsqueeze(1).expand_as(a.images)
    assert (a.images[floor] - b.images[floor]).abs().mean() > 0.05, "another floor texture"
