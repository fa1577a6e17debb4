"""XLSForm and discreet mode (issue #14): `bind::fieldscreen:sensitive` marks what is held
back while someone who came with the person is in the room; the export writes it with the
namespace declared, so ODK tools accept the form, and the import reads it back."""

from __future__ import annotations

import io
import warnings

from factories import load

from screening.xlsform import export_xlsform, import_xlsform

SURVEY = """\
| survey |
|  | type | name | label::English (en) | bind::fieldscreen:sensitive |
|  | integer | age | How old are you? | |
|  | begin group | work | Work | yes |
|  | select_one yn | paid | Are you paid? | |
|  | end group | work | | |
|  | select_one yn | threatened | Has anyone threatened you? | TRUE |
|  | select_one yn | danger | Are you in danger now? | no |
| choices |
|  | list_name | name | label::English (en) |
|  | yn | yes | Yes |
|  | yn | no | No |
"""


def test_the_column_marks_questions_and_groups_of_an_imported_form() -> None:
    result = import_xlsform(SURVEY.encode("utf-8"), file_name="companion.md")
    items = result.instrument.item_map()
    assert items["work"].sensitive and items["threatened"].sensitive
    assert not items["age"].sensitive and not items["danger"].sensitive
    assert not items["paid"].sensitive  # inherits from its group when the plan is built
    assert result.instrument.sensitive_sections() == ["_form"]
    assert not any("fieldscreen:sensitive" in str(w) for w in result.warnings)


def test_a_value_that_is_not_yes_or_no_is_reported_and_ignored() -> None:
    form = SURVEY.replace("| TRUE |", "| maybe |")
    result = import_xlsform(form.encode("utf-8"), file_name="companion.md")
    assert not result.instrument.item_map()["threatened"].sensitive
    assert any("fieldscreen:sensitive takes yes or no" in str(w) for w in result.warnings)


def test_export_writes_the_marks_pyxform_accepts_them_and_import_restores_them() -> None:
    from pyxform.xls2xform import convert

    loaded = load("""\
- name: start
  title: {en: Start}
  items:
    - {name: age, type: integer, text: {en: "How old are you?"}}
- name: work
  title: {en: Work}
  sensitive: true
  items:
    - {name: paid, type: yes_no, text: {en: "Are you paid?"}}
- name: safety
  title: {en: Safety}
  items:
    - {name: threatened, type: yes_no, text: {en: "Threatened?"}, sensitive: true}
""")
    data = export_xlsform(loaded.instrument)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xform = convert(io.BytesIO(data), warnings=[], file_type=".xlsx").xform
    assert 'xmlns:fieldscreen="urn:fieldscreen:xforms:1"' in xform
    assert xform.count('fieldscreen:sensitive="yes"') == 2  # the work group, threatened
    back = import_xlsform(data, file_name="marked.xlsx")
    assert back.content_hash == loaded.content_hash
    assert back.instrument.sensitive_sections() == ["work", "safety"]
