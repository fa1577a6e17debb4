"""Read YAML safely and remember where every value came from (for error messages).

PyYAML's safe loader gives us data; walking its node tree gives the line of every mapping
key and list entry, keyed by the same path tuples pydantic uses in its error locations.
Aliases are refused (they allow "billion laughs" expansion), and so are duplicate keys,
which PyYAML would otherwise resolve silently by keeping the last one.

Speed (issue #19): PyYAML's pure-Python parser takes about 0.2 s per shipped instrument,
paid by the first interview and the first report of every process. libyaml (PyYAML's C
parser, in its wheels) reads them ten times faster into the same nodes, data and lines, so
``fast=True`` uses it for texts this loader has read before: the shipped files and the
store's snapshots (canonical JSON). A text from a user keeps the pure-Python parser, because
libyaml accepts a few malformed texts that it refuses (a tab as separation, some slips in
flow collections). Even with ``fast``, a text libyaml finds any problem in is read again by
the pure-Python parser, whose message users see. libyaml is used only from 0.2.6, which
bounds the nesting depth (deep nesting cannot exhaust the C stack).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import yaml

from screening.errors import ErrorCode, Problem

Path = tuple[str | int, ...]
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class SourceMap:
    file: str
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _walk(node: yaml.Node, path: Path, smap: SourceMap, seen: set[int]) -> None:
    if id(node) in seen:
        raise YamlProblem(
            Problem(
                ErrorCode.INSTRUMENT_SYNTAX,
                "YAML aliases (*name) are not allowed in instrument files",
                file=smap.file,
                line=node.start_mark.line + 1,
            )
        )
    seen.add(id(node))
    smap.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in keys:
                raise YamlProblem(
                    Problem(
                        ErrorCode.INSTRUMENT_DUPLICATE,
                        f"duplicate key '{key}'",
                        file=smap.file,
                        line=key_node.start_mark.line + 1,
                    )
                )
            keys.add(key)
            smap.lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), smap, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _walk(child, (*path, index), smap, seen)


def _fast_loader() -> type[Any] | None:
    """libyaml's safe loader when it is there and bounds nesting (0.2.6 and later)."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    try:
        from yaml import _yaml

        version = tuple(_yaml.get_version())
    except (ImportError, AttributeError, TypeError):
        return None
    return yaml.CSafeLoader if version >= (0, 2, 6) else None


FAST_LOADER = _fast_loader()


def _read(loader_class: type[Any], text: str, file: str) -> tuple[Any, SourceMap]:
    smap = SourceMap(file=file)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlProblem(Problem(ErrorCode.INSTRUMENT_SYNTAX, "file is empty", file=file))
        _walk(node, (), smap, set())
        return loader.construct_document(node), smap
    finally:
        loader.dispose()


def load_yaml(text: str, file: str, *, fast: bool = False) -> tuple[Any, SourceMap]:
    """Parse ``text``; raise ``YamlProblem`` with the line for syntax errors. ``fast``: a
    text read before (see the module's docstring)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlProblem(
            Problem(ErrorCode.INSTRUMENT_SYNTAX, "file is larger than 5 MiB", file=file)
        )
    if fast and FAST_LOADER is not None:
        # Any problem at all: read again below, so the pure-Python parser has the last word.
        with contextlib.suppress(Exception):
            return _read(FAST_LOADER, text, file)
    try:
        return _read(yaml.SafeLoader, text, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(
            Problem(
                ErrorCode.INSTRUMENT_SYNTAX,
                f"not valid YAML: {exc.problem or exc.context}",
                file=file,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(
            Problem(ErrorCode.INSTRUMENT_SYNTAX, f"not valid YAML: {exc}", file=file)
        ) from None
    except RecursionError:
        raise YamlProblem(
            Problem(ErrorCode.INSTRUMENT_SYNTAX, "YAML nesting is too deep", file=file)
        ) from None
