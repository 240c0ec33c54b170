"""Who a check is for: the citizen, or someone they ask for (a parent, a child) (pure: no I/O).

A check on behalf of someone else asks the same questions about that person: "How old is your
mother?" / "您母亲今年多少岁？". The wording is data, per question (``text_other`` in
``data/questions/*.yaml``, with the placeholders filled from the table here), because a rule
that rewrites "you" cannot get Chinese or English grammar right ("Did your job end against your
will?" → "Did your mother's job end against her will?"). A question without ``text_other`` (an
imported catalogue) keeps its own text, introduced with the person ("For your mother: ...").

Only the relation is kept and sent between the services; it is not personal data. Names or ID
numbers the citizen types about the other person are text like any other and are masked where
text is logged or stored (``service_catalog/privacy.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Question

__all__ = ["RELATIONS", "SELF", "Person", "person", "question_text"]

SELF = "self"
"""The citizen themself: the check as it always was (no ``Person``)."""


@dataclass(frozen=True)
class Person:
    """How one relation is worded in one language.

    Attributes:
        relation: The relation's id (``mother``, ``son``, ``relative``...).
        noun: The relation as a bare noun, for a third party such as an agent: "mother" / "母亲".
        who: The person as a subject or object: "your mother" / "您母亲".
        whose: The possessive: "your mother's" / "您母亲的".
        their: The possessive pronoun: "her" / "她的".
        them: The object pronoun: "her" / "她".
        they: The subject pronoun: "she" / "她".
    """

    relation: str
    noun: str
    who: str
    whose: str
    their: str
    them: str
    they: str

    def fill(self, template: str) -> str:
        """``template`` with the placeholders of ``model.PERSON_PLACEHOLDERS`` filled in."""
        return template.format(who=self.who, whose=self.whose, their=self.their, them=self.them, they=self.they)


def _en(relation: str, noun: str, pronoun: str) -> Person:
    their, them, they = {"her": ("her", "her", "she"), "his": ("his", "him", "he"), "their": ("their", "them", "they")}[pronoun]
    return Person(relation, noun, f"your {noun}", f"your {noun}'s", their, them, they)


def _zh(relation: str, noun: str, who: str, pronoun: str, whose: str | None) -> Person:
    return Person(relation, noun, who, whose or f"{who}的", f"{pronoun}的" if pronoun != "其" else "其", pronoun, pronoun)


# relation: (English noun, English pronoun; Chinese noun, noun phrase, pronoun, possessive if not phrase + 的).
_TABLE: dict[str, tuple[str, str, str, str, str, str | None]] = {
    "mother": ("mother", "her", "母亲", "您母亲", "她", None),
    "father": ("father", "his", "父亲", "您父亲", "他", None),
    "parent": ("parent", "their", "父亲或母亲", "您的父亲或母亲", "其", "您父亲或母亲的"),
    "wife": ("wife", "her", "妻子", "您妻子", "她", None),
    "husband": ("husband", "his", "丈夫", "您丈夫", "他", None),
    "spouse": ("spouse", "their", "配偶", "您的配偶", "其", "您配偶的"),
    "son": ("son", "his", "儿子", "您儿子", "他", None),
    "daughter": ("daughter", "her", "女儿", "您女儿", "她", None),
    "child": ("child", "their", "孩子", "您的孩子", "孩子", "您孩子的"),
    "grandmother": ("grandmother", "her", "奶奶或外婆", "您家老人", "老人", None),
    "grandfather": ("grandfather", "his", "爷爷或外公", "您家老人", "老人", None),
    "grandparent": ("grandparent", "their", "祖父母", "您家老人", "老人", None),
    "grandchild": ("grandchild", "their", "孙辈", "您的孙辈", "孩子", "您孙辈的"),
    "brother": ("brother", "his", "兄弟", "您的兄弟", "他", "您兄弟的"),
    "sister": ("sister", "her", "姐妹", "您的姐妹", "她", "您姐妹的"),
    "relative": ("family member", "their", "家人", "您的家人", "其", "您家人的"),
    "friend": ("friend", "their", "朋友", "您的朋友", "其", "您朋友的"),
}

RELATIONS: tuple[str, ...] = (SELF, *_TABLE)
"""Every relation a check can be for, ``self`` first."""

_PEOPLE: dict[str, dict[str, Person]] = {
    relation: {"en": _en(relation, noun, pronoun), "zh": _zh(relation, zh_noun, zh_who, zh_pronoun, zh_whose)}
    for relation, (noun, pronoun, zh_noun, zh_who, zh_pronoun, zh_whose) in _TABLE.items()
}

_INTRO = {"en": "For {who}: {text}", "zh": "（{who}的情况）{text}"}


def person(relation: str | None, lang: str) -> Person | None:
    """The wording of ``relation`` in ``lang`` (Chinese for ``"zh"``, else English); None for the citizen.

    Raises:
        ValueError: an unknown relation (the HTTP models refuse it first, naming the field).
    """
    if relation is None or relation == SELF:
        return None
    if relation not in _PEOPLE:
        raise ValueError(f"unknown relation {relation!r}; valid: {', '.join(RELATIONS)}")
    return _PEOPLE[relation]["zh" if lang == "zh" else "en"]


def question_text(question: Question, who: Person | None, lang: str) -> str:
    """The question as asked about ``who``: its ``text_other`` filled in, else its text introduced with the person."""
    own = question.text.get(lang)
    if who is None:
        return own
    if question.text_other is not None:
        return who.fill(question.text_other.get(lang))
    return _INTRO["zh" if lang == "zh" else "en"].format(who=who.who, text=own)
