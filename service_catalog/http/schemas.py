"""The request and response models of the HTTP API (pydantic v2): the handlers validate query
strings and JSON bodies with them (``params.query_model``, ``params.body_model``) and the OpenAPI
document is generated from the same classes (``openapi.py``), so the two cannot drift apart.

Refusals keep the project's error format: a validator raises ``ValueError`` with the sentence the
client sees, and ``params`` turns the first error into a 400 whose ``field`` names the parameter
(``answers.age``, ``transcript[0].who``). Query models list only the parameters; empty values count
as absent, as in a browser form. Response models allow extra keys, so a handler may add a field
before the model names it (the fuzzing test then still checks every named one).

Why this module is long: one class per request and response of the API, in one place, so the
API's contract reads as a whole and the OpenAPI document has one source.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, WithJsonSchema, model_validator

from ..eligibility.subjects import RELATIONS

__all__ = [
    "MAX_ANSWERS",
    "MAX_QUERY",
    "MAX_TEXT",
    "AgentSearchHit",
    "AgentSearchResponse",
    "Alternative",
    "ApplicationLink",
    "ApplicationLinkRequest",
    "EarlierItem",
    "EarlierRequest",
    "EarlierResponse",
    "EligibilityRequest",
    "EligibilityResponse",
    "ErrorBody",
    "Health",
    "NextQuestion",
    "ParseRequest",
    "ParseResponse",
    "RedeemRequest",
    "Refusal",
    "ReplyRequest",
    "SearchHit",
    "SearchPrepareRequest",
    "SearchPrepareResponse",
    "SearchQuery",
    "SearchResponse",
    "SearchTurnRequest",
    "SearchTurnResponse",
    "SendLinkRequest",
    "ServiceList",
    "ServicesQuery",
    "ShownEntry",
    "Subject",
    "TicketCreated",
    "TicketRequest",
    "TicketsQuery",
    "TranscriptEntry",
    "TurnRequest",
    "TurnResponse",
    "TurnStep",
]

MAX_QUERY = 500  # characters in a search query (search.index.MAX_QUERY)
MAX_ANSWERS = 100
MAX_TEXT = 500  # characters in one free-text answer
MAX_SERVICE_ID = 80
CHANNEL_PATTERN = r"^[A-Za-z0-9_.\-]{1,40}$"


class Request(BaseModel):
    """A request: unknown keys are ignored (older and newer clients keep working)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Response(BaseModel):
    """A response: the named fields are checked; a handler may add more."""

    model_config = ConfigDict(extra="allow")


# -- validators that say what is wrong in the project's words ----------------------------------


