"""Every exercise checker, from its lesson's table (tests/mistakes/lessonNN.py).

* the solution shown in the notebook's ``<details>`` block passes its checker;
* every alternative right answer passes (float32, torch tensors, other formulations);
* every typical mistake is rejected with its own code and a message that names it;
* no answer of any kind makes a checker raise or print more than one line.
"""

from __future__ import annotations

import importlib
import inspect
import io
from contextlib import redirect_stdout

import numpy as np
import pytest
import torch
from nbtools import defined_function, run_solution, solutions

from workshop_utils import checks
from workshop_utils.checks._core import call_learner, is_stub

LESSONS = {}
for _n in range(1, 11):
    try:
        LESSONS[_n] = importlib.import_module(f"mistakes.lesson{_n:02d}")
    except ModuleNotFoundError:
        pass

MIN_WRONG, MIN_RIGHT = 8, 2


def _entries(kind):
    for n, mod in LESSONS.items():
        for checker, table in mod.TABLES.items():
            for label, entry in table.get(kind, {}).items():
                yield pytest.param(checker, entry, id=f"{n:02d}-{checker}-{label}")


def _run(checker: str, fn):
    out = io.StringIO()
    with redirect_stdout(out), np.errstate(all="ignore"):
        result = getattr(checks, checker)(fn)
    return result, out.getvalue()


@pytest.mark.parametrize("n", sorted(LESSONS), ids=lambda n: f"lesson{n:02d}")
def test_the_notebook_solutions_pass_and_every_exercise_has_a_table(n):
    mod = LESSONS[n]
    sols = solutions(mod.NOTEBOOK)
    assert sols, f"{mod.NOTEBOOK} has no <details> solution"
    assert {c for c, _ in sols} == set(mod.TABLES), "every exercise of the notebook needs a table"
    for checker, code in sols:
        fn = defined_function(code, run_solution(code))
        result, printed = _run(checker, fn)
        assert result.ok, (checker, result.message)
        assert printed.count("\n") == 1 and printed.startswith("✓"), printed


@pytest.mark.parametrize("n", sorted(LESSONS), ids=lambda n: f"lesson{n:02d}")
def test_each_table_has_enough_right_answers_and_distinct_mistakes(n):
    for checker, table in LESSONS[n].TABLES.items():
        right, wrong = table.get("right", {}), table.get("wrong", {})
        assert len(right) >= MIN_RIGHT, f"{checker}: {len(right)} right answers, need {MIN_RIGHT}"
        assert len(wrong) >= MIN_WRONG, f"{checker}: {len(wrong)} mistakes, need {MIN_WRONG}"
        codes = [code for _, code in wrong.values()]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        assert not dup, f"{checker}: mistakes share the codes {dup}: each needs its own message"


@pytest.mark.parametrize("checker,fn", _entries("right"))
def test_right_answers_pass(checker, fn):
    result, printed = _run(checker, fn)
    assert result.ok, result.message
    assert printed.count("\n") == 1 and printed.startswith("✓"), printed


@pytest.mark.parametrize("checker,entry", _entries("wrong"))
def test_typical_mistakes_are_named(checker, entry):
    fn, code = entry
    result, printed = _run(checker, fn)
    assert not result.ok, f"a mistake was accepted: {result.message}"
    assert result.code == code, result.message
    assert printed.count("\n") == 1 and printed.startswith("✗"), printed
    assert "Traceback" not in printed


def _arity(checker: str) -> int:
    """How many arguments the checker's exercise function takes (from the notebook solution)."""
    for mod in LESSONS.values():
        if checker in mod.TABLES:
            for c, code in solutions(mod.NOTEBOOK):
                if c == checker:
                    fn = defined_function(code, run_solution(code))
                    return len(inspect.signature(fn).parameters)
    return 1


class _Weird:
    def __array__(self, *a, **k):
        raise RuntimeError("no array here")


def _answers(k: int):
    """Answers no checker may crash on: every kind of thing a learner's function can return."""
    def const(v):
        return lambda *a: v

    def raises(exc):
        def f(*a):
            raise exc
        return f

    return {
        "text": const("1,234"), "formatted number": const(f"{1234567:,}"), "dict": const({"a": 1}),
        "set": const({1, 2}), "object": const(object()), "weird array": const(_Weird()),
        "ragged list": const([[1, 2], [3]]), "list with None": const([None, 1.0]),
        "nested tuple": const(((1, 2), "x")), "complex": const(np.array([1 + 2j, 3j])),
        "empty array": const(np.array([])), "nan": const(np.array([np.nan] * 3)),
        "huge": const(np.full((2, 2), 1e308) * 10), "bool": const(True), "negative": const(-1),
        "generator": const(x for x in range(3)),
        "bfloat16 tensor": const(torch.ones(3, dtype=torch.bfloat16)),
        "grad tensor": const(torch.ones(2, 2, requires_grad=True)),
        "string array": const(np.array(["a", "b"])),
        "KeyError": raises(KeyError("x")), "RecursionError": raises(RecursionError("deep")),
        "ZeroDivisionError": lambda *a: 1 / 0, "sys.exit()": raises(SystemExit(1)),
        "exit() with a message": raises(SystemExit("bye")), "KeyboardInterrupt": raises(KeyboardInterrupt()),
        "wrong arity": (lambda: 0) if k else (lambda a, b, c: 0),
        "keyword only": lambda *, x=1: x, "not callable": 42, "no return": _no_return,
        "None in a pair": const((None, None)), "pair of text": const(("a", "b")),
    }


