"""Answer understanding over HTTP: the parse route's reading and confirmation, and the turn route
(answer, confirm, deny, correction, start over) that keeps the bot thin."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

TURN = "/api/services/residence-permit-application/eligibility/turn"


async def _turn(client: TestClient, **body: Any) -> dict[str, Any]:
    r = await client.post(TURN, json=body)
    assert r.status == 200, await r.text()
    return await r.json()  # type: ignore[no-any-return]


async def test_parse_converts_units_and_asks_to_confirm_an_approximation(client: TestClient) -> None:
    r = await client.post("/api/questions/lived_in_city_months/parse", json={"text": "about 3 years", "lang": "en"})
    body = await r.json()
    assert (body["value"], body["uncertain"]) == (36, True)
    assert body["reading"] == "about 3 years, counted as 36 months"
    assert body["confirm"] == "about 3 years, counted as 36 months — is that right?"
    zh = await (await client.post("/api/questions/lived_in_city_months/parse", json={"text": "一年半", "lang": "zh"})).json()
    assert (zh["value"], zh["uncertain"], zh["reading"]) == (18, False, "1年半，即18个月")


async def test_parse_reads_a_described_situation_against_the_question(client: TestClient) -> None:
    body = await (await client.post("/api/questions/unemployment_involuntary/parse", json={"text": "my contract wasn't renewed"})).json()
    assert (body["understood"], body["value"]) == (True, True)


async def test_an_uncertain_answer_waits_for_confirmation_then_is_kept(client: TestClient) -> None:
    first = await _turn(client, text="about 3 years", asked="lived_in_city_months", answers={"hukou_shanghai": False})
    assert first["kind"] == "answer" and first["uncertain"] and "lived_in_city_months" not in first["answers"]
    assert first["pending"] == {"question_id": "lived_in_city_months", "value": 36, "said": "about 3 years"}
    yes = await _turn(client, text="yes", answers=first["answers"], pending=first["pending"])
    assert yes["kind"] == "confirm" and yes["answers"]["lived_in_city_months"] == 36
    assert yes["said"]["lived_in_city_months"] == "about 3 years"
    no = await _turn(client, text="no", answers=first["answers"], pending=first["pending"])
    assert no["kind"] == "deny" and "lived_in_city_months" not in no["answers"]


async def test_a_correction_changes_the_earlier_answer_and_the_verdict(client: TestClient) -> None:
    answers = {"hukou_shanghai": False, "lived_in_city_months": 3, "has_legal_residence": True}
    before = await (await client.post("/api/services/residence-permit-application/eligibility", json={"answers": answers})).json()
    assert before["status"] == "ineligible"
    fixed = await _turn(client, text="I said 3 YEARS", answers=answers, said={"lived_in_city_months": "3"})
    assert (fixed["kind"], fixed["question_id"], fixed["answers"]["lived_in_city_months"]) == ("correction", "lived_in_city_months", 36)
    after = await (
        await client.post("/api/services/residence-permit-application/eligibility", json={"answers": fixed["answers"], "said": fixed["said"], "lang": "en"})
    ).json()
    assert after["status"] == "eligible"
    assert any("you said “I said 3 YEARS” — 3 years, that is 36 months" in r["text"] for r in after["reasons"])


async def test_start_over_clears_only_this_checks_answers(client: TestClient) -> None:
    answers = {"hukou_shanghai": False, "lived_in_city_months": 12, "age": 40}
    body = await _turn(client, text="重新开始", lang="zh", answers=answers, asked="has_legal_residence")
    assert body["kind"] == "start_over"
    assert body["answers"] == {"age": 40}


async def test_turn_refuses_bad_input_naming_the_field(client: TestClient) -> None:
    r = await client.post(TURN, json={"text": ""})
    assert r.status == 400 and (await r.json())["field"] == "text"
    r = await client.post(TURN, json={"text": "yes", "asked": "no_such_question"})
    assert r.status == 400 and (await r.json())["field"] == "asked"
    r = await client.post("/api/services/no-such-service/eligibility/turn", json={"text": "yes"})
    assert r.status == 404
