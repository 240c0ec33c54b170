"""Insights for supervisors: the summary figures, unmet topics (JSON and CSV), marking a topic, the page.

=========================================  ==============================================================
route                                      who may call
=========================================  ==============================================================
``GET /admin/insights/summary?days=N``     admin ``read`` token, or a signed-in supervisor
``GET /admin/insights/unmet?days=N``       admin ``read`` token, or a signed-in supervisor
``GET /admin/insights/unmet.csv?days=N``   admin ``read`` token, or a signed-in supervisor
``POST /admin/insights/unmet/{key}``       admin ``operate`` token, or a supervisor with the CSRF token
``GET /agent/insights``                    the page: a signed-in supervisor (an agent gets 403)
=========================================  ==============================================================

The console's session cookie is scoped to ``/agent``, so the page reads the same handlers under
``/agent/api/insights/...``; both paths accept both credentials. A request with an
``Authorization`` header is judged by its token alone.

Why the figures are computed on request: they come from the events Rasa's broker writes, read
incrementally (``insights/events.py``); the clustering of unmet questions is cached by period
for ``UNMET_CACHE_S`` and its embeddings by text.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from ..errors import Forbidden, InvalidRequest, NotFoundError, Unauthorized
from ..insights.events import MAX_DAYS, EventLog
from ..insights.figures import summary
from ..insights.store import InsightsStore, iso
from ..insights.unmet import CachedEmbedder, Question, TopicCache, cluster_topics, topic_key
from ..privacy import mask
from .agent_auth import NO_STORE, require_agent
from .auth import require_scope
from .openapi import documented
from .openapi_insights import OPERATIONS
from .params import int_param, json_body
from .routes_site import STATIC_DIR
from .typedefs import CATALOGUE, DATABASE, EMBEDDER, EVENT_LOG, EXECUTOR, INSIGHTS_STORE, SETTINGS, UNMET_CACHE

__all__ = ["setup"]

log = logging.getLogger(__name__)
UNMET_CACHE_S = 60.0
STATUSES = frozenset({"open", "added", "out_of_scope"})


def setup(app: web.Application) -> None:
    app[UNMET_CACHE] = TopicCache(CachedEmbedder(lambda: app[EMBEDDER]))
    app.cleanup_ctx.append(insights_data)
    for prefix in ("/admin/insights", "/agent/api/insights"):
        app.router.add_get(f"{prefix}/summary", get_summary)
        app.router.add_get(f"{prefix}/unmet", get_unmet)
        app.router.add_get(f"{prefix}/unmet.csv", get_unmet_csv)
        app.router.add_post(f"{prefix}/unmet/{{key}}", mark_topic)
    app.router.add_get("/agent/insights", page)


async def insights_data(app: web.Application) -> AsyncIterator[None]:
    """Our tables in the catalogue database and the events reader (ratings are purged by app.py's retention loop)."""
    settings = app[SETTINGS]
    app[INSIGHTS_STORE] = InsightsStore(app[DATABASE])  # the service's database: its engine, workers and 503 when down
    app[EVENT_LOG] = EventLog(settings.events_url)
    yield
    app[EVENT_LOG].close()


async def _caller(request: web.Request, *, operate: bool = False) -> str:
    """Who reads or marks: ``admin-token`` or the supervisor's name (see the module docstring)."""
    if request.headers.get("Authorization"):
        await require_scope(request, "operate" if operate else "read")
        return "admin-token"
    try:
        session = await require_agent(request, state_changing=operate)
    except Unauthorized as exc:
        if type(exc) is Unauthorized:  # no session at all: say both ways in
            raise Unauthorized("sign in to the agent console as a supervisor, or send the admin read token (Authorization: Bearer)") from None
        raise
    if not session.supervisor:
        raise Forbidden("insights are for supervisors; this account has the agent role")
    return session.agent


def _days(request: web.Request) -> int:
    return int_param(request, "days", 7, 1, MAX_DAYS)


@documented(**OPERATIONS["summary"])
async def get_summary(request: web.Request) -> web.Response:
    """The rates and counts of the last ``days`` days (docs/insights.md defines each)."""
    await _caller(request)
    app = request.app
    days = _days(request)
    abandon = int_param(request, "abandon_minutes", app[SETTINGS].insights_abandon_minutes, 0, 1440)
    until = time.time()
    since = until - days * 86400
    events = await app[EVENT_LOG].events()
    feedback = await app[INSIGHTS_STORE].feedback_since(since)
    tickets = await app[INSIGHTS_STORE].ticket_timings(since, until)
    catalogue = app[CATALOGUE].catalogue
    services = {i: f"{s.title.zh} / {s.title.en}" if s.title.zh != s.title.en else s.title.en for i, s in catalogue.services.items()}
    life_events = {i: f"{e.label.zh} / {e.label.en}" if e.label.zh != e.label.en else e.label.en for i, e in catalogue.events.items()}
    figures = await asyncio.to_thread(
        summary, events, feedback, tickets, since=since, until=until, abandon_after_s=abandon * 60, service_titles=services, event_titles=life_events
    )
    body = {"days": days, "from": iso(since), "to": iso(until), "abandon_minutes": abandon, **figures}
    return web.json_response(body, headers=NO_STORE)


def _background(app: web.Application) -> dict[str, list[str]]:
    """The catalogue's titles and summaries per language: they weigh the questions' words."""
    services = app[CATALOGUE].catalogue.services.values()
    return {lang: [f"{getattr(s.title, lang)} {getattr(s.summary, lang)}" for s in services] for lang in ("zh", "en")}


async def _topics(request: web.Request, days: int) -> list[dict[str, Any]]:
    app = request.app
    cache = app[UNMET_CACHE].results
    hit = cache.get(days)
    if hit is not None and time.monotonic() - hit[0] < UNMET_CACHE_S:
        return hit[1]
    until = time.time()
    since = until - days * 86400
    questions = []
    for event in await app[EVENT_LOG].events():
        value = event.data.get("value") if event.kind == "slot" and event.data.get("name") == "outcome" else None
        unmatched = isinstance(value, dict) and value.get("kind") == "no_match" and isinstance(value.get("query"), str) and value["query"].strip()
        if unmatched and isinstance(value, dict) and since - days * 86400 <= event.ts < until:
            lang = "en" if value.get("lang") == "en" else "zh"
            questions.append(Question(value["query"].strip()[:300], lang, event.ts))
    marks = {key: (mark.status, mark.label) for key, mark in (await app[INSIGHTS_STORE].marks()).items()}
    if not questions:
        topics: list[dict[str, Any]] = []
    else:
        loop = asyncio.get_running_loop()

        def work() -> list[dict[str, Any]]:
            found = cluster_topics(questions, since=since, embed=app[UNMET_CACHE].embed, marks=marks, background=_background(app))
            return [t.to_json() for t in found]

        topics = await loop.run_in_executor(app[EXECUTOR], work)
    cache[days] = (time.monotonic(), topics)
    return topics


@documented(**OPERATIONS["unmet"])
async def get_unmet(request: web.Request) -> web.Response:
    """Topics of the questions that found no service: ``{topics: [{key, label, count, examples, trend, status, ...}]}``."""
    await _caller(request)
    days = _days(request)
    return web.json_response({"days": days, "topics": await _topics(request, days)}, headers=NO_STORE)


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@documented(**OPERATIONS["unmet_csv"])
async def get_unmet_csv(request: web.Request) -> web.Response:
    """The same topics as CSV (UTF-8 with BOM, so spreadsheets read the Chinese right)."""
    await _caller(request)
    days = _days(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["key", "label", "lang", "count", "previous", "trend", "status", "examples"])
    for topic in await _topics(request, days):
        row = [topic["key"], topic["label"], topic["lang"], topic["count"], topic["previous"], topic["trend"], topic["status"], " | ".join(topic["examples"])]
        writer.writerow([_cell(v) for v in row])
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="unmet-needs-{days}d.csv"'}
    return web.Response(body=("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv", charset="utf-8", headers=headers)


@documented(**OPERATIONS["mark"])
async def mark_topic(request: web.Request) -> web.Response:
    """Mark a topic: body ``{status: added|out_of_scope|open, label}`` (``label`` is the topic's label, which names it)."""
    by = await _caller(request, operate=True)
    key = request.match_info["key"]
    body = await json_body(request, 4096)
    status = body.get("status")
    if status not in STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(sorted(STATUSES))}", field="status")
    label = body.get("label")
    if not isinstance(label, str) or not 1 <= len(label) <= 300:
        raise InvalidRequest("label must be the topic's label (1-300 characters)", field="label")
    store = request.app[INSIGHTS_STORE]
    marks = await store.marks()
    if topic_key(label) != key and key not in marks:
        raise NotFoundError(f"no topic {key!r} is labelled {mask(label)[:60]!r}", field="key")
    await store.set_mark(key, None if status == "open" else status, label, by, time.time())
    request.app[UNMET_CACHE].results.clear()
    log.info("insights: topic %s marked %s by %s", key, status, by)
    return web.json_response({"key": key, "status": status}, headers=NO_STORE)


@documented(**OPERATIONS["page"])
async def page(request: web.Request) -> web.StreamResponse:
    """The insights page: supervisors only; anyone not signed in is sent to the console's sign-in."""
    try:
        session = await require_agent(request)
    except Unauthorized:
        return web.Response(status=303, headers={"Location": "/agent", **NO_STORE})
    if not session.supervisor:
        raise Forbidden("the insights page is for supervisors")
    return web.FileResponse(STATIC_DIR / "insights.html", headers=NO_STORE)