class Refusal(ValueError):
    """A validator's refusal naming a field deeper than the one it checks (``answers.age``)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _int_between(lo: int, hi: int) -> BeforeValidator:
    def check(value: Any, info: ValidationInfo) -> Any:
        name = info.field_name
        if isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                raise ValueError(f"{name} must be an integer, got {value!r}") from None
        if isinstance(value, int) and not isinstance(value, bool) and not lo <= value <= hi:
            raise ValueError(f"{name} must be between {lo} and {hi}, got {value}")
        return value

    return BeforeValidator(check)


def _one_of(*allowed: str, wording: str | None = None, unknown: bool = False) -> BeforeValidator:
    def check(value: Any, info: ValidationInfo) -> Any:
        if value is not None and value not in allowed:
            if unknown:
                raise ValueError(f"unknown {info.field_name} {value!r}; valid: {', '.join(sorted(allowed))}")
            shown = wording or f"one of {', '.join(sorted(allowed))}"
            raise ValueError(f"{info.field_name} must be {shown}, got {value!r}")
        return value

    return BeforeValidator(check)


def _flag(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, bool):
        return value
    raw = str(value).lower()
    if raw in {"false", "0"}:
        return False
    if raw in {"true", "1"}:
        return True
    raise ValueError(f"{info.field_name} must be true/false/1/0, got {raw!r}")


def _query_text(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("the query parameter q is missing or empty")
    if isinstance(value, str) and len(value) > MAX_QUERY:
        raise ValueError(f"q is {len(value)} characters long; the limit is {MAX_QUERY}")
    return value


def _answers(single: bool) -> BeforeValidator:
    """Question id to value: at most 100, strings at most 500 characters (single values only for links)."""

    def check(value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("answers must be an object of question id to value")
        if len(value) > MAX_ANSWERS:
            raise ValueError(f"at most {MAX_ANSWERS} answers are accepted, got {len(value)}")
        for qid, answer in value.items():
            if len(qid) > MAX_SERVICE_ID:
                raise ValueError(f"the question id {qid[:20]!r}... is too long")
            if isinstance(answer, str) and len(answer) > MAX_TEXT:
                raise Refusal(f"the answer to {qid} is longer than {MAX_TEXT} characters", field=f"answers.{qid}")
            if single and isinstance(answer, (dict, list)):
                raise Refusal(f"the answer to {qid} must be a single value", field=f"answers.{qid}")
        return value

    return BeforeValidator(check)


def _text(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("text must be a non-empty string")
    if len(value) > MAX_TEXT:
        raise ValueError(f"text is longer than {MAX_TEXT} characters")
    return value


def _service_id(value: Any) -> Any:
    if value is None:
        raise ValueError("service_id is required")
    if not isinstance(value, str) or not value or len(value) > MAX_SERVICE_ID:
        raise ValueError(f"service_id must be a service id of at most {MAX_SERVICE_ID} characters")
    return value


NO_CONSENT = "explicit consent is required: ask the citizen whether to share their answers, then send consent: true"


def _consent(value: Any) -> Any:
    if value is not True:
        raise ValueError(NO_CONSENT)
    return value


def _consent_first(data: Any) -> Any:
    """Consent is checked before anything else, and its absence is worded like a refusal."""
    if isinstance(data, dict) and "consent" not in data:
        raise Refusal(NO_CONSENT, field="consent")
    return data


def _channel(value: Any) -> Any:
    if value is None or value == "":
        return "unknown"
    return value


Lang = Annotated[Literal["zh", "en"], _one_of("zh", "en")]
Audience = Annotated[
    Literal["individual", "enterprise"] | None, _one_of("individual", "enterprise", unknown=True), Field(description="individual or enterprise")
]
Page = Annotated[int, _int_between(1, 100000), Field(ge=1, le=100000, description="page number, from 1")]
PerPage = Annotated[int, _int_between(1, 200), Field(ge=1, le=200, description="items per page, 1-200 (default 50)")]
AnswerValue = str | int | float | bool | None
ServiceId = Annotated[str, BeforeValidator(_service_id), Field(min_length=1, max_length=MAX_SERVICE_ID)]
OptionalServiceId = Annotated[
    Annotated[str, Field(min_length=1, max_length=MAX_SERVICE_ID)] | None,
    BeforeValidator(lambda v: v if v is None else _service_id(v)),
    Field(description="the service being discussed"),
]
Consent = Annotated[Literal[True], BeforeValidator(_consent), Field(description="the citizen agreed to share these answers")]
AnswersIn = Annotated[dict[str, Any], _answers(single=False), Field(max_length=MAX_ANSWERS, description="question id to value")]
SingleAnswers = Annotated[dict[str, AnswerValue], _answers(single=True), Field(max_length=MAX_ANSWERS, description="question id to value")]
Said = Annotated[
    dict[str, Annotated[str, Field(max_length=MAX_TEXT)]],
    Field(max_length=MAX_ANSWERS, description="question id to the person's own words for that answer; the reasons show how they were read"),
]
Relation = Annotated[
    str | None,
    _one_of(*RELATIONS, unknown=True),
    WithJsonSchema({"type": ["string", "null"], "enum": [*RELATIONS, None], "description": "who the check is for: self (the default) or a relation"}),
]


# -- query strings -------------------------------------------------------------------------------


class SearchQuery(Request):
    """``GET /api/search`` (and the agent console's search)."""

    q: Annotated[str, BeforeValidator(_query_text), Field(min_length=1, max_length=MAX_QUERY, description="what the citizen said, 1-500 characters")]
    lang: Annotated[Literal["zh", "en", "auto"], _one_of("zh", "en", "auto"), Field(description="zh, en or auto (default)")] = "auto"
    limit: Annotated[Annotated[int, Field(ge=1, le=50)] | None, _int_between(1, 50), Field(description="1-50, default 5")] = None
    audience: Audience = None
    district: Annotated[str | None, Field(description="only services offered in this district (an id from /api/districts)")] = None
    event: Annotated[str | None, Field(description="only services for this life or business event (an id from /api/events)")] = None
    online: Annotated[bool, BeforeValidator(_flag), Field(description="true: only services with an online application")] = False
    mode: Annotated[
        Literal["hybrid", "lexical", "dense"],
        _one_of("hybrid", "lexical", "dense", wording="hybrid, lexical or dense"),
        Field(description="hybrid (default), lexical or dense"),
    ] = "hybrid"


class ServicesQuery(Request):
    """``GET /api/services``."""

    audience: Audience = None
    district: Annotated[str | None, Field(description="a district id from /api/districts")] = None
    event: Annotated[str | None, Field(description="a life or business event id from /api/events")] = None
    page: Page = 1
    per_page: PerPage = 50


class TicketsQuery(Request):
    """``GET /api/tickets``."""

    status: Annotated[Literal["open", "closed"] | None, _one_of("open", "closed", wording="open or closed"), Field(description="open or closed")] = None
    page: Page = 1
    per_page: PerPage = 50


# -- request bodies --------------------------------------------------------------------------------


class EligibilityRequest(Request):
    """``POST /api/services/{id}/eligibility`` and the agent console's eligibility."""

    answers: AnswersIn = Field(default_factory=dict)
    lang: Lang = "en"
    said: Said = Field(default_factory=dict)
    subject: Relation = None


class TurnRequest(Request):
    """``POST /api/services/{id}/eligibility/turn``: what one utterance does in the check."""

    text: Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=MAX_TEXT, description="the citizen's words as typed")]
    lang: Lang = "en"
    answers: AnswersIn = Field(default_factory=dict)
    said: Said = Field(default_factory=dict)
    asked: Annotated[str | None, Field(max_length=80, description="the question just asked; null after the verdict")] = None
    pending: Annotated[dict[str, Any] | None, Field(description="{question_id, value, said}: a reading waiting for 'is that right?'")] = None
    start_over: Annotated[bool, Field(description="true: the person asked to start over (the bot's NLU said so), whatever the words")] = False
    subject: Relation = None


