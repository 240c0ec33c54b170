"""GSA's USAGov Benefit Finder rules read into our criteria: the oracle the eligibility engine is tested against.

Test support, not product code. GSA publishes eligibility rules with its own
end-to-end scenarios (US federal benefits, English only, licensed for testing;
see ``../shared/external/*/SOURCE.md``). Reading them into our
:data:`~service_catalog.model.Criterion` and running our engine on GSA's
scenarios checks the engine against expectations written by someone else.

Two formats, detected by :func:`parse_ruleset`:

``px-benefit-finder`` (:mod:`.px`)
    The flattened "death of a loved one" catalogue of GSA/px-benefit-finder
    with GSA's test scenarios. Several acceptable values on one criterion are
    alternatives.
``usagov-benefits-eligibility`` (:mod:`.usagov`)
    The catalogue exported from GSA-TTS/usagov-benefits-eligibility. Several
    *date* values on one criterion must all hold ("18 to 64 years").

Both become an :class:`ImportedRuleset` (:mod:`.ruleset`): questions by id,
and benefits whose criteria are all of the benefit's criteria, acceptable
values becoming ``in``/``eq`` (:mod:`._criteria`). Encoded date rules become
date conditions: ``<2years`` → ``within_years 2``, ``>=60years`` and
``>60years`` → ``before_years 60`` (age at least 60; USAGov's labels read
``>`` that way), ``>=05-20-2020`` → ``ge "2020-05-20"``. Whole years are
counted as an age is, so a rule and GSA's own code can differ on the
anniversary day itself, never otherwise. Option texts that match no option
exactly are read loosely (:mod:`._matching`) and named in ``warnings``.

The sources are English only; where our model needs a
:class:`~service_catalog.model.LocalizedText`, the Chinese side repeats the
English after :data:`EN_ONLY_MARK`.
"""

from .errors import RulesetInvalid
from .load import load_ruleset, parse_ruleset
from .ruleset import EN_ONLY_MARK, ImportedBenefit, ImportedCase, ImportedOption, ImportedQuestion, ImportedRuleset

__all__ = [
    "EN_ONLY_MARK",
    "ImportedBenefit",
    "ImportedCase",
    "ImportedOption",
    "ImportedQuestion",
    "ImportedRuleset",
    "RulesetInvalid",
    "load_ruleset",
    "parse_ruleset",
]
