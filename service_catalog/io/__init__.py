"""Importers and exporters: catalogue data in and out of other formats.

``benefit_finder`` imports eligibility rules published by GSA's USAGov Benefit
Finder (see its module docstring).
"""

from .benefit_finder import (
    EN_ONLY_MARK,
    FORMATS,
    ImportedBenefit,
    ImportedCase,
    ImportedOption,
    ImportedQuestion,
    ImportedRuleset,
    RulesetFormat,
    RulesetInvalid,
    load_ruleset,
    parse_ruleset,
    register_format,
)

__all__ = [
    "EN_ONLY_MARK",
    "FORMATS",
    "ImportedBenefit",
    "ImportedCase",
    "ImportedOption",
    "ImportedQuestion",
    "ImportedRuleset",
    "RulesetFormat",
    "RulesetInvalid",
    "load_ruleset",
    "parse_ruleset",
    "register_format",
]
