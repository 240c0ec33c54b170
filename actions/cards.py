"""Wording of service cards and follow-up answers from catalogue data (no HTTP, no business logic)."""

from __future__ import annotations

from typing import Any

__all__ = ["CHECKLIST", "LABELS", "card_payload", "card_text", "checklist_text", "followup_text", "select_button"]

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "documents": "所需材料",
        "cost": "费用",
        "free": "免费",
        "time": "办理时限",
        "days": "{n}个工作日",
        "same_day": "当场办结",
        "where": "办理地点",
        "online": "网上办理",
        "no_online": "该事项暂不支持网上办理，请到服务中心办理。",
        "hotline": "咨询电话",
        "hours": "办公时间",
        "phone": "电话",
        "map": "地图",
        "more_centres": "其他可办理地点",
        "not_in_district": "该服务在{district}不提供，可前往：",
        "sep": "：",
        "next": "您可以问我：要带什么材料、要多少钱、多久能办好、在哪里办、能不能网上办，或者说“我符合条件吗”。",
    },
    "en": {
        "documents": "Documents",
        "cost": "Cost",
        "free": "Free",
        "time": "Processing time",
        "days": "{n} working days",
        "same_day": "done on the spot",
        "where": "Where",
        "online": "Apply online",
        "no_online": "This service cannot be done online yet; please visit a service centre.",
        "hotline": "Hotline",
        "hours": "Hours",
        "phone": "Phone",
        "map": "Map",
        "more_centres": "Other places that handle it",
        "not_in_district": "This service is not offered in {district}; you can go to:",
        "sep": ": ",
        "next": 'You can ask me what to bring, how much it costs, how long it takes, where to go, whether it can be done online, or "am I eligible?".',
    },
}


def _t(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or "")
    return str(value or "")


def cost_text(service: dict[str, Any], lang: str) -> str:
    cost = service.get("cost") or {}
    L = LABELS[lang]
    if cost.get("free"):
        text = L["free"]
    else:
        amount = cost.get("amount_cny")
        if amount is None:
            text = "—"  # a catalogue always states it; never fail a card over it
        else:
            text = f"{amount:g} 元" if lang == "zh" else f"CNY {amount:g}"
    note = _t(cost.get("note"), lang)
    return f"{text}（{note}）" if note and lang == "zh" else f"{text} ({note})" if note else text


def time_text(service: dict[str, Any], lang: str) -> str:
    if service.get("processing_days") is None:
        return "—"  # a one-language catalogue may not state it
    days = int(service.get("processing_days") or 0)
    return LABELS[lang]["same_day"] if days == 0 else LABELS[lang]["days"].format(n=days)


def documents_text(service: dict[str, Any], lang: str) -> str:
    docs = [_t(d, lang) for d in service.get("documents") or []]
    return "\n".join(f"• {d}" for d in docs) if docs else "—"


def where_text(service: dict[str, Any], lang: str, district: str | None, limit: int = 2) -> str:
    L = LABELS[lang]
    centres = (service.get("channels") or {}).get("centres") or []
    lines: list[str] = []
    offered = service.get("districts")
    if district and offered != "all" and isinstance(offered, list) and district not in offered:
        lines.append(L["not_in_district"].format(district=district))
    for centre in centres[:limit]:
        lines.append(f"• {_t(centre['name'], lang)}{L['sep']}{_t(centre['address'], lang)}")
        lines.append(
            f"  {L['hours']}{L['sep']}{_t(centre['hours'], lang)}；{L['phone']}{L['sep']}{centre['phone']}"
            if lang == "zh"
            else f"  {L['hours']}: {_t(centre['hours'], lang)}; {L['phone']}: {centre['phone']}"
        )
        if centre.get("map_url"):
            lines.append(f"  {L['map']}{L['sep']}{centre['map_url']}")
    return "\n".join(lines)


def online_text(service: dict[str, Any], lang: str) -> str:
    url = (service.get("channels") or {}).get("online_url")
    return f"{LABELS[lang]['online']}{LABELS[lang]['sep']}{url}" if url else LABELS[lang]["no_online"]


