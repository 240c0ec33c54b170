"""The eligibility check as a dynamic form: the catalogue service's engine decides what to ask.

``required_slots`` asks the engine whether a question can still change the outcome; the one
slot ``elig_answer`` is then asked again and again (``action_ask_elig_answer`` words the
engine's next question), each answer understood by the catalogue service and kept in the
``answers`` slot, which persists across services in the conversation.

What an utterance does (an answer, "yes"/"no" to "36 months — is that right?", a correction of
an earlier answer, "start over") is decided by the catalogue service's turn endpoint; this
module only keeps what it returns: ``answers``, the person's own words per answer
(``answers_said``, shown back in the verdict's reasons) and a reading waiting for
confirmation (``elig_pending``).

A check can be for someone else ("what about for my mother?", "我妈能办吗"): the ``subject`` slot
holds the relation, the catalogue service words the questions and the verdict for that person,
and the answers are that person's (``actions/subject.py`` keeps them per person).

Why this module is long: the form, its question, the verdict, "for whom", corrections after the
verdict and "start over" all set and read the same slots; split apart, each piece would import the
others' slot conventions.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .cards import select_button
from .catalogue_client import CatalogueUnavailable, NotFound, client
from .feedback import rateable
from .followup import ActionAnswerFollowup
from .language import lang_of, text_of
from .resolve import entity, resolve_service
from .search import ActionSearchServices
from .subject import SELF, conversation_person, follow_up_about, named_subject, pre_read, requested_subject, subject_of, switch_to

__all__ = [
    "ActionAskEligAnswer",
    "ActionCheckForWhom",
    "ActionEligibilityResult",
    "ActionExplainQuestion",
    "ActionPickServiceToCheck",
    "ActionStartOver",
    "ValidateEligibilityForm",
    "answers_of",
    "said_of",
]

YES_NO = {"zh": [("是", "是"), ("否", "否")], "en": [("Yes", "yes"), ("No", "no")]}
VERDICT = {"eligible": "utter_elig_eligible", "ineligible": "utter_elig_ineligible", "alternatives": "utter_elig_alternatives", "unknown": "utter_elig_unknown"}
VERDICT_FOR_OTHER = {
    "eligible": "utter_elig_eligible_other",
    "ineligible": "utter_elig_ineligible_other",
    "alternatives": "utter_elig_alternatives_other",
    "unknown": "utter_elig_unknown_other",
}
APPLY_LABEL = {"zh": ("申请并带入我的回答", "申请并带入以上回答"), "en": ("Apply with my answers", "Apply with these answers")}
# Intents that may name the person a check is for ("can my son get this?", "what about for my mother?").
NAMES_THE_PERSON = {"check_eligibility", "for_whom"}
CHILDREN = {"child", "son", "daughter"}  # the relations the child_* questions of a check ask about


def answers_of(tracker: Tracker) -> dict[str, Any]:
    value = tracker.get_slot("answers")
    return dict(value) if isinstance(value, dict) else {}


def said_of(tracker: Tracker) -> dict[str, str]:
    """The person's own words per answered question (shown back with how they were read)."""
    value = tracker.get_slot("answers_said")
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def about_them(relation: str, question_id: Any) -> bool:
    """Whether a question asks about the person a message names (the child's age in a childcare check)."""
    return relation in CHILDREN and str(question_id or "").startswith("child_")


def turn_state(tracker: Tracker, asked: str | None) -> dict[str, Any]:
    """The check so far, as the catalogue service's turn endpoint takes it."""
    pending = tracker.get_slot("elig_pending")
    return {
        "answers": answers_of(tracker),
        "said": said_of(tracker),
        "asked": asked,
        "pending": pending if isinstance(pending, dict) else None,
        "subject": subject_of(tracker),
    }


def kept(turn: dict[str, Any]) -> dict[str, Any]:
    """The slots to set from a turn's result."""
    pending = turn.get("pending")
    return {"answers": turn["answers"], "answers_said": turn["said"], "elig_pending": {**pending, "confirm": turn.get("confirm")} if pending else None}


async def assessed(tracker: Tracker, lang: str, said: bool = False) -> dict[str, Any]:
    """The catalogue service's check of the selected service for the person it is for, worded for them.

    Raises:
        CatalogueUnavailable, NotFound, ValueError: from the client.
    """
    return await client.eligibility_for(tracker.get_slot("service_id"), answers_of(tracker), lang, said_of(tracker) if said else None, subject_of(tracker))