def _no_return(*args):
    total = 0
    for _a in args:
        total = total
    total += 1


def _all_checkers():
    return sorted({c for mod in LESSONS.values() for c in mod.TABLES})


@pytest.mark.parametrize("checker", _all_checkers())
def test_no_answer_crashes_a_checker(checker):
    for label, fn in _answers(_arity(checker)).items():
        try:
            result, printed = _run(checker, fn)
        except Exception as exc:  # noqa: BLE001 - that is the failure this test looks for
            pytest.fail(f"{checker} crashed on an answer that returns/raises {label}: "
                        f"{type(exc).__name__}: {exc}")
        assert not result.ok, f"{checker} accepted {label}: {result.message}"
        assert printed.count("\n") == 1 and printed.startswith("✗"), (label, printed)
        assert result.message and "Traceback" not in result.message


def test_a_stub_is_not_implemented_and_a_missing_return_is_named():
    def stub(x):
        ...

    def forgot(x):
        y = np.asarray(x) * 2  # noqa: F841 - the mistake under test

    assert is_stub(stub) and not is_stub(forgot)
    assert call_learner(stub, (1,), "f")[1].code == "not_implemented"
    res = call_learner(forgot, (1,), "f")[1]
    assert res.code == "no_return" and "forget `return`" in res.message


def test_a_checker_as_a_cells_last_line_prints_its_verdict_once(capsys):
    """No trailing ';' needed: the result a checker returns displays nothing more in the cell
    that printed it, and its one line when displayed in another cell."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("import numpy as np\nfrom workshop_utils.checks import check_relu", store_history=True)
    capsys.readouterr()
    shell.run_cell("r = check_relu(lambda x: np.maximum(x, 0))\nr", store_history=True)
    out = capsys.readouterr().out
    assert out.count("✓ relu:") == 1 and "CheckResult(" not in out, out
    shell.run_cell("check_relu(lambda x: np.abs(x))", store_history=True)
    out = capsys.readouterr().out
    assert out.count("✗ relu:") == 1, out
    shell.run_cell("r", store_history=True)  # shown again later: the line once more
    assert capsys.readouterr().out.count("✓ relu:") == 1


def test_exit_and_interrupt_from_a_learners_function_are_named():
    import sys

    def leaves(x):
        sys.exit()

    def stopped(x):
        raise KeyboardInterrupt

    assert call_learner(leaves, (1,), "f")[1].code == "exit"
    assert "sys.exit()" in call_learner(leaves, (1,), "f")[1].message
    assert call_learner(stopped, (1,), "f")[1].code == "interrupted"


@pytest.mark.parametrize("checker,answer,name", [
    ("check_relu", "_relu_in_place", "x"), ("check_sgd_step", "_sgd_in_place", "theta")])
def test_a_right_answer_that_changes_its_input_in_place_passes_and_says_so(checker, answer, name):
    def _relu_in_place(x):
        x[x < 0] = 0
        return x

    def _sgd_in_place(theta, grad, lr):
        theta -= lr * grad
        return theta

    result, printed = _run(checker, locals()[answer])
    assert result.ok, result.message
    assert result.details["in_place"] == name
    assert f"changed its input `{name}` in place" in printed


def test_a_float64_answer_computed_through_float32_is_right():
    from workshop_utils.checks import check_attention

    def attention32(Q, K, V):
        Q, K, V = (torch.from_numpy(a).float() for a in (Q, K, V))
        return (torch.softmax(Q @ K.T / Q.shape[-1] ** 0.5, dim=-1) @ V).double().numpy()

    result = check_attention(attention32, quiet=True)
    assert result.ok and "right in float32" in result.message, result.message


def test_an_exact_check_stays_exact_for_floats():
    """A parameter count off by one, as a float, is wrong even where it is within float32's
    relative precision of the right count (109387.0 against 109386)."""
    from workshop_utils.checks import check_count_parameters, check_parameter_count
    from workshop_utils.layers import total_parameters

    assert not check_count_parameters(lambda w: float(total_parameters(w) + 1), quiet=True).ok
    assert check_count_parameters(lambda w: float(total_parameters(w)), quiet=True).ok
    assert not check_parameter_count(lambda k, c1, c2: np.float32(28938 + 1) if (k, c1, c2) == (5, 16, 32)
                                     else None, quiet=True).ok
