import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from workshop_utils import device, seed_everything
from workshop_utils.plotting import PALETTE, image_grid, to_display, use_style


def test_seed_everything_reproducible():
    seed_everything(3)
    a = (np.random.rand(3), torch.rand(3))
    seed_everything(3)
    b = (np.random.rand(3), torch.rand(3))
    assert np.array_equal(a[0], b[0]) and torch.equal(a[1], b[1])
    g = seed_everything(3)
    assert isinstance(g, np.random.Generator)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_seed_everything_rejects_bad_seed(bad):
    with pytest.raises(ValueError, match="seed"):
        seed_everything(bad)


def test_device_cpu_and_errors(monkeypatch):
    monkeypatch.delenv("WORKSHOP_DEVICE", raising=False)
    assert device().type in {"cpu", "cuda", "mps"}
    assert device("cpu").type == "cpu"
    with pytest.raises(ValueError, match="prefer"):
        device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA"):
        device("cuda")
    monkeypatch.setenv("WORKSHOP_DEVICE", "cpu")
    assert device().type == "cpu"


def test_palette_is_okabe_ito():
    use_style()
    import matplotlib as mpl

    cycle = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    assert cycle == list(PALETTE) and len(set(PALETTE)) == 8


@pytest.mark.parametrize(
    "shape,expected",
    [((28, 28), (28, 28)), ((28, 28, 3), (28, 28, 3)), ((3, 28, 28), (28, 28, 3)),
     ((1, 28, 28), (28, 28)), ((28, 28, 1), (28, 28))],
)
def test_to_display_layouts(shape, expected):
    assert to_display(np.zeros(shape)).shape == expected
    assert to_display(torch.zeros(shape)).shape == expected


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 5), (5, 28, 28)])
def test_to_display_rejects(shape):
    with pytest.raises(ValueError, match="should be"):
        to_display(np.zeros(shape))


def test_image_grid_batches_and_feature_maps():
    fig = image_grid(np.zeros((5, 28, 28)), titles=list("abcde"), ncols=3)
    assert isinstance(fig, Figure) and len(fig.axes) == 6
    assert len(image_grid(torch.zeros(4, 3, 8, 8)).axes) == 4
    assert len(image_grid(torch.zeros(4, 1, 8, 8)).axes) == 4
    assert len(image_grid([np.zeros((4, 4)), np.zeros((4, 4, 3))]).axes) == 2


def test_image_grid_errors():
    with pytest.raises(ValueError, match="empty"):
        image_grid([])
    with pytest.raises(ValueError, match="titles"):
        image_grid(np.zeros((2, 4, 4)), titles=["one"])
    with pytest.raises(ValueError, match="batch"):
        image_grid(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"images\[0\]"):
        image_grid([np.zeros((4, 4, 7))])
    with pytest.raises(ValueError, match="ncols"):
        image_grid(np.zeros((2, 4, 4)), ncols=0)


def test_setup_notebook_seeds_styles_and_names_the_versions(capsys):
    import matplotlib as mpl

    from workshop_utils import __version__, setup_notebook

    rng = setup_notebook(seed=3)
    out = capsys.readouterr().out
    assert f"torch {torch.__version__}" in out and f"workshop_utils {__version__}" in out
    assert rng.integers(1000) == np.random.default_rng(3).integers(1000)
    assert np.random.rand() == np.random.RandomState(3).rand()  # the global generator too
    assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][0] == PALETTE[0]
    with pytest.raises(ValueError, match="figure_format"):
        setup_notebook(figure_format="gif")


def test_setup_block_is_a_colab_form_that_calls_setup_notebook():
    from workshop_utils import course

    lines = course.setup_block().splitlines()
    assert lines[0].startswith("# @title ") and 'display-mode: "form"' in lines[0]
    assert lines[-2] == "setup_notebook(seed=0);" and lines[-1] == course.SETUP_END  # no Out[] line


def test_explorer_holding_changes_controls_without_a_redraw():
    from workshop_utils.explorers import logit_explorer

    ex = logit_explorer()
    name = next(iter(ex.controls))
    ctl, n = ex.controls[name], ex.render_count
    with ex.holding():
        assert ex.held
        with ex.holding():  # nests
            ctl.value = ctl.max
        assert ex.held
        ctl.value = ctl.min
    assert not ex.held and ex.render_count == n  # nothing redrawn while held
    ctl.value = ctl.max
    assert ex.render_count == n + 1 and ex.image.value == ex.picture


def test_kernel_editor_preset_sets_nine_sliders_with_one_redraw():
    from workshop_utils.data import load_mnist5k, load_photo
    from workshop_utils.explorers import kernel_editor

    ed = kernel_editor(load_photo()[::8, ::8], load_mnist5k(seed=0).X_test[0])
    n = ed.render_count
    ed.preset.value = "blur"  # as a learner choosing from the dropdown
    assert ed.render_count == n + 1 and ed.state["preset"] == "blur"
    ed.update(k11=0.5)  # a slider move away from every preset shows "custom" without a redraw loop
    assert ed.preset.value == "custom" and ed.render_count == n + 2