class EarlierRequest(Request):
    """``POST /api/services/{id}/eligibility/earlier``: what was said before the check, about the person it is for."""

    texts: Annotated[
        list[Annotated[str, Field(max_length=MAX_TEXT)]],
        Field(max_length=20, description="the citizen's earlier messages about the person the check is for, oldest first"),
    ]
    lang: Lang = "en"
    answers: AnswersIn = Field(default_factory=dict)
    said: Said = Field(default_factory=dict)
    subject: Relation = None


class ParseRequest(Request):
    """``POST /api/questions/{id}/parse``."""

    text: Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=MAX_TEXT, description="the citizen's answer as typed")]
    lang: Lang = "en"


class ApplicationLinkRequest(Request):
    """``POST /api/handoff/application``."""

    _consent = model_validator(mode="before")(_consent_first)
    consent: Consent
    service_id: ServiceId
    answers: SingleAnswers = Field(default_factory=dict)
    lang: Lang = "en"
    channel: Annotated[str, BeforeValidator(_channel), Field(pattern=CHANNEL_PATTERN, description="web, rest, wechat, telegram, hotline...")] = "unknown"
    subject: Annotated[Relation, Field(description="who the answers are about; the portal shows it")] = None


class RedeemRequest(Request):
    """``POST /api/handoff/redeem`` (the portal's back channel)."""

    # Any shape reaches the handler, which refuses a malformed handle as token_invalid like an unknown one.
    handle: Annotated[Any, WithJsonSchema({"type": "string", "description": "the handle from the link's h parameter"})] = None
    service_id: ServiceId


