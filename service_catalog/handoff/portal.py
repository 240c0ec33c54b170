"""HTML of the reference portal receiver: the one-button page, the pre-filled application form and the
refusal pages.

Rendered on the server from Jinja2 templates (``service_catalog/templates/portal/``) with autoescaping
on for every template, so every value is HTML-escaped; there is no script and no inline style (the
page's CSS is ``static/apply.css``), so the strict Content-Security-Policy holds. This module picks
the wording and shapes the values; the templates hold the markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..eligibility import Person, person, question_text
from ..model import Question, Service

_TEMPLATES = Environment(loader=PackageLoader("service_catalog", "templates"), autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)

__all__ = ["application_page", "open_page", "rejection_page"]

_REJECTIONS: dict[str, tuple[str, str, str, str]] = {
    # code: (zh title, zh text, en title, en text)
    "token_invalid": (
        "链接无效",
        "这个申请链接不完整或已被改动，无法打开。",
        "This link is not valid",
        "The application link is incomplete or has been altered, so it cannot be opened.",
    ),
    "token_expired": (
        "链接已过期",
        "为保护您的信息，申请链接只在生成后的几分钟内有效。",
        "This link has expired",
        "To protect your information, an application link only works for a few minutes after it is made.",
    ),
    "token_wrong_service": (
        "链接与服务不符",
        "这个链接是为另一项服务生成的，不能用于本服务。",
        "This link is for another service",
        "The link was made for a different service and cannot open this one.",
    ),
    "token_replayed": (
        "链接已使用过",
        "每个申请链接只能打开一次，这个链接已经用过了。",
        "This link has already been used",
        "Each application link opens only once, and this one has been used.",
    ),
    "service_not_found": (
        "服务不存在",
        "目录中已找不到这项服务。",
        "Service not found",
        "This service is no longer in the catalogue.",
    ),
}
_WHAT_TO_DO = (
    "请回到智能客服，再说一次“我要申请”，获取新的链接。您的信息不会丢失。",
    "Please go back to the assistant and say “apply” again to get a new link. Nothing you told it is lost.",
)
_DEMO_NOTE = {
    "zh": "演示门户：此页面展示智能客服如何把您同意共享的回答带入申请表。这里不会提交任何内容。",
    "en": "Demo portal: this page shows how the assistant hands the answers you agreed to share to the application form. Nothing is submitted here.",
}
_TEXT = {
    "zh": {
        "portal": "一网通办（演示）",
        "answers": "您的回答（已由智能客服带入，可修改）",
        "no_answers": "没有带入回答，请直接填写申请表。",
        "documents": "需要准备的材料",
        "no_documents": "本服务无需额外材料。",
        "submit": "提交申请（演示中不可用）",
        "yes": "是",
        "no": "否",
        "channel": "来源渠道",
        "for_whom": "代办对象",
    },
    "en": {
        "portal": "One-stop Government Services (demo)",
        "answers": "Your answers (brought over by the assistant; you can change them)",
        "no_answers": "No answers were brought over; please fill in the form yourself.",
        "documents": "Documents to prepare",
        "no_documents": "This service needs no documents.",
        "submit": "Submit application (disabled in the demo)",
        "yes": "Yes",
        "no": "No",
        "channel": "Came from channel",
        "for_whom": "Applying on behalf of",
    },
}


def _raw(value: Any) -> str:
    """An answer as the text of an input's value attribute (before escaping)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _field(index: int, qid: str, value: Any, question: Question | None, lang: str, who: Person | None = None) -> dict[str, Any]:
    """One form field as the template draws it: ``kind`` is select, number, date or text; the label
    is the question as it was asked (about ``who`` when the citizen applies for someone else)."""
    raw = _raw(value)
    field: dict[str, Any] = {"id": f"answer-{index}", "name": qid, "value": raw, "label": qid, "kind": "text"}
    if question is None:
        return field
    words = _TEXT[lang]
    field["label"] = question_text(question, who, lang)
    if question.type in {"choice", "boolean"}:
        options = [(o.value, o.label.get(lang)) for o in question.options] if question.type == "choice" else [("true", words["yes"]), ("false", words["no"])]
        if raw not in {v for v, _ in options}:
            options.insert(0, (raw, raw))  # an answer the bank no longer lists stays visible
        field.update(kind="select", options=options)
    elif question.type == "number":
        field.update(kind="number", unit=question.unit.get(lang) if question.unit else "")
    else:
        field["kind"] = "date"
    return field


def application_page(service: Service, questions: Mapping[str, Question], claims: Mapping[str, Any]) -> str:
    """The demo application form for ``service``, pre-filled with the token's answers.

    Args:
        service: the service applied for.
        questions: the question bank (labels and choice options).
        claims: the verified token claims (``answers``, ``lang``, ``channel``, and ``on_behalf_of``
            when the citizen applies for someone else: the page says for whom).
    """
    lang = "zh" if claims.get("lang") == "zh" else "en"
    words = _TEXT[lang]
    relation = claims.get("on_behalf_of")
    try:
        who = person(relation, lang) if isinstance(relation, str) else None
    except ValueError:  # a relation this version does not know (a newer signer): named as it is
        who = None
    for_whom = who.who if who else relation if isinstance(relation, str) else None
    answers: Mapping[str, Any] = claims.get("answers") or {}
    title = service.title.get(lang)
    return _TEMPLATES.get_template("portal/apply.html").render(
        lang=lang,
        title=f"{title} · {words['portal']}",
        words=words,
        service_title=title,
        demo_note=_DEMO_NOTE[lang],
        summary=service.summary.get(lang),
        fields=[_field(i, str(qid), value, questions.get(str(qid)), lang, who) for i, (qid, value) in enumerate(answers.items(), 1)],
        for_whom=for_whom,
        documents=[d.get(lang) for d in service.documents],
        channel=claims.get("channel") or "",
    )


_OPEN = {
    "zh": ("打开您的申请表", "您的回答已准备好。点击下面的按钮打开申请表；链接只能打开一次。", "打开申请表"),
    "en": (
        "Open your application",
        "Your answers are ready. Press the button to open the application form; the link opens only once.",
        "Open the application form",
    ),
}


def open_page(service: Service, handle: str) -> str:
    """The page a link shows before it is used: one button that posts the handle back.

    Chat apps fetch a link to draw its preview; this page is all they get, so the handle stays
    unused until the citizen presses the button.
    """
    (zh_title, zh_text, zh_button), (en_title, en_text, en_button) = _OPEN["zh"], _OPEN["en"]
    return _TEMPLATES.get_template("portal/open.html").render(
        lang="zh",
        title=f"{zh_title} · {en_title}",
        portal_zh=_TEXT["zh"]["portal"],
        portal_en=_TEXT["en"]["portal"],
        title_zh=service.title.get("zh"),
        title_en=service.title.get("en"),
        zh={"title": zh_title, "text": zh_text, "button": zh_button},
        en={"title": en_title, "text": en_text, "button": en_button},
        handle=handle,
    )


def rejection_page(code: str) -> str:
    """A bilingual page saying why the link was refused and what to do next."""
    zh_title, zh_text, en_title, en_text = _REJECTIONS.get(code, _REJECTIONS["token_invalid"])
    return _TEMPLATES.get_template("portal/rejected.html").render(
        lang="zh",
        title=f"{zh_title} · {en_title}",
        portal_zh=_TEXT["zh"]["portal"],
        portal_en=_TEXT["en"]["portal"],
        zh_title=zh_title,
        zh_text=zh_text,
        en_title=en_title,
        en_text=en_text,
        what_to_do=_WHAT_TO_DO,
        code=code,
    )
