"""Each lesson's exercise tables: right answers its checkers must accept, mistakes they must name.

One module per lesson, ``lessonNN.py``, holding::

    NOTEBOOK = "06_softmax.ipynb"
    TABLES = {
        "check_softmax": {                      # a checker in workshop_utils.checks
            "right": {                          # >= 2 right answers besides the notebook's solution
                "float32": lambda z: ...,       # e.g. float32, a torch tensor, another formulation
                "torch": lambda z: ...,
            },
            "wrong": {                          # >= 8 typical mistakes, each with its own code
                "subtracts the row minimum": (lambda z: ..., "row_min"),
                ...
            },
        },
    }

``tests/test_checkers.py`` runs every table: the notebook's own ``<details>`` solution
passes, every right answer passes, every mistake is rejected with its code (codes differ
within a table: each mistake gets its own message), and no answer at all — text, None,
objects, wrong arity, exceptions — makes a checker raise.
"""
