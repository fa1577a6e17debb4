"""Translation review (issue #16): the path of one language from ``machine`` to ``reviewed``.

``review_texts`` lists every text of an instrument a translator must check, each with a stable,
readable id (``item:hours_per_day:text``, ``choice:yes_no:yes``, ``outcome:refer``, ``consent``)
and the place in the instrument it comes from. ``review_sheet`` writes those texts as a
spreadsheet for the reviewer and reads it back; ``apply_review`` applies a filled-in sheet and
returns the new instrument: edits applied, the review recorded in ``provenance.reviews``, a new
version (wording changes the content hash) and the language ``reviewed`` only when every text
has a verdict and none is ``problem``. A review never touches the validation status: a reviewed
translation is not a validated instrument.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from screening.errors import ErrorCode, InputError
from screening.i18n import is_rtl
from screening.i18n.tags import normalize_language
from screening.instruments.hashing import content_hash
from screening.instruments.model import Instrument, Item, ItemType, Text, TranslationReview

TextPath = tuple[str | int, ...]
VERDICTS = ("ok", "changed", "problem")
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
# The sentence the shipped files' language notes carry until a person has reviewed them.
_NOT_REVIEWED = re.compile(r"[;,.]?\s*not (yet )?reviewed by a qualified translator\.?")
# The shipped files' whole note: "Machine translation (Brazilian spelling); not reviewed by a
# qualified translator." After a sign-off it says what the text is now, keeping the detail.
_STATUS_NOTE = re.compile(r"(?:machine|draft) translation(?: \((?P<detail>[^)]*)\))?"
                          r"(?:[:;,][^;]*)?; not (?:yet )?reviewed by a qualified translator\.?",
                          re.IGNORECASE)


@dataclass(frozen=True)
class ReviewText:
    """One translatable text: ``path`` leads to its ``Text`` in ``model_dump(mode="json")``."""

    id: str
    where: str  # the section and item it belongs to, for the reviewer
    kind: str  # what the text is and who sees or hears it
    path: TextPath
    text: Text


def _item_kind(item: Item) -> str:
    if item.type is ItemType.OBSERVATION:
        return "officer's observation - not read aloud"
    if item.is_container:
        return "heading of a group of questions"
    if item.type is ItemType.NOTE:
        return "note shown or read to the person"
    if item.type is ItemType.ACKNOWLEDGE:
        return "statement read aloud, to acknowledge"
    return "question read aloud"


_ITEM_FIELDS = (
    ("text", None),
    ("hint", "hint shown with the question"),
    ("guidance", "officer guidance - not read aloud"),
    ("constraint_message", "message when an answer is not accepted"),
    ("required_message", "message when an answer is missing"),
)


def _items(items: list[Item], base: TextPath, section: str) -> Iterator[ReviewText]:
    for index, item in enumerate(items):
        path = (*base, index)
        where = f"{section} > {item.name}"
        for key, kind in _ITEM_FIELDS:
            text: Text | None = getattr(item, key)
            if text:
                yield ReviewText(f"item:{item.name}:{key}", where, kind or _item_kind(item),
                                 (*path, key), text)
        if isinstance(item.choices, list):
            for c_index, choice in enumerate(item.choices):
                yield ReviewText(f"item:{item.name}:choice:{choice.name}", where,
                                 "answer choice", (*path, "choices", c_index, "label"),
                                 choice.label)
        if item.items:
            yield from _items(item.items, (*path, "items"), section)


def review_texts(ins: Instrument) -> list[ReviewText]:
    """Every text of ``ins`` a translation review covers, in a stable order."""
    src = ins.source_language
    rows = [ReviewText("title", "instrument", "title - on screen and in the packet",
                       ("title",), ins.title),
            ReviewText("purpose", "instrument", "purpose - shown to the officer",
                       ("purpose",), ins.purpose)]
    if ins.validation.note:
        rows.append(ReviewText("validation_note", "instrument",
                               "validation note - shown to the officer and in the packet",
                               ("validation", "note"), ins.validation.note))
    if ins.consent:
        rows.append(ReviewText("consent", "start", "consent - read aloud to the person",
                               ("consent",), ins.consent))
    for name, notice in (ins.notices or {}).items():
        rows.append(ReviewText(f"notice:{name}", "start", "notice - read aloud to the person",
                               ("notices", name), notice))
    for index, section in enumerate(ins.sections):
        title = section.title.get(src, section.name)
        rows.append(ReviewText(f"section:{section.name}:title", title, "section heading",
                               ("sections", index, "title"), section.title))
        rows.extend(_items(section.items, ("sections", index, "items"), title))
    for list_name, choices in ins.choice_lists.items():
        users = [i.name for i in ins.walk() if i.choices == list_name
                 or (list_name == "yes_no" and i.choices is None
                     and i.type in (ItemType.YES_NO, ItemType.OBSERVATION))]
        where = f"answer choices of: {', '.join(users)}" if users else "answer choices"
        for c_index, choice in enumerate(choices):
            rows.append(ReviewText(f"choice:{list_name}:{choice.name}", where, "answer choice",
                                   ("choice_lists", list_name, c_index, "label"), choice.label))
    officer = "officer and packet - never read aloud"
    for index, domain in enumerate(ins.domains):
        rows.append(ReviewText(f"domain:{domain.name}:label", "result",
                               f"indicator area - {officer}", ("domains", index, "label"),
                               domain.label))
    for index, ind in enumerate(ins.indicators):
        rows.append(ReviewText(f"indicator:{ind.name}:label", "result", f"indicator - {officer}",
                               ("indicators", index, "label"), ind.label))
    for index, flag in enumerate(ins.flags):
        rows.append(ReviewText(f"flag:{flag.name}:label", "result", f"safety flag - {officer}",
                               ("flags", index, "label"), flag.label))
        if flag.message:
            rows.append(ReviewText(f"flag:{flag.name}:message", "result",
                                   f"safety flag message - {officer}",
                                   ("flags", index, "message"), flag.message))
    for index, route in enumerate(ins.routes):
        rows.append(ReviewText(f"route:{route.name}:message", "result",
                               "message sending the officer to another screen",
                               ("routes", index, "message"), route.message))
    for level, label in ins.outcome.labels.items():
        rows.append(ReviewText(f"outcome:{level}", "result",
                               f"screening result - {officer}",
                               ("outcome", "labels", level), label))
    return rows


def review_language(ins: Instrument, lang: str) -> str:
    """The declared language ``lang`` names (``zh-Hans`` is ``zh_Hans``); exit 2 for the source
    language or a language the instrument does not declare."""
    declared = [code for code in ins.languages if code != ins.source_language]
    if lang.replace("-", "_").lower() == ins.source_language.lower():
        raise InputError(
            f"'{lang}' is the source language of '{ins.id}'; a review sheet is for one of its "
            f"translations: {', '.join(declared) or 'none'}", code=ErrorCode.BAD_INPUT)
    exact = {code.lower(): code for code in declared}
    found = exact.get(lang.replace("-", "_").lower())
    if found is None:
        if not declared:
            raise InputError(f"'{ins.id}' has no translations to review",
                             code=ErrorCode.BAD_INPUT)
        try:
            found = normalize_language(lang, declared)
        except InputError:
            raise InputError(f"unknown language '{lang}' for '{ins.id}' (its translations: "
                             f"{', '.join(declared)})", code=ErrorCode.BAD_INPUT) from None
    return found


def rtl(lang: str) -> bool:
    return is_rtl(lang)


# -- applying a filled-in sheet ---------------------------------------------------------------
@dataclass(frozen=True)
class SheetRow:
    """One row as the reviewer left it (text cells already read back exactly)."""

    row: int  # spreadsheet row number
    id: str
    source: str
    translation: str
    back_translation: str
    comment: str
    verdict: str | None  # "ok", "changed", "problem" or None (no verdict yet)


@dataclass
class ReviewSheet:
    file: str
    sha256: str
    instrument_id: str
    version: str
    content_hash: str
    language: str
    rows: list[SheetRow]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    row: int
    id: str
    old: str
    new: str


@dataclass(frozen=True)
class Blocking:
    row: int
    id: str
    verdict: str | None


@dataclass
class ReviewResult:
    instrument: Instrument
    content_hash: str
    language: str
    status: str
    review: TranslationReview
    changed: list[Change]
    blocking: list[Blocking]
    notes: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument.id,
            "version": self.instrument.version,
            "language": self.language,
            "status": self.status,
            "changed": [{"id": c.id, "old": c.old, "new": c.new} for c in self.changed],
            "blocking": [{"row": b.row, "id": b.id, "verdict": b.verdict}
                         for b in self.blocking],
        }


def next_version(version: str) -> str:
    """``1.1.0`` -> ``1.1.1``: the last number in the version, plus one."""
    matches = list(re.finditer(r"\d+", version))
    if not matches:
        raise InputError(f"version '{version}' has no number to increase; give --version",
                         code=ErrorCode.BAD_INPUT)
    last = matches[-1]
    return version[:last.start()] + str(int(last.group()) + 1) + version[last.end():]


def check_reviewer(reviewer: str) -> str:
    name, sep, role = (reviewer or "").partition(",")
    if not sep or not name.strip() or not role.strip():
        raise InputError('give the reviewer as "NAME, ROLE" (for example "A. Example, '
                         'certified translator")', code=ErrorCode.BAD_INPUT)
    return f"{name.strip()}, {role.strip()}"


def signed_off_note(note: str, reviewer: str, date: str) -> str:
    """A language note after a sign-off: it says what the text is now. The shipped form
    ("Machine translation (detail); not reviewed by a qualified translator.") is rewritten,
    keeping its detail; another note keeps its words after the new first sentence."""
    done = f"Translation reviewed by {reviewer} on {date}"
    whole = _STATUS_NOTE.fullmatch(note.strip())
    if whole:
        detail = whole.group("detail")
        return f"Translation ({detail}) reviewed by {reviewer} on {date}." if detail \
            else f"{done}."
    rest = _NOT_REVIEWED.sub("", note).strip()
    return f"{done}. Earlier note: {rest}" if rest else f"{done}."


def language_reviews(ins: Instrument) -> dict[str, tuple[str | None, str | None]]:
    """{language: (reviewer, date)} for every ``reviewed`` language of ``ins``: its
    ``languages`` entry, else its latest review in ``provenance.reviews``; (None, None) when
    the file names nobody. The CLI's list and the app's cards both say this."""
    out: dict[str, tuple[str | None, str | None]] = {}
    for code, info in ins.languages.items():
        if info.status != "reviewed":
            continue
        by, on = info.reviewed_by, info.reviewed_on
        if not by:
            reviews = [r for r in ins.provenance.reviews if r.language == code]
            if reviews:
                by, on = reviews[-1].reviewer, reviews[-1].date
        out[code] = (by, on)
    return out


def _set(data: Any, path: TextPath, lang: str, value: str) -> None:
    for key in path:
        data = data[key]
    data[lang] = value


def apply_review(ins: Instrument, sheet: ReviewSheet, *, reviewer: str, date: str,
                 version: str | None = None) -> ReviewResult:
    """The instrument with the sheet's wording applied and the review recorded.

    ``sheet`` was read (and checked against ``ins``) by ``review_sheet.read_review_sheet``.
    """
    lang = sheet.language
    reviewer = check_reviewer(reviewer)
    new_version = version or next_version(ins.version)
    if new_version == ins.version:
        raise InputError(f"the reviewed instrument needs a new version, not {ins.version} "
                         "again: its wording and content hash change", code=ErrorCode.BAD_INPUT)
    texts = {t.id: t for t in review_texts(ins)}
    data = ins.model_dump(mode="json")
    changed: list[Change] = []
    blocking: list[Blocking] = []
    notes = list(sheet.notes)
    for row in sheet.rows:
        text = texts[row.id]
        old = text.text.get(lang, "")
        if row.translation != old:
            changed.append(Change(row.row, row.id, old, row.translation))
            _set(data, text.path, lang, row.translation)
            if row.verdict == "ok":
                notes.append(f"row {row.row} ({row.id}): the translation was changed but the "
                             "verdict is 'ok'; counted as changed")
        elif row.verdict == "changed":
            notes.append(f"row {row.row} ({row.id}): verdict 'changed' but the translation is "
                         "the same as before")
        if row.verdict not in ("ok", "changed"):
            blocking.append(Blocking(row.row, row.id, row.verdict))
    if not changed and all(row.verdict is None for row in sheet.rows):
        raise InputError(f"{sheet.file}: no translation was changed and no row has a verdict: "
                         "nothing to apply (was the filled-in sheet saved?)",
                         code=ErrorCode.BAD_INPUT)
    info = data["languages"][lang]
    before = info["status"]
    if not blocking:
        status = "reviewed"
        info.update(status="reviewed", reviewed_by=reviewer, reviewed_on=date)
        if info.get("note"):
            info["note"] = signed_off_note(info["note"], reviewer, date)
    else:
        # Edits are kept, but nobody signed the whole language off: a reviewed language with
        # unreviewed edits becomes a draft again.
        status = "draft" if before == "reviewed" and changed else before
        info["status"] = status
        if status != "reviewed":
            info["reviewed_by"] = info["reviewed_on"] = None
        if status == "draft" and before == "reviewed":
            # The old note names the reviewer of a text that has changed since.
            info["note"] = (f"Draft translation: edited in a review by {reviewer} on {date} "
                            "that was not signed off; not reviewed by a qualified translator.")
    review = TranslationReview(language=lang, reviewer=reviewer, date=date, texts=len(sheet.rows),
                               changed=len(changed), from_version=ins.version,
                               sheet_sha256=sheet.sha256)
    data["provenance"]["reviews"] = [*data["provenance"].get("reviews", []),
                                     review.model_dump(mode="json")]
    data["version"] = new_version
    data["content_hash"] = None
    new = Instrument.model_validate(data)
    digest = content_hash(new)
    new = new.model_copy(update={"content_hash": digest})
    if changed and ins.validation.status == "validated":
        notes.append(f"'{ins.id}' is declared validated: its validation covers the wording it "
                     f"was tested with, not the wording this review changed in '{lang}'")
    return ReviewResult(new, digest, lang, status, review, changed, blocking, notes)


# -- writing the reviewed instrument ------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    # The instrument loader refuses YAML aliases; never write any.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and value == value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def leading_comments(text: str) -> str:
    """The comment block at the top of an instrument file (its history and notes)."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def reviewed_yaml(result: ReviewResult, *, comments: str = "") -> str:
    """The reviewed instrument as an instrument file (loads to the same instrument)."""
    ins = result.instrument
    review = result.review
    info = ins.languages[result.language]
    if result.status == "reviewed":
        line = (f"# {ins.version}: {info.name} ({result.language}) translation reviewed by "
                f"{review.reviewer} on {review.date}")
    else:
        line = (f"# {ins.version}: {info.name} ({result.language}) translation edited in a review "
                f"by {review.reviewer} on {review.date}, not signed off "
                f"({len(result.blocking)} text(s) without a verdict or with a problem)")
    line += (f"; {review.changed} of {review.texts} texts changed; made from version "
             f"{review.from_version} by `fieldscreen instruments apply-review`.\n")
    data = ins.model_dump(mode="json", exclude_defaults=True)
    data["content_hash"] = result.content_hash
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)
    return comments + line + body


__all__ = [
    "VERDICTS",
    "Blocking",
    "Change",
    "ReviewResult",
    "ReviewSheet",
    "ReviewText",
    "SheetRow",
    "apply_review",
    "check_reviewer",
    "language_reviews",
    "leading_comments",
    "next_version",
    "review_language",
    "review_texts",
    "reviewed_yaml",
    "rtl",
    "signed_off_note",
]