def card_text(service: dict[str, Any], lang: str, district: str | None = None) -> str:
    """A service card as plain text, for channels that show only text."""
    L = LABELS[lang]
    parts = [
        f"【{_t(service['title'], lang)}】" if lang == "zh" else f"** {_t(service['title'], lang)} **",
        _t(service["summary"], lang),
        f"{L['documents']}{L['sep']}\n{documents_text(service, lang)}",
        f"{L['cost']}{L['sep']}{cost_text(service, lang)}",
        f"{L['time']}{L['sep']}{time_text(service, lang)}",
        f"{L['where']}{L['sep']}\n{where_text(service, lang, district, limit=1)}",
        online_text(service, lang),
        L["next"],
    ]
    return "\n".join(p for p in parts if p)


def card_payload(service: dict[str, Any], lang: str, district: str | None = None) -> dict[str, Any]:
    """A service card as structured data for rich channels (the web widget)."""
    centres = (service.get("channels") or {}).get("centres") or []
    first = centres[0] if centres else None
    return {
        "type": "service_card",
        "lang": lang,
        "service_id": service["id"],
        "title": _t(service["title"], lang),
        "summary": _t(service["summary"], lang),
        "documents": [_t(d, lang) for d in service.get("documents") or []],
        "cost": cost_text(service, lang),
        "processing_time": time_text(service, lang),
        "where": {"name": _t(first["name"], lang), "address": _t(first["address"], lang), "hours": _t(first["hours"], lang), "phone": first["phone"]}
        if first
        else None,
        "online_url": (service.get("channels") or {}).get("online_url"),
        "labels": {k: LABELS[lang][k] for k in ("documents", "cost", "time", "where", "online")},
    }


def followup_text(kind: str, service: dict[str, Any], lang: str, district: str | None) -> str:
    """The answer to a follow-up question about the selected service."""
    L = LABELS[lang]
    title = _t(service["title"], lang)
    head = f"【{title}】" if lang == "zh" else f"{title} — "
    if kind == "ask_documents":
        return f"{head}{L['documents']}{L['sep']}\n{documents_text(service, lang)}"
    if kind == "ask_cost":
        return f"{head}{L['cost']}{L['sep']}{cost_text(service, lang)}"
    if kind == "ask_processing_time":
        return f"{head}{L['time']}{L['sep']}{time_text(service, lang)}"
    if kind == "ask_online":
        return f"{head}{online_text(service, lang)}"
    return f"{head}{L['where']}{L['sep']}\n{where_text(service, lang, district)}"


CHECKLIST: dict[str, dict[str, str]] = {
    "zh": {
        "intro": "【{label}】要办的事，按办理顺序：",
        "after": "（第{steps}步之后）",
        "optional": "（视情况）",
        "pick": "点选一项查看详情。已经办好的告诉我（例如“{example}已经办好了”），我告诉您接下来办什么。",
        "done": "好的，【{title}】已经办好。接下来可以办：",
        "all_done": "好的，【{label}】的事项都已办完。",
        "step": "{n}. {title}",
    },
    "en": {
        "intro": "{label}: what to do, in order:",
        "after": " (after step {steps})",
        "optional": " (if it applies)",
        "pick": 'Pick one for the details. Tell me what you have already done (for example "I already did the {example}") and I will tell you what comes next.',
        "done": "Good, {title} is done. Next you can do:",
        "all_done": "Good, that completes {label}.",
        "step": "{n}. {title}",
    },
}


def _step_line(step: dict[str, Any], lang: str) -> str:
    W = CHECKLIST[lang]
    line = W["step"].format(n=step["order"], title=step["title"])
    if step.get("after"):
        line += W["after"].format(steps=", ".join(str(a) for a in step["after"]) if lang == "en" else "、".join(str(a) for a in step["after"]))
    if step.get("optional"):
        line += W["optional"]
    if step.get("note"):
        line += f"：{step['note']}" if lang == "zh" else f": {step['note']}"
    return line


def checklist_text(event: dict[str, Any], lang: str) -> str:
    """An event's checklist (from a search response's ``event``) as text: the steps in order,
    what must come first, and how to go on."""
    W = CHECKLIST[lang]
    steps = event.get("steps") or []
    lines = [W["intro"].format(label=event["label"])]
    lines += [_step_line(s, lang) for s in steps]
    if steps:
        lines.append(W["pick"].format(example=steps[min(1, len(steps) - 1)]["title"]))
    return "\n".join(lines)


def select_button(hit: dict[str, Any]) -> dict[str, str]:
    return {"title": hit["title"], "payload": '/select_service{{"service_id":"{}"}}'.format(hit["id"])}
