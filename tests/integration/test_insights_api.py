"""Insights over HTTP: feedback and who may give it, the summary and unmet topics and who may read them,
the CSV, marking topics, the page, and /metrics (in-process app, events in a SQLite file under tmp_path)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from agentkit import add_agent, login
from aiohttp.test_utils import TestClient
from testkit import INTERNAL, OPERATE_TOKEN, READ_TOKEN, bearer

from bot.connectors.sessions import SessionSigner
from service_catalog.http.app import create_app
from service_catalog.settings import Settings

WIDGET_SECRET = "wk-3f9a7c1e5b2d8f4a6c0e9b7d5a3f1c8e"
FEEDBACK = {"answer_id": "a1b2c3", "service_id": "passport-application", "rating": "up", "lang": "zh", "channel": "rest"}


def write_events(path: Path, rows: list[tuple[str, dict[str, Any]]]) -> None:
    """The table Rasa's SQL event broker writes (id, sender_id, data)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255), data TEXT)")
        db.executemany("INSERT INTO events (sender_id, data) VALUES (?, ?)", [(s, json.dumps(d, ensure_ascii=False)) for s, d in rows])


def conversation(
    sender: str, start: float, *, text: str, outcome: dict[str, Any] | None, channel: str = "rest", lang: str = "en"
) -> list[tuple[str, dict[str, Any]]]:
    rows = [
        {"event": "session_started", "timestamp": start},
        {"event": "user", "timestamp": start + 1, "text": text, "input_channel": channel},
        {"event": "slot", "timestamp": start + 1.1, "name": "lang", "value": lang},
    ]
    if outcome is not None:
        rows.append({"event": "slot", "timestamp": start + 2, "name": "outcome", "value": {"lang": lang, **outcome}})
    rows.append({"event": "bot", "timestamp": start + 3, "text": "…", "data": {}})
    return [(sender, r) for r in rows]


@pytest.fixture
async def insights(aiohttp_client, app_settings: Settings, tmp_path: Path) -> TestClient:  # type: ignore[no-untyped-def]
    events = tmp_path / "events.db"
    now = time.time() - 3600
    rows = conversation("c1", now, text="passport", outcome={"kind": "service_shown", "service_id": "passport-application", "answer_id": "a1"})
    rows += conversation("c2", now + 10, text="talk to a person", outcome={"kind": "handoff"})
    rows += conversation(
        "wechat:o3",
        now + 20,
        text="护照",
        outcome={"kind": "service_shown", "service_id": "passport-application", "answer_id": "a3"},
        channel="wechat",
        lang="zh",
    )
    for i, question in enumerate(["=cmd|' /C calc'!A0 drone licence"] * 3 + ["how do I register my drone 13812345678"]):
        rows += conversation(f"u{i}", now + 30 + i, text=question, outcome={"kind": "no_match", "query": question})
    write_events(events, rows)
    settings = replace(app_settings, events_url=f"sqlite:///{events}", widget_session_secret=WIDGET_SECRET)
    return await aiohttp_client(create_app(settings))


async def test_the_action_server_posts_feedback_once_per_answer(insights: TestClient) -> None:
    body = {**FEEDBACK, "conversation_id": "wechat:o3"}
    first = await insights.post("/api/feedback", json=body, headers=INTERNAL)
    assert first.status == 201 and (await first.json())["stored"] is True
    again = await insights.post("/api/feedback", json={**body, "rating": "down"}, headers=INTERNAL)
    assert again.status == 409 and (await again.json())["field"] == "answer_id"
    other = await insights.post("/api/feedback", json={**body, "conversation_id": "wechat:o4"}, headers=INTERNAL)
    assert other.status == 201  # another conversation may rate the same answer id


