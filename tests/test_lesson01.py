"""Notebook 01: the explorers (its checkers: tests/test_checkers.py with tests/mistakes/lesson01.py)."""

import numpy as np
import pytest

from workshop_utils.data import load_photo
from workshop_utils.explorers import grayscale_mixer, pixel_inspector


@pytest.fixture(scope="module")
def photo():
    return load_photo()


def test_pixel_inspector_sweeps_whole_range(photo):
    ex = pixel_inspector(photo)
    assert set(ex.controls) == {"row", "col"}
    assert ex.controls["row"].max == photo.shape[0] - 1
    pngs = set()
    for row in ex.sweep_values("row"):
        for col in ex.sweep_values("col"):
            s = ex.update(row=row, col=col)
            assert s["rgb"] == tuple(int(v) for v in photo[row, col])
            assert s["patch"].shape == (15, 15, 3)
            assert f"X[{row}, {col}]" in ex.html.value
            pngs.add(ex.picture)
    assert len(pngs) == 25  # every position drew a different picture
    assert ex.image.value == ex.picture and ex.picture[:3] == b"\xff\xd8\xff"  # JPEG


def test_pixel_inspector_slider_drives_redraw(photo):
    ex = pixel_inspector(photo)
    n, before = ex.render_count, ex.picture
    ex.controls["row"].value = 5  # as a learner dragging the slider
    assert ex.render_count == n + 1 and ex.picture != before and ex.state["row"] == 5


def test_grayscale_mixer_sweeps_whole_range(photo):
    ex = grayscale_mixer(photo)
    default = ex.state["gray"]
    assert np.array_equal(ex.img, photo[::2, ::2])  # a 320-px preview of the 640-px photo
    ref = ex.img.astype(float) @ np.array([0.299, 0.587, 0.114])
    assert np.allclose(default, ref, rtol=1e-5, atol=1e-3)
    for name in ("w_r", "w_g", "w_b"):
        for v in ex.sweep_values(name):
            s = ex.update(**{name: v})
            assert np.all(np.isfinite(s["gray"]))
            assert 0.0 <= s["clipped_fraction"] <= 1.0
        ex.update(**{name: ex.controls[name].min})
    s = ex.update(w_r=2.0, w_g=2.0, w_b=2.0)
    assert s["clipped_fraction"] > 0.5 and "outside 0..255" in ex.html.value


def test_explorer_update_validates(photo):
    ex = grayscale_mixer(photo)
    with pytest.raises(ValueError, match="unknown control"):
        ex.update(w_x=1)
    with pytest.raises(ValueError, match="between"):
        ex.update(w_r=10)
    with pytest.raises(ValueError, match="uint8 RGB"):
        grayscale_mixer(photo[..., 0])
    with pytest.raises(ValueError, match="uint8 RGB"):
        pixel_inspector(photo.astype(float))
