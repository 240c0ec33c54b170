"""Eligibility over HTTP: assess a service's criteria, and understand free-text answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from ..catalogue import Catalogue
from ..eligibility import Verdict, assess, coerce_answers, evaluate, parse_answer, parse_district
from ..errors import InvalidRequest, NotFoundError, ServiceNotFound
from ..model import Question, Service
from .params import MAX_BODY, body_lang, json_body
from .typedefs import CATALOGUE

__all__ = ["assess_json", "question_json", "setup"]

MAX_ANSWERS = 100
MAX_TEXT = 500


def setup(app: web.Application) -> None:
    app.router.add_post("/api/services/{id}/eligibility", eligibility)
    app.router.add_post("/api/questions/{id}/parse", parse)


def question_json(question: Question, lang: str) -> dict[str, Any]:
    return {
        "id": question.id,
        "type": question.type,
        "text": question.text.get(lang),
        "why": question.why.get(lang),
        "options": [{"value": o.value, "label": o.label.get(lang)} for o in question.options],
        "unit": question.unit.get(lang) if question.unit else None,
        "min": question.min,
        "max": question.max,
    }


def _alternatives(cat: Catalogue, service: Service, answers: dict[str, Any], lang: str, today: dt.date, limit: int = 3) -> list[dict[str, Any]]:
    """Related services (shared life events, then theme) that the answers do not rule out."""
    events = set(service.events)
    scored = []
    for other in cat.services.values():
        if other.id == service.id or other.audience != service.audience:
            continue
        shared = len(events & set(other.events)) * 2 + (other.theme == service.theme)
        if shared == 0:
            continue
        verdict = evaluate(other.eligibility, answers, today)
        if verdict is Verdict.INELIGIBLE:
            continue
        scored.append((-shared, verdict is not Verdict.ELIGIBLE, other.id, other, verdict))
    scored.sort(key=lambda t: t[:3])
    return [{"id": o.id, "title": o.title.get(lang), "status": v.value} for *_, o, v in scored[:limit]]


def assess_json(cat: Catalogue, service: Service, body: dict[str, Any]) -> dict[str, Any]:
    """The verdict over a request body ``{answers, lang}``: shared by the public route and the agent console.

    Raises:
        InvalidRequest: malformed answers or lang (``field`` names it); InvalidAnswer for a wrong value.
    """
    lang = body_lang(body)
    raw = body.get("answers", {})
    if not isinstance(raw, dict):
        raise InvalidRequest("answers must be an object of question id to value", field="answers")
    if len(raw) > MAX_ANSWERS:
        raise InvalidRequest(f"at most {MAX_ANSWERS} answers are accepted, got {len(raw)}", field="answers")
    for qid, value in raw.items():
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise InvalidRequest(f"the answer to {qid} is longer than {MAX_TEXT} characters", field=f"answers.{qid}")
    answers = coerce_answers(cat.questions, raw)  # InvalidAnswer (400) names the field
    answers = {k: v for k, v in answers.items() if v is not None}
    today = dt.date.today()
    result = assess(service.eligibility, answers, cat.questions, lang, today)
    body_out: dict[str, Any] = result.to_json()
    body_out["service_id"] = service.id
    body_out["next_question"] = question_json(result.next_question, lang) if result.next_question else None
    body_out["alternatives"] = _alternatives(cat, service, answers, lang, today) if result.status is Verdict.INELIGIBLE else []
    return body_out


async def eligibility(request: web.Request) -> web.Response:
    """Assess a service's criteria over the answers given so far."""
    cat: Catalogue = request.app[CATALOGUE].catalogue
    sid = request.match_info["id"]
    service = cat.services.get(sid)
    if service is None:
        raise ServiceNotFound(f"no service with id {sid!r}", field="id")
    body = await json_body(request, MAX_BODY)
    return web.json_response(assess_json(cat, service, body))


async def parse(request: web.Request) -> web.Response:
    """Understand a free-text answer to a question (or ``district``) in either language."""
    cat: Catalogue = request.app[CATALOGUE].catalogue
    qid = request.match_info["id"]
    body = await json_body(request, MAX_BODY)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequest("text must be a non-empty string", field="text")
    if len(text) > MAX_TEXT:
        raise InvalidRequest(f"text is longer than {MAX_TEXT} characters", field="text")
    if qid == "district":
        value = parse_district(text)
        return web.json_response({"question_id": qid, "understood": value is not None, "value": value})
    question = cat.questions.get(qid)
    if question is None:
        raise NotFoundError(f"no question with id {qid!r}", field="id")
    value = parse_answer(question, text, dt.date.today())
    if value is not None:
        try:
            value = coerce_answers(cat.questions, {qid: value.isoformat() if isinstance(value, dt.date) else value})[qid]
        except InvalidRequest as exc:
            return web.json_response({"question_id": qid, "understood": False, "value": None, "problem": exc.message})
    return web.json_response({"question_id": qid, "understood": value is not None, "value": value.isoformat() if isinstance(value, dt.date) else value})
