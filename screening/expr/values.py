"""Values and the XPath 1.0 / JavaRosa type conversions and comparisons.

A value is ``""`` (unanswered), ``str``, ``int``, ``float``, ``bool``, ``datetime.date``,
``datetime.datetime`` or a ``list`` of those (a nodeset: one item's values across repeat
instances). A select_multiple answer is one space-separated string, as in ODK.

Dates are numbers of days since 1970-01-01 when used as numbers (datetimes: fractional days,
naive datetimes taken as UTC), and ISO 8601 strings when used as strings.

Error messages here never contain values: they end up in logs (see ``screening.errors``).

Deliberate differences from JavaRosa (ODK Collect):

* A nodeset compared with ``= != < >`` matches if any member does (XPath 1.0); JavaRosa
  only accepts a single node there.
* ``to_number`` does not read "1,5" as 1.5 (JavaRosa's locale hack would read "1,000" as 1,
  silently changing a number).

Matched to JavaRosa on purpose (measured by tests/conformance, see docs/odk-conformance.md):

* ``< <= > >=`` and arithmetic read a date *string* as NaN, as JavaRosa does (only typed date
  answers and date values are dates), so ``${d} < '2024-01-01'`` is false in Collect and here.
* ``boolean(x)`` treats |x| < 1e-12 as false, as ``=`` uses a 1e-12 tolerance.
* ``string(x)`` prints numbers as JavaRosa: an integer within Java's int range without ".0",
  anything else as Java's ``Double.toString`` ("1.0E12", "1.0E-4", "1.23456789E7").
* ``stored_text``: what a calculate stores (and so submits), as JavaRosa's answer types print
  it: booleans "1"/"0", whole numbers as integers, NaN as empty, dates as date-times.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from screening.errors import ErrorCode, ExpressionError

Scalar = str | int | float | bool | date | datetime
Value = Scalar | list[Scalar]

NAN = math.nan
EPOCH = date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
_EPOCH_NAIVE = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
_SCALAR_TYPES = (str, int, float, date)  # bool is an int, datetime is a date

# XPath Number: no sign other than a leading '-', no exponent, ASCII digits only
# (as JavaRosa: Arabic-Indic digits do not convert).
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_XML_SPACE = " \t\r\n"
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?")


def eval_error(message: str) -> ExpressionError:
    return ExpressionError(message, code=ErrorCode.EXPRESSION_EVAL)


def check_value(value: object, what: str) -> Value:
    """``value`` if it is a valid Value (tuples become lists), else ExpressionError."""
    if isinstance(value, _SCALAR_TYPES):
        return value
    if isinstance(value, list | tuple):
        for member in value:
            if not isinstance(member, _SCALAR_TYPES):
                kind = type(member).__name__
                raise eval_error(f"{what} has a list member of unsupported type {kind}")
        return list(value)
    raise eval_error(f"{what} has a value of unsupported type {type(value).__name__}")


# --- conversions -------------------------------------------------------------------------


def truthy(value: Value) -> bool:
    """XPath ``boolean()``: non-empty strings and lists, non-zero non-NaN numbers, any date."""
    if isinstance(value, str | list):
        return len(value) > 0
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        # JavaRosa: |x| < 1e-12 is false (the same tolerance as its "=").
        return not math.isnan(value) and abs(value) >= 1e-12
    return True  # date / datetime


def to_number(value: Value) -> float:
    """XPath ``number()``: strings must be plain decimals (else NaN, so ``""`` is NaN)."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str):
        text = value.strip(_XML_SPACE)
        return float(text) if _NUMBER.fullmatch(text) else NAN
    if isinstance(value, list):
        return to_number(value[0]) if value else NAN
    return days_since_epoch(value)


