"""The eligibility form's actions against the real catalogue service in process: the bot keeps only
what the service's turn endpoint says (answers, the person's words, a reading to confirm)."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

with warnings.catch_warnings():
    # rasa-sdk's sanic imports websockets.connection, deprecated in websockets 14; nothing we can act on.
    warnings.filterwarnings("ignore", "websockets.connection was renamed", DeprecationWarning)
    from rasa_sdk import Tracker
    from rasa_sdk.events import FollowupAction, SlotSet
    from rasa_sdk.executor import CollectingDispatcher

    from actions import eligibility, subject
    from actions.catalogue_client import CatalogueClient
    from actions.eligibility import ActionAskEligAnswer, ActionEligibilityResult, ActionHandleInform, ActionStartOver, ValidateEligibilityForm

SERVICE = "residence-permit-application"


@pytest.fixture
async def catalogue_client(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[CatalogueClient]:
    """The actions' client, pointed at the in-process catalogue service."""
    actions_client = CatalogueClient(str(client.server.make_url("")), timeout_s=5.0)
    for module in (eligibility, subject):
        monkeypatch.setattr(module, "client", actions_client)
    yield actions_client
    await actions_client.close()


def tracker(text: str, slots: dict[str, Any], lang: str = "en", loop: str | None = "eligibility_form", intent: str = "inform") -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "test-user",
            "slots": {"lang": lang, "service_id": SERVICE, "answers": {}, "answers_said": {}, "elig_pending": None, "elig_question": None, **slots},
            "latest_message": {"text": text, "intent": {"name": intent}, "entities": []},
            "events": [{"event": "user", "text": text, "timestamp": 1.0, "parse_data": {"intent": {"name": intent}}}],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": loop} if loop else {},
            "latest_action_name": "action_listen",
        }
    )


async def _validate(text: str, slots: dict[str, Any], lang: str = "en") -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    result = await ValidateEligibilityForm().validate_elig_answer(text, dispatcher, tracker(text, slots, lang), {})
    return result, dispatcher


async def test_an_approximate_answer_is_confirmed_before_it_is_kept(catalogue_client: CatalogueClient) -> None:
    asked = {"answers": {"hukou_shanghai": False}, "elig_question": "lived_in_city_months"}
    slots, _ = await _validate("about 3 years", asked)
    assert slots["answers"] == {"hukou_shanghai": False}
    assert slots["elig_pending"]["confirm"] == "about 3 years, counted as 36 months — is that right?"
    dispatcher = CollectingDispatcher()
    await ActionAskEligAnswer().run(dispatcher, tracker("about 3 years", {**asked, **slots}), {})
    assert dispatcher.messages[0]["question"] == "about 3 years, counted as 36 months — is that right?"
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["yes", "no"]
    confirmed, _ = await _validate("yes", {**asked, **slots})
    assert confirmed["answers"] == {"hukou_shanghai": False, "lived_in_city_months": 36}
    assert confirmed["answers_said"] == {"lived_in_city_months": "about 3 years"} and confirmed["elig_pending"] is None
    denied, said = await _validate("no", {**asked, **slots})
    assert "lived_in_city_months" not in denied["answers"] and [m["response"] for m in said.messages] == ["utter_elig_reask"]


async def test_a_correction_in_the_form_changes_the_earlier_answer(catalogue_client: CatalogueClient) -> None:
    slots, dispatcher = await _validate(
        "不对，是三年", {"answers": {"hukou_shanghai": False, "lived_in_city_months": 3}, "elig_question": "has_legal_residence"}, "zh"
    )
    assert slots["answers"]["lived_in_city_months"] == 36
    changed = dispatcher.messages[0]
    assert changed["response"] == "utter_elig_changed" and changed["reading"] == "3年，即36个月" and "连续居住" in changed["question"]


async def test_the_verdict_shows_how_the_words_were_read(catalogue_client: CatalogueClient) -> None:
    slots = {
        "answers": {"hukou_shanghai": False, "lived_in_city_months": 36, "has_legal_residence": True},
        "answers_said": {"lived_in_city_months": "about 3 years"},
    }
    dispatcher = CollectingDispatcher()
    await ActionEligibilityResult().run(dispatcher, tracker("yes", slots, loop=None), {})
    assert dispatcher.messages[0]["response"] == "utter_elig_eligible"
    assert "you said “about 3 years” — about 3 years, counted as 36 months" in dispatcher.messages[0]["reasons"]


async def test_a_correction_after_the_verdict_gives_the_verdict_again(catalogue_client: CatalogueClient) -> None:
    slots = {"answers": {"hukou_shanghai": False, "lived_in_city_months": 3, "has_legal_residence": True}}
    dispatcher = CollectingDispatcher()
    events = await ActionHandleInform().run(dispatcher, tracker("I said 3 YEARS", slots, loop=None), {})
    assert SlotSet("answers", {"hukou_shanghai": False, "lived_in_city_months": 36, "has_legal_residence": True}) in events
    assert [m["response"] for m in dispatcher.messages][:2] == ["utter_elig_changed", "utter_elig_eligible"]


async def test_start_over_clears_this_checks_answers_and_asks_again(catalogue_client: CatalogueClient) -> None:
    slots = {"answers": {"hukou_shanghai": False, "lived_in_city_months": 3, "age": 40}, "answers_said": {"lived_in_city_months": "3"}}
    dispatcher = CollectingDispatcher()
    events = await ActionStartOver().run(dispatcher, tracker("start over", slots, loop=None, intent="start_over"), {})
    assert SlotSet("answers", {"age": 40}) in events and SlotSet("answers_said", {}) in events
    assert events[-1] == FollowupAction("eligibility_form")
    assert [m["response"] for m in dispatcher.messages] == ["utter_elig_start_over"]
