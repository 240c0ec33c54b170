"""Which service, if any, the words name with little else said (pure).

"敬老卡怎么办", "我要办居住证", "how do I get a senior citizen card", "dog licence please": a person who
names a service by its title or one of its keywords, and says little besides, wants that service. The
search then puts it first and takes it as found, and it is the answer rather than the checklist of a
life event it belongs to (``index.SearchIndex.named_first``, docs/search.md "A service named").

What counts as naming, by the shape of the question and not by any phrasing list:
- a title or keyword held whole: Chinese of two characters or more anywhere in the text, other
  words of four letters or more as whole words ("card" is not in "cardiology"); a keyword in the
  first person ("lost my job") tells a situation and is not a name;
- besides every name found, at most ``NAMED_REST`` Chinese characters and ``NAMED_REST`` other
  words ("…怎么办", "how do I get a …"): a situation told at length ("儿子要买车了 拍牌 上牌 驾照这些…")
  names nothing, nor does a word of a title inside one (孩子出生了 and 出生登记);
- one service among the first ``NAMED_AMONG`` of the ranking, by its longest name: two services
  named alike (a keyword both have) change nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Service
from .text import HAN, normalise

__all__ = ["NAMED_AMONG", "NAMED_REST", "ServiceNames"]

NAMED_AMONG = 20  # how far down the fused ranking a service the words name is looked for
NAMED_REST = 5  # at most this many Chinese characters, and this many other words, besides the name
FIRST_PERSON = re.compile(r"\b(?:i|me|my|mine|we|us|our)\b|我", re.IGNORECASE)


class ServiceNames:
    """The titles and keywords of an index's services, in the index's order, as searched text."""

    def __init__(self, services: Sequence[Service]) -> None:
        self._names = [_names(service) for service in services]

    def named(self, text: str, ranked: Sequence[int]) -> int | None:
        """The one service among the first ``NAMED_AMONG`` of ``ranked`` that ``text`` names (see the
        module docstring); None when none is, or when two are named alike."""
        found = sorted(((self.named_length(text, n), -i, n) for i, n in enumerate(ranked[:NAMED_AMONG])), reverse=True)
        found = [f for f in found if f[0]]
        if not found or (len(found) > 1 and found[0][0] == found[1][0]):
            return None
        return found[0][2]

    def named_length(self, text: str, doc: int) -> int:
        """The length of the longest name of service ``doc`` that ``text`` holds when little else is said; else 0."""
        names = [name for name in self._names[doc] if _holds(text, name)]
        if not names:
            return 0
        rest = text
        for name in sorted(names, key=len, reverse=True):
            rest = rest.replace(name, " ")
        if len(HAN.findall(rest)) > NAMED_REST or len(re.findall(r"[a-z]+", rest)) > NAMED_REST:
            return 0
        return max(len(name) for name in names)


def _names(service: Service) -> tuple[str, ...]:
    """A service's titles and keywords, normalised, the ones long enough to name it. A keyword said
    in the first person ("lost my job", "sell my car", 我…) tells a situation and names nothing."""
    texts = [service.title.zh, service.title.en, *service.keywords.zh, *service.keywords.en]
    names = {normalise(t) for t in texts if t and not FIRST_PERSON.search(t)}
    return tuple(sorted(n for n in names if len(n) >= (2 if HAN.search(n) else 4)))


def _holds(text: str, name: str) -> bool:
    """Chinese names anywhere in the text; other names as whole words."""
    if HAN.search(name):
        return name in text
    return f" {name} " in " " + re.sub(r"[^\w]+", " ", text) + " "
