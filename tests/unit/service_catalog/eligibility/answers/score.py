"""Scores the free-text reader on the answer sets: ``python tests/unit/service_catalog/eligibility/answers/score.py``.

Prints, per set and kind of question, how many answers are read right, how many are read
wrong without asking back (the harmful case: a confident wrong reading), and how many are not
understood (the bot asks again). ``test_parse_readings.py`` holds the floors.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
TODAY = dt.date(2025, 6, 15)


def load(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8")))


def score(items: list[dict[str, Any]], questions: dict[str, Any], read: Any) -> dict[str, dict[str, int]]:
    """Counts per question type: right, wrong_confident, wrong_confirmed, not_understood, total."""
    out: dict[str, dict[str, int]] = {}
    for item in items:
        question = questions[item["q"]]
        counts = out.setdefault(question.type, dict.fromkeys(("right", "wrong_confident", "wrong_confirmed", "not_understood", "total"), 0))
        counts["total"] += 1
        value, confident = read(question, item["text"])
        expected = item["value"]
        same_kind = isinstance(value, bool) == isinstance(expected, bool)
        if (value is None and expected is None) or (value is not None and same_kind and value == expected):
            counts["right"] += 1
        elif value is None:
            counts["not_understood"] += 1
        else:
            counts["wrong_confident" if confident else "wrong_confirmed"] += 1
    return out


def main() -> None:
    sys.path.insert(0, str(HERE.parents[4]))
    from service_catalog.catalogue import read_catalogue
    from service_catalog.eligibility import read_answer

    cat, _ = read_catalogue(HERE.parents[4] / "service_catalog" / "data")
    assert cat is not None

    def read(question: Any, text: str) -> tuple[Any, bool]:
        reading = read_answer(question, text, TODAY)
        return (None, False) if reading is None else (reading.value, reading.confident)

    for name in ("dev", "heldout"):
        for kind, c in score(load(name), cat.questions, read).items():
            print(f"{name:8} {kind:8} right {c['right']}/{c['total']} = {c['right'] / c['total']:.2f}; "
                  f"wrong without asking {c['wrong_confident']}, wrong but confirmed {c['wrong_confirmed']}, "
                  f"not understood {c['not_understood']}")  # fmt: skip


if __name__ == "__main__":
    main()
