"""What a learner reads in the explorers' pictures and captions: nothing cut, covered or
mis-signed (issue 26's figure findings, each a test that failed before its fix)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop_utils.explorers import (
    affine_explorer,
    conv_geometry_explorer,
    layer_builder,
    logit_explorer,
    neuron_explorer,
)
from workshop_utils.explorers._base import LABEL_CHARS
from workshop_utils.explorers.neuron import signed_sum
from workshop_utils.explorers.softmax import AXIS_STEPS

VALUES = st.floats(-2, 2, allow_nan=False).map(lambda v: round(v * 20) / 20)  # the 0.05 steps


@given(st.lists(VALUES, min_size=1, max_size=4))
def test_a_sum_writes_each_sign_once(terms):
    text = signed_sum(*terms)
    assert "+-" not in text and "+ -" not in text and "--" not in text
    # and it still reads as the number it stands for
    assert eval(text.replace("−", "-")) == pytest.approx(sum(round(t, 2) for t in terms), abs=1e-9)


def test_the_affine_caption_has_no_plus_minus():
    demo = affine_explorer(W=np.array([[0.0, 0.5], [-0.3, 0.8]]), b=np.array([-1.5, 0.5]))
    assert "+-" not in demo.html.value
    assert "0.00 + 0.50 − 1.50" in demo.html.value


def test_the_affine_input_digit_is_grey_and_the_moved_one_black():
    """Demo 2.2's text: the grey digit is the input, the black digit is Wx + b."""
    demo = affine_explorer()
    still = [c for c in demo.ax.collections if c is not demo.digit and hasattr(c, "get_offsets")
             and len(c.get_offsets()) == len(demo.points)]
    assert len(still) == 1
    grey = still[0].get_facecolor()[0][:3]
    assert np.allclose(grey, grey[0]) and 0.4 < grey[0] < 0.7
    labels = [t.get_text() for t in demo.ax.get_legend().get_texts()]
    assert any("grey digit" in t for t in labels) and any("black digit" in t for t in labels)


LOGITS = logit_explorer()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-10, 10).map(lambda v: round(v, 1)), min_size=4, max_size=4),
       st.floats(-10, 10).map(lambda v: round(v, 1)))
def test_the_logit_axis_holds_every_bar_and_small_logits_fill_it(logits, shift):
    demo = LOGITS
    demo.update(shift=shift, **{f"z{i}": z for i, z in enumerate(logits)})
    top = max(abs(z + shift) for z in logits)
    lo, hi = demo.ax_z.get_ylim()
    assert hi == -lo and top <= hi + 1e-9
    smaller = [s for s in AXIS_STEPS if s < hi]
    assert not smaller or top > smaller[-1]  # the smallest step that holds the bars


def test_the_default_logits_are_not_tiny_bars():
    demo = logit_explorer()
    assert demo.ax_z.get_ylim() == (-2.5, 2.5)


@pytest.mark.parametrize("padding", range(4))
def test_conv_geometry_panels_hold_the_padded_input_without_margins(padding):
    demo = conv_geometry_explorer()
    demo.update(padding=padding)
    x0, x1 = demo.ax_in.get_xlim()
    assert x1 - x0 == demo.W + 2 * padding
    assert demo.ax_out.get_xlim()[1] - demo.ax_out.get_xlim()[0] == demo.W + 2 * padding


@pytest.mark.parametrize("make", [layer_builder, logit_explorer, conv_geometry_explorer])
def test_no_slider_label_is_cut(make):
    """ipywidgets' default label holds about 9 characters; a longer one ("hidden layers")
    gets a width that holds it, the same for every slider of the explorer."""
    demo = make()
    widths = set()
    for ctl in demo.controls.values():
        width = ctl.style.description_width
        if len(ctl.description) > LABEL_CHARS:
            assert width, f"{ctl.description!r} keeps the default label width and is cut"
        if width.endswith("px"):
            assert float(width[:-2]) >= 7.0 * len(ctl.description)
        widths.add(width)
    assert len(widths) == 1, f"labels of one explorer differ in width: {widths}"


def _inside(inner, outer, slack=1.0):
    return (inner.x0 >= outer.x0 - slack and inner.y0 >= outer.y0 - slack
            and inner.x1 <= outer.x1 + slack and inner.y1 <= outer.y1 + slack)


def test_the_neuron_explorer_labels_do_not_cover_the_digit():
    demo = neuron_explorer()
    fig = demo.fig
    renderer = fig.canvas.get_renderer()
    ax_img = fig.axes[1]
    digit = ax_img.images[0].get_window_extent(renderer)
    for text in ax_img.texts:
        box = text.get_window_extent(renderer)
        assert not box.overlaps(digit), f"{text.get_text()!r} lies on the digit"


def test_the_weight_noise_titles_fit_and_the_grids_do_not_touch():
    from workshop_utils.explorers import weight_noise_explorer

    demo = weight_noise_explorer(n_test=50)
    demo.update(sigma=2.5)
    fig = demo.fig
    renderer = fig.canvas.get_renderer()
    figure_box = fig.bbox
    grids = [ax for ax in fig.axes if ax.images]
    assert len(grids) == 2
    for ax in grids:
        assert _inside(ax.title.get_window_extent(renderer), figure_box), "a grid's title is cut"
    a, b = sorted((ax.get_window_extent(renderer) for ax in grids), key=lambda box: box.x0)
    assert b.x0 - a.x1 > 10, "the two kernel grids touch"


def test_the_cnn_figure_arrows_stop_before_the_next_panel():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from workshop_utils.figures.cnn import cnn_feature_hierarchy

    fig = cnn_feature_hierarchy()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    panels = [ax.get_tightbbox(renderer) for ax in fig.axes if ax.get_visible()]
    for arrow in fig.patches:
        extent = arrow.get_window_extent(renderer)
        x_start, x_end, y = extent.x0, extent.x1, (extent.y0 + extent.y1) / 2
        for box in panels:
            # no arrow runs into a panel or its labels (the ŷ panel's digits 0-9)
            if box.y0 <= y <= box.y1 and box.width < fig.bbox.width / 2:
                assert x_end <= box.x0 + 1 or x_start >= box.x1 - 1, \
                    f"an arrow ({x_start:.0f}-{x_end:.0f} px) overlaps a panel ({box.x0:.0f}-{box.x1:.0f} px)"


def test_every_caption_sign_pair_over_the_affine_sliders():
    demo = affine_explorer()
    for w12, b1 in itertools.product((-2.0, -0.5, 0.0, 0.5, 2.0), (-2.0, 0.0, 1.5)):
        demo.update(w12=w12, b1=b1)
        assert "+-" not in demo.html.value and "+ -" not in demo.html.value
