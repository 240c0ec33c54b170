"""Eligibility over HTTP: assess a service's criteria, and understand free-text answers.

``/eligibility/earlier`` reads what the citizen said before a check started ("my dad is 70 and
needs a care home") for the check's questions (``eligibility/earlier.py``), so the bot does not ask
again blindly: a policy, so it lives here and not in the action server.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from ..catalogue import Catalogue, iter_conditions
from ..eligibility import (
    Person,
    Reading,
    Turn,
    Verdict,
    assess,
    coerce_answers,
    evaluate,
    open_questions,
    parse_district,
    person,
    question_text,
    read_answer,
    said_phrase,
    understand_turn,
)
from ..eligibility.earlier import Found, earlier_answers
from ..errors import InvalidRequest, NotFoundError, ServiceNotFound
from ..model import Question, Service
from .params import MAX_BODY, body_model, json_body, refusal
from .schemas import EarlierRequest, EligibilityRequest, ParseRequest, TurnRequest
from .typedefs import CATALOGUE

__all__ = ["assess_json", "question_json", "setup", "subject_json"]

MAX_ANSWERS = 100
MAX_TEXT = 500


def setup(app: web.Application) -> None:
    app.router.add_post("/api/services/{id}/eligibility", eligibility)
    app.router.add_post("/api/questions/{id}/parse", parse)
    app.router.add_post("/api/services/{id}/eligibility/turn", turn)
    app.router.add_post("/api/services/{id}/eligibility/earlier", earlier)


def question_json(question: Question, lang: str, who: Person | None = None) -> dict[str, Any]:
    """A question as the bot asks it, worded for ``who`` when the check is for someone else."""
    return {
        "id": question.id,
        "type": question.type,
        "text": question_text(question, who, lang),
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


def subject_json(who: Person | None) -> dict[str, str] | None:
    """Who a check is for, as the responses name them: ``{relation, who}``; None for the citizen."""
    return {"relation": who.relation, "who": who.who} if who else None


def assess_json(cat: Catalogue, service: Service, body: dict[str, Any]) -> dict[str, Any]:
    """The verdict over a request body ``{answers, lang, said?, subject?}``: shared by the public route and the agent console.

    With a ``subject`` (``mother``, ``son``...), the next question and the reasons are worded
    for that person ("How old is your mother?"); the answers are theirs.

    Raises:
        InvalidRequest: malformed answers or lang (``field`` names it); InvalidAnswer for a wrong value.
    """
    try:
        checked = EligibilityRequest.model_validate(body)
    except ValidationError as exc:
        raise refusal(exc, "body") from None
    lang = checked.lang
    answers = coerce_answers(cat.questions, checked.answers)  # InvalidAnswer (400) names the field
    answers = {k: v for k, v in answers.items() if v is not None}
    today = dt.date.today()
    readings = {q: said_phrase(cat.questions[q], words, answers[q], lang, today) for q, words in checked.said.items() if q in answers and q in cat.questions}
    who = person(checked.subject, lang)
    result = assess(service.eligibility, answers, cat.questions, lang, today, readings, who)
    body_out: dict[str, Any] = result.to_json()
    body_out["service_id"] = service.id
    body_out["next_question"] = question_json(result.next_question, lang, who) if result.next_question else None
    body_out["subject"] = subject_json(who)
    body_out["alternatives"] = _alternatives(cat, service, answers, lang, today) if result.status is Verdict.INELIGIBLE else []
    return body_out


def _service(cat: Catalogue, request: web.Request) -> Service:
    """The service of the path's ``{id}``, or a 404 naming it."""
    sid = request.match_info["id"]
    service = cat.services.get(sid)
    if service is None:
        raise ServiceNotFound(f"no service with id {sid!r}", field="id")
    return service


