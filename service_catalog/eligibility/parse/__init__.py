"""Free-text answers in Chinese or English, for the chatbot (pure: no I/O).

:func:`parse_answer` turns what a citizen typed ("六十五", "I'm 58", "退休了",
"上周", "not really") into a value for a question of the bank, or None when it
cannot tell. The value is *understood*, not yet *validated*: pass it to
:func:`~service_catalog.eligibility.coerce_answer` to check min, max and
options. :func:`parse_district` finds one of Shanghai's 16 districts.

One module per kind of answer: :mod:`.numbers`, :mod:`.yes_no`,
:mod:`.choices`, :mod:`.dates`, :mod:`.districts`; :mod:`.answer` dispatches
on the question's type. See ``README.md`` in the folder above.
"""

from .answer import parse_answer
from .choices import parse_choice
from .dates import parse_date
from .districts import parse_district
from .numbers import parse_number
from .reading import CONFIDENT, Reading, read_answer, said_phrase
from .turn import Turn, understand_turn
from .yes_no import parse_yes_no

__all__ = [
    "CONFIDENT",
    "Reading",
    "Turn",
    "parse_answer",
    "parse_choice",
    "parse_date",
    "parse_district",
    "parse_number",
    "parse_yes_no",
    "read_answer",
    "said_phrase",
    "understand_turn",
]
