"""A check on behalf of someone else, over HTTP: the questions and reasons worded for that person, the
application link and the portal saying for whom, and the ticket telling the agent (issue 14).

Uses the ``client`` fixture and the credentials of ``tests/conftest.py``.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest
from agentkit import add_agent, login
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from testkit import INTERNAL, PORTAL_TOKEN, READ_TOKEN, bearer

from service_catalog.db import Database
from service_catalog.db_schema import audit, tickets
from service_catalog.http.typedefs import DATABASE

CARD = "/api/services/senior-citizen-card/eligibility"
ID_NUMBER = "310101195201011234"


async def check(client: TestClient, **body: Any) -> dict[str, Any]:
    response = await client.post(CARD, json=body)
    assert response.status == 200, await response.text()
    return cast(dict[str, Any], await response.json())


async def test_the_questions_are_asked_about_the_person_named(client: TestClient) -> None:
    mine = await check(client, lang="en")
    assert mine["next_question"]["text"] == "How old are you?" and mine["subject"] is None
    hers = await check(client, lang="en", subject="mother")
    assert hers["next_question"]["text"] == "How old is your mother?"
    assert hers["subject"] == {"relation": "mother", "who": "your mother"}
    zh = await check(client, lang="zh", subject="mother")
    assert zh["next_question"]["text"] == "您母亲今年多少岁？" and zh["subject"]["who"] == "您母亲"
    second = await check(client, lang="en", subject="father", answers={"age": 70})
    assert second["next_question"]["text"] == "Is your father's household registration (hukou) in Shanghai?"
    assert (await check(client, lang="en", subject="self"))["next_question"]["text"] == "How old are you?"


async def test_the_verdicts_reasons_are_worded_for_that_person(client: TestClient) -> None:
    hers = await check(client, lang="en", subject="mother", answers={"age": 72, "hukou_shanghai": True}, said={"age": "she's 72"})
    assert hers["status"] == "eligible"
    assert any(r["text"].startswith("How old is your mother? Must be at least 65 years") for r in hers["reasons"]), hers["reasons"]
    son = await check(client, lang="zh", subject="son", answers={"age": 30})
    assert son["status"] == "ineligible"
    assert son["would_qualify_if"] == ["“您儿子今年多少岁？”的回答需要不低于65岁（您的回答：30）。"]


async def test_an_unknown_relation_is_refused_naming_the_field(client: TestClient) -> None:
    response = await client.post(CARD, json={"subject": "neighbour's cat"})
    assert response.status == 400
    body = await response.json()
    assert body["field"] == "subject" and "mother" in body["message"]


async def test_a_correction_in_the_turn_is_worded_for_the_person(client: TestClient) -> None:
    response = await client.post(
        "/api/services/senior-citizen-card/eligibility/turn",
        json={"text": "sorry, she's actually 75", "lang": "en", "answers": {"age": 62}, "subject": "mother"},
    )
    body = await response.json()
    assert (body["kind"], body["answers"]["age"]) == ("correction", 75)
    assert body["question"] == "How old is your mother?"


def _handle(url: str) -> str:
    return parse_qs(urlsplit(url).query)["h"][0]


async def _link(client: TestClient, **extra: Any) -> dict[str, Any]:
    body = {"service_id": "senior-citizen-card", "answers": {"age": 72, "hukou_shanghai": True}, "lang": "en", "channel": "web", "consent": True, **extra}
    response = await client.post("/api/handoff/application", json=body, headers=INTERNAL)
    assert response.status == 200, await response.text()
    return cast(dict[str, Any], await response.json())


async def test_the_portal_says_for_whom_the_answers_are(client: TestClient) -> None:
    link = await _link(client, subject="mother")
    parts = urlsplit(link["url"])
    form = await client.post(parts.path, data={"h": _handle(link["url"])})
    html = await form.text()
    assert form.status == 200
    assert "Applying on behalf of: <strong>your mother</strong>" in html
    assert '<label for="answer-1">How old is your mother?</label>' in html
    mine = await _link(client)
    page = await (await client.post(urlsplit(mine["url"]).path, data={"h": _handle(mine["url"])})).text()
    assert "on behalf of" not in page and "How old are you?" in page


async def test_the_back_channel_gives_the_relation_and_the_audit_keeps_it(client: TestClient) -> None:
    link = await _link(client, subject="father", lang="zh")
    redeemed = await client.post(
        "/api/handoff/redeem", json={"handle": _handle(link["url"]), "service_id": "senior-citizen-card"}, headers=bearer(PORTAL_TOKEN)
    )
    body = await redeemed.json()
    assert body["on_behalf_of"] == "father" and body["answers"] == {"age": 72, "hukou_shanghai": True}
    own = await _link(client, subject="self")
    mine = await (
        await client.post("/api/handoff/redeem", json={"handle": _handle(own["url"]), "service_id": "senior-citizen-card"}, headers=bearer(PORTAL_TOKEN))
    ).json()
    assert "on_behalf_of" not in mine
    db = cast(Database, client.app[DATABASE])
    with db.engine.connect() as conn:
        details = [row.detail for row in conn.execute(select(audit.c.detail).where(audit.c.kind == "application_link"))]
    assert sum('"on_behalf_of": "father"' in d for d in details) == 1


@pytest.mark.parametrize(
    ("lang", "prefix"),
    [("en", "(for their mother) [Senior citizen card] "), ("zh", "（代母亲咨询）[敬老卡] ")],
)
async def test_the_ticket_tells_the_agent_and_masks_what_was_typed_about_her(client: TestClient, lang: str, prefix: str) -> None:
    transcript = [{"who": "user", "text": f"my mother Wang Fang, ID {ID_NUMBER}, wants to talk to someone"}]
    body = {"transcript": transcript, "lang": lang, "channel": "rest", "service_id": "senior-citizen-card", "subject": "mother", "answers": {"age": 72}}
    response = await client.post("/api/tickets", json=body, headers=INTERNAL)
    assert response.status == 201, await response.text()
    number = (await response.json())["ticket"]
    ticket = await (await client.get(f"/api/tickets/{number}", headers=bearer(READ_TOKEN))).json()
    assert ticket["summary"].startswith(prefix), ticket["summary"]
    assert ticket["subject"] == "mother"  # a field of its own, not only words in the summary
    assert ID_NUMBER not in ticket["summary"] and ID_NUMBER not in ticket["transcript"][0]["text"]
    assert "310101********1234" in ticket["transcript"][0]["text"]
    db = cast(Database, client.app[DATABASE])
    with db.engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(select(tickets)) for v in row)
    assert ID_NUMBER not in stored


async def test_the_agent_console_gets_the_tickets_subject(client: TestClient) -> None:
    mine = {"transcript": [{"who": "user", "text": "help"}], "lang": "en", "service_id": "senior-citizen-card"}
    theirs = {**mine, "subject": "father"}
    numbers = []
    for body, conversation in ((mine, "c-self"), (theirs, "c-father"), ({**mine, "subject": "self"}, "c-self-said")):
        response = await client.post("/api/tickets", json=body, headers={**INTERNAL, "X-Conversation-Id": conversation})
        numbers.append((await response.json())["ticket"])
    await add_agent(client)
    await login(client)
    queue = await (await client.get("/agent/api/tickets")).json()
    subjects = {item["number"]: item["subject"] for item in queue["items"]}
    assert [subjects[n] for n in numbers] == [None, "father", None]  # "self" is the citizen: no subject
    one = await (await client.get(f"/agent/api/tickets/{numbers[1]}")).json()
    assert one["subject"] == "father" and one["summary"].startswith("(for their father)")


async def test_a_ticket_for_an_unknown_relation_is_refused(client: TestClient) -> None:
    response = await client.post("/api/tickets", json={"transcript": [{"who": "user", "text": "help"}], "subject": "boss"}, headers=INTERNAL)
    assert response.status == 400
    assert (await response.json())["field"] == "subject"


async def test_an_agent_checks_for_the_callers_father(client: TestClient) -> None:
    await add_agent(client)
    csrf = await login(client)
    response = await client.post("/agent/api/services/senior-citizen-card/eligibility", json={"lang": "zh", "subject": "father"}, headers=csrf)
    body = await response.json()
    assert body["next_question"]["text"] == "您父亲今年多少岁？" and body["subject"] == {"relation": "father", "who": "您父亲"}