def _timestamp(value: Any) -> Any:
    if value is None or (isinstance(value, (int, float, str)) and not isinstance(value, bool)):
        return value
    raise ValueError("ts must be a number or a string")


class TranscriptEntry(Request):
    who: Literal["user", "bot"]
    text: str
    ts: Annotated[Any, BeforeValidator(_timestamp), WithJsonSchema({"type": ["number", "string", "null"]})] = None


class TicketRequest(Request):
    """``POST /api/tickets``: the last 200 entries are kept, each cut to 2,000 characters."""

    transcript: list[TranscriptEntry]
    lang: Lang = "en"
    channel: Annotated[str, BeforeValidator(_channel), Field(pattern=CHANNEL_PATTERN)] = "unknown"
    service_id: OptionalServiceId = None
    answers: SingleAnswers = Field(default_factory=dict)
    summary: str | None = None
    subject: Annotated[Relation, Field(description="who the citizen asks for; the queue's summary says so")] = None


class ReplyRequest(Request):
    """``POST /agent/api/tickets/{number}/reply``."""

    text: Annotated[str, Field(min_length=1, max_length=2000)]


class SendLinkRequest(Request):
    """``POST /agent/api/send-link``: ``phone`` (SMS) or ``ticket`` (into the caller's chat), not both."""

    _consent = model_validator(mode="before")(_consent_first)
    consent: Consent
    service_id: ServiceId
    answers: SingleAnswers = Field(default_factory=dict)
    lang: Lang = "zh"
    phone: Annotated[str | None, Field(max_length=40, description="a mainland mobile number")] = None
    ticket: Annotated[str | None, Field(max_length=40, description="an open ticket you have taken")] = None


# -- responses -------------------------------------------------------------------------------------


class ErrorBody(Response):
    """Every refusal: a stable code, a sentence, and the field at fault when there is one."""

    error: str
    message: str
    field: str | None = None
    details: Any = None
    retry_after: int | None = None


class Health(Response):
    status: Literal["ok", "starting"]
    services: int
    catalogue_hash: str
    index: str | None
    loaded_at: float


class ServiceItem(Response):
    id: str
    audience: str
    theme: str
    title: dict[str, str]


class ServiceList(Response):
    total: int
    page: int
    per_page: int
    items: list[ServiceItem]


class SearchHit(Response):
    id: str
    title: str
    score: float
    why: list[dict[str, Any]]


class ChecklistStep(Response):
    order: int
    id: Annotated[str, Field(description="the service id")]
    title: str
    after: Annotated[list[int], Field(description="the orders of the steps that must come first")]
    optional: Annotated[bool, Field(description="applies only in some situations (the note says which)")]
    note: str | None


class Checklist(Response):
    """A life or business event's checklist (一件事): its services in the order they are done."""

    id: str
    kind: Literal["life", "business"]
    label: str
    summary: str | None
    steps: list[ChecklistStep]


class SearchResponse(Response):
    """``results`` are always ranked and returned; ``confident`` is a flag on them (false: the first
    three are also in ``suggestions``)."""

    query: str
    lang: Literal["zh", "en"]
    confident: bool
    confidence: float
    results: list[SearchHit]
    suggestions: list[SearchHit]
    best: Annotated[str | None, Field(description="the id of the one service the query is most likely about, when it stands out")]
    elsewhere: Annotated[str | None, Field(description="when filters hid a better match: its id")]
    event: Annotated[Checklist | None, Field(description="when the question asks what to do in a situation: that event's checklist")] = None
    district: Annotated[str | None, Field(description="a district the question names: it locates, it never selects a service")] = None


