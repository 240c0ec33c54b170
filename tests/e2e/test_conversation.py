"""End-to-end: Rasa, the action server and the catalogue service as real processes, talked to over REST."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def say(stack: Any, sender: str, message: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {stack.rest_token}"}
    request = urllib.request.Request(f"http://127.0.0.1:{stack.ports['rasa']}/webhooks/rest/webhook", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return list(json.loads(response.read()))


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def cards(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["custom"]["data"] for r in replies if isinstance(r.get("custom"), dict) and (r["custom"].get("data") or {}).get("type") == "service_card"]


def buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for r in replies for b in r.get("buttons", [])]


def reach_card(stack: Any, sender: str, message: str, service_id: str) -> dict[str, Any]:
    """Say ``message``; click the result button for ``service_id`` when the bot offers a list."""
    replies = say(stack, sender, message)
    found = [c for c in cards(replies) if c["service_id"] == service_id]
    if not found:
        chosen = [b for b in buttons(replies) if service_id in b["payload"]]
        assert chosen, f"{service_id} not offered for {message!r}: {texts(replies)} {buttons(replies)}"
        replies = say(stack, sender, chosen[0]["payload"])
        found = [c for c in cards(replies) if c["service_id"] == service_id]
    assert found, texts(replies)
    return found[0]


def test_english_situation_to_card_and_follow_up(stack: Any) -> None:
    sender = f"e2e-en-{uuid.uuid4().hex[:8]}"
    card = reach_card(
        stack, sender, "I lost my job last week, my company let me go. Can I get some money while I look for work?", "unemployment-insurance-benefit"
    )
    assert card["lang"] == "en"
    assert card["title"] == "Unemployment insurance benefit"
    # The card's facts came from the catalogue service through the action server.
    assert card["online_url"].endswith("/unemployment-insurance-benefit")
    reply = texts(say(stack, sender, "what do I need to bring?"))
    assert "Documents" in reply and card["documents"][0] in reply


def test_chinese_situation_to_card_and_follow_up(stack: Any) -> None:
    sender = f"e2e-zh-{uuid.uuid4().hex[:8]}"
    card = reach_card(stack, sender, "孩子上周刚出生，怎么给他报户口？", "birth-registration")
    assert card["lang"] == "zh"
    assert "出生" in card["title"]
    reply = texts(say(stack, sender, "要多少钱"))
    assert "费用" in reply


def test_out_of_scope_is_answered_honestly(stack: Any) -> None:
    replies = say(stack, f"e2e-oos-{uuid.uuid4().hex[:8]}", "what's the weather like tomorrow?")
    assert not cards(replies)
    assert "12345" in texts(replies)


@pytest.mark.parametrize("message", ["🙂🙂🙂", "<script>alert(1)</script>", "x" * 1999, "'; DROP TABLE services; --", "我想办 residence permit 在浦东"])
def test_hostile_and_odd_input_gets_a_polite_answer(stack: Any, message: str) -> None:
    replies = say(stack, f"e2e-odd-{uuid.uuid4().hex[:8]}", message)
    assert replies, "the bot must always answer"
    assert "<script>" not in texts(replies)


def test_a_message_over_2000_characters_is_refused_with_a_clear_error(stack: Any) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        say(stack, f"e2e-odd-{uuid.uuid4().hex[:8]}", "x" * 5000)
    assert refused.value.code == 413
    assert "longer than 2000 characters" in json.loads(refused.value.read())["message"]


@pytest.mark.parametrize(("first", "message", "expected"), [("你好", "", "我没有看到文字内容"), ("hello", "   ", "I didn't see any words")])
def test_empty_message_gets_a_prompt_in_the_conversation_language(stack: Any, first: str, message: str, expected: str) -> None:
    sender = f"e2e-empty-{uuid.uuid4().hex[:8]}"
    say(stack, sender, first)
    assert expected in texts(say(stack, sender, message))


@pytest.mark.parametrize(
    ("question", "title"),
    [("how much is the dog licence", "Dog"), ("办护照要交多少钱", "护照")],
)
def test_a_follow_up_naming_another_service_answers_about_that_one(stack: Any, question: str, title: str) -> None:
    sender = f"e2e-mention-{uuid.uuid4().hex[:8]}"
    say(stack, sender, '/select_service{"service_id":"birth-registration"}')
    answer = texts(say(stack, sender, question))
    assert title in answer.split("\n")[0], answer


def test_asking_about_a_document_keeps_the_selected_service(stack: Any) -> None:
    sender = f"e2e-doc-{uuid.uuid4().hex[:8]}"
    say(stack, sender, "hello")
    card = cards(say(stack, sender, '/select_service{"service_id":"birth-registration"}'))
    answer = texts(say(stack, sender, "do i need to bring my passport?"))
    assert card and card[0]["title"] in answer.split("\n")[0], answer


def test_a_district_correction_is_kept_for_where(stack: Any) -> None:
    sender = f"e2e-district-{uuid.uuid4().hex[:8]}"
    say(stack, sender, "hello")
    say(stack, sender, '/select_service{"service_id":"business-registration"}')
    assert "Minhang" in texts(say(stack, sender, "where do I go in Minhang")).split("\n")[1]
    corrected = texts(say(stack, sender, "sorry I meant Pudong, not Minhang"))
    assert "Pudong" in corrected.split("\n")[1], corrected
    assert "Pudong" in texts(say(stack, sender, "where do I go")).split("\n")[1]


def parse(stack: Any, text: str) -> dict[str, str]:
    body = json.dumps({"text": text}).encode()
    url = f"http://127.0.0.1:{stack.ports['rasa']}/model/parse?token={stack.rasa_token}"
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return {e["entity"]: e["value"] for e in json.loads(response.read())["entities"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where in Pudong can I renew my passport", {"district": "pudong"}),
        ("我们公司在徐汇，想招一个外国员工", {"audience": "enterprise", "district": "xuhui"}),
        ("as an individual can I get the talent subsidy", {"audience": "individual"}),
        ("how much is the dog licence", {"service": "dog licence"}),
        ("养犬登记要去哪里办", {"service": "养犬登记"}),
    ],
)
def test_nlu_extracts_district_audience_and_service_mentions(stack: Any, text: str, expected: dict[str, str]) -> None:
    found = parse(stack, text)
    assert {k: found.get(k) for k in expected} == expected, found


def test_catalogue_down_gives_a_clear_apology_and_the_bot_recovers(stack: Any) -> None:
    """Stops the shared stack's catalogue service, then starts it again for the tests after this one."""
    sender = f"e2e-down-{uuid.uuid4().hex[:8]}"
    stack.stop_one("catalogue")
    try:
        reply = texts(say(stack, sender, "I need to renew my passport"))
    finally:
        stack.start_one("catalogue")
    assert "unavailable" in reply and "12345" in reply
    again = say(stack, sender, "I need to renew my passport")
    assert "unavailable" not in texts(again) and (cards(again) or buttons(again)), again


