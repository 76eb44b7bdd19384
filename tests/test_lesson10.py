"""Notebook 10 (Key takeaways): the checkers' references, the weight-noise explorer and the quiz (its
checkers: tests/test_checkers.py with tests/mistakes/lesson10.py)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from workshop_utils import course
from workshop_utils.checks.takeaways import confusion_matrix, recall_from_confusion
from workshop_utils.data import load_mnist5k
from workshop_utils.explorers import quiz, weight_noise_explorer
from workshop_utils.explorers.takeaways import QUESTIONS, noisy_copy
from workshop_utils.models import SmallCNN, count_parameters
from workshop_utils.trained import pretrained_cnn
from workshop_utils.training import evaluate


@pytest.fixture(scope="module")
def model():
    return pretrained_cnn(0, verbose=False)


@pytest.fixture(scope="module")
def digits():
    return load_mnist5k(seed=0)


# --------------------------------------------------------------------------- reference functions
labels = st.integers(1, 6).flatmap(lambda c: st.tuples(
    st.just(c), st.integers(1, 40).flatmap(lambda n: st.tuples(
        arrays(np.int64, n, elements=st.integers(0, c - 1)),
        arrays(np.int64, n, elements=st.integers(0, c - 1))))))


@given(labels)
def test_confusion_matrix_and_recall_match_torch(case):
    c, (t, p) = case
    cm = confusion_matrix(t, p, c)
    ref = torch.bincount(torch.from_numpy(t * c + p), minlength=c * c).reshape(c, c)
    np.testing.assert_array_equal(cm, ref.numpy())
    assert cm.sum() == len(t)
    rec = recall_from_confusion(cm)
    for k in range(c):
        mask = t == k
        expected = np.mean(p[mask] == k) if mask.any() else 0.0
        assert rec[k] == pytest.approx(expected)


def test_smallcnn_parameter_count_formula():
    from workshop_utils.checks.takeaways import COUNT_CASES, _count, smallcnn_parameter_count

    for k, c1, c2 in COUNT_CASES:
        assert smallcnn_parameter_count(k, c1, c2) == _count(k, c1, c2)
    assert smallcnn_parameter_count(5, 16, 32) == 28938


def test_reference_errors_are_clear():
    with pytest.raises(ValueError, match="same length"):
        confusion_matrix(np.array([0, 1]), np.array([0]), 2)
    with pytest.raises(ValueError, match="square"):
        recall_from_confusion(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="sigma must be at least 0"):
        noisy_copy(SmallCNN(), -1.0)


# --------------------------------------------------------------------------- noise explorer
def test_noisy_copy(model, digits):
    same = noisy_copy(model, 0.0)
    _, _, Xte, _ = digits.tensors()
    with torch.no_grad():
        assert torch.equal(same(Xte[:50]), model(Xte[:50]))
        a, b = noisy_copy(model, 0.5, seed=3), noisy_copy(model, 0.5, seed=3)
        for (n, p), q, orig in zip(a.named_parameters(), b.parameters(), model.parameters()):
            assert torch.equal(p, q) and not torch.equal(p, orig), n  # seeded, and every tensor moved
    assert count_parameters(a) == count_parameters(model)


@pytest.fixture(scope="module")
def noise(model, digits):
    return weight_noise_explorer(model, digits)  # all 1,000 held-out digits, as in the notebook


def test_weight_noise_explorer_sweeps_to_chance(noise, model, digits):
    _, _, Xte, yte = digits.tensors()
    values = noise.sweep_values("sigma")
    assert values[0] == 0.0 and values[-1] == 3.0 and len(values) == 31
    accs, pngs = [], set()
    for s in values:
        st_ = noise.update(sigma=s)
        assert 0.0 <= st_["accuracy"] <= 1.0 and np.all(np.isfinite(st_["kernels"]))
        accs.append(st_["accuracy"])
        pngs.add(noise.picture)
        assert f"σ = {s:.1f}" in noise.html.value
    assert len(noise.y) == len(yte) == 1000
    assert accs[0] == pytest.approx(evaluate(model, Xte, yte))  # the accuracy every lesson reports
    assert "on 1,000 held-out digits" in noise.html.value
    assert accs[0] > 0.95 and max(accs[-5:]) < 0.3  # from trained to (near) chance
    assert len(pngs) == len(values)
    assert noise.controls["sigma"].continuous_update is False


def test_weight_noise_explorer_slider_drives_redraw(noise):
    noise.update(sigma=0.0)
    n, before = noise.render_count, noise.picture
    noise.controls["sigma"].value = 1.0
    assert noise.render_count == n + 1 and noise.picture != before
    with pytest.raises(ValueError, match="SmallCNN"):
        weight_noise_explorer(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="n_test"):
        weight_noise_explorer(n_test=5)


def test_weight_noise_explorer_subset_says_so(model, digits):
    _, _, Xte, yte = digits.tensors()
    small = weight_noise_explorer(model, digits, n_test=50)
    assert small.update(sigma=0.0)["accuracy"] == pytest.approx(evaluate(model, Xte[:50], yte[:50]))
    assert "on 50 held-out digits" in small.html.value


# --------------------------------------------------------------------------- quiz
def test_quiz_has_one_question_per_section():
    assert len(QUESTIONS) == len(course.NOTEBOOKS)
    for q, (name, title, _) in zip(QUESTIONS, course.NOTEBOOKS):
        assert q["section"] == f"{name[:2]} · {title}"
        assert len(q["options"]) >= 3 and len(set(q["options"])) == len(q["options"])
        assert len(q["explanation"]) > 40


def test_quiz_buttons_give_feedback_and_score():
    qz = quiz()
    assert qz.state == {"choices": {}, "score": 0, "answered": 0, "total": 10}
    for k, q in enumerate(QUESTIONS):
        wrong = (q["answer"] + 1) % len(q["options"])
        qz.buttons[k][wrong].click()  # as a learner would
        assert "✗" in qz.feedback[k].value and q["explanation"] in qz.feedback[k].value
        assert qz.buttons[k][wrong].button_style == "danger"
        qz.buttons[k][q["answer"]].click()
        assert "✓" in qz.feedback[k].value
        assert qz.buttons[k][q["answer"]].button_style == "success"
        assert qz.buttons[k][wrong].button_style == ""
        assert qz.score == k + 1
    assert "10 / 10" in qz.score_html.value
    assert qz.answer(0, 0) is False and qz.score == 9
    with pytest.raises(ValueError, match="question must be at most 9"):
        qz.answer(10, 0)
    with pytest.raises(ValueError, match="choice must be at most 3"):
        qz.answer(0, 4)
    with pytest.raises(ValueError, match="answer 5"):
        quiz([dict(section="x", question="?", options=["a", "b"], answer=5, explanation="e")])
    with pytest.raises(ValueError, match="at least one question"):
        quiz([])


def test_quiz_answers_are_true():
    from workshop_utils.conv import conv_output_size
    from workshop_utils.softmax import softmax

    assert QUESTIONS[2]["options"][QUESTIONS[2]["answer"]].endswith(
        f"{count_parameters(torch.nn.Linear(784, 64)):,}")
    assert QUESTIONS[8]["options"][QUESTIONS[8]["answer"]] == f"{conv_output_size(28, 5, 2, 2)} × 14"
    np.testing.assert_allclose(softmax(np.array([2.0, 2.0, 2.0])), 1 / 3)
    assert "(3, 28, 28)" == QUESTIONS[0]["options"][QUESTIONS[0]["answer"]]


def test_lesson_07s_experiment_gives_the_numbers_lessons_07_and_10_quote(tmp_path, monkeypatch):
    """Lesson 10 reruns lesson 07's experiment (trained.lesson07_models, shipped): its table is
    the one lesson 10's text quotes (recall of 3/5/8, balanced accuracy)."""
    from workshop_utils import cache
    from workshop_utils.trained import LESSON07, lesson07_models
    from workshop_utils.training import predict_proba

    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path))
    monkeypatch.delenv("WORKSHOP_RETRAIN", raising=False)
    cache.forget_memory()
    digits = load_mnist5k(seed=0)
    Xte = digits.tensors()[2]
    rare = list(LESSON07["rare"])
    table = {}
    for name, m in lesson07_models(verbose=False).items():
        pred = predict_proba(m, Xte).argmax(1).numpy()
        recall = np.array([np.mean(pred[digits.y_test == k] == k) for k in range(10)])
        table[name] = (round(recall[rare].mean(), 3), round(recall.mean(), 3))
    assert not (tmp_path / "weights").exists(), "the shipped models load; nothing trains"
    assert table == {"cross-entropy": (0.743, 0.881), "weighted CE": (0.79, 0.891),
                     "focal γ=2": (0.79, 0.894)}
    from pathlib import Path

    lesson = Path(__file__).resolve().parents[1] / "lessons" / "10_key_takeaways.py"
    text = lesson.read_text(encoding="utf-8")
    assert "(0.743 with the shipped models)" in text and "(0.790\n# each)" in text
    assert "(0.891 and 0.894)" in text
