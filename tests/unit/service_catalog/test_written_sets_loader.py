"""Reading a set written by other hands (service_catalog/tooling/written_eval.py): entries with an
unknown id are left out and named, never silently scored; yes/no answers are scored right, wrong
or asked back. The search figures with the real model: tests/integration/test_written_sets.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from service_catalog.catalogue import Catalogue
from service_catalog.tooling.written_eval import WRITTEN_DIR, Item, figures, load_written_set, yes_no_rows


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_entries_with_unknown_ids_are_left_out_and_named(catalogue: Catalogue, tmp_path: Path) -> None:
    _write(tmp_path, "events.yaml", '- {q: "just had a baby", lang: en, event: having-a-baby}\n- {q: "x", lang: en, event: having-twins}\n'
           '- {q: "how do I renew my licence", lang: en, event: null, service: driving-licence-renewal}\n')  # fmt: skip
    _write(tmp_path, "out_of_scope.yaml", '- {q: "weather?", lang: en, expect: out_of_scope}\n- {q: "x", lang: zh, service: no-such-service}\n')
    _write(tmp_path, "yesno.yaml", '- {question: owns_dog, answer: "two of them", lang: en, expect: yes}\n'
           '- {question: age, answer: "40", lang: en, expect: yes}\n- {question: owns_dog, answer: "x", lang: fr, expect: no}\n')  # fmt: skip
    _write(tmp_path, "conversations.yaml", '- {lang: en, turns: ["hi", "dog licence"], expect_service: dog-registration}\n'
           '- {lang: en, turns: ["hi"], expect_service: unicorn-licence}\n')  # fmt: skip
    written = load_written_set(tmp_path, catalogue)
    assert [(i.kind, i.expect) for i in written.items] == [
        ("event", "having-a-baby"),
        ("service", "driving-licence-renewal"),
        ("oos", None),
        ("yesno", "owns_dog=yes"),
    ]
    assert written.conversations == 1
    assert len(written.dropped) == 5
    assert any("having-twins" in d and "events.yaml:2" in d for d in written.dropped)
    assert any("'age' is not a yes/no question" in d for d in written.dropped)
    assert any("unicorn-licence" in d for d in written.dropped)


def test_a_file_that_is_not_a_list_is_an_error(catalogue: Catalogue, tmp_path: Path) -> None:
    _write(tmp_path, "events.yaml", "q: not a list\n")
    with pytest.raises(ValueError, match=r"events\.yaml: expected a YAML list"):
        load_written_set(tmp_path, catalogue)
    with pytest.raises(ValueError, match="no such set folder"):
        load_written_set(tmp_path / "absent", catalogue)


def test_yes_no_answers_are_scored_right_wrong_or_asked_back(catalogue: Catalogue) -> None:
    items = [
        Item("yesno", "是的，养了一只柯基", "zh", "owns_dog=yes", 1),  # right
        Item("yesno", "是的，养了一只柯基", "zh", "owns_dog=no", 2),  # wrong, not asked back
        Item("yesno", "这个我不知道", "zh", "owns_dog=no", 3),  # not understood: asked back
    ]
    rows = yes_no_rows(catalogue, items)
    assert [(r.ok, r.extra) for r in rows] == [(True, False), (False, False), (False, True)]
    f = figures(rows)["zh"]
    assert f["yesno_n"] == 3
    assert f["yesno_ok"] == pytest.approx(1 / 3)
    assert f["yesno_wrong"] == pytest.approx(1 / 3)
    assert f["yesno_extra"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("name", ["dev", "holdout"])
def test_the_stored_sets_are_whole(catalogue: Catalogue, name: str) -> None:
    """Every entry of the stored sets has valid ids (the wrong ones were fixed or removed when the sets
    were added, and the header of each file says how many)."""
    written = load_written_set(WRITTEN_DIR / name, catalogue)
    assert written.dropped == []
    kinds = {i.kind for i in written.items}
    assert {"event", "service", "oos", "inscope", "yesno"} <= kinds
    assert {i.lang for i in written.items} == {"en", "zh"}