def links(replies: list[dict[str, Any]]) -> list[str]:
    return [r["custom"]["data"]["url"] for r in replies if isinstance(r.get("custom"), dict) and (r["custom"].get("data") or {}).get("type") == "handoff_link"]


def open_form(url: str) -> str:
    """Open a link as a citizen does: the GET page's button posts the handle, which shows the form."""
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        assert 'name="h"' in response.read().decode("utf-8")
    handle = url.split("?h=", 1)[1]
    request = urllib.request.Request(url.split("?", 1)[0], data=f"h={handle}".encode(), method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return str(response.read().decode("utf-8"))


def test_english_eligibility_to_prefilled_application(stack: Any) -> None:
    """Situation → card → eligibility questions (with a why and a correction) → consent → pre-filled form."""
    sender = f"e2e-elig-en-{uuid.uuid4().hex[:8]}"
    reach_card(stack, sender, "my mum turns 65 next month and wants free bus rides, what card is that?", "senior-citizen-card")
    first = texts(say(stack, sender, "am I eligible?"))
    assert "How old are you" in first
    assert "I ask because" in texts(say(stack, sender, "why do you need that?"))
    verdict = texts(say(stack, sender, "sixty-two"))  # age alone settles it: no further questions
    assert "don't qualify" in verdict and "at least 65" in verdict
    corrected = texts(say(stack, sender, "sorry, actually I'm 66"))
    assert "updated" in corrected and "Shanghai" in corrected  # the check reopens with the next question
    assert "you qualify" in texts(say(stack, sender, "yes"))
    consent = say(stack, sender, "/apply")
    assert "agree to share" in texts(consent)
    url = links(say(stack, sender, "/affirm"))[0]
    form = open_form(url)
    assert "Senior citizen card" in form and 'value="66"' in form
    with pytest.raises(urllib.error.HTTPError) as replay:
        open_form(url)
    assert replay.value.code == 409  # single use
    replay.value.close()


def test_chinese_eligibility_to_prefilled_application(stack: Any) -> None:
    sender = f"e2e-elig-zh-{uuid.uuid4().hex[:8]}"
    reach_card(stack, sender, "外地来上海工作快一年了，租的房子，听说要办个证才能享受这边的公共服务", "residence-permit-application")
    assert "户籍" in texts(say(stack, sender, "我能申请吗"))
    assert "个月" in texts(say(stack, sender, "没有"))
    assert "就业" in texts(say(stack, sender, "十一个月"))
    verdict = texts(say(stack, sender, "在职"))
    assert "符合" in verdict and "不符合" not in verdict
    assert "同意" in texts(say(stack, sender, "我要申请"))
    url = links(say(stack, sender, "是的"))[0]
    form = open_form(url)
    assert "居住证办理" in form and 'value="11"' in form