def _kept_so_far(cat: Catalogue, answers: dict[str, Any], said: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers so far, coerced, without the unanswered ones, and the words said for known questions."""
    coerced = {k: v for k, v in coerce_answers(cat.questions, answers).items() if v is not None}
    return coerced, {q: words for q, words in said.items() if q in cat.questions}


async def eligibility(request: web.Request) -> web.Response:
    """Assess a service's criteria over the answers given so far."""
    cat: Catalogue = request.app[CATALOGUE].catalogue
    service = _service(cat, request)
    body = await json_body(request, MAX_BODY)
    return web.json_response(assess_json(cat, service, body))


async def parse(request: web.Request) -> web.Response:
    """Understand a free-text answer to a question (or ``district``) in either language."""
    cat: Catalogue = request.app[CATALOGUE].catalogue
    qid = request.match_info["id"]
    req = await body_model(request, ParseRequest)
    text, lang = req.text, req.lang
    if qid == "district":
        value = parse_district(text)
        return web.json_response({"question_id": qid, "understood": value is not None, "value": value})
    question = cat.questions.get(qid)
    if question is None:
        raise NotFoundError(f"no question with id {qid!r}", field="id")
    reading = read_answer(question, text, dt.date.today())
    value, problem = _checked(cat, question, reading)
    if value is None:
        return web.json_response({"question_id": qid, "understood": False, "value": None, **({"problem": problem} if problem else {})})
    assert reading is not None
    return web.json_response(
        {
            "question_id": qid,
            "understood": True,
            "value": value,
            "reading": reading.text[lang],
            "uncertain": not reading.confident,
            "confidence": round(reading.confidence, 2),
            "confirm": reading.confirm[lang] if reading.confirm else None,
            "high": reading.high,
        }
    )


def _checked(cat: Catalogue, question: Question, reading: Reading | None) -> tuple[Any, str | None]:
    """The reading's value checked against the question (min, max, options), JSON-ready; or (None, why not)."""
    if reading is None:
        return None, None
    raw = reading.value.isoformat() if isinstance(reading.value, dt.date) else reading.value
    try:
        value = coerce_answers(cat.questions, {question.id: raw})[question.id]
    except InvalidRequest as exc:
        return None, exc.message
    return (value.isoformat() if isinstance(value, dt.date) else value), None


def _check_questions(cat: Catalogue, service: Service) -> list[str]:
    """The ids of the questions this service's criteria use, in criteria order."""
    return list(dict.fromkeys(cond.q for cond in iter_conditions(service.eligibility) if cond.q in cat.questions))


async def turn(request: web.Request) -> web.Response:
    """What one utterance does in a service's check: answer, confirm, deny, correct an earlier answer, or start over.

    Returns the answers and words (``said``) to keep from now on, so that the bot keeps no logic of its own.
    The answers are those of the person the check is for (``subject``); ``question`` is worded for them.
    """
    cat: Catalogue = request.app[CATALOGUE].catalogue
    service = _service(cat, request)
    req = await body_model(request, TurnRequest)
    lang, today = req.lang, dt.date.today()
    answers, said = _kept_so_far(cat, req.answers, req.said)
    in_check = _check_questions(cat, service)
    asked = cat.questions.get(req.asked) if req.asked else None
    if req.asked and asked is None:
        raise InvalidRequest(f"no question with id {req.asked!r}", field="asked")
    pending_q = cat.questions.get(str(req.pending.get("question_id"))) if req.pending else None
    if req.pending and pending_q is None:
        raise InvalidRequest("pending.question_id must name a question of the bank", field="pending.question_id")
    answered = [cat.questions[q] for q in answers if q in cat.questions]  # oldest first; the latest wins a tie
    result = understand_turn(req.text, asked=asked, answered=answered, answers=answers, today=today,
                             pending=pending_q, pending_value=req.pending.get("value") if req.pending else None)  # fmt: skip
    out: dict[str, Any] = {"kind": result.kind, "question_id": result.question_id, "value": None, "reading": None,
                           "uncertain": False, "confirm": None, "pending": None}  # fmt: skip
    if req.start_over:
        result = Turn("start_over")
    if result.kind == "start_over":
        answers = {q: v for q, v in answers.items() if q not in in_check}
        said = {q: w for q, w in said.items() if q not in in_check}
    elif result.kind == "confirm" and pending_q is not None and req.pending is not None:
        answers[pending_q.id] = req.pending.get("value")
        answers = {k: v for k, v in coerce_answers(cat.questions, answers).items() if v is not None}
        said[pending_q.id] = str(req.pending.get("said") or "")[:MAX_TEXT]
        out["value"] = req.pending.get("value")
    elif result.kind in ("answer", "correction") and result.question_id is not None:
        question = cat.questions[result.question_id]
        value, problem = _checked(cat, question, result.reading)
        if value is None or result.reading is None:
            out.update(kind="unknown", problem=problem)
        else:
            out.update(value=value, reading=result.reading.text[lang], uncertain=not result.reading.confident,
                       confirm=result.reading.confirm[lang] if result.reading.confirm else None)  # fmt: skip
            if result.reading.confident:
                answers[question.id] = value
                said[question.id] = req.text[:MAX_TEXT]
            else:
                out["pending"] = {"question_id": question.id, "value": value, "said": req.text[:MAX_TEXT]}
    jsonable = {q: v.isoformat() if isinstance(v, dt.date) else v for q, v in answers.items()}
    out.update(answers=jsonable, said={q: w for q, w in said.items() if q in answers})
    who = person(req.subject, lang)
    out["question"] = question_text(cat.questions[result.question_id], who, lang) if result.question_id in cat.questions else None
    out["open"] = open_questions(service.eligibility, answers, today) if service.eligibility else []
    return web.json_response(out)


# A fact about a person outside the check is kept as a note only for the questions many services ask
# about a person (hukou, residence permit, nationality, insurance...): those are facts about them, and
# a later check will need them; a rarer question's words said in passing are too often about something else.
NOTE_MIN_SERVICES = 5
_EARLIER_CONFIRM = {"zh": "您之前说“{said}”。{question}——{reading}，对吗？", "en": "You said “{said}”. {question} — {reading}, is that right?"}


def _person_facts(cat: Catalogue) -> list[Question]:
    """The individual (not enterprise) yes/no questions that at least five services ask."""
    uses: dict[str, int] = {}
    for service in cat.services.values():
        if service.audience == "enterprise":
            continue
        for qid in {cond.q for cond in iter_conditions(service.eligibility)}:
            uses[qid] = uses.get(qid, 0) + 1
    return [q for qid, n in uses.items() if n >= NOTE_MIN_SERVICES and (q := cat.questions.get(qid)) is not None and q.type == "boolean"]


def _earlier_item(question: Question, found: Found, value: Any, who: Person | None, lang: str, today: dt.date) -> dict[str, Any]:
    phrase = said_phrase(question, found.said, value, lang, today)
    asked = question_text(question, who, lang)
    line = f"{asked}{phrase}" if lang == "zh" else f"{asked} {phrase[:1].upper()}{phrase[1:]}"
    return {"question_id": question.id, "value": value, "reading": found.reading.text[lang], "said": found.said[:MAX_TEXT], "line": line}


async def earlier(request: web.Request) -> web.Response:
    """Which of a service's questions the citizen's earlier words already answer, for the person the check is for.

    Body ``{texts, lang, answers, said, subject}``. Answers read with clear evidence are kept
    (``taken``), with a line that shows how they were read; facts about the person that other checks
    ask (nationality, hukou...) are kept too (``noted``); an unsure reading is ``offered`` and the
    first still open is ``pending``, with its "is that right?" question. Public, like the check.
    """
    cat: Catalogue = request.app[CATALOGUE].catalogue
    service = _service(cat, request)
    req = await body_model(request, EarlierRequest)
    lang, today = req.lang, dt.date.today()
    answers, said = _kept_so_far(cat, req.answers, req.said)
    who = person(req.subject, lang)
    check = [cat.questions[q] for q in _check_questions(cat, service)]
    out: dict[str, list[dict[str, Any]]] = {"taken": [], "noted": [], "offered": []}
    naming = [service.title.zh, service.title.en]  # not its keywords: "laid off" names the benefit and is a fact too
    for found in earlier_answers(check, req.texts, answers, today, _person_facts(cat), naming):
        question = cat.questions[found.question_id]
        value, _ = _checked(cat, question, found.reading)
        if value is None:
            continue
        out[found.kind].append(_earlier_item(question, found, value, who, lang, today))
        if found.kind != "offered":
            answers[question.id] = coerce_answers(cat.questions, {question.id: value})[question.id]
            said[question.id] = found.said[:MAX_TEXT]
    still_open = set(open_questions(service.eligibility, answers, today)) if service.eligibility else set()
    pending = next((o for o in out["offered"] if o["question_id"] in still_open), None)
    if pending is not None:
        question = cat.questions[pending["question_id"]]
        confirm = _EARLIER_CONFIRM[lang].format(said=pending["said"], question=question_text(question, who, lang), reading=pending["reading"])
        pending = {"question_id": question.id, "value": pending["value"], "said": pending["said"], "confirm": confirm}
    jsonable = {q: v.isoformat() if isinstance(v, dt.date) else v for q, v in answers.items()}
    return web.json_response({**out, "answers": jsonable, "said": {q: w for q, w in said.items() if q in answers}, "pending": pending})
