"""``begin loop over <list>`` / ``end loop``, mapped as pyxform builds it.

pyxform (``builder._create_loop_from_dict``) turns a loop into a group named after the loop
holding one group per choice of the list (``none`` left out), each named and labelled like the
choice (in every language) and holding the loop's questions with ``%(name)s`` and
``%(label)s`` substituted, by pyxform's own code, in their own cells (not in the cells of
groups inside the loop). The XForm paths are ``loop/choice/field``.

FieldScreen needs unique names, so every item inside a loop is named after its container:
``<loop>.<choice>`` for the choice's group, ``<loop>.<choice>.<field>`` for its questions
(``<loop>.<choice>.<group>.<field>`` deeper). ODK-shaped exports write the element names
back (``odk_export.element_names``). A ``${field}`` naming a loop question is refused by
pyxform when the list has two or more choices (the name is not unique), and so by us; the
relative path ``../field`` that such forms use instead names the sibling in the same choice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from screening.xlsform.expressions import ExpressionColumns

# ``../name`` outside quotes: a sibling of the item the expression belongs to.
_SIBLING = re.compile(r"(?<![\w}\]).])\.\./([A-Za-z_][\w.\-]*)(?![\w/])")


class Loops(ExpressionColumns):
    """The part of ``Mapper`` that expands loops (``_element`` maps the groups)."""

    # XLSForm path of a container -> its name here, for containers whose children are
    # named "<container>.<child>" (a loop and everything in it); per-choice group paths.
    prefixed: dict[tuple[str, ...], str]
    loops: set[tuple[str, ...]]
    choice_paths: set[tuple[str, ...]]
    containers: dict[str, str]  # a loop item's name -> its container's name

    def expression(
        self, text: Any, what: str, *, row: int | None, item: str, fatal: bool, loses: str = ""
    ) -> str | None:
        """In a loop, ``../num`` is the sibling in the same choice, ``${<choice>.num}``."""
        container = self.containers.get(item)
        if container is not None and text is not None:
            pieces = re.split(r"('[^']*'|\"[^\"]*\")", str(text))
            text = "".join(p if i % 2 else _SIBLING.sub(
                lambda m: "${" + f"{container}.{m.group(1)}" + "}", p)
                for i, p in enumerate(pieces))
        return super().expression(text, what, row=row, item=item, fatal=fatal, loses=loses)

    def _element(
        self, el: Mapping[str, Any], base: tuple[str, ...], repeat: str | None
    ) -> dict[str, Any] | None:
        raise NotImplementedError

    def template(self, path: tuple[str, ...]) -> tuple[str, ...]:
        """``path`` as written on the survey sheet: without the per-choice groups that a
        loop adds (``loop/cow/count`` is the row of ``loop/count``)."""
        return tuple(part for i, part in enumerate(path) if path[: i + 1] not in self.choice_paths)

    def _loop(
        self, el: Mapping[str, Any], base: tuple[str, ...], repeat: str | None
    ) -> dict[str, Any] | None:
        """``begin loop over <list>`` as pyxform builds it (``_create_loop_from_dict``): the
        loop is a group; in it, one group per choice but ``none``, named and labelled like
        the choice, holding the loop's questions with ``%(name)s``/``%(label)s``
        substituted."""
        from pyxform.builder import SurveyElementBuilder

        path = (*base, str(el.get("name") or ""))
        self.loops.add(path)
        groups = []
        for column in el.get("columns") or ():
            if not isinstance(column, dict) or column.get("name") == "none":
                continue
            cname = str(column.get("name") or "")
            self.choice_paths.add((*path, cname))
            children = [
                SurveyElementBuilder._name_and_label_substitutions(child, column)
                for child in el.get("children") or ()
                if isinstance(child, dict)
            ]
            groups.append({"type": "group", "name": cname, "label": column.get("label"),
                           "children": children})
        group = {k: v for k, v in el.items() if k not in ("columns", "children")}
        group.update(type="group", children=groups)
        return self._element(group, base, repeat)