def to_string(value: Value) -> str:
    """XPath ``string()``: numbers as JavaRosa prints them (3.0 -> "3"), dates in ISO 8601."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    return to_string(value[0]) if value else ""


_INT_MAX = 2**31 - 1
_LONG_MAX = 2**63 - 1


def java_double(number: float) -> str:
    """Java's ``Double.toString``: plain from 1e-3 up to 1e7 ("2.5", "100.0"), otherwise
    computerised scientific notation ("1.0E-4", "1.23456789E7"); shortest digits."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "-0.0" if math.copysign(1.0, number) < 0 else "0.0"
    magnitude = abs(number)
    if 1e-3 <= magnitude < 1e7:
        text = format(Decimal(repr(number)), "f")
        return text if "." in text else text + ".0"
    sign = "-" if number < 0 else ""
    # Shortest round-trip digits (repr), re-laid as d.dddE±n.
    mantissa, _, exponent = f"{Decimal(repr(magnitude)):e}".partition("e")
    whole, _, fraction = mantissa.partition(".")
    return f"{sign}{whole}.{fraction.rstrip('0') or '0'}E{int(exponent)}"


def format_number(number: float) -> str:
    """XPath ``string()`` of a number, as JavaRosa: an integral value within Java's int range
    without ".0" ("3"), anything else as Java's ``Double.toString`` ("1.0E12", "0.5")."""
    if math.isfinite(number) and number.is_integer() and abs(number) <= _INT_MAX:
        return str(int(number))
    return java_double(number)


def stored_text(value: Value) -> str:
    """The text a calculate stores and submits, as JavaRosa wraps a result in an answer type
    (``Recalculate.wrapData``): booleans "1"/"0"; a whole number as an integer; other numbers
    as Java prints a double; NaN as empty; a date or date-time as an ISO date-time with
    milliseconds and the local offset ("Z" for UTC); strings as they are."""
    if isinstance(value, list):
        return stored_text(value[0]) if value else ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        number = to_number(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) <= _LONG_MAX:
            return str(int(number))
        return java_double(number)
    if isinstance(value, datetime):
        return _iso_millis(value if value.tzinfo is not None else value.astimezone())
    if isinstance(value, date):
        return _iso_millis(datetime(value.year, value.month, value.day).astimezone())
    return value


def _iso_millis(stamp: datetime) -> str:
    local = stamp.astimezone()
    offset = local.utcoffset() or timedelta(0)
    text = local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def numeric(value: Value) -> float:
    """The number an operator (``< + -`` ...) uses: ``to_number``. A date string is NaN
    there, as in JavaRosa (Collect): write ``date('2024-01-01')`` to compare with a date."""
    return to_number(value)


def to_int(number: float) -> float:
    """JavaRosa ``int()``: truncate toward zero; NaN and infinities unchanged."""
    if not math.isfinite(number):
        return number
    return float(math.trunc(number))


def java_int(number: float) -> int:
    """Java's ``(int)`` cast of a double, which some ODK functions rely on (NaN -> 0)."""
    if math.isnan(number):
        return 0
    return int(max(-(2**31), min(2**31 - 1, to_int(number))))


def flatten(values: list[Value]) -> list[Scalar]:
    """Arguments with nodesets expanded into their members."""
    out: list[Scalar] = []
    for value in values:
        if isinstance(value, list):
            out.extend(value)
        else:
            out.append(value)
    return out


def is_empty(value: Value) -> bool:
    """JavaRosa's "null" for coalesce(): empty string, NaN, or a nodeset without a value."""
    if isinstance(value, list):
        return all(is_empty(member) for member in value)
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value == ""


# --- dates ---------------------------------------------------------------------------------


def _tz(text: str | None) -> timezone | None:
    if not text:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _micro(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def parse_iso(text: str) -> date | datetime | None:
    """A date for 'YYYY-MM-DD', a datetime for 'YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH[:MM]]'."""
    match = _ISO.fullmatch(text.strip(_XML_SPACE))
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, tz = match.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day))
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            _micro(fraction),
            tzinfo=_tz(tz),
        )
    except ValueError:  # 2024-02-30, hour 25 ...
        return None


def parse_time(text: str) -> float | None:
    """Fraction of a day for an ODK time answer 'HH:MM[:SS[.fff]][tz]' (offset ignored)."""
    match = _TIME.fullmatch(text.strip(_XML_SPACE))
    if match is None:
        return None
    hour, minute, second, fraction, _ = match.groups()
    h, m, s = int(hour), int(minute), int(second or 0)
    if h > 23 or m > 59 or s > 59:
        return None
    return (h * 3600 + m * 60 + s + _micro(fraction) / 1e6) / 86400


