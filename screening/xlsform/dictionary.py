"""The data dictionary of an ODK-shaped export: one row per CSV column.

Columns: ``table`` (file stem), ``column``, ``item``, ``type`` (FieldScreen type),
``xlsform_type`` (as in the exported XLSForm), ``label::<Name (code)>`` and
``choices::<Name (code)>`` (``name=label | ...``) for every language, ``relevant``,
``required``, ``constraint``, ``calculation``, ``description`` (for special-answer, split and
meta columns). Root-table rows come first, then each repeat table's.
"""

from __future__ import annotations

from screening.instruments.model import Instrument, Item, ItemType
from screening.xlsform.exporter import TYPES, language_key
from screening.xlsform.odk_export import (
    APPROXIMATE_SUFFIX,
    PRECISION_SUFFIX,
    SPECIAL_SUFFIX,
    Table,
    column_name,
    date_suffixes,
    fields,
    has_special,
    repeat_tables,
)


def _xlsform_type(instrument: Instrument, item: Item) -> str:
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.YES_NO, ItemType.OBSERVATION):
        list_name = (
            item.choices
            if isinstance(item.choices, str)
            else (f"{item.name}_choices" if item.choices else "yes_no")
        )
        return f"select_one {list_name}"
    if item.type is ItemType.MULTIPLE_CHOICE:
        list_name = item.choices if isinstance(item.choices, str) else f"{item.name}_choices"
        return f"select_multiple {list_name}"
    return TYPES.get(item.type, item.type.value)


_ROOT_META = (
    ("meta-instanceID", "the interview's instance id (uuid:...)"),
    ("KEY", "same as meta-instanceID; repeat tables refer to it in PARENT_KEY"),
    ("SubmitterID", "ODK Central's submitter id (empty unless given)"),
    ("SubmitterName", "ODK Central's submitter name (empty unless given)"),
    ("AttachmentsPresent", "always 0: FieldScreen records no attachments"),
    ("AttachmentsExpected", "always 0"),
    ("Status", "empty"),
    ("ReviewState", "empty"),
    ("DeviceID", "empty"),
    ("Edits", "always 0"),
    ("FormVersion", "the instrument version"),
)
_DATE_COLUMNS = {
    PRECISION_SUFFIX: "how precisely the date is known: day, month or year (the value column "
    "then holds the first day of the month or year, as ODK stores it)",
    APPROXIMATE_SUFFIX: "true when the date was given as approximate (\"about\")",
}
_REPEAT_META = (
    ("PARENT_KEY", "KEY of the submission, or of the entry of the repeat around it, that this "
     "entry belongs to"),
    ("KEY", "this entry: <instance id>/<groups>/<repeat>[<n>]"),
)


def data_dictionary(instrument: Instrument, *, split_select_multiple: bool = False) -> Table:
    """One row per CSV column of ``odk_rows``: type, label and choices in every language."""
    codes = list(instrument.languages)
    keys = {c: language_key(c, info.name) for c, info in instrument.languages.items()}
    header = [
        "table", "column", "item", "type", "xlsform_type",
        *[f"label::{keys[c]}" for c in codes],
        *[f"choices::{keys[c]}" for c in codes],
        "relevant", "required", "constraint", "calculation", "description",
    ]  # fmt: skip
    table = Table(f"{instrument.id}-dictionary", None, header)
    blank = [""] * len(codes)

    def add(
        table_name: str,
        column: str,
        *,
        item: str = "",
        kind: str = "meta",
        xls: str = "",
        labels: list[str] = blank,
        choices: list[str] = blank,
        logic: tuple[str, str, str, str] = ("", "", "", ""),
        description: str = "",
    ) -> None:
        table.rows.append(
            [table_name, column, item, kind, xls, *labels, *choices, *logic, description]
        )  # fmt: skip

    def add_field(table_name: str, path: tuple[str, ...], item: Item) -> None:
        options = instrument.choices_for(item)
        required = (
            item.required if isinstance(item.required, str) else ("yes" if item.required else "")
        )
        column = column_name(path)
        add(table_name, column, item=item.name, kind=item.type.value,
            xls=_xlsform_type(instrument, item),
            labels=[instrument.text(item.text, c) for c in codes],
            choices=[" | ".join(f"{o.name}={instrument.text(o.label, c)}" for o in options)
                     for c in codes],
            logic=(item.relevant or "", required, item.constraint or "",
                   item.calculation or ""))  # fmt: skip
        if split_select_multiple and item.type is ItemType.MULTIPLE_CHOICE:
            for option in options:
                add(table_name, f"{column}/{option.name}", item=item.name, kind="0/1",
                    labels=[instrument.text(option.label, c) for c in codes],
                    description=f"1 if '{option.name}' was chosen, else 0")  # fmt: skip
        for suffix in date_suffixes(item):
            add(table_name, column + suffix, item=item.name, kind="date_detail",
                description=_DATE_COLUMNS.get(suffix) or (
                    f"the date as the person gave it in the {suffix[1:]} calendar "
                    "(YYYY, YYYY-MM or YYYY-MM-DD there); empty when given in the Gregorian "
                    "one"))  # fmt: skip
        if has_special(instrument, item):
            specials = ", ".join(instrument.specials_for(item))
            add(table_name, column + SPECIAL_SUFFIX, item=item.name, kind="special",
                description=f"FieldScreen special answer ({specials}); the value column is "
                "then empty")  # fmt: skip

    root = instrument.id
    all_fields = fields(instrument)
    add(root, "SubmissionDate", kind="datetime",
        description="when the interview was finished (UTC)")  # fmt: skip
    for fld in all_fields:
        if fld.table is None:
            add_field(root, fld.path, fld.item)
    for column, description in _ROOT_META:
        add(root, column, description=description)
    for repeat, stem in repeat_tables(instrument).items():
        for fld in all_fields:
            if fld.table == repeat:
                add_field(stem, fld.path, fld.item)
        for column, description in _REPEAT_META:
            add(stem, column, description=description)
    return table