def intent_of(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def question_buttons(question: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """Quick replies: yes/no, or the options of a choice question (their labels are understood as answers)."""
    if question["type"] == "boolean":
        return [{"title": title, "payload": payload} for title, payload in YES_NO[lang]]
    if question["type"] == "choice":
        return [{"title": o["label"], "payload": o["label"]} for o in question["options"]]
    return []


class ActionPickServiceToCheck(Action):
    """Before the check: the service it is about ("can I get unemployment benefit?" needs no earlier search).

    With no clear service, candidates are offered as buttons; the form then ends at once and the
    result action stays silent.
    """

    def name(self) -> str:
        return "action_pick_service_to_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            service_id, events = await resolve_service(dispatcher, tracker, lang_of(tracker))
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        # "Can my son get this?": the check is for the person the question names; "my dad is 70 and needs a
        # care home", then "can he get in?": for the one the conversation is about (said, so it can be seen).
        person = named_subject(tracker) or subject_of(tracker) or (conversation_person(tracker) if service_id else None)
        if person and person != named_subject(tracker) and person != subject_of(tracker):
            slots = await _now_for(dispatcher, tracker, person, service_id)  # inferred: say who the check is for
        else:
            slots = switch_to(tracker, person)
        if service_id:  # what was said before the check is not asked again blindly
            slots.update(await pre_read(dispatcher, tracker, service_id, slots))
        return events + [SlotSet(name, value) for name, value in slots.items()]


class ValidateEligibilityForm(FormValidationAction):
    """Asks only what the engine says can still change the outcome; understands each answer."""

    def name(self) -> str:
        return "validate_eligibility_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[str]:
        service_id = tracker.get_slot("service_id")
        if not service_id:
            return []
        try:
            result = await assessed(tracker, lang_of(tracker))
        except (CatalogueUnavailable, NotFound, ValueError):
            return []
        return ["elig_answer"] if result.get("next_question") else []

    async def validate_elig_answer(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Keep what the catalogue service says the words do: an answer, a confirmation, a correction, a restart."""
        service_id = tracker.get_slot("service_id")
        text = str(slot_value or text_of(tracker))[:500]
        person = named_subject(tracker)
        if person and intent_of(tracker) in NAMES_THE_PERSON and switch_to(tracker, person):
            return {"elig_answer": None, **await _switched(dispatcher, tracker, person)}  # "actually, can my mum get it?"
        try:
            turn = await client.eligibility_turn(service_id, text, lang_of(tracker), turn_state(tracker, tracker.get_slot("elig_question")))
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return {"elig_answer": None, "requested_slot": None}
        except (NotFound, ValueError):
            turn = {"kind": "unknown"}
        kind = turn["kind"]
        if kind == "correction" and person not in (None, SELF, subject_of(tracker)) and not about_them(str(person), turn.get("question_id")):
            kind = "unknown"  # "宝宝才两个月大" is about the baby: it does not change the citizen's age to 2 months
        asked_for = requested_subject(tracker) if kind == "unknown" else None  # "it's for my father", not "宝宝才两个月大"
        if asked_for not in (None, "self") and switch_to(tracker, asked_for):
            return {"elig_answer": None, **await _switched(dispatcher, tracker, str(asked_for))}
        if kind == "unknown":
            dispatcher.utter_message(response="utter_elig_not_understood")
            return {"elig_answer": None}
        if kind == "start_over":
            dispatcher.utter_message(response="utter_elig_start_over")
        elif kind == "deny":
            dispatcher.utter_message(response="utter_elig_reask")
        elif kind == "correction" and not turn.get("pending"):
            dispatcher.utter_message(response="utter_elig_changed", question=turn.get("question") or "", reading=turn["reading"])
        return {"elig_answer": None, **kept(turn)}


class ActionAskEligAnswer(Action):
    """Asks the engine's next question, with quick replies where the answers are few."""

    def name(self) -> str:
        return "action_ask_elig_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        pending = tracker.get_slot("elig_pending")
        if isinstance(pending, dict) and pending.get("confirm"):  # "36 months — is that right?"
            dispatcher.utter_message(response="utter_elig_question", question=pending["confirm"], buttons=[{"title": t, "payload": p} for t, p in YES_NO[lang]])
            return [SlotSet("elig_question", pending.get("question_id"))]
        try:
            result = await assessed(tracker, lang)
        except (CatalogueUnavailable, NotFound, ValueError):
            dispatcher.utter_message(response="utter_catalogue_down")
            return [SlotSet("requested_slot", None)]
        question = result.get("next_question")
        if not question:
            return []
        unit = f"（{question['unit']}）" if question.get("unit") and lang == "zh" else f" ({question['unit']})" if question.get("unit") else ""
        dispatcher.utter_message(response="utter_elig_question", question=question["text"] + unit, buttons=question_buttons(question, lang))
        return [SlotSet("elig_question", question["id"])]


class ActionCheckForWhom(Action):
    """ "What about for my mother?", "那我自己呢", "actually it's for my father": the check of the selected
    service (or the one the message names) for that person, with their own answers; "and for me?"
    brings mine back, so my verdict comes again without a question.

    In the form the rule runs the form next; outside it the form follows (and ends at once with the
    verdict when that person's answers already settle it).
    """

    def name(self) -> str:
        return "action_check_for_whom"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        person = named_subject(tracker)
        in_form = tracker.active_loop_name == "eligibility_form"
        if person is None and in_form:  # "家里有套房子，写的我爸名字": a description of theirs, so an answer
            result = await ValidateEligibilityForm().validate_elig_answer(text_of(tracker), dispatcher, tracker, domain)
            return [SlotSet(name, value) for name, value in result.items()]
        if person is None:  # "what about for her?" with no one named before
            dispatcher.utter_message(response="utter_ask_for_whom")
            return []
        events: list[EventType] = []
        service_id = tracker.get_slot("service_id")
        if not in_form:
            try:
                service_id, events = await resolve_service(dispatcher, tracker, lang_of(tracker))
            except CatalogueUnavailable:
                dispatcher.utter_message(response="utter_catalogue_down")
                return []
            if not service_id:  # candidates offered or "which service?" asked: the check starts once one is chosen
                return events + [SlotSet(name, value) for name, value in switch_to(tracker, person).items()]
        slots = await _now_for(dispatcher, tracker, person, service_id)
        if slots:  # the earlier words about them ("and my wife? she is a foreigner") are read for the check
            slots.update(await pre_read(dispatcher, tracker, service_id, slots))
        events += [SlotSet(name, value) for name, value in slots.items()]
        return events if in_form else [*events, FollowupAction("eligibility_form")]


async def _switched(dispatcher: CollectingDispatcher, tracker: Tracker, person: str) -> dict[str, Any]:
    """``_now_for``, then what was said earlier about that person read for the check (``pre_read``)."""
    slots = await _now_for(dispatcher, tracker, person)
    if slots:
        slots.update(await pre_read(dispatcher, tracker, tracker.get_slot("service_id"), slots))
    return slots


async def _now_for(dispatcher: CollectingDispatcher, tracker: Tracker, person: str, service_id: str | None = None) -> dict[str, Any]:
    """The slot values that switch the check to ``person``, having said so ("OK, now for your mother")."""
    slots = switch_to(tracker, person)
    if not slots:
        return {}
    lang = lang_of(tracker)
    if not slots["subject"]:
        dispatcher.utter_message(response="utter_elig_for_self")
        return slots
    who = None
    service_id = service_id or tracker.get_slot("service_id")
    if service_id:
        try:  # the catalogue service words the person ("your mother" / "您母亲")
            result = await client.eligibility_for(service_id, slots["answers"], lang, subject=slots["subject"])
            who = (result.get("subject") or {}).get("who")
        except (CatalogueUnavailable, NotFound, ValueError):
            who = None
    if who:
        dispatcher.utter_message(response="utter_elig_for_whom", who=who)
    else:
        dispatcher.utter_message(response="utter_elig_for_someone")
    return slots


class ActionExplainQuestion(Action):
    """Answers "why do you ask?" from the question's own explanation."""

    def name(self) -> str:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        service_id = tracker.get_slot("service_id")
        if not service_id:
            dispatcher.utter_message(response="utter_explain_general")
            return []
        try:
            result = await assessed(tracker, lang)
        except (CatalogueUnavailable, NotFound, ValueError):
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        question = result.get("next_question")
        if question and tracker.active_loop_name == "eligibility_form":
            dispatcher.utter_message(response="utter_elig_why", why=question["why"])
        else:
            dispatcher.utter_message(response="utter_explain_general")
        return []


class ActionEligibilityResult(Action):
    """The verdict with its reasons, what would change it, and what to do next."""

    def name(self) -> str:
        return "action_eligibility_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        service_id = tracker.get_slot("service_id")
        if not service_id:
            return []  # action_pick_service_to_check has already offered candidates or asked
        try:
            result = await assessed(tracker, lang, said=True)
            service = await client.service(service_id)
        except (CatalogueUnavailable, NotFound, ValueError):
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        title = service["title"][lang]
        reasons = "\n".join(f"{'✓' if r['met'] else '✗' if r['met'] is False else '?'} {r['text']}" for r in result["reasons"])
        status = result["status"]
        who = (result.get("subject") or {}).get("who")
        other = {"who": who} if who else {}
        words = VERDICT_FOR_OTHER if who else VERDICT  # the verdict is worded for the person the check is for
        if status == "eligible":
            apply = [{"title": APPLY_LABEL[lang][bool(who)], "payload": "/apply"}]
            dispatcher.utter_message(response=words["eligible"], service=title, reasons=reasons or "—", buttons=apply, **other)
        elif status == "ineligible":
            change = "\n".join(result.get("would_qualify_if") or [])
            dispatcher.utter_message(response=words["ineligible"], service=title, reasons=reasons, change=change or "—", **other)
            alternatives = result.get("alternatives") or []
            if alternatives:
                dispatcher.utter_message(response=words["alternatives"], buttons=[select_button(a) for a in alternatives], **other)
        else:
            dispatcher.utter_message(response=words["unknown"], service=title, reasons=reasons, **other)
        return [SlotSet("elig_question", None), rateable(dispatcher, "verdict", lang, service_id=service_id, status=status)]


class ActionHandleInform(Action):
    """A bare answer outside the check: a correction re-checks, a district answers "where", else search.

    After a check, an answer about someone else ("my mother is 72") starts the check for that person
    instead of changing the citizen's own answers; so does a follow-up about them while a service is
    selected ("and my wife? she is a foreigner"), with what it says read for the check.
    """

    def name(self) -> str:
        return "action_handle_inform"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        text = text_of(tracker)[:500]
        service_id = tracker.get_slot("service_id")
        person = named_subject(tracker)
        if service_id and (answers_of(tracker) or follow_up_about(tracker)) and person not in (None, "self") and switch_to(tracker, person):
            slots = await _switched(dispatcher, tracker, str(person))
            return [*(SlotSet(name, value) for name, value in slots.items()), FollowupAction("eligibility_form")]
        if service_id and answers_of(tracker):
            try:
                turn = await client.eligibility_turn(service_id, text, lang, turn_state(tracker, None))
            except CatalogueUnavailable:
                dispatcher.utter_message(response="utter_catalogue_down")
                return []
            except (NotFound, ValueError):
                turn = {"kind": "unknown"}
            if turn["kind"] in ("correction", "answer", "start_over"):
                return await _recheck(turn, dispatcher, tracker, domain)
        if service_id and entity(tracker, "district"):
            return await ActionAnswerFollowup().run(dispatcher, tracker, domain)
        return await ActionSearchServices().run(dispatcher, tracker, domain)


async def _recheck(turn: dict[str, Any], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
    """After the verdict: keep a correction (or clear the check) and give the verdict again, or carry on asking."""
    slots = kept({**turn, "pending": None})
    if turn.get("pending"):  # after the verdict the reading is kept and shown in the reasons, not asked back
        pending = turn["pending"]
        slots["answers"] = {**turn["answers"], pending["question_id"]: pending["value"]}
        slots["answers_said"] = {**turn["said"], pending["question_id"]: pending["said"]}
    if turn["kind"] == "start_over":
        dispatcher.utter_message(response="utter_elig_start_over")
    else:
        dispatcher.utter_message(response="utter_elig_changed", question=turn.get("question") or "", reading=turn.get("reading") or "")
    events: list[EventType] = [SlotSet(name, value) for name, value in slots.items()]
    if turn["kind"] == "start_over" or turn.get("open"):  # the change reopened the check: carry on asking
        return [*events, FollowupAction("eligibility_form")]
    updated = tracker.copy()
    updated.slots.update(slots)
    return events + await ActionEligibilityResult().run(dispatcher, updated, domain)


class ActionStartOver(Action):
    """ "Start over" / "重新开始": clears the answers of the current check and asks again; with no check, starts afresh."""

    def name(self) -> str:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        service_id = tracker.get_slot("service_id")
        if not service_id:
            dispatcher.utter_message(response="utter_elig_start_over_nothing")
            return []
        try:
            turn = await client.eligibility_turn(
                service_id, text_of(tracker) or "start over", lang_of(tracker), {**turn_state(tracker, None), "pending": None, "start_over": True}
            )
        except (CatalogueUnavailable, NotFound, ValueError):
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        dispatcher.utter_message(response="utter_elig_start_over")
        events: list[EventType] = [SlotSet(name, value) for name, value in kept(turn).items()]
        events += [SlotSet("elig_question", None), SlotSet("elig_answer", None)]
        if tracker.active_loop_name == "eligibility_form":
            return events  # the rule runs the form next
        return [*events, FollowupAction("eligibility_form")]