class AgentSearchHit(Response):
    id: str
    title: str
    summary: str
    score: float


class AgentSearchResponse(Response):
    query: str
    lang: Literal["zh", "en"]
    confident: bool
    results: list[AgentSearchHit]
    suggestions: list[AgentSearchHit]
    best: Annotated[str | None, Field(description="the service the assistant would show at once for these words (its clear winner)")] = None
    offered: Annotated[list[str], Field(description="the services the assistant would offer (the trimmed list; empty when not confident)")] = []


class NextQuestion(Response):
    id: str
    type: str
    text: str | None
    why: str | None
    options: list[dict[str, Any]]
    unit: str | None
    min: float | None
    max: float | None


class Reason(Response):
    text: str
    met: bool | None
    question_id: str | None


class Alternative(Response):
    id: str
    title: str
    status: str


class Subject(Response):
    relation: str
    who: Annotated[str, Field(description="the person as the reply names them: 'your mother' / '您母亲'")]


class EligibilityResponse(Response):
    service_id: str
    status: Literal["eligible", "ineligible", "unknown"]
    next_question: NextQuestion | None
    reasons: list[Reason]
    missing: list[str]
    would_qualify_if: list[Any]
    alternatives: list[Alternative]
    subject: Annotated[Subject | None, Field(description="who the check is for; null for the citizen")] = None


class ParseResponse(Response):
    question_id: str
    understood: bool
    value: Any
    problem: str | None = None
    reading: str | None = None
    uncertain: bool = False
    confidence: float | None = None
    confirm: str | None = None
    high: Annotated[Any, Field(description="the upper end of an approximate reading, when it has one")] = None


class TurnResponse(Response):
    kind: Literal["answer", "correction", "confirm", "deny", "start_over", "unknown"]
    question_id: str | None
    value: Any
    reading: str | None
    uncertain: bool
    confirm: str | None
    answers: dict[str, Any]
    said: dict[str, str]
    pending: dict[str, Any] | None
    question: str | None = None
    problem: str | None = None


class EarlierItem(Response):
    question_id: str
    value: Any
    reading: Annotated[str, Field(description="how the words were read: '70 years', 'read as “no”'")]
    said: Annotated[str, Field(description="the words the reading came from")]
    line: Annotated[str, Field(description="the question as asked about the person, and the reading: to show back")]


class EarlierResponse(Response):
    taken: Annotated[list[EarlierItem], Field(description="answers kept from the earlier words (clear evidence, confident reading)")]
    noted: Annotated[list[EarlierItem], Field(description="facts about the person for questions outside this check, kept with their answers")]
    offered: Annotated[list[EarlierItem], Field(description="readings to confirm; the first still open is pending")]
    answers: dict[str, Any]
    said: dict[str, str]
    pending: Annotated[dict[str, Any] | None, Field(description="{question_id, value, said, confirm}: ask 'is that right?' first")]


class ApplicationLink(Response):
    url: str
    expires_in: int
    service_id: str


class TicketCreated(Response):
    ticket: str
    hotline: str
    status: str
    position: int
    created: bool


# -- one turn of finding a service (POST /api/search/turn; the policy is search/turn.py) -------------


class ShownEntry(Request):
    """One item of the list the person was shown; a checklist step also carries its order."""

    id: Annotated[str, Field(min_length=1, max_length=MAX_SERVICE_ID, description="the service id")]
    title: Annotated[str | None, Field(max_length=300, description="the title as shown (the catalogue's titles in both languages are matched too)")] = None
    order: Annotated[int | None, Field(ge=1, le=1000, description="a checklist step: its place in the order")] = None
    after: Annotated[
        list[Annotated[int, Field(ge=1, le=1000)]], Field(max_length=50, description="a checklist step: the orders of the steps that come first")
    ] = []
    event: Annotated[str | None, Field(max_length=80, description="a checklist step: its event's id")] = None
    done: Annotated[bool, Field(description="a checklist step the person said is done")] = False


