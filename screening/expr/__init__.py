"""The expression language: the XLSForm/ODK XPath subset, parsed to an AST, evaluated safely.

Public interface (used by instruments, the engine and the XLSForm importer):

* ``parse(text) -> Expr`` raises ``ExpressionError`` with a 1-based ``column``.
* ``Expr.references() -> frozenset[str]``: the ``${name}`` references.
* ``evaluate(expr, env) -> value``; ``truthy(value) -> bool``.
* ``Env``: what an evaluation can see (answers, the current value ``.``, today).

In more detail:

* ``Expr`` is frozen and hashable: ``.source``, ``.root`` (the AST, see ``nodes``),
  ``.references()``, ``.uses_current()``, ``.functions()``.
* ``parse`` errors: ``EXPRESSION_SYNTAX`` for malformed text, unknown functions and wrong
  argument counts; ``EXPRESSION_UNSUPPORTED`` for ODK features FieldScreen refuses on purpose
  (``pulldata()``, ``instance()``, geo functions, XPath paths ...). Input longer than
  ``MAX_LENGTH`` characters or nested deeper than ``MAX_DEPTH`` levels is an error too.
* ``evaluate`` never raises anything but ``ExpressionError`` (code ``EXPRESSION_EVAL``).
  It never uses Python's eval/exec.
* Values (``Value``): ``""`` (unanswered), ``str``, ``int``, ``float``, ``bool``,
  ``datetime.date``, ``datetime.datetime``, or a ``list`` of those (a nodeset: an item's
  values across repeat instances). A select_multiple answer is one space-separated string.
* ``to_number``, ``to_string``, ``truthy``: XPath 1.0 / JavaRosa conversions
  (``to_number("")`` is NaN, so an unanswered item is never equal to 0).
* ``SimpleEnv``: an ``Env`` over plain mappings (tests, previews, CLI).

Deliberate differences from ODK Collect are listed in the docstrings of ``values`` and
``functions`` (e.g. nodesets compare existentially as in XPath 1.0, not by first node).
"""

from screening.expr.env import Env, SimpleEnv
from screening.expr.evaluator import evaluate
from screening.expr.functions import SUPPORTED_FUNCTIONS, UNSUPPORTED
from screening.expr.parser import MAX_DEPTH, MAX_LENGTH, Expr, parse
from screening.expr.values import Scalar, Value, to_number, to_string, truthy

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "SUPPORTED_FUNCTIONS",
    "UNSUPPORTED",
    "Env",
    "Expr",
    "Scalar",
    "SimpleEnv",
    "Value",
    "evaluate",
    "parse",
    "to_number",
    "to_string",
    "truthy",
]
