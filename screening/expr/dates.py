"""Date and time functions: today(), now(), date(), decimal-date-time(), format-date() ...

As in JavaRosa, an empty value ("" = unanswered) or NaN passes through date conversions
unchanged, so a calculation over an unanswered date stays empty instead of failing.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time

from screening.expr.env import Env
from screening.expr.values import (
    NAN,
    Value,
    date_from_days,
    days_since_epoch,
    eval_error,
    parse_iso,
    parse_time,
    to_date_like,
    to_number,
    to_string,
)

# English abbreviations; ODK uses the form's locale, which FieldScreen may add later.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def today(env: Env) -> Value:
    value = env.today()
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise eval_error("today() is not a date")
    return value


def now(env: Env) -> Value:
    value = env.now()
    if not isinstance(value, datetime):
        raise eval_error("now() is not a datetime")
    return value


def _first(value: Value) -> Value:
    if isinstance(value, list):
        return value[0] if value else ""
    return value


def to_date(value: Value) -> Value:
    """date(x): a date from an ISO string, a date, or a number of days. A date-time (value
    or string) keeps its time of day, as in JavaRosa and Web Forms (tests/conformance)."""
    value = _first(value)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if value == "":
            return ""
        parsed = parse_iso(value)
        if parsed is None:
            raise eval_error("date(): the value is not an ISO 8601 date")
        return parsed
    if isinstance(value, bool):
        raise eval_error("date(): a boolean is not a date")
    number = to_number(value)
    return NAN if math.isnan(number) else date_from_days(number)


def to_datetime(value: Value) -> Value:
    """date-time(x): as date(), keeping the time of day (numbers are UTC instants)."""
    moment = to_date_like(value, "date-time")
    if isinstance(moment, date) and not isinstance(moment, datetime):
        return datetime.combine(moment, time())
    return moment


def decimal_date_time(value: Value) -> Value:
    """decimal-date-time(x): days since 1970-01-01 as a fractional number."""
    value = _first(value)
    if isinstance(value, bool):
        raise eval_error("decimal-date-time(): a boolean is not a date")
    if isinstance(value, int | float):
        number = to_number(value)
        if math.isinf(number):
            raise eval_error("decimal-date-time(): the number is out of range for a date")
        return number
    if isinstance(value, str):
        if value == "":
            return ""
        parsed = parse_iso(value)
        if parsed is None:
            raise eval_error("decimal-date-time(): the value is not an ISO 8601 date")
        return days_since_epoch(parsed)
    assert isinstance(value, date)  # _first() leaves no list
    return days_since_epoch(value)


def _day_fraction(moment: datetime) -> float:
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return (seconds + moment.microsecond / 1e6) / 86400


def decimal_time(value: Value) -> Value:
    """decimal-time(x): the time of day as a fraction (noon is 0.5), on the value's own clock."""
    value = _first(value)
    if isinstance(value, bool):
        raise eval_error("decimal-time(): a boolean is not a time")
    if isinstance(value, int | float):
        number = to_number(value)
        if math.isinf(number):
            raise eval_error("decimal-time(): the number is out of range for a time")
        return number - math.floor(number) if math.isfinite(number) else number
    if isinstance(value, str):
        if value == "":
            return ""
        fraction = parse_time(value)
        if fraction is not None:
            return fraction
        parsed = parse_iso(value)
        if parsed is None:
            raise eval_error("decimal-time(): the value is not an ISO 8601 time")
        value = parsed
    return _day_fraction(value) if isinstance(value, datetime) else 0.0


def format_date(value: Value, pattern_value: Value, function: str) -> Value:
    """format-date(d, fmt) / format-date-time(d, fmt) with ODK's % tokens."""
    moment = to_date_like(value, function)
    if not isinstance(moment, date):  # "" or NaN: nothing to format
        return ""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time())
    pattern = to_string(pattern_value)
    fields = {
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year % 100:02d}",
        "m": f"{moment.month:02d}",
        "n": str(moment.month),
        "b": _MONTHS[moment.month - 1],
        "d": f"{moment.day:02d}",
        "e": str(moment.day),
        "a": _WEEKDAYS[moment.weekday()],
        "H": f"{moment.hour:02d}",
        "h": str(moment.hour),
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "3": f"{moment.microsecond // 1000:03d}",
        "%": "%",
    }
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        token = pattern[i + 1 : i + 2]
        if token not in fields:
            shown = f"'%{token}'" if token else "a lone '%' at the end"
            raise eval_error(f"{function}(): unknown format {shown}")
        out.append(fields[token])
        i += 2
    return "".join(out)


__all__ = ["decimal_date_time", "decimal_time", "format_date", "now", "to_date", "today"]