class SearchTurnRequest(Request):
    """``POST /api/search/turn``: what the person said and what the conversation holds."""

    text: Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=MAX_TEXT, description="the person's words as typed, 1-500 characters")]
    lang: Annotated[Literal["zh", "en", "auto"], _one_of("zh", "en", "auto"), Field(description="zh, en or auto (default: detected)")] = "auto"
    mode: Annotated[
        Literal["find", "about"],
        _one_of("find", "about"),
        Field(description="find (default): a search turn; about: which service a follow-up, a check or an application is about"),
    ] = "find"
    shown: Annotated[list[ShownEntry], Field(max_length=100, description="the list shown last, first item first (a checklist's steps with their order)")] = []
    selected: Annotated[str | None, Field(min_length=1, max_length=MAX_SERVICE_ID, description="the service the conversation is about, if any")] = None
    district: Annotated[str | None, Field(max_length=40, description="the conversation's district so far (an id from /api/districts)")] = None
    audience: Audience = None
    intent: Annotated[
        str | None, Field(max_length=80, description="the NLU's intent name (out_of_scope and chitchat are never answered with a checklist or a list)")
    ] = None
    mention: Annotated[str | None, Field(max_length=MAX_QUERY, description="about mode: a service the NLU saw named in the text ('the dog licence')")] = None


class TurnStep(Response):
    """An item of a list as the conversation keeps it (a checklist step with its order)."""

    id: str
    title: str
    order: int | None = None
    after: list[int] | None = None
    event: str | None = None
    done: bool | None = None


class SearchPrepareRequest(Request):
    """``POST /api/search/prepare``: the words a search turn is about to search."""

    text: Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=MAX_TEXT, description="the person's words as typed, 1-500 characters")]


class SearchPrepareResponse(Response):
    """Whether the words are being embedded."""

    queued: Annotated[bool, Field(description="true: embedding started (or already done); false: the service was busy and skipped it")]


class SearchTurnResponse(Response):
    """What the turn does; the caller only words it."""

    kind: Annotated[
        Literal["service", "list", "checklist", "steps_done", "out_of_range", "nothing", "about_selected"],
        Field(
            description="service: show the card (service); list: offer hits; checklist: the event's steps; steps_done: step and the remaining ones; "
            "out_of_range: the list has only count items; nothing: no service fits (reason); about_selected: answer about the selected service (service)"
        ),
    ]
    query: str
    lang: Literal["zh", "en"]
    district: Annotated[str | None, Field(description="the district the conversation settles on ('Pudong, not Minhang': pudong)")]
    confident: bool
    selects: Annotated[bool, Field(description="true: this turn selects service (false when it is the one already selected)")]
    service: Annotated[dict[str, Any] | None, Field(description="the full card, as GET /api/services/{id}?district= gives it")]
    hits: Annotated[list[SearchHit], Field(description="list: the services to offer, already trimmed")]
    suggestions: Annotated[list[SearchHit], Field(description="nothing (no_match): up to three 'did you mean'")]
    event: Annotated[Checklist | None, Field(description="checklist: the event's steps in order")]
    step: Annotated[TurnStep | None, Field(description="steps_done: the step the person said is done")]
    remaining: Annotated[list[TurnStep], Field(description="steps_done: the steps that come next")]
    shown: Annotated[list[TurnStep] | None, Field(description="the list the conversation shows from now on (null: unchanged)")]
    count: Annotated[int | None, Field(description="out_of_range: how many items the list has")]
    asked: Annotated[int | None, Field(description="out_of_range: the place asked for")]
    reason: Annotated[Literal["off_topic", "no_match"] | None, Field(description="nothing: off_topic (the NLU said so) or no_match")]
