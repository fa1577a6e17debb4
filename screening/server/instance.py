"""The submission XML of one interview: the instance document ODK Collect would send.

Built from the instrument (groups from ``section_groups``, element names from
``Item.odk_name``), with every value exactly as FieldScreen's own ODK export writes the cell
(the same ``odk_export.Reader``: calculations computed, select_multiple space-separated,
dates as ``YYYY-MM-DD`` with their precision, a special answer as an empty value and its
``_special`` companion). Every group and field is present, empty when unanswered, as Collect
sends them; a repeat is one element per entry (none without entries), nested repeats inside
their entry; ``meta/instanceID`` last (and, for an edit of a submission sent before,
``meta/deprecatedID`` naming it, as Collect writes an edited form). A field that is not
relevant is written empty too (Collect leaves it out: JavaRosa's serializer skips
non-relevant nodes); Central's export shows either as an empty cell, and FieldScreen need
not re-decide relevance here. Each element written is checked against the published
form's primary instance, so a submission never carries a field the form on the server lacks.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from screening.engine.plan import Plan
from screening.engine.state import Instance, child_entry
from screening.errors import ErrorCode, InputError
from screening.instruments.hashing import content_hash
from screening.instruments.model import Instrument, Item, ItemType
from screening.server.xform import PublishedForm, local_name, read_model
from screening.xlsform.exporter import section_groups
from screening.xlsform.odk_export import (
    Reader,
    Submission,
    companion_suffixes,
    date_suffixes,
    element_names,
)
from screening.xlsform.store_export import interview_submission

__all__ = ["instance_id", "interview_submission", "submission_xml"]

JR_NS = "http://openrosa.org/javarosa"
ORX_NS = "http://openrosa.org/xforms"


def instance_id(interview_id: str) -> str:
    """The instanceID of an interview's submission: stable, so a resend is a duplicate."""
    return f"uuid:{interview_id}"


@functools.lru_cache(maxsize=16)
def form_paths(xml: bytes) -> frozenset[tuple[str, ...]]:
    """Every element path of the form's primary instance (element names from the root's
    children down; a repeat's template and first entry give the same paths)."""
    _, root = read_model(xml)
    found: set[tuple[str, ...]] = set()

    def walk(element: ET.Element, path: tuple[str, ...]) -> None:
        for child in element:
            here = (*path, local_name(child.tag))
            found.add(here)
            walk(child, here)

    walk(root, ())
    return frozenset(found)


_PLANS: dict[int, tuple[Instrument, Plan]] = {}


def _plan(instrument: Instrument) -> Plan:
    """The instrument's plan, kept for the last few instruments: a queue of sends builds
    many submissions of one instrument, and the plan is most of the cost of one."""
    kept = _PLANS.get(id(instrument))
    if kept is not None and kept[0] is instrument:
        return kept[1]
    plan = Plan.build(instrument, instrument.content_hash or content_hash(instrument))
    if len(_PLANS) >= 8:
        _PLANS.clear()
    _PLANS[id(instrument)] = (instrument, plan)  # holding it keeps its id from being reused
    return plan


class _Builder:
    def __init__(self, instrument: Instrument, form: PublishedForm, reader: Reader) -> None:
        self.ins = instrument
        self.reader = reader
        self.paths = form_paths(form.xml)
        self.form = form

    def element(self, parent: ET.Element, path: tuple[str, ...], name: str,
                text: str = "") -> tuple[ET.Element, tuple[str, ...]]:
        here = (*path, name)
        if here not in self.paths:
            raise InputError(
                f"the form '{self.form.form_id}' version '{self.form.version}' on the server "
                f"has no field '{'/'.join(here)}': it is not the form published for this "
                f"version of instrument '{self.ins.id}'; publish the instrument again",
                code=ErrorCode.BAD_INPUT)
        node = ET.SubElement(parent, name)
        if text:
            node.text = text
        return node, here

    def items(self, parent: ET.Element, path: tuple[str, ...], items: list[Item],
              instance: Instance) -> None:
        for item, name in zip(items, element_names(items, None), strict=True):
            if item.type is ItemType.GROUP:
                node, here = self.element(parent, path, name)
                self.items(node, here, item.items or [], instance)
            elif item.type is ItemType.REPEAT:
                for entry in self.entries(item, instance):
                    node, here = self.element(parent, path, name)
                    self.items(node, here, item.items or [], entry)
            else:
                self.leaf(parent, path, item, name, instance)

    def entries(self, repeat: Item, parent: Instance) -> Iterator[Instance]:
        for index in range(1, self.reader.count(repeat.name, parent) + 1):
            yield child_entry(parent, repeat.name, index)

    def leaf(self, parent: ET.Element, path: tuple[str, ...], item: Item, name: str,
             instance: Instance) -> None:
        text, special = self.reader.value(item, instance)
        self.element(parent, path, name, text)
        parts = dict(zip(date_suffixes(item), self.reader.date_parts(item, instance),
                         strict=True))
        for suffix in companion_suffixes(self.ins, item):
            self.element(parent, path, name + suffix, parts.get(suffix, special))


def submission_xml(instrument: Instrument, form: PublishedForm, submission: Submission, *,
                   deprecated_id: str | None = None) -> bytes:
    """The instance document for ``form`` (as read back from the server, so with the version
    Central gave it) holding ``submission``'s answers. ``deprecated_id``: the instanceID of
    the submission this one replaces (an ODK edit; Central then keeps one record with the
    new version current). InputError if the form is not the one published for this
    instrument text."""
    if form.form_id != instrument.id:
        raise InputError(f"the form on the server is '{form.form_id}', not instrument "
                         f"'{instrument.id}'", code=ErrorCode.BAD_INPUT)
    reader = Reader(instrument, _plan(instrument), submission)
    attributes = {"xmlns:jr": JR_NS, "xmlns:orx": ORX_NS, "id": form.form_id}
    if form.version:
        attributes["version"] = form.version
    root = ET.Element(form.root_name, attributes)
    builder = _Builder(instrument, form, reader)
    groups = section_groups(instrument)
    for section in instrument.sections:
        group = groups[section.name]
        if group is None:
            builder.items(root, (), section.items, None)
        else:
            node, here = builder.element(root, (), group)
            builder.items(node, here, section.items, None)
    meta, here = builder.element(root, (), "meta")
    builder.element(meta, here, "instanceID", reader.key)
    if deprecated_id:
        # Not in the form's primary instance: ODK clients add it to an edited submission.
        ET.SubElement(meta, "deprecatedID").text = deprecated_id
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data
