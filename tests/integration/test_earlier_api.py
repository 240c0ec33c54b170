"""``POST /api/services/{id}/eligibility/earlier`` (issue 14): what the citizen said before the check is
read for its questions, worded for the person the check is for, and a bad body is refused naming the field.

Uses the ``client`` fixture of ``tests/conftest.py``.
"""

from __future__ import annotations

from typing import Any, cast

from aiohttp.test_utils import TestClient


async def earlier(client: TestClient, service: str, **body: Any) -> dict[str, Any]:
    response = await client.post(f"/api/services/{service}/eligibility/earlier", json=body)
    assert response.status == 200, await response.text()
    return cast(dict[str, Any], await response.json())


async def test_the_fathers_age_said_earlier_is_kept_and_shown_back(client: TestClient) -> None:
    body = await earlier(client, "senior-citizen-card", texts=["my dad is 70 and needs a care home"], lang="en", subject="father")
    assert body["answers"] == {"age": 70}
    assert body["said"] == {"age": "my dad is 70 and needs a care home"}
    assert [t["line"] for t in body["taken"]] == ["How old is your father? You said “my dad is 70 and needs a care home” — 70 years"]
    # The check then asks the next question, not the age again.
    check = await client.post("/api/services/senior-citizen-card/eligibility", json={"answers": body["answers"], "lang": "en", "subject": "father"})
    assert (await check.json())["next_question"]["id"] == "hukou_shanghai"


async def test_the_wifes_facts_are_noted_and_an_unsure_reading_asked_back(client: TestClient) -> None:
    said = "and my wife? she is a foreigner but has a chinese licence too, expires same time"
    body = await earlier(client, "driving-licence-renewal", texts=[said], lang="en", subject="wife")
    assert body["answers"] == {"nationality_chinese": False}  # kept for her: a later check will not ask it
    assert body["noted"][0]["line"] == "Is your wife a Chinese citizen? You said “she is a foreigner” — read as “no”"
    assert body["pending"] == {
        "question_id": "has_driving_licence",
        "value": True,
        "said": "has a chinese licence too",
        "confirm": "You said “has a chinese licence too”. Does your wife hold a driving licence? — read as “yes”, is that right?",
    }
    zh = await earlier(client, "driving-licence-renewal", texts=["那我老婆呢 她是外国人 也有中国驾照"], lang="zh", subject="wife")
    assert zh["noted"][0]["line"].startswith("您妻子是中国公民吗？您说“她是外国人”")
    assert zh["pending"]["confirm"].startswith("您之前说“也有中国驾照”。您妻子是否持有机动车驾驶证？")


async def test_an_answer_already_given_stays(client: TestClient) -> None:
    body = await earlier(client, "senior-citizen-card", texts=["I'm 70"], answers={"age": 66}, said={"age": "66"}, lang="en")
    assert body["answers"] == {"age": 66} and body["taken"] == [] and body["said"] == {"age": "66"}


async def test_a_bad_body_is_refused_naming_the_field(client: TestClient) -> None:
    too_many = await client.post("/api/services/senior-citizen-card/eligibility/earlier", json={"texts": ["x"] * 21})
    assert too_many.status == 400 and (await too_many.json())["field"].startswith("texts")
    missing = await client.post("/api/services/senior-citizen-card/eligibility/earlier", json={"lang": "en"})
    assert missing.status == 400 and (await missing.json())["field"] == "texts"
    who = await client.post("/api/services/senior-citizen-card/eligibility/earlier", json={"texts": [], "subject": "cat"})
    assert who.status == 400 and (await who.json())["field"] == "subject"
    unknown = await client.post("/api/services/no-such-service/eligibility/earlier", json={"texts": []})
    assert unknown.status == 404


async def test_the_benefits_own_words_still_state_a_fact(client: TestClient) -> None:
    # "laid off" is a keyword of the unemployment benefit and the situation behind "did your job end against your will?".
    said = "I was laid off last month after paying social insurance for 3 years, how do I claim unemployment benefit?"
    body = await earlier(client, "unemployment-insurance-benefit", texts=[said], lang="en")
    assert body["answers"] == {"unemployment_involuntary": True, "social_insurance_months": 36}
    assert body["pending"]["question_id"] == "employment_status"  # the work situation, read from the same words, is asked back
