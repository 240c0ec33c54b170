"""common/: the rules the catalogue service, the action server and Rasa share: one language rule for
replies and queries, one rule for who may read /metrics, and a package all three can import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from actions.language import detect
from common.access import DEFAULT_NETWORKS, may_read_metrics
from common.language import detect_language
from service_catalog.search.text import detect_lang

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("孩子出生了怎么上户口", "zh"),
        ("I lost my job", "en"),
        ("居住证 renewal", "zh"),  # a Chinese question naming an English word
        ("how do I apply for a 居住证", "en"),  # an English question naming a Chinese document
        ("申请 passport", "zh"),
        ("我要 apply for passport", "en"),
    ],
)
def test_replies_and_queries_read_a_message_in_the_same_language(text: str, lang: str) -> None:
    assert detect_lang(text) == lang
    assert detect(text, None) == lang
    assert detect(text, "zh" if lang == "en" else "en") == lang  # a message with a language of its own wins


@pytest.mark.parametrize("text", ["ok", "1", "yes", "👍", "", "12345"])
def test_a_message_without_a_language_keeps_the_conversations(text: str) -> None:
    assert detect(text, "zh") == "zh" and detect(text, "en") == "en"
    assert detect_lang(text) == "en"  # a lone query with no language is read as English


def test_a_first_message_without_a_language_is_answered_in_chinese_but_ok_in_english() -> None:
    assert detect("1", None) == "zh" and detect("👍", None) == "zh"
    assert detect("ok", None) == "en"  # Latin letters and nothing to keep
    assert detect_language("1", None, default="zh") == "zh"


@pytest.mark.parametrize(
    ("peer", "headers", "allowed"),
    [
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("10.0.0.7", {}, False),
        ("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, False),  # through the edge
        ("127.0.0.1", {"forwarded": "for=203.0.113.9"}, False),
        ("10.0.0.7", {"authorization": "Bearer rd-1"}, True),
        ("10.0.0.7", {"authorization": "Bearer rd-2"}, False),
        ("not an address", {}, False),
    ],
)
def test_who_may_read_metrics(peer: str, headers: dict[str, str], allowed: bool) -> None:
    assert may_read_metrics(peer, headers, DEFAULT_NETWORKS, "rd-1") is allowed


def test_without_a_read_token_only_the_network_rule_applies() -> None:
    assert not may_read_metrics("10.0.0.7", {"authorization": "Bearer "}, DEFAULT_NETWORKS, "")
    assert may_read_metrics("10.0.0.7", {}, "127.0.0.0/8, 10.0.0.0/8", "")


def test_common_imports_only_the_standard_library() -> None:
    imported = set()
    for path in (REPO / "common").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}: relative import"
                imported.add((node.module or "").split(".")[0])
    assert imported - set(sys.stdlib_module_names) - {"__future__"} == set()


def test_rasas_python_imports_it() -> None:
    rasa_python = REPO / ".venv-rasa" / "bin" / "python"
    if not rasa_python.exists():
        pytest.fail(".venv-rasa is missing: run `make setup`")
    done = subprocess.run(
        [
            str(rasa_python),
            "-c",
            "from bot.connectors.metrics import may_read_metrics; from common.language import detect_language; print(detect_language('你好'))",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.strip() == "zh", done.stderr[-2000:]
