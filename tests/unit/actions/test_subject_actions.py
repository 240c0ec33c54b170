"""On behalf of someone else (issue 14), in the action server against the real catalogue service in
process: who a message names, each person's answers kept apart, the questions, verdict, link and
ticket worded or marked for that person."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient
from testkit import INTERNAL_TOKEN, READ_TOKEN, bearer

with warnings.catch_warnings():
    # rasa-sdk's sanic imports websockets.connection, deprecated in websockets 14; nothing we can act on.
    warnings.filterwarnings("ignore", "websockets.connection was renamed", DeprecationWarning)
    from rasa_sdk import Tracker
    from rasa_sdk.events import FollowupAction, SlotSet
    from rasa_sdk.executor import CollectingDispatcher

    from actions import eligibility, handoff, resolve, subject
    from actions.catalogue_client import CatalogueClient
    from actions.eligibility import (
        ActionAskEligAnswer,
        ActionCheckForWhom,
        ActionEligibilityResult,
        ActionHandleInform,
        ActionPickServiceToCheck,
        ValidateEligibilityForm,
    )
    from actions.handoff import ActionConfirmApply, ActionHandoffHuman
    from actions.search import ActionSearchServices
    from actions.subject import conversation_person, earlier_words, follow_up_about, named_subject, requested_subject, switch_to

CARD = "senior-citizen-card"


@pytest.fixture
async def catalogue_client(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[CatalogueClient]:
    """The actions' client, pointed at the in-process catalogue service, with the service credential."""
    actions_client = CatalogueClient(str(client.server.make_url("")), timeout_s=5.0, internal_token=INTERNAL_TOKEN)
    for module in (eligibility, handoff, resolve, subject):
        monkeypatch.setattr(module, "client", actions_client)
    yield actions_client
    await actions_client.close()


def subjects(text: str, *found: tuple[str, str]) -> list[dict[str, Any]]:
    """Entities as the NLU gives them: (words as typed, relation after the synonym mapper)."""
    out = []
    for words, relation in found:
        start = text.index(words)
        out.append({"entity": "subject", "value": relation, "start": start, "end": start + len(words), "extractor": "RegexEntityExtractor"})
    return out


def tracker(
    text: str,
    slots: dict[str, Any],
    entities: list[dict[str, Any]] | None = None,
    intent: str = "for_whom",
    loop: str | None = None,
    lang: str = "en",
    earlier: list[dict[str, Any]] | None = None,
) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "test-user",
            "slots": {
                "lang": lang,
                "service_id": CARD,
                "answers": {},
                "answers_said": {},
                "elig_pending": None,
                "elig_question": None,
                "subject": None,
                **slots,
            },
            "latest_message": {"text": text, "intent": {"name": intent}, "entities": entities or []},
            "events": [
                *(earlier or []),
                {"event": "user", "text": text, "timestamp": 1.0, "parse_data": {"intent": {"name": intent}, "entities": entities or []}},
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": loop} if loop else {},
            "latest_action_name": "action_listen",
        }
    )


