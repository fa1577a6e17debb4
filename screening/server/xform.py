"""The XForm FieldScreen publishes to ODK Central, and reading back the one Central serves.

``publishable_xform`` converts the instrument's XLSForm export (``export_xlsform``) with
pyxform, in memory, and changes three things so that Central's CSV export of what FieldScreen
sends has exactly the columns of FieldScreen's own ODK export (``odk_export.odk_rows``):

* settings ``version`` is ``server_form_version`` (two texts with one version string differ);
* every companion column ``odk_rows`` writes (``<name>_precision``, ``_approximate``,
  ``_<calendar>`` of a date, ``_special`` of an item that allows special answers) is a hidden
  field right after its item, in the same group or repeat;
* elements are named as the form FieldScreen imported names them (``Item.odk_name``: a name
  used twice, a loop's copies). pyxform needs unique names to resolve ``${name}``, so the
  form is converted with FieldScreen's unique names and the elements are renamed afterwards,
  in the primary instance and in every XPath (binds, body refs, ``output``, ``jr:count``).

With a public key the form gets ``<submission base64RsaPublicKey=... method="form-data-post">``:
ODK clients then send only encrypted submissions.
"""

from __future__ import annotations

import base64
import re
import warnings as pywarnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from screening.errors import ErrorCode, InputError
from screening.instruments.hashing import content_hash
from screening.instruments.model import Instrument, Item, ItemType
from screening.xlsform.exporter import export_xlsform, section_groups
from screening.xlsform.odk_export import (
    APPROXIMATE_SUFFIX,
    PRECISION_SUFFIX,
    SPECIAL_SUFFIX,
    companion_suffixes,
    element_names,
)

XFORMS_NS = "http://www.w3.org/2002/xforms"
XHTML_NS = "http://www.w3.org/1999/xhtml"
SUBMISSION_METHOD = "form-data-post"
# Attributes that hold an XPath in what pyxform writes; ids, languages, types and texts do not.
_XPATH_ATTRIBUTES = frozenset(
    {"nodeset", "ref", "calculate", "relevant", "constraint", "required", "readonly",
     "jr:count", "value"}
)
# A string literal (left alone), or a name as XPath reads one (``a.b-c`` is one name).
_XPATH_TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|[^\W\d][\w.\-]*")
_NAME_BEFORE = re.compile(r"[\w.\-@$:]")


@dataclass(frozen=True)
class PublishedForm:
    """A form as the server has it: what a submission must carry (id, version, root
    element) and whether it must be encrypted (``public_key``)."""

    form_id: str
    version: str
    public_key: str | None
    root_name: str
    xml: bytes


def server_form_version(instrument: Instrument) -> str:
    """``<version>+<first 8 hex digits of the content hash>``: two instrument texts with the
    same version string are two form versions on the server."""
    digest = (instrument.content_hash or content_hash(instrument)).removeprefix("sha256:")
    return f"{instrument.version}+{digest[:8]}"


# -- the companion fields and the renames --------------------------------------------------
_WHAT = {
    SPECIAL_SUFFIX: "its special answers (refused, don't know)",
    PRECISION_SUFFIX: "the precision of the date",
    APPROXIMATE_SUFFIX: "whether the date is approximate",
}


@dataclass(frozen=True)
class _Layout:
    hidden: dict[str, list[dict[str, str]]]  # item name -> hidden rows to put after it
    renames: dict[str, str]  # element name pyxform writes -> the published element name


