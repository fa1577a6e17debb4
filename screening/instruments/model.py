"""The instrument schema (pydantic). Field names are the YAML keys.

Text that is shown to people is a ``Text``: a mapping from language code to wording, so that
every language lives beside the source and a missing translation is a load error.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Text = dict[str, str]

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.\-]*$"
FORMAT_V1 = "fieldscreen-instrument/1"


class _Strict(BaseModel):
    # extra="forbid": a misspelt key ("relevent") is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    NOTE = "note"
    ACKNOWLEDGE = "acknowledge"
    CALCULATE = "calculate"
    HIDDEN = "hidden"
    OBSERVATION = "observation"
    GROUP = "group"
    REPEAT = "repeat"


# Types that hold an answer given by a person (respondent or officer).
ANSWERABLE = frozenset(
    {
        ItemType.SINGLE_CHOICE,
        ItemType.MULTIPLE_CHOICE,
        ItemType.YES_NO,
        ItemType.TEXT,
        ItemType.INTEGER,
        ItemType.DECIMAL,
        ItemType.DATE,
        ItemType.TIME,
        ItemType.DATETIME,
        ItemType.ACKNOWLEDGE,
        ItemType.OBSERVATION,
    }
)
CHOICE_TYPES = frozenset(
    {ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.YES_NO, ItemType.OBSERVATION}
)
CONTAINERS = frozenset({ItemType.GROUP, ItemType.REPEAT})
Special = Literal["refused", "dont_know"]
YES_NO_LIST = "yes_no"


class LanguageInfo(_Strict):
    name: str
    status: Literal["source", "reviewed", "machine", "draft"]
    reviewed_by: str | None = None  # "NAME, ROLE" of whoever signed the review off
    reviewed_on: str | None = None  # ISO date of that review
    # Published tools found language-specific cut-offs; a per-language threshold overrides.
    note: str | None = None


class TranslationReview(_Strict):
    """One review of one language (``instruments apply-review``): who, when, how much changed."""

    language: str
    reviewer: str
    date: str  # ISO date
    texts: int  # rows in the review sheet
    changed: int  # texts whose wording the review changed
    from_version: str  # the instrument version the sheet was made from
    sheet_sha256: str | None = None


class Provenance(_Strict):
    source_framework: str
    citation: str
    authored_by: str
    wording: str = Field(
        description="how the wording relates to the source, e.g. 'own words, not the "
        "published wording'",
    )
    url: str | None = None
    licence: str | None = None
    reviews: list[TranslationReview] = Field(default_factory=list)


# What the instrument's evidence is, exactly as the file declares it (README "Instruments"):
# - validated: tested against a reference standard; ``citation`` names the study;
# - adapted: adapted from a validated tool (``citation`` should name that tool), not itself
#   validated;
# - indicator_based: built from published indicator frameworks (ILO, ILO-EC ...), never
#   validated as a questionnaire; it must declare indicators;
# - guidance_based: built from published practice guidance (e.g. WHO interviewing
#   recommendations), not from a tool or an indicator list; not validated;
# - draft: not validated and not reviewed.
ValidationStatus = Literal["validated", "adapted", "indicator_based", "guidance_based", "draft"]
VALIDATION_STATUSES: tuple[ValidationStatus, ...] = (
    "validated", "adapted", "indicator_based", "guidance_based", "draft")


class Validation(_Strict):
    status: ValidationStatus
    citation: str | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _validated_needs_citation(self) -> Validation:
        if self.status == "validated" and not self.citation:
            raise ValueError("validation status 'validated' needs a citation")
        return self


# Choice names are stored values, not references: XLSForms use "1", "2022" or "20_-_50".
# They only must not contain white space (select_multiple answers are space-separated).
CHOICE_NAME_PATTERN = r"^\S+$"


class Choice(_Strict):
    name: str = Field(pattern=CHOICE_NAME_PATTERN)
    label: Text
    filter: dict[str, str] | None = None  # choice_filter columns from XLSForms


class Item(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    # The XForm element name, where the import had to rename the item to make names unique
    # (a name used twice, a loop's copies): ODK-shaped exports write this name.
    odk_name: str | None = None
    type: ItemType
    text: Text | None = None
    guidance: Text | None = None
    hint: Text | None = None
    required: bool | str = False
    required_message: Text | None = None
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Text | None = None
    calculation: str | None = None
    # The XForm data type a calculation's result is stored as (XLSForm ``bind::type``, or
    # the type of a question that has a calculation): "int" truncates as Collect does.
    value_type: Literal["int", "decimal", "date", "dateTime"] | None = None
    default: Any = None
    read_only: bool = False
    special: list[Special] | None = None  # None: the instrument's default
    choices: str | list[Choice] | None = None
    choice_filter: str | None = None
    appearance: str | None = None
    repeat_count: str | None = None
    items: list[Item] | None = None
    # Held back while someone who came with the person is in the room (discreet mode,
    # issue #14); a group's or repeat's items inherit it.
    sensitive: bool = False

    @property
    def is_container(self) -> bool:
        return self.type in CONTAINERS

    @property
    def is_answerable(self) -> bool:
        return self.type in ANSWERABLE

    @property
    def is_observation(self) -> bool:
        """Observation items are answered by the officer and never read aloud."""
        return self.type is ItemType.OBSERVATION

    def walk(self) -> Iterator[Item]:
        yield self
        for child in self.items or ():
            yield from child.walk()


class Section(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    title: Text
    relevant: str | None = None
    items: list[Item]
    # Every item of the section is held back while a companion is present (issue #14).
    # Left out of the content hash when false, so older texts keep their hash.
    sensitive: bool = False


# The three elements of the Palermo Protocol definition (art. 3(a)): the *act* (recruitment,
# transport, transfer, harbouring, receipt), the *means* (threat, force, coercion, deception,
# abuse of vulnerability, debt ...) and the *purpose* (exploitation). For a child the means are
# not needed (art. 3(c)).
Element = Literal["act", "means", "purpose"]
ELEMENTS: tuple[Element, ...] = ("act", "means", "purpose")
Strength = Literal["strong", "medium", "weak"]


class Indicator(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    domain: str
    label: Text
    when: str
    # How much weight one indicator carries, graded as the ILO-EC operational indicators
    # (2009) grade theirs; ``graded`` outcome rules count them.
    strength: Strength | None = None
    element: Element | None = None
    dimension: str | None = None
    framework_ref: str | None = None  # e.g. "ILO-11:7 retention of identity documents"


class Flag(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    kind: Literal["immediate_danger", "minor", "medical", "other"]
    label: Text
    when: str
    message: Text | None = None
    # Urgent flags make the outcome refer_urgent; others (e.g. "the respondent is a minor",
    # which holds for every youth screen) are shown prominently but do not escalate.
    urgent: bool = True


class Route(_Strict):
    """Send the officer to another instrument, e.g. an adult answering a youth screen."""

    name: str = Field(pattern=NAME_PATTERN)
    when: str
    instrument: str
    message: Text


class Domain(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    label: Text


OutcomeLevel = Literal[
    "refer_urgent", "refer", "some_indicators", "incomplete", "no_indicators", "officer_judgement"
]
OUTCOME_LEVELS: tuple[str, ...] = (
    "refer_urgent",
    "refer",
    "some_indicators",
    "incomplete",
    "no_indicators",
    "officer_judgement",
)


class WeightedRule(_Strict):
    """ILO/EC operational-indicator style: strengths per dimension, dimensions combined.

    ``dimension_present`` lists minimum counts per strength; a dimension is present when any
    one of them is met. ``combine`` lists groups of dimensions; the rule is met when every
    group has at least one present dimension.
    """

    dimension_present: list[dict[Literal["strong", "medium", "weak"], int]]
    combine: list[list[str]]


class GradedCondition(_Strict):
    """One way to reach "refer": at least ``strong`` strong indicators, at least ``medium``
    indicators of medium strength or stronger, and one indicator or more of medium strength or
    stronger for each listed Palermo element (weak ones, risk factors, never count for an
    element). Every part given must hold."""

    strong: int = 0
    medium: int = 0
    elements: list[Element] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> GradedCondition:
        if not (self.strong or self.medium or self.elements):
            raise ValueError("a 'refer_when' condition needs 'strong', 'medium' or 'elements'")
        return self


class GradedRule(_Strict):
    """Refer when any one condition holds; indicators found that meet none give
    ``some_indicators`` (noted, not enough on their own for a referral)."""

    refer_when: list[GradedCondition] = Field(min_length=1)


class Outcome(_Strict):
    rule: Literal["any", "threshold", "weighted", "graded", "judgement"]
    threshold: int | None = None
    threshold_by_language: dict[str, int] | None = None
    weighted: WeightedRule | None = None
    graded: GradedRule | None = None
    core_items: list[str] | None = None  # default: every item an indicator refers to
    labels: dict[OutcomeLevel, Text]

    @model_validator(mode="after")
    def _rule_parameters(self) -> Outcome:
        if self.rule == "threshold" and (self.threshold is None or self.threshold < 1):
            raise ValueError("rule 'threshold' needs 'threshold' of at least 1")
        if self.rule == "weighted" and self.weighted is None:
            raise ValueError("rule 'weighted' needs a 'weighted' block")
        if self.rule == "graded" and self.graded is None:
            raise ValueError("rule 'graded' needs a 'graded' block with 'refer_when'")
        return self


def _both_specials() -> list[Special]:
    return ["refused", "dont_know"]


class Instrument(_Strict):
    format: Literal["fieldscreen-instrument/1"]
    id: str = Field(pattern=NAME_PATTERN)
    version: str
    title: Text
    population: Literal["adult", "youth", "any"]
    purpose: Text
    provenance: Provenance
    validation: Validation
    source_language: str
    languages: dict[str, LanguageInfo]
    typical_minutes: int | None = None
    special_answers: list[Special] = Field(default_factory=_both_specials)
    consent: Text | None = None
    notices: dict[str, Text] | None = None  # e.g. mandatory-reporting notice for minors
    choice_lists: dict[str, list[Choice]] = Field(default_factory=dict)
    sections: list[Section]
    domains: list[Domain] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
    outcome: Outcome
    content_hash: str | None = None

    def walk(self) -> Iterator[Item]:
        """Every item, containers included, in document order."""
        for section in self.sections:
            for item in section.items:
                yield from item.walk()

    def sensitive_sections(self) -> list[str]:
        """Sections with items held back while a companion is present (issue #14)."""
        return [s.name for s in self.sections
                if s.sensitive or any(i.sensitive for top in s.items for i in top.walk())]

    def item_map(self) -> dict[str, Item]:
        return {item.name: item for item in self.walk()}

    def choices_for(self, item: Item) -> list[Choice]:
        if isinstance(item.choices, list):
            return item.choices
        if isinstance(item.choices, str):
            return self.choice_lists.get(item.choices, [])
        if item.type in (ItemType.YES_NO, ItemType.OBSERVATION):
            return self.choice_lists.get(YES_NO_LIST, [])
        return []

    def specials_for(self, item: Item) -> list[str]:
        if not item.is_answerable or item.type is ItemType.ACKNOWLEDGE:
            return []
        return list(item.special if item.special is not None else self.special_answers)

    def text(self, text: Text | None, lang: str) -> str:
        """Wording in ``lang``, else the source language (the loader ensures both exist)."""
        if not text:
            return ""
        return text.get(lang) or text.get(self.source_language) or ""

    def __repr__(self) -> str:
        return f"Instrument(id={self.id!r}, version={self.version!r})"
Item.model_rebuild()
