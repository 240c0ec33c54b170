"""The chat widget's static assets: small, no HTML injection or code evaluation, CSP-friendly."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[3] / "service_catalog" / "static"
WIDGET_JS = STATIC / "widget.js"
WIDGET_CSS = STATIC / "widget.css"
LIMIT = 50 * 1024


def test_widget_gzipped_is_at_most_50_kb() -> None:
    size = sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in (WIDGET_JS, WIDGET_CSS))
    assert size <= LIMIT, f"widget.js + widget.css are {size} bytes gzipped (limit {LIMIT})"


@pytest.mark.parametrize("forbidden", ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"])
def test_widget_js_never_builds_html_or_code_from_strings(forbidden: str) -> None:
    assert forbidden not in WIDGET_JS.read_text(encoding="utf-8")


def test_widget_js_sets_no_inline_style_or_string_timers() -> None:
    source = WIDGET_JS.read_text(encoding="utf-8")
    assert 'setAttribute("style"' not in source and ".style." not in source and ".style =" not in source
    assert not re.search(r"setTimeout\(\s*[\"'`]", source), "string timers are eval under CSP"


def test_widget_css_has_no_remote_imports() -> None:
    css = WIDGET_CSS.read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css