def days_since_epoch(value: date) -> float:
    """Days since 1970-01-01; fractional for datetimes (aware ones by their UTC instant)."""
    if isinstance(value, datetime):
        epoch = _EPOCH_UTC if value.tzinfo is not None else _EPOCH_NAIVE
        return (value - epoch) / timedelta(days=1)
    return float(value.toordinal() - _EPOCH_ORDINAL)


def date_from_days(days: float) -> date:
    whole = to_int(days)
    if not math.isfinite(whole) or abs(whole) > 3_000_000:
        raise eval_error("number of days is out of range for a date")
    try:
        return date.fromordinal(_EPOCH_ORDINAL + int(whole))
    except (ValueError, OverflowError):
        raise eval_error("number of days is out of range for a date") from None


def datetime_from_days(days: float) -> datetime:
    if not math.isfinite(days) or abs(days) > 3_000_000:
        raise eval_error("number of days is out of range for a date")
    try:
        return _EPOCH_UTC + timedelta(days=days)
    except OverflowError:
        raise eval_error("number of days is out of range for a date") from None


def to_date_like(value: Value, function: str) -> date | datetime | str | float:
    """JavaRosa ``toDate``: "" and NaN pass through (an unanswered date stays empty);
    numbers are days since the epoch; strings must be ISO 8601."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if value == "":
            return ""
        parsed = parse_iso(value)
        if parsed is None:
            raise eval_error(f"{function}(): the value is not an ISO 8601 date")
        return parsed
    if isinstance(value, bool):
        raise eval_error(f"{function}(): a boolean is not a date")
    number = to_number(value)
    if math.isnan(number):
        return NAN
    return datetime_from_days(number)


# --- comparisons ---------------------------------------------------------------------------


def _instant(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _as_date(value: Scalar) -> date | datetime | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_iso(value)
    return None


def _scalar_equal(a: Scalar, b: Scalar) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return truthy(a) == truthy(b)
    if isinstance(a, int | float) or isinstance(b, int | float):
        x, y = to_number(a), to_number(b)
        # JavaRosa compares numbers with a tolerance, so 0.1 + 0.2 = 0.3 holds as users expect.
        return x == y or abs(x - y) < 1e-12
    if isinstance(a, date) or isinstance(b, date):
        x_date, y_date = _as_date(a), _as_date(b)
        if x_date is None or y_date is None:
            return False
        if isinstance(x_date, datetime) and isinstance(y_date, datetime):
            return _instant(x_date) == _instant(y_date)
        # A date against a datetime: same calendar day.
        x_day = x_date.date() if isinstance(x_date, datetime) else x_date
        y_day = y_date.date() if isinstance(y_date, datetime) else y_date
        return x_day == y_day
    return to_string(a) == to_string(b)


def equals(a: Value, b: Value, negate: bool = False) -> bool:
    """XPath ``=`` (or ``!=``): booleans first, then numbers, dates, strings; a nodeset
    matches if any member does (so ``!=`` on nodesets is not ``not(=)``, as in XPath)."""
    if isinstance(a, list) or isinstance(b, list):
        if isinstance(a, bool) or isinstance(b, bool):
            return (truthy(a) == truthy(b)) != negate
        left = a if isinstance(a, list) else [a]
        right = b if isinstance(b, list) else [b]
        return any(_scalar_equal(x, y) != negate for x in left for y in right)
    return _scalar_equal(a, b) != negate


_RELATIONS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y,
}


def compare(op: str, a: Value, b: Value) -> bool:
    """XPath ``< <= > >=``: both sides as numbers (NaN compares false); nodesets existential."""
    relation = _RELATIONS[op]
    left = a if isinstance(a, list) else [a]
    right = b if isinstance(b, list) else [b]
    return any(relation(numeric(x), numeric(y)) for x in left for y in right)


__all__ = [
    "Scalar",
    "Value",
    "check_value",
    "compare",
    "equals",
    "format_number",
    "java_double",
    "numeric",
    "stored_text",
    "to_number",
    "to_string",
    "truthy",
]