def _layout(instrument: Instrument) -> _Layout:
    """The hidden companion rows and the element renames; InputError where a companion's
    name is already an element beside it (or two items would be written alike)."""
    taken = {item.name for item in instrument.walk()}
    groups = section_groups(instrument)
    taken |= {g for g in groups.values() if g} | {"meta"}
    hidden: dict[str, list[dict[str, str]]] = {}
    renames: dict[str, str] = {}

    def siblings(items: list[Item], others: Iterable[str]) -> None:
        owner = {name: f"the group '{name}'" for name in others}
        for item, element in zip(items, element_names(items, None), strict=True):
            if element in owner:
                raise InputError(
                    f"instrument '{instrument.id}': item '{item.name}' would be the element "
                    f"'{element}' beside {owner[element]} in the published form; rename one "
                    "of them", code=ErrorCode.BAD_INPUT, item=item.name)
            owner[element] = f"item '{item.name}'"
            if element != item.name:
                renames[item.name] = element
        for item, element in zip(items, element_names(items, None), strict=True):
            rows = []
            for suffix in companion_suffixes(instrument, item):
                final = element + suffix
                if final in owner:
                    what = _WHAT.get(suffix, f"the date in the {suffix[1:]} calendar")
                    raise InputError(
                        f"instrument '{instrument.id}': item '{item.name}' needs a hidden "
                        f"field '{final}' for {what} in the published form, but "
                        f"{owner[final]} already has that name; rename that item",
                        code=ErrorCode.BAD_INPUT, item=item.name)
                owner[final] = f"the hidden field of item '{item.name}'"
                name = final
                if name in taken:  # unique for pyxform's ${} lookup; renamed afterwards
                    name = f"{item.name}.{suffix[1:]}"
                    n = 2
                    while name in taken:
                        name = f"{item.name}.{suffix[1:]}.{n}"
                        n += 1
                    renames[name] = final
                taken.add(name)
                rows.append({"type": "hidden", "name": name})
            if rows:
                hidden[item.name] = rows
            if item.type in (ItemType.GROUP, ItemType.REPEAT):
                siblings(item.items or [], ())

    top: list[Item] = []
    for section in instrument.sections:
        if groups[section.name] is None:
            top += section.items
        else:
            siblings(section.items, ())
    siblings(top, [g for g in groups.values() if g] + ["meta"])
    return _Layout(hidden, renames)


# -- pyxform ---------------------------------------------------------------------------------
def _convert(instrument: Instrument, workbook: bytes) -> str:
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    found: list[str] = []
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore")
            return convert(workbook, warnings=found, file_type=".xlsx").xform
    except PyXFormError as exc:
        raise InputError(f"instrument '{instrument.id}' cannot be converted to an XForm "
                         f"(pyxform: {exc})", code=ErrorCode.BAD_INPUT) from None
    except Exception as exc:  # pyxform has bugs on unusual input
        raise InputError(f"instrument '{instrument.id}' cannot be converted to an XForm "
                         f"(pyxform: {type(exc).__name__}: {exc})",
                         code=ErrorCode.BAD_INPUT) from None


def rename_in_xpath(text: str, renames: dict[str, str]) -> str:
    """``text`` with every name in ``renames`` replaced, outside string literals (itext ids
    such as ``jr:itext('/data/a.b:label')`` stay: they are only ids)."""
    if not renames:
        return text

    def swap(match: re.Match[str]) -> str:
        token = match.group()
        if token[0] in "'\"" or token not in renames:
            return token
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end():].lstrip()[:1]
        if (before and _NAME_BEFORE.match(before)) or after == "(":  # a function, not a node
            return token
        return renames[token]

    return _XPATH_TOKEN.sub(swap, text)


def _elements(node: Any) -> Iterable[Any]:
    for child in node.childNodes:
        if child.nodeType == child.ELEMENT_NODE:
            yield child
            yield from _elements(child)


def _model(doc: Any) -> Any:
    for element in _elements(doc):
        if element.localName == "model" and element.namespaceURI == XFORMS_NS:
            return element
    raise InputError("the XForm has no model", code=ErrorCode.BAD_INPUT)


