"""HTML of the reference portal receiver: the pre-filled application form and the rejection pages.

Rendered on the server; every value is HTML-escaped, there is no script and no inline style
(the page's CSS is ``static/apply.css``), so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Any

from ..model import Question, Service

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
    },
}


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _page(lang: str, title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="referrer" content="no-referrer">\n'
        f'<title>{_e(title)}</title>\n<link rel="stylesheet" href="/static/apply.css">\n</head>\n<body>\n{body}\n</body>\n</html>\n'
    )


def _raw(value: Any) -> str:
    """An answer as the text of an input's value attribute (before escaping)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _select(field_id: str, name: str, value: str, options: list[tuple[str, str]]) -> str:
    choices = list(options)
    if value not in {v for v, _ in choices}:
        choices.insert(0, (value, value))  # an answer the bank no longer lists stays visible
    rendered = "".join(f'<option value="{_e(v)}"{" selected" if v == value else ""}>{_e(label)}</option>' for v, label in choices)
    return f'<select id="{_e(field_id)}" name="{_e(name)}">{rendered}</select>'


def _field(index: int, qid: str, value: Any, question: Question | None, lang: str) -> str:
    field_id = f"answer-{index}"
    raw = _raw(value)
    words = _TEXT[lang]
    if question is None:
        label, control = qid, f'<input id="{field_id}" name="{_e(qid)}" type="text" value="{_e(raw)}">'
    else:
        label = question.text.get(lang)
        if question.type == "choice":
            control = _select(field_id, qid, raw, [(o.value, o.label.get(lang)) for o in question.options])
        elif question.type == "boolean":
            control = _select(field_id, qid, raw, [("true", words["yes"]), ("false", words["no"])])
        elif question.type == "number":
            unit = f' <span class="unit">{_e(question.unit.get(lang))}</span>' if question.unit else ""
            control = f'<input id="{field_id}" name="{_e(qid)}" type="number" step="any" value="{_e(raw)}">{unit}'
        else:
            control = f'<input id="{field_id}" name="{_e(qid)}" type="date" value="{_e(raw)}">'
    return f'<div class="field"><label for="{field_id}">{_e(label)}</label>{control}</div>'


def application_page(service: Service, questions: Mapping[str, Question], claims: Mapping[str, Any]) -> str:
    """The demo application form for ``service``, pre-filled with the token's answers.

    Args:
        service: the service applied for.
        questions: the question bank (labels and choice options).
        claims: the verified token claims (``answers``, ``lang``, ``channel``).
    """
    lang = "zh" if claims.get("lang") == "zh" else "en"
    words = _TEXT[lang]
    answers: Mapping[str, Any] = claims.get("answers") or {}
    title = service.title.get(lang)
    fields = "\n".join(_field(i, str(qid), value, questions.get(str(qid)), lang) for i, (qid, value) in enumerate(answers.items(), 1))
    if not fields:
        fields = f'<p class="empty">{_e(words["no_answers"])}</p>'
    documents = "\n".join(f"<li>{_e(d.get(lang))}</li>" for d in service.documents) or f"<li>{_e(words['no_documents'])}</li>"
    channel = claims.get("channel")
    channel_line = f'<p class="channel">{_e(words["channel"])}: {_e(channel)}</p>' if channel else ""
    body = (
        f'<header class="portal-header">\n<p class="portal-name">{_e(words["portal"])}</p>\n<h1>{_e(title)}</h1>\n</header>\n'
        f'<main class="apply-main">\n<p class="demo-note">{_e(_DEMO_NOTE[lang])}</p>\n'
        f'<p class="summary">{_e(service.summary.get(lang))}</p>\n'
        f'<form class="application" action="#" method="post">\n<fieldset>\n<legend>{_e(words["answers"])}</legend>\n{fields}\n</fieldset>\n'
        f'<section class="documents">\n<h2>{_e(words["documents"])}</h2>\n<ul>\n{documents}\n</ul>\n</section>\n'
        f"{channel_line}\n"
        f'<button type="submit" disabled>{_e(words["submit"])}</button>\n</form>\n</main>'
    )
    return _page(lang, f"{title} · {words['portal']}", body)


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
    zh_title, zh_text, zh_button = _OPEN["zh"]
    en_title, en_text, en_button = _OPEN["en"]
    body = (
        f'<header class="portal-header">\n<p class="portal-name">{_e(_TEXT["zh"]["portal"])} · {_e(_TEXT["en"]["portal"])}</p>\n'
        f"<h1>{_e(service.title.get('zh'))} · {_e(service.title.get('en'))}</h1>\n</header>\n"
        f'<main class="apply-main">\n<section lang="zh-CN">\n<h2>{_e(zh_title)}</h2>\n<p>{_e(zh_text)}</p>\n</section>\n'
        f'<section lang="en">\n<h2>{_e(en_title)}</h2>\n<p>{_e(en_text)}</p>\n</section>\n'
        f'<form class="open" method="post">\n<input type="hidden" name="h" value="{_e(handle)}">\n'
        f'<button type="submit" class="primary">{_e(zh_button)} · {_e(en_button)}</button>\n</form>\n</main>'
    )
    return _page("zh", f"{zh_title} · {en_title}", body)


def rejection_page(code: str) -> str:
    """A bilingual page saying why the link was refused and what to do next."""
    zh_title, zh_text, en_title, en_text = _REJECTIONS.get(code, _REJECTIONS["token_invalid"])
    body = (
        f'<header class="portal-header">\n<p class="portal-name">{_e(_TEXT["zh"]["portal"])} · {_e(_TEXT["en"]["portal"])}</p>\n'
        f"<h1>{_e(zh_title)} · {_e(en_title)}</h1>\n</header>\n"
        f'<main class="apply-main rejected">\n'
        f'<section lang="zh-CN">\n<p>{_e(zh_text)}</p>\n<p class="next">{_e(_WHAT_TO_DO[0])}</p>\n</section>\n'
        f'<section lang="en">\n<p>{_e(en_text)}</p>\n<p class="next">{_e(_WHAT_TO_DO[1])}</p>\n</section>\n'
        f'<p><a href="/">返回首页并打开智能客服 · Back to the portal and its assistant</a></p>\n'
        f'<p class="code">{_e(code)}</p>\n</main>'
    )
    return _page("zh", f"{zh_title} · {en_title}", body)