async def test_feedback_for_a_conversation_the_caller_does_not_hold_is_refused(insights: TestClient) -> None:
    signer = SessionSigner(WIDGET_SECRET, 3600)
    mine = signer.issue("a" * 32)
    ok = await insights.post("/api/feedback", json={**FEEDBACK, "session": mine})
    assert ok.status == 201
    cases = [
        ({**FEEDBACK, "conversation_id": "c1"}, {}, 401, "session"),  # naming a conversation proves nothing
        ({**FEEDBACK, "session": mine, "conversation_id": "b" * 32}, {}, 403, "conversation_id"),  # someone else's
        ({**FEEDBACK, "session": mine[:-2] + "xx"}, {}, 401, "session"),  # forged signature
        ({**FEEDBACK, "session": SessionSigner("x" * 40, 3600).issue("c" * 32)}, {}, 401, "session"),  # another key
        ({**FEEDBACK, "session": signer.issue("d" * 32, now=time.time() - 7200)}, {}, 401, "session"),  # expired
        ({**FEEDBACK, "conversation_id": "c1"}, {"X-Internal-Token": "in-wrong-0000000000000000000000000000"}, 401, None),
    ]
    for body, headers, status, field in cases:
        response = await insights.post("/api/feedback", json=body, headers=headers)
        data = await response.json()
        assert response.status == status, (body, data)
        assert data["error"] in {"unauthorized", "forbidden"} and (field is None or data["field"] == field)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rating": "meh"}, "rating"),
        ({"reason": "boring", "rating": "down"}, "reason"),
        ({"reason": "unclear"}, "reason"),
        ({"lang": "fr"}, "lang"),
        ({"answer_id": "x" * 65}, "answer_id"),
        ({"channel": ""}, "channel"),
    ],
)
async def test_bad_feedback_is_a_400_naming_the_field(insights: TestClient, change: dict[str, str], field: str) -> None:
    response = await insights.post("/api/feedback", json={**FEEDBACK, "conversation_id": "c1", **change}, headers=INTERNAL)
    assert response.status == 400 and (await response.json())["field"] == field


async def test_the_summary_counts_the_conversations_and_the_ratings(insights: TestClient) -> None:
    await insights.post(
        "/api/feedback", json={**FEEDBACK, "conversation_id": "c1", "answer_id": "a1", "rating": "down", "reason": "outdated"}, headers=INTERNAL
    )
    response = await insights.get("/admin/insights/summary?days=1", headers=bearer(READ_TOKEN))
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert (body["sessions"], body["handed_off"], body["handoff_rate"], body["no_match_sessions"]) == (7, 1, round(1 / 7, 4), 4)
    assert body["feedback"]["ratings"] == 1 and body["feedback"]["rateable_answers"] == 2 and body["feedback"]["csat"] == 0.0
    assert body["by_channel"]["wechat"]["sessions"] == 1 and body["by_lang"]["zh"]["sessions"] == 1
    assert body["top_services"][0]["id"] == "passport-application" and body["top_services"][0]["count"] == 2
    bad = await insights.get("/admin/insights/summary?days=400", headers=bearer(READ_TOKEN))
    assert bad.status == 400 and (await bad.json())["field"] == "days"


async def test_who_may_read_the_insights(insights: TestClient) -> None:
    for path in ("/admin/insights/summary", "/admin/insights/unmet", "/admin/insights/unmet.csv", "/agent/api/insights/summary"):
        assert (await insights.get(path)).status == 401, path
        assert (await insights.get(path, headers=bearer(OPERATE_TOKEN))).status == 403, path
        assert (await insights.get(path, headers=bearer(READ_TOKEN))).status == 200, path
    await add_agent(insights, "alice", "agent")
    await login(insights, "alice")
    refused = await insights.get("/agent/api/insights/summary")
    assert refused.status == 403 and "supervisor" in (await refused.json())["message"]
    assert (await insights.get("/agent/insights")).status == 403


