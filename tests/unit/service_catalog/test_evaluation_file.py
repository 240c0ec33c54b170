"""Tests for service_catalog.tooling.evaluation.load_queries: a bad query file names the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from service_catalog.tooling.evaluation import load_queries


def test_a_query_file_is_read_with_defaults(tmp_path: Path) -> None:
    f = tmp_path / "q.yaml"
    f.write_text('- {q: "我家狗要办证", lang: "zh", expect: ["dog-registration"]}\n- {q: "weather", lang: "en", expect: []}\n', encoding="utf-8")
    first, second = load_queries(f)
    assert (first.q, first.expect, first.split, first.typo) == ("我家狗要办证", ("dog-registration",), "tune", False)
    assert not second.in_scope


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('- {q: "ok", lang: "en"}\n- {lang: "zh"}\n', "q.yaml:2: each query needs q"),
        ('- {q: "ok", lang: "fr"}\n', "q.yaml:1: each query needs q (text) and lang (zh or en)"),
        ("q: not a list\n", "expected a YAML list"),
        ("- [unclosed\n", "cannot read the query file"),
    ],
)
def test_a_bad_query_file_names_the_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "q.yaml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_queries(f)


def test_a_missing_query_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read the query file"):
        load_queries(tmp_path / "absent.yaml")