def _finish(xform: str, layout: _Layout, public_key: str | None) -> bytes:
    from defusedxml.minidom import parseString

    doc = parseString(xform.encode("utf-8"))
    model = _model(doc)
    instance = next(e for e in _elements(model) if e.localName == "instance")
    root = next(e for e in _elements(instance))
    for element in list(_elements(root)):
        if element.tagName in layout.renames:
            doc.renameNode(element, element.namespaceURI, layout.renames[element.tagName])
    for element in _elements(doc) if layout.renames else ():
        for name in _XPATH_ATTRIBUTES & set(element.attributes.keys()):
            element.setAttribute(name, rename_in_xpath(element.getAttribute(name),
                                                       layout.renames))
    _drop_empty_groups(doc)
    if public_key:
        submission = next((e for e in _elements(model) if e.localName == "submission"), None)
        if submission is None or submission.getAttribute("base64RsaPublicKey") != public_key:
            raise InputError("pyxform did not write the public key into the form",
                             code=ErrorCode.BAD_INPUT)
        if not submission.getAttribute("method"):
            submission.setAttribute("method", SUBMISSION_METHOD)
    data: bytes = doc.toxml(encoding="utf-8")
    return data


def _drop_empty_groups(doc: Any) -> None:
    """Body groups with no control (an imported form's group of placeholders, such as a
    location question FieldScreen keeps as a hidden field): JavaRosa refuses them ("Group
    has no children!"). The instance and binds keep the group."""
    body = next((e for e in _elements(doc) if e.localName == "body"), None)
    for group in reversed([e for e in _elements(body)] if body is not None else []):
        if group.localName == "group" and all(
                child.localName in ("label", "hint") for child in _elements(group)):
            group.parentNode.removeChild(group)


def _normalised_key(public_key: str) -> str:
    """The key as base64 DER SubjectPublicKeyInfo on one line (a PEM text is accepted)."""
    from cryptography.hazmat.primitives import serialization

    from screening.server.odk_crypto import load_public_key

    key = load_public_key(public_key)
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def publishable_xform(instrument: Instrument, *, public_key: str | None = None) -> bytes:
    """The XForm to publish for ``instrument`` (UTF-8 bytes); with ``public_key`` (base64
    DER or PEM, RSA >= 2048 bits) an encrypted form. InputError if it cannot be built."""
    key = _normalised_key(public_key) if public_key is not None else None
    layout = _layout(instrument)
    settings = {"version": server_form_version(instrument)}
    if key:
        settings["public_key"] = key
    workbook = export_xlsform(instrument, after_item=lambda item: layout.hidden.get(item.name, []),
                             settings=settings)
    return _finish(_convert(instrument, workbook), layout, key)


# -- reading a form back ---------------------------------------------------------------------
def read_model(xml: bytes) -> tuple[Any, Any]:
    """(model, root element of the primary instance) of an XForm, as ElementTree elements;
    InputError if ``xml`` is not an XForm."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        html = fromstring(xml)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise InputError(f"the form is not readable XML ({exc})",
                         code=ErrorCode.BAD_INPUT) from None
    model = html.find(f"{{{XHTML_NS}}}head/{{{XFORMS_NS}}}model")
    instance = model.find(f"{{{XFORMS_NS}}}instance") if model is not None else None
    if model is None or instance is None or len(instance) == 0:
        raise InputError("the document is not an XForm: it has no model with an instance",
                         code=ErrorCode.BAD_INPUT)
    return model, instance[0]


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xform(xml: bytes) -> PublishedForm:
    """Form id, version, public key and root element of an XForm (as Central serves it)."""
    model, root = read_model(xml)
    form_id = (root.get("id") or "").strip()
    if not form_id:
        raise InputError("the XForm's primary instance has no id attribute (the form id)",
                         code=ErrorCode.BAD_INPUT)
    submission = model.find(f"{{{XFORMS_NS}}}submission")
    key = submission.get("base64RsaPublicKey") if submission is not None else None
    return PublishedForm(form_id=form_id, version=root.get("version") or "",
                         public_key=(key or "").strip() or None,
                         root_name=local_name(root.tag), xml=bytes(xml))