async def test_a_supervisor_reads_the_page_and_marks_a_topic(insights: TestClient) -> None:
    assert (await insights.get("/agent/insights", allow_redirects=False)).headers["Location"] == "/agent"
    await add_agent(insights, "wang", "supervisor")
    csrf = await login(insights, "wang")
    page = await insights.get("/agent/insights")
    assert page.status == 200 and 'src="/static/insights.js"' in await page.text() and "script-src 'self'" in page.headers["Content-Security-Policy"]
    topics = (await (await insights.get("/agent/api/insights/unmet?days=7")).json())["topics"]
    biggest = topics[0]
    assert biggest["count"] == 3 and biggest["trend"] == "new" and biggest["status"] == "open"
    assert all("13812345678" not in e for t in topics for e in t["examples"])  # masked again
    without_csrf = await insights.post(f"/agent/api/insights/unmet/{biggest['key']}", json={"status": "added", "label": biggest["label"]})
    assert without_csrf.status == 403
    wrong_label = await insights.post(f"/agent/api/insights/unmet/{biggest['key']}", json={"status": "added", "label": "something else"}, headers=csrf)
    assert wrong_label.status == 404
    marked = await insights.post(f"/agent/api/insights/unmet/{biggest['key']}", json={"status": "out_of_scope", "label": biggest["label"]}, headers=csrf)
    assert marked.status == 200
    again = (await (await insights.get("/admin/insights/unmet?days=7", headers=bearer(READ_TOKEN))).json())["topics"]
    assert next(t for t in again if t["key"] == biggest["key"])["status"] == "out_of_scope"
    read_only = await insights.post(f"/admin/insights/unmet/{biggest['key']}", json={"status": "open", "label": biggest["label"]}, headers=bearer(READ_TOKEN))
    assert read_only.status == 403
    reopened = await insights.post(f"/admin/insights/unmet/{biggest['key']}", json={"status": "open", "label": biggest["label"]}, headers=bearer(OPERATE_TOKEN))
    assert reopened.status == 200


async def test_the_csv_export_is_safe_to_open_in_a_spreadsheet(insights: TestClient) -> None:
    response = await insights.get("/admin/insights/unmet.csv?days=7", headers=bearer(READ_TOKEN))
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = (await response.read()).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["key", "label", "lang", "count", "previous", "trend", "status", "examples"]
    assert len(rows) >= 2 and all(not cell.startswith("=") for row in rows[1:] for cell in row)
    assert any(row[1].startswith("'=cmd") and row[3] == "3" for row in rows[1:])


async def test_metrics_by_route_pattern_for_the_internal_network_only(insights: TestClient) -> None:
    assert (await insights.get("/api/services/passport-application")).status == 200
    assert (await insights.get("/api/search?q=passport&lang=en")).status == 200
    response = await insights.get("/metrics")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
    text = await response.text()
    assert 'catalogue_http_request_duration_seconds_count{method="GET",route="/api/services/{id}",status="200"} 1.0' in text
    assert "passport-application" not in text  # the pattern, never the raw path
    assert 'catalogue_search_duration_seconds_count{route="/api/search"} 1.0' in text
    assert 'catalogue_search_confidence_count{route="/api/search"} 1.0' in text
    assert "catalogue_index_services " in text and "catalogue_open_tickets 0.0" in text
    proxied = {"X-Forwarded-For": "203.0.113.9"}
    assert (await insights.get("/metrics", headers=proxied)).status == 403
    assert (await insights.get("/metrics", headers={**proxied, **bearer(OPERATE_TOKEN)})).status == 403
    assert (await insights.get("/metrics", headers={**proxied, **bearer(READ_TOKEN)})).status == 200


async def test_metrics_refuse_a_caller_outside_the_listed_networks(aiohttp_client, app_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(replace(app_settings, metrics_networks="10.0.0.0/8")))
    refused = await client.get("/metrics")
    assert refused.status == 403 and "CATALOG_METRICS_NETWORKS" in (await refused.json())["message"]


async def test_no_events_yet_is_an_empty_summary(client: TestClient) -> None:
    body = await (await client.get("/admin/insights/summary", headers=bearer(READ_TOKEN))).json()
    assert body["sessions"] == 0 and body["containment_rate"] is None
    assert (await (await client.get("/admin/insights/unmet", headers=bearer(READ_TOKEN))).json())["topics"] == []


def test_the_documented_reasons_are_the_stored_ones() -> None:
    from typing import get_args

    from service_catalog.http.openapi_insights import FeedbackRequest
    from service_catalog.insights.store import FEEDBACK_REASONS

    documented = {a for arg in get_args(FeedbackRequest.model_fields["reason"].annotation) for a in get_args(arg)}
    assert documented == set(FEEDBACK_REASONS)
