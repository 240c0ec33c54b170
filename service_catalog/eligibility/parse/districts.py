"""Shanghai's 16 districts in free text, in Chinese or English (pure: no I/O)."""

from __future__ import annotations

import re

from ._text import normalize

__all__ = ["parse_district"]

# id, Chinese names (full, short, former districts merged into it), English syllables, English extras
_DISTRICTS: tuple[tuple[str, tuple[str, ...], tuple[str, str], tuple[str, ...]], ...] = (
    ("pudong", ("浦东新区", "浦东", "南汇"), ("pu", "dong"), ("pudong new area", "nanhui")),
    ("huangpu", ("黄浦区", "黄浦", "卢湾"), ("huang", "pu"), ("luwan",)),
    ("xuhui", ("徐汇区", "徐汇"), ("xu", "hui"), ()),
    ("changning", ("长宁区", "长宁"), ("chang", "ning"), ()),
    ("jingan", ("静安区", "静安", "闸北"), ("jing", "an"), ("zhabei",)),
    ("putuo", ("普陀区", "普陀"), ("pu", "tuo"), ()),
    ("hongkou", ("虹口区", "虹口"), ("hong", "kou"), ()),
    ("yangpu", ("杨浦区", "杨浦"), ("yang", "pu"), ()),
    ("minhang", ("闵行区", "闵行"), ("min", "hang"), ()),
    ("baoshan", ("宝山区", "宝山"), ("bao", "shan"), ()),
    ("jiading", ("嘉定区", "嘉定"), ("jia", "ding"), ()),
    ("jinshan", ("金山区", "金山"), ("jin", "shan"), ()),
    ("songjiang", ("松江区", "松江"), ("song", "jiang"), ()),
    ("qingpu", ("青浦区", "青浦"), ("qing", "pu"), ()),
    ("fengxian", ("奉贤区", "奉贤"), ("feng", "xian"), ()),
    ("chongming", ("崇明区", "崇明"), ("chong", "ming"), ()),
)


def _district_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns: list[tuple[re.Pattern[str], str]] = []
    for slug, names, (first, second), extras in _DISTRICTS:
        alternatives = [re.escape(name) for name in names]
        english = [rf"{first}[\s'\-]?{second}", *(re.escape(e) for e in extras)]
        alternatives.append(rf"(?<![a-z])(?:{'|'.join(english)})(?![a-z])")
        patterns.append((re.compile("|".join(alternatives)), slug))
    return patterns


_DISTRICT_PATTERNS = _district_patterns()


def parse_district(text: str) -> str | None:
    """Find the Shanghai district a citizen named, in Chinese or English.

    Full and short names ("浦东新区", "浦东", "Pudong", "Jing'an"), and former
    districts merged into today's (闸北 → jingan, 卢湾 → huangpu, 南汇 → pudong).

    Args:
        text: The citizen's words.

    Returns:
        The district id (e.g. ``"pudong"``) named first, or None.
    """
    norm = normalize(text)
    hits: list[tuple[int, str]] = []
    for pattern, slug in _DISTRICT_PATTERNS:
        match = pattern.search(norm)
        if match:
            hits.append((match.start(), slug))
    return min(hits)[1] if hits else None
