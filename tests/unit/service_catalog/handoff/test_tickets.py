"""Ticket transcripts and summaries (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from service_catalog.errors import InvalidRequest
from service_catalog.handoff.tickets import MAX_ENTRIES, MAX_ENTRY_CHARS, clean_transcript, summarise


def test_transcript_keeps_the_last_entries_and_cuts_long_texts() -> None:
    raw = [{"who": "user", "text": str(i)} for i in range(MAX_ENTRIES + 30)]
    raw[-1] = {"who": "bot", "text": "z" * 5000, "ts": 12.5}
    cleaned = clean_transcript(raw)
    assert len(cleaned) == MAX_ENTRIES and cleaned[0]["text"] == "30"
    assert cleaned[-1] == {"who": "bot", "text": "z" * (MAX_ENTRY_CHARS - 1) + "…", "ts": 12.5}


def test_transcript_drops_unknown_keys_and_keeps_string_times() -> None:
    assert clean_transcript([{"who": "user", "text": "hi", "ts": "2026-12-01T10:00:00+08:00", "extra": 1}]) == [
        {"who": "user", "text": "hi", "ts": "2026-12-01T10:00:00+08:00"}
    ]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (None, "transcript"),
        ("hello", "transcript"),
        (["hello"], "transcript[0]"),
        ([{"who": "agent", "text": "x"}], "transcript[0].who"),
        ([{"who": "user"}], "transcript[0].text"),
        ([{"who": "user", "text": "x", "ts": [1]}], "transcript[0].ts"),
    ],
)
def test_malformed_transcripts_name_the_field(raw: Any, field: str) -> None:
    with pytest.raises(InvalidRequest, match="transcript") as caught:
        clean_transcript(raw)
    assert caught.value.field == field


def test_summary_is_the_service_and_the_last_user_message_masked() -> None:
    transcript = [
        {"who": "user", "text": "pension please"},
        {"who": "user", "text": "my ID is 310101199001011234,\n call 13812345678"},
        {"who": "bot", "text": "One moment"},
    ]
    assert summarise(transcript, "Claim the basic pension", None) == "[Claim the basic pension] my ID is 310101********1234, call 138****5678"


def test_summary_without_service_or_user_message() -> None:
    assert summarise([{"who": "user", "text": "help"}], None) == "help"
    assert summarise([{"who": "bot", "text": "Hello"}], None) == "—"
    assert summarise([], "Title") == "[Title]"


def test_summary_is_at_most_200_characters() -> None:
    summary = summarise([{"who": "user", "text": "word " * 200}], "Title")
    assert len(summary) == 200 and summary.endswith("…")


def test_a_given_summary_wins_and_is_masked() -> None:
    assert summarise([{"who": "user", "text": "x"}], "Title", "  caller a.person@example.com  ") == "caller a***@example.com"