def slots_of(events: list[Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    ("text", "found", "expected"),
    [
        ("what about for my mother", [("mother", "mother")], "mother"),
        ("talk to a person", [("son", "son")], None),  # "son" inside "person"
        ("is there a minimum age", [("mum", "mother")], None),
        ("what about my sons", [("son", "son")], "son"),
        ("can i apply on behalf of my mother", [("can i", "self"), ("mother", "mother")], "mother"),
        ("我可以给我妈申请吗", [("我可以", "self"), ("我妈", "mother")], "mother"),
        ("孩子出生了我能领吗", [("孩子", "child"), ("我能", "self")], "self"),  # the child is context: the citizen asks for themself
        ("那我自己呢", [("我自己", "self")], "self"),
        ("my dad is 70, can he get it", [("dad", "father")], "father"),
        ("what about the passport", [], None),
    ],
)
def test_the_person_a_message_names(text: str, found: list[tuple[str, str]], expected: str | None) -> None:
    assert named_subject(tracker(text, {}, subjects(text, *found))) == expected


def test_answers_are_kept_per_person() -> None:
    mine = {"answers": {"age": 40}, "answers_said": {"age": "40"}}
    to_mother = switch_to(tracker("x", mine), "mother")
    assert to_mother["subject"] == "mother" and to_mother["answers"] == {} and to_mother["answers_said"] == {}
    assert to_mother["subject_answers"] == {"self": {"answers": {"age": 40}, "said": {"age": "40"}}}
    hers = {**to_mother, "answers": {"age": 72}, "answers_said": {}}
    back = switch_to(tracker("x", hers), "self")
    assert back["subject"] is None and back["answers"] == {"age": 40} and back["answers_said"] == {"age": "40"}
    assert back["subject_answers"] == {"mother": {"answers": {"age": 72}, "said": {}}}
    assert switch_to(tracker("x", hers), "mother") == {}  # already for her: nothing changes


async def test_what_about_my_mother_asks_her_questions_and_gives_her_verdict(catalogue_client: CatalogueClient) -> None:
    text = "what about for my mother"
    mine = {"answers": {"age": 40}, "answers_said": {"age": "I'm 40"}}
    dispatcher = CollectingDispatcher()
    events = await ActionCheckForWhom().run(dispatcher, tracker(text, mine, subjects(text, ("mother", "mother"))), {})
    slots = slots_of(events)
    assert slots["subject"] == "mother" and slots["answers"] == {}  # my age is not hers
    assert events[-1] == FollowupAction("eligibility_form")
    assert [(m["response"], m.get("who")) for m in dispatcher.messages] == [("utter_elig_for_whom", "your mother")]

    hers = {**mine, **slots}
    asked = CollectingDispatcher()
    await ActionAskEligAnswer().run(asked, tracker("", hers, loop="eligibility_form", intent="inform"), {})
    assert asked.messages[0]["question"] == "How old is your mother? (years)"
    zh = CollectingDispatcher()
    await ActionAskEligAnswer().run(zh, tracker("", hers, loop="eligibility_form", intent="inform", lang="zh"), {})
    assert zh.messages[0]["question"] == "您母亲今年多少岁？（岁）"

    verdict = CollectingDispatcher()
    answered = {**hers, "answers": {"age": 72, "hukou_shanghai": True}}
    await ActionEligibilityResult().run(verdict, tracker("yes", answered, intent="affirm"), {})
    message = verdict.messages[0]
    assert (message["response"], message["who"]) == ("utter_elig_eligible_other", "your mother")
    assert "How old is your mother? Must be at least 65 years" in message["reasons"]


async def test_and_for_me_brings_my_answers_back(catalogue_client: CatalogueClient) -> None:
    text = "and for me?"
    hers = {"subject": "mother", "answers": {"age": 72, "hukou_shanghai": True}, "subject_answers": {"self": {"answers": {"age": 40}, "said": {}}}}
    dispatcher = CollectingDispatcher()
    events = await ActionCheckForWhom().run(dispatcher, tracker(text, hers, subjects(text, ("for me", "self"))), {})
    slots = slots_of(events)
    assert slots["subject"] is None and slots["answers"] == {"age": 40}
    assert slots["subject_answers"] == {"mother": {"answers": {"age": 72, "hukou_shanghai": True}, "said": {}}}
    assert [m["response"] for m in dispatcher.messages] == ["utter_elig_for_self"]
    mine = CollectingDispatcher()
    await ActionEligibilityResult().run(mine, tracker(text, {**hers, **slots}), {})
    assert mine.messages[0]["response"] == "utter_elig_ineligible"  # my own verdict, no question asked


async def test_no_one_named_asks_who(catalogue_client: CatalogueClient) -> None:
    dispatcher = CollectingDispatcher()
    assert await ActionCheckForWhom().run(dispatcher, tracker("what about for her?", {}), {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_for_whom"]


async def test_can_my_son_get_this_starts_the_check_for_him(catalogue_client: CatalogueClient) -> None:
    text = "can my son get this"
    dispatcher = CollectingDispatcher()
    events = await ActionPickServiceToCheck().run(
        dispatcher, tracker(text, {"answers": {"age": 40}}, subjects(text, ("son", "son")), intent="check_eligibility"), {}
    )
    assert SlotSet("subject", "son") in events and SlotSet("answers", {}) in events


async def test_mid_check_actually_its_for_my_father_switches(catalogue_client: CatalogueClient) -> None:
    text = "actually can my dad get it?"
    mine = {"answers": {"age": 40}, "elig_question": "hukou_shanghai"}
    dispatcher = CollectingDispatcher()
    result = await ValidateEligibilityForm().validate_elig_answer(
        text, dispatcher, tracker(text, mine, subjects(text, ("dad", "father")), intent="check_eligibility", loop="eligibility_form"), {}
    )
    assert result["subject"] == "father" and result["answers"] == {} and result["elig_answer"] is None
    assert [(m["response"], m.get("who")) for m in dispatcher.messages] == [("utter_elig_for_whom", "your father")]


async def test_the_link_and_the_ticket_say_for_whom(catalogue_client: CatalogueClient, client: TestClient) -> None:
    hers = {"subject": "mother", "answers": {"age": 72, "hukou_shanghai": True}, "awaiting_consent": True}
    dispatcher = CollectingDispatcher()
    await ActionConfirmApply().run(dispatcher, tracker("yes", hers, intent="affirm"), {})
    link = dispatcher.messages[0]
    assert (link["response"], link["who"]) == ("utter_handoff_link_other", "your mother")
    url = urlsplit(link["url"])
    form = await (await client.post(url.path, data={"h": parse_qs(url.query)["h"][0]})).text()
    assert "Applying on behalf of: <strong>your mother</strong>" in form

    asked = CollectingDispatcher()
    await ActionHandoffHuman().run(asked, tracker("I want to talk to a person", hers, intent="human_handoff", lang="zh"), {})
    number = asked.messages[0]["ticket"]
    ticket = await (await client.get(f"/api/tickets/{number}", headers=bearer(READ_TOKEN))).json()
    assert ticket["summary"].startswith("（代母亲咨询）") and ticket["answers"] == {"age": 72, "hukou_shanghai": True}


async def test_after_my_verdict_an_answer_about_my_mother_starts_her_check(catalogue_client: CatalogueClient) -> None:
    text = "my mother is 72"
    dispatcher = CollectingDispatcher()
    events = await ActionHandleInform().run(dispatcher, tracker(text, {"answers": {"age": 40}}, subjects(text, ("mother", "mother")), intent="inform"), {})
    slots = slots_of(events)
    assert slots["subject"] == "mother" and slots["subject_answers"]["self"]["answers"] == {"age": 40}  # my age is not corrected to 72
    assert events[-1] == FollowupAction("eligibility_form")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("家里在宝山有套房子，写的我爸名字", [("我爸", "father")]),  # the home is in his name
        ("the flat is in my dad's name", [("dad", "father")]),
        ("房子在我妈名下", [("我妈", "mother")]),
    ],
)
def test_something_in_a_persons_name_is_not_a_check_for_them(text: str, found: list[tuple[str, str]]) -> None:
    assert named_subject(tracker(text, {}, subjects(text, *found), intent="inform")) is None


@pytest.mark.parametrize(
    ("text", "found", "expected"),
    [
        ("宝宝才两个月大", [("宝宝", "child")], None),  # describes the baby of a birth-related check
        ("my son is still at school", [("son", "son")], None),
        ("it's for my father", [("father", "father")], "father"),
        ("是给我妈问的", [("我妈", "mother")], "mother"),
        ("my mum", [("mum", "mother")], "mother"),
    ],
)
def test_only_a_request_for_a_person_switches_the_check(text: str, found: list[tuple[str, str]], expected: str | None) -> None:
    assert requested_subject(tracker(text, {}, subjects(text, *found), intent="inform", loop="eligibility_form")) == expected


async def test_mid_check_a_description_of_the_baby_does_not_restart_the_check_for_the_child(catalogue_client: CatalogueClient) -> None:
    text = "宝宝才两个月大"
    mine = {"answers": {}, "elig_question": "hukou_shanghai"}
    dispatcher = CollectingDispatcher()
    result = await ValidateEligibilityForm().validate_elig_answer(
        text, dispatcher, tracker(text, mine, subjects(text, ("宝宝", "child")), intent="inform", loop="eligibility_form", lang="zh"), {}
    )
    assert "subject" not in result and [m["response"] for m in dispatcher.messages] == ["utter_elig_not_understood"]


async def test_mid_check_words_about_the_baby_do_not_correct_my_own_answer(catalogue_client: CatalogueClient) -> None:
    text = "宝宝才两个月大"  # a duration that would otherwise restate my age as 2 months
    mine = {"answers": {"age": 30}, "answers_said": {"age": "30"}, "elig_question": "hukou_shanghai"}
    dispatcher = CollectingDispatcher()
    result = await ValidateEligibilityForm().validate_elig_answer(
        text, dispatcher, tracker(text, mine, subjects(text, ("宝宝", "child")), intent="inform", loop="eligibility_form", lang="zh"), {}
    )
    assert "answers" not in result and "subject" not in result
    assert [m["response"] for m in dispatcher.messages] == ["utter_elig_not_understood"]


async def test_words_about_my_child_still_correct_the_childs_answer(catalogue_client: CatalogueClient) -> None:
    text = "sorry, my daughter is actually 2 years old"
    mine = {
        "service_id": "childcare-subsidy",
        "answers": {"child_age_years": 5},
        "answers_said": {"child_age_years": "5"},
        "elig_question": "child_hukou_or_permit",
    }
    dispatcher = CollectingDispatcher()
    result = await ValidateEligibilityForm().validate_elig_answer(
        text, dispatcher, tracker(text, mine, subjects(text, ("daughter", "daughter")), intent="inform", loop="eligibility_form"), {}
    )
    assert result["answers"]["child_age_years"] == 2 and "subject" not in result


def said(text: str, *found: tuple[str, str], intent: str = "find_service") -> dict[str, Any]:
    """An earlier user event of the conversation, with its entities as the NLU gave them."""
    return {"event": "user", "text": text, "timestamp": 0.5, "parse_data": {"intent": {"name": intent}, "entities": subjects(text, *found)}}


@pytest.mark.parametrize(
    ("text", "found", "expected"),
    [
        ("and my wife? she is a foreigner but has a chinese licence too", [("wife", "wife")], "wife"),
        ("what about my mum, she's 80", [("mum", "mother")], "mother"),
        ("ok, how about for my dad", [("dad", "father")], "father"),
        ("那我老婆呢 她是外国人", [("老婆", "wife")], "wife"),
        ("哦 那阿拉老婆呢 伊是厂里裁员裁脱的", [("老婆", "wife")], "wife"),
        ("换成我妈可以吗", [("我妈", "mother")], "mother"),
        ("my dad needs a care home", [("dad", "father")], None),  # a new need, not a follow-up: search
        ("家里在宝山有套房子，写的我爸名字", [("我爸", "father")], None),  # something in his name
        ("and for me?", [("for me", "self")], None),  # the citizen: the for_whom rule
    ],
)
def test_a_follow_up_about_someone_else(text: str, found: list[tuple[str, str]], expected: str | None) -> None:
    assert follow_up_about(tracker(text, {}, subjects(text, *found), intent="find_service")) == expected


async def test_and_my_wife_after_a_service_never_opens_another_service() -> None:
    text = "and my wife? she is a foreigner but has a chinese licence too, expires same time"
    dispatcher = CollectingDispatcher()
    slots = {"service_id": "driving-licence-renewal"}
    events = await ActionSearchServices().run(dispatcher, tracker(text, slots, subjects(text, ("wife", "wife")), intent="find_service"), {})
    assert events == [FollowupAction("action_check_for_whom")] and dispatcher.messages == []  # no search, no card
    # With nothing selected the same words are searched as before (no call here: the catalogue is not reachable).
    assert follow_up_about(tracker("my dad needs a care home", {}, subjects("my dad needs a care home", ("dad", "father")))) is None


async def test_the_check_for_the_wife_keeps_the_service_and_what_was_said_about_her(catalogue_client: CatalogueClient) -> None:
    text = "and my wife? she is a foreigner but has a chinese licence too, expires same time"
    mine = {"service_id": "driving-licence-renewal", "answers": {"has_driving_licence": True}}
    earlier = [said("how do i renew my driving licence")]
    dispatcher = CollectingDispatcher()
    events = await ActionCheckForWhom().run(dispatcher, tracker(text, mine, subjects(text, ("wife", "wife")), intent="find_service", earlier=earlier), {})
    slots = slots_of(events)
    assert "service_id" not in slots  # the same service
    assert slots["subject"] == "wife" and slots["answers"] == {"nationality_chinese": False}
    assert slots["elig_pending"]["question_id"] == "has_driving_licence"
    assert slots["elig_pending"]["confirm"].startswith("You said “has a chinese licence too”. Does your wife hold a driving licence?")
    assert [m["response"] for m in dispatcher.messages] == ["utter_elig_for_whom", "utter_elig_noted"]
    assert "Is your wife a Chinese citizen? You said “she is a foreigner” — read as “no”" in dispatcher.messages[1]["lines"]
    assert events[-1] == FollowupAction("eligibility_form")
    # The form asks "is that right?" about her licence first, then goes on with her questions.
    asked = CollectingDispatcher()
    await ActionAskEligAnswer().run(asked, tracker("", {**mine, **slots}, loop="eligibility_form", intent="inform"), {})
    assert asked.messages[0]["question"].startswith("You said “has a chinese licence too”")


async def test_zh_and_my_wife_she_is_a_foreigner(catalogue_client: CatalogueClient) -> None:
    text = "那我老婆呢 她是外国人"
    mine = {"service_id": "driving-licence-renewal"}
    dispatcher = CollectingDispatcher()
    events = await ActionCheckForWhom().run(dispatcher, tracker(text, mine, subjects(text, ("老婆", "wife")), lang="zh"), {})
    slots = slots_of(events)
    assert "service_id" not in slots and slots["subject"] == "wife" and slots["answers"] == {"nationality_chinese": False}
    assert dispatcher.messages[0]["who"] == "您妻子"
    assert "您妻子是中国公民吗？您说“她是外国人”" in dispatcher.messages[1]["lines"]


async def test_the_fathers_age_in_the_opening_message_is_not_asked_again(catalogue_client: CatalogueClient) -> None:
    opening = said("my dad is 70 and needs a senior card", ("dad", "father"))
    text = "can he get it?"
    dispatcher = CollectingDispatcher()
    events = await ActionPickServiceToCheck().run(dispatcher, tracker(text, {}, intent="check_eligibility", earlier=[opening]), {})
    slots = slots_of(events)
    assert slots["subject"] == "father" and slots["answers"] == {"age": 70}
    assert slots["answers_said"] == {"age": "my dad is 70 and needs a senior card"}
    assert [m["response"] for m in dispatcher.messages] == ["utter_elig_for_whom", "utter_elig_earlier"]
    assert dispatcher.messages[1]["lines"] == "• How old is your father? You said “my dad is 70 and needs a senior card” — 70 years"
    asked = CollectingDispatcher()
    await ActionAskEligAnswer().run(asked, tracker("", slots, loop="eligibility_form", intent="inform"), {})
    assert asked.messages[0]["question"] == "Is your father's household registration (hukou) in Shanghai?"  # not his age again


async def test_my_own_facts_said_earlier_are_read_for_my_check(catalogue_client: CatalogueClient) -> None:
    earlier = [said("I'm 68 and my hukou is in Shanghai")]
    dispatcher = CollectingDispatcher()
    events = await ActionPickServiceToCheck().run(dispatcher, tracker("am I eligible?", {}, intent="check_eligibility", earlier=earlier), {})
    slots = slots_of(events)
    assert "subject" not in slots and slots["answers"] == {"age": 68, "hukou_shanghai": True}
    assert [m["response"] for m in dispatcher.messages] == ["utter_elig_earlier"]


def test_who_the_conversation_is_about() -> None:
    dad = said("my dad is 70 and needs a care home", ("dad", "father"))
    assert conversation_person(tracker("can he get in?", {}, earlier=[dad])) == "father"
    baby = said("生完孩子生育津贴怎么领", ("孩子", "child"))
    assert conversation_person(tracker("我符合条件吗", {}, earlier=[baby])) is None  # a baby mentioned is not the one asking
    back = said("ok and for me?", ("for me", "self"), intent="for_whom")
    assert conversation_person(tracker("am I eligible", {}, earlier=[dad, back])) is None
    # Words said during a check are answers already: they are not read again.
    in_check = [dad, {"event": "active_loop", "name": "eligibility_form"}, said("he is 71 actually"), {"event": "active_loop", "name": None}]
    assert earlier_words(tracker("what about the fee", {}, earlier=in_check), "father") == ["my dad is 70 and needs a care home", "what about the fee"]


async def test_a_description_of_someone_elses_read_as_for_whom_is_an_answer_in_the_check(catalogue_client: CatalogueClient) -> None:
    # The NLU may call it for_whom; it names no one the check is for ("in my dad's name"), so it answers the question asked.
    text = "家里在宝山有套房子，写的我爸名字"
    slots = {"service_id": "public-rental-housing", "elig_question": "owns_home_in_city", "answers": {"employment_status": "employed"}}
    dispatcher = CollectingDispatcher()
    events = await ActionCheckForWhom().run(dispatcher, tracker(text, slots, subjects(text, ("我爸", "father")), loop="eligibility_form", lang="zh"), {})
    assert "utter_ask_for_whom" not in [m["response"] for m in dispatcher.messages]
    assert slots_of(events)["answers"]["owns_home_in_city"] is True and "subject" not in slots_of(events)


def test_only_the_citizens_own_people_make_the_conversation_about_them() -> None:
    elderly = said("老人乘公交免费的敬老卡怎么办", ("老人", "grandparent"))
    assert conversation_person(tracker("可以办吗", {}, earlier=[elderly])) is None  # the elderly in general
    mine = said("我妈今年七十三了，想给她办张敬老卡", ("我妈", "mother"))
    assert conversation_person(tracker("可以办吗", {}, earlier=[mine])) == "mother"
    son = said("passport for my son please", ("son", "son"))
    assert conversation_person(tracker("can he apply?", {}, earlier=[son])) == "son"  # a child asked for
