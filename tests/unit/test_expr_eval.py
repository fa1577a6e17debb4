"""Evaluation: ODK/JavaRosa coercions and the function library."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from screening.errors import ErrorCode, ExpressionError
from screening.expr import (
    Env,
    SimpleEnv,
    Value,
    evaluate,
    parse,
    to_number,
    to_string,
    truthy,
)
from screening.expr.values import stored_text

TODAY = date(2024, 3, 7)  # a Thursday
DOB = date(2000, 1, 5)


def env(**values: Value) -> SimpleEnv:
    return SimpleEnv(values=values, today_date=TODAY)


def ev(text: str, **values: Value) -> Value:
    return evaluate(parse(text), env(**values))


def eval_error(text: str, environment: SimpleEnv | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        evaluate(parse(text), environment or env())
    assert info.value.code == ErrorCode.EXPRESSION_EVAL
    return info.value


def is_nan(value: Value) -> bool:
    return isinstance(value, float) and math.isnan(value)


# --- conversions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3"),
        (-0.0, "0"),
        (0.5, "0.5"),
        (1 / 3, "0.3333333333333333"),
        # As JavaRosa prints a double (Collect): an exponent outside 1e-3 .. 1e7, and any
        # whole number beyond Java's int range.
        (1e-7, "1.0E-7"),
        (1e21, "1.0E21"),
        (0.0001, "1.0E-4"),
        (12345678.9, "1.23456789E7"),
        (3e9, "3.0E9"),
        (2147483647.0, "2147483647"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        ("", ""),
        (DOB, "2000-01-05"),
        (
            datetime(2024, 1, 5, 9, 30, tzinfo=timezone(timedelta(hours=9))),
            "2024-01-05T09:30:00.000+09:00",
        ),
        (["a", "b"], "a"),
        ([], ""),
    ],
)
def test_to_string(value: Value, text: str) -> None:
    assert to_string(value) == text


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (" 12 ", 12.0),
        ("-1.5", -1.5),
        (".5", 0.5),
        ("7.", 7.0),
        (True, 1.0),
        (False, 0.0),
        (10**400, math.inf),
        (date(1970, 1, 11), 10.0),
        (datetime(1970, 1, 2, 12, 0), 1.5),
        ([4, 5], 4.0),
    ],
)
def test_to_number(value: Value, number: float) -> None:
    assert to_number(value) == number


@pytest.mark.parametrize(
    "value", ["", "abc", "1e3", "+1", "1,5", "--1", "1.2.3", "٣", [], "Infinity"]
)
def test_to_number_is_nan_for_anything_but_a_plain_decimal(value: Value) -> None:
    assert math.isnan(to_number(value))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", False),
        ("0", True),
        ("false", True),
        (0, False),
        (0.0, False),
        (math.nan, False),
        (-2, True),
        (DOB, True),
        ([], False),
        ([""], True),
        (True, True),
    ],
)
def test_truthy(value: Value, expected: bool) -> None:
    assert truthy(value) is expected


# --- ODK coercions in comparisons -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${x} = 0", False),  # unanswered is empty, not 0
        ("${x} != 0", True),
        ("${x} = ''", True),
        ("${x} > 3", False),
        ("${x} < 3", False),
        ("${x} >= 0", False),
        ("coalesce(${x}, 0) + 1 = 1", True),
    ],
)
def test_empty_is_not_zero(text: str, expected: bool) -> None:
    assert ev(text, x="") is expected


def test_arithmetic_on_empty_is_nan() -> None:
    assert is_nan(ev("${x} + 1", x=""))
    assert to_string(ev("${x} * 2", x="")) == "NaN"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'3' = 3", True),
        ("'3.0' = 3", True),
        ("'abc' = 0", False),
        ("'10' > '9'", True),  # relational operators compare numbers, not text
        ("'abc' = 'abc'", True),
        ("'abc' != 'ABC'", True),
        ("0.1 + 0.2 = 0.3", True),  # JavaRosa's tolerance
        ("${age} >= 18", True),
    ],
)
def test_strings_and_numbers(text: str, expected: bool) -> None:
    assert ev(text, age="18") is expected


def test_int_and_string_answers_compare_alike() -> None:
    assert ev("${age} >= 18 and ${age} = '18'", age=18) is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true() = 'false'", True),  # a non-empty string is true: an XPath pitfall
        ("false() = ''", True),
        ("1 = true()", True),
        ("0 = false()", True),
        ("boolean('0')", True),
        ("boolean(0)", False),
        ("boolean-from-string('true')", True),
        ("boolean-from-string('TRUE')", True),
        ("boolean-from-string('1')", True),
        ("boolean-from-string('yes')", False),
        ("not('')", True),
    ],
)
def test_booleans(text: str, expected: bool) -> None:
    assert ev(text) is expected


def test_and_or_return_booleans() -> None:
    assert ev("'a' and 2") is True
    assert ev("'' or 0") is False


# --- dates -------------------------------------------------------------------------------


def test_a_date_string_is_not_a_date_in_comparisons_or_arithmetic() -> None:
    # As in Collect (JavaRosa): only date values are dates; a string is NaN there, so a form
    # tested on Collect wraps it in date().
    assert ev("${dob} < today()", dob="2000-01-05") is False
    assert ev("${dob} > today()", dob="2000-01-05") is False
    assert ev("date(${dob}) < today()", dob="2000-01-05") is True
    assert math.isnan(ev("'2024-03-01' - '2024-01-01'"))
    assert ev("date('2024-03-01') - date('2024-01-01')") == 60.0


@pytest.mark.parametrize("dob", [DOB])
def test_dates_against_today(dob: Value) -> None:
    assert ev("${dob} < today()", dob=dob) is True
    assert ev("${dob} > today()", dob=dob) is False
    assert ev("today() - ${dob}", dob=dob) == float((TODAY - DOB).days)
    assert ev("int((today() - ${dob}) div 365.25)", dob=dob) == 24.0


def test_unanswered_date_compares_false_both_ways() -> None:
    assert ev("${dob} < today()", dob="") is False
    assert ev("${dob} >= today()", dob="") is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${d} = '2000-01-05'", True),
        ("${d} = '2000-01-06'", False),
        ("${d} = ''", False),
        ("${d} = 'not a date'", False),
        ("${d} = date('2000-01-05T23:59:00')", True),  # same day
        ("${d} = ${dt}", True),
        ("date(${d}) = today()", False),
        ("today() = '2024-03-07'", True),
    ],
)
def test_date_equality(text: str, expected: bool) -> None:
    assert ev(text, d=DOB, dt=datetime(2000, 1, 5, 14, 0)) is expected


def test_date_conversions() -> None:
    assert ev("date(19723)") == date(2024, 1, 1)
    assert ev("date('2024-01-05')") == date(2024, 1, 5)
    # A date-time keeps its time of day in date(), as in Collect and Web Forms.
    assert ev("date('2024-01-05T10:00:00+07:00')") == datetime(
        2024, 1, 5, 10, tzinfo=timezone(timedelta(hours=7)))
    assert ev("date('')") == ""
    assert ev("decimal-date-time('1970-01-02')") == 1.0
    assert ev("decimal-date-time('1970-01-01T18:00:00Z')") == 0.75
    assert ev("decimal-time('18:00:00.000+07:00')") == 0.75
    assert ev("date-time('2024-01-05')") == datetime(2024, 1, 5)
    assert ev("date(today() + 1)") == TODAY + timedelta(days=1)


@pytest.mark.parametrize(
    "text", ["date('05/01/2024')", "date('2024-02-30')", "date(true())", "date(1 div 0)"]
)
def test_bad_dates_are_evaluation_errors(text: str) -> None:
    eval_error(text)


def test_error_messages_never_contain_answers() -> None:
    error = eval_error("date(${secret})", env(secret="Maria Soares 1987"))
    assert "Maria" not in error.message
    assert error.column == 1


def test_format_date() -> None:
    assert ev("format-date(today(), '%Y-%m-%d %e %n %b %a %y')") == "2024-03-07 7 3 Mar Thu 24"
    assert ev("format-date(${d}, '%d/%m/%Y')", d="2000-01-05") == "05/01/2000"
    assert ev("format-date('', '%Y')") == ""
    moment = "'2024-03-07T09:05:03.250'"
    assert ev(f"format-date-time({moment}, '%H:%M:%S.%3 %h%%')") == "09:05:03.250 9%"


def test_format_date_rejects_unknown_tokens() -> None:
    assert "'%Q'" in eval_error("format-date(today(), '%Q')").message
    eval_error("format-date(today(), 'abc%')")


def test_today_and_now_come_from_the_env() -> None:
    moment = datetime(2024, 3, 7, 12, 0, tzinfo=UTC)
    environment = SimpleEnv(today_date=TODAY, now_datetime=moment)
    assert evaluate(parse("now()"), environment) == moment
    assert (
        evaluate(parse("decimal-date-time(now()) - decimal-date-time(today())"), environment) == 0.5
    )
    assert evaluate(parse("today()"), environment) == TODAY


# --- select_multiple answers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("selected(${ms}, 'c')", True),
        ("selected(${ms}, 'b')", False),
        ("selected(${ms}, ' c ')", True),
        ("selected('ab c', 'a')", False),  # whole choice names only
        ("selected('', 'a')", False),
        ("selected(${ms}, '')", False),
        ("count-selected(${ms})", 2.0),
        ("count-selected(' a  c ')", 2.0),
        ("count-selected('')", 0.0),
        ("selected-at(${ms}, 1)", "c"),
        ("selected-at(${ms}, 0)", "a"),
        ("selected-at(${ms}, 2)", ""),
        ("selected-at(${ms}, -1)", ""),
        ("selected-at(${ms}, '')", "a"),  # JavaRosa's (int) of NaN is 0: the first
    ],
)
def test_select_multiple(text: str, expected: Value) -> None:
    assert ev(text, ms="a c") == expected


def test_choice_name() -> None:
    labels = {"colors": {"red": "Red", "green": "Verde"}}
    environment = SimpleEnv(values={"colors": "red green", "pick": "green"}, choice_labels=labels)
    assert (
        evaluate(parse("jr:choice-name(selected-at(${colors}, 1), '${colors}')"), environment)
        == "Verde"
    )
    assert evaluate(parse("jr:choice-name(${pick}, ${colors})"), environment) == "Verde"
    assert evaluate(parse("jr:choice-name('blue', '${colors}')"), environment) == ""
    assert evaluate(parse("jr:choice-name('', '${colors}')"), environment) == ""


# --- laziness and short-circuits ---------------------------------------------------------


def test_if_evaluates_only_the_chosen_branch() -> None:
    assert ev("if(true(), 1, ${missing})") == 1.0
    assert ev("if(false(), ${missing}, 2)") == 2.0
    error = eval_error("if(true(), ${missing}, 2)")
    assert error.column == 12
    assert "unknown reference ${missing}" in error.message


def test_coalesce_is_lazy_and_skips_empty_and_nan() -> None:
    assert ev("coalesce('x', ${missing})") == "x"
    assert ev("coalesce('', 'y')") == "y"
    assert ev("coalesce(number(''), 5)") == 5.0
    assert ev("coalesce(${a}, ${b})", a="", b="") == ""


def test_and_or_short_circuit() -> None:
    assert ev("false() and ${missing}") is False
    assert ev("true() or ${missing}") is True
    eval_error("true() and ${missing}")
    eval_error("false() or ${missing}")


def test_once_returns_its_argument() -> None:
    assert ev("once(concat('a', 'b'))") == "ab"


# --- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("int(3.7)", 3.0),
        ("int(-3.7)", -3.0),
        ("int('12')", 12.0),
        ("round(2.5)", 3.0),
        ("round(2.4)", 2.0),
        ("round(-2.4)", -2.0),
        # JavaRosa rounds halves up, toward +Infinity (BigDecimal HALF_UP / HALF_DOWN by sign)
        ("round(-2.5)", -2.0),
        ("round(-2.6)", -3.0),
        ("round(1.005, 2)", 1.01),  # decimal rounding, as printed, not binary
        ("round(2.675, 2)", 2.68),
        ("round(1234.5, -2)", 1200.0),
        ("round(1250, -2)", 1300.0),
        ("round(-36, -1)", -40.0),
        ("round(2.5, 31)", None),
        ("abs(-4)", 4.0),
        ("pow(2, 10)", 1024.0),
        ("sqrt(16)", 4.0),
        ("log10(1000)", 3.0),
        ("exp(0)", 1.0),
        ("log(exp(2))", 2.0),
        ("round(pi(), 4)", 3.1416),
        ("7 mod 3", 1.0),
        ("-7 mod 3", -1.0),  # sign of the dividend, as XPath
        ("7 mod -3", 1.0),
        ("number('  4.5 ')", 4.5),
    ],
)
def test_numeric_functions(text: str, expected: float | None) -> None:
    result = ev(text)
    assert is_nan(result) if expected is None else result == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 div 0", math.inf),
        ("-1 div 0", -math.inf),
        ("1 div -0", -math.inf),
        ("pow(10, 400)", math.inf),
        ("pow(-10, 401)", -math.inf),
        ("pow(0, -1)", math.inf),
        ("exp(1000)", math.inf),
        ("log(0)", -math.inf),
        ("string(1 div 0)", "Infinity"),
    ],
)
def test_overflow_and_division_by_zero_follow_xpath(text: str, expected: Value) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0 div 0",
        "5 mod 0",
        "sqrt(-1)",
        "log(-1)",
        "pow(-8, 1 div 3)",
        "int('')",
        "round('')",
        "asin(2)",
        "${x} div 2",
    ],
)
def test_nan_results(text: str) -> None:
    assert is_nan(ev(text, x=""))


# --- nodesets (an item's values across repeat instances) ----------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sum(${ages})", 63.0),
        ("count(${ages})", 4.0),
        ("count-non-empty(${ages})", 3.0),
        ("max(${ages})", 40.0),
        ("min(${ages})", 8.0),
        ("max(${empty})", None),
        ("sum(${empty})", 0.0),
        ("count(${empty})", 0.0),
        ("max(3, 9, '', 4)", 9.0),
        ("join(', ', ${ages})", "15, 40, , 8"),
        ("concat('ages:', ${ages})", "ages:15408"),
        ("${ages} = 40", True),  # existential, as XPath
        ("${ages} = 41", False),
        ("${ages} > 39", True),
        ("${ages} < 8", False),
        ("${ages} != 15", True),
        ("${empty} = ''", False),
        ("boolean(${ages})", True),
        ("boolean(${empty})", False),
        ("count(${one})", 1.0),
        ("count-non-empty(${one})", 1.0),
    ],
)
def test_nodesets(text: str, expected: Value) -> None:
    result = ev(text, ages=[15, "40", "", 8], empty=[], one="x")
    if expected is None:
        assert is_nan(result)
    else:
        assert result == expected


# --- strings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("concat('a', 1, true(), 2.5, '')", "a1true2.5"),
        ("concat('only')", "only"),
        ("substr('hello', 1, 3)", "el"),
        ("substr('hello', 3)", "lo"),
        ("substr('hello', -3)", "llo"),
        ("substr('hello', 4, 2)", ""),
        ("substring-before('1999/04/01', '/')", "1999"),
        ("substring-after('1999/04/01', '/')", "04/01"),
        ("substring-after('abc', 'x')", ""),
        ("translate('bar', 'abc', 'ABC')", "BAr"),
        ("translate('--aaa--', 'abc-', 'ABC')", "AAA"),
        ("normalize-space('  a \t  b\n')", "a b"),
        ("string-length('Tetun')", 5.0),
        ("string-length('العمر')", 5.0),
        ("contains('abc', 'bc')", True),
        ("starts-with('abc', 'ab')", True),
        ("ends-with('abc', 'ab')", False),
        ("string(12)", "12"),
    ],
)
def test_string_functions(text: str, expected: Value) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("subject", "pattern", "expected"),
    [
        ("abc", "b", False),  # the whole string must match, as ODK's regex()
        ("abc", ".*b.*", True),
        ("123456789", "[0-9]{9}", True),
        ("12345678", "[0-9]{9}", False),
        ("AbC", "(?i)abc", True),
        ("٣", r"\d", False),  # \d is ASCII, as in Java/Collect
        ("", "a*", True),
    ],
)
def test_regex(subject: str, pattern: str, expected: bool) -> None:
    assert ev("regex(${s}, ${p})", s=subject, p=pattern) is expected


def test_regex_errors_are_evaluation_errors() -> None:
    error = eval_error("regex('a', ${p})", env(p="(unclosed"))
    assert "invalid regular expression" in error.message
    assert error.column == 1
    assert "longer than" in eval_error("regex(${s}, 'a*')", env(s="a" * 10_001)).message
    eval_error("regex('a', ${p})", env(p="a" * 1001))


# --- checklists --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("checklist(2, -1, true(), false(), 'yes', '')", True),  # 2 true values, at least 2
        ("checklist(3, -1, true(), false(), 'yes', '')", False),
        ("checklist(-1, 1, true(), false(), 'yes', '')", False),  # at most 1
        ("checklist(-1, -1)", True),
        ("checklist(1, 2, ${flags})", True),
        ("weighted-checklist(3, -1, true(), 2, false(), 5, 'yes', 1)", True),  # 2 + 1 = 3
        ("weighted-checklist(4, -1, true(), 2, false(), 5, 'yes', 1)", False),
        ("weighted-checklist(-1, 2, true(), 2, false(), 5, 'yes', 1)", False),
        ("weighted-checklist(-1, 3, true(), 2, false(), 5, 'yes', 1)", True),
        ("weighted-checklist(5, 5, ${flags}, ${weights})", True),  # parallel nodesets: 2 + 3
    ],
)
def test_checklists(text: str, expected: bool) -> None:
    assert ev(text, flags=[True, "", "x"], weights=[2, 10, 3]) is expected


def test_weighted_checklist_nodesets_must_match() -> None:
    eval_error("weighted-checklist(1, 2, ${a}, ${b})", env(a=["x"], b=[1, 2]))


# --- repeats, identifiers, the Env -------------------------------------------------------


def test_position_in_a_repeat() -> None:
    assert evaluate(parse("position(..)"), SimpleEnv(repeat_position=3)) == 3.0
    error = eval_error("1 + position(..)", SimpleEnv())
    assert error.column == 5


def test_uuid() -> None:
    first, second = ev("uuid()"), ev("uuid()")
    assert isinstance(first, str)
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first
    )
    assert first != second
    assert len(str(ev("uuid(12)"))) == 12


def test_simple_env_is_an_env() -> None:
    assert isinstance(SimpleEnv(), Env)


def test_unknown_reference_in_strict_and_lenient_envs() -> None:
    error = eval_error("1 + ${nope}")
    assert error.message == "unknown reference ${nope} at column 5"
    assert error.column == 5
    assert evaluate(parse("${nope} = ''"), SimpleEnv(strict=False)) is True


def test_current_value() -> None:
    assert evaluate(parse(". >= 18 and . < 120"), SimpleEnv(current_value="45")) is True
    assert evaluate(parse("count-selected(.) <= 2"), SimpleEnv(current_value="a b c")) is False


class _BrokenEnv(SimpleEnv):
    def value(self, name: str) -> Value:
        if name == "boom":
            raise KeyError(name)
        return {"x": 1}  # type: ignore[return-value]  # not a Value on purpose


def test_misbehaving_env_still_gives_expression_errors() -> None:
    assert "unsupported type dict" in eval_error("${x} + 1", _BrokenEnv()).message
    assert "internal error" in eval_error("${boom}", _BrokenEnv()).message


def test_tuples_from_the_env_are_nodesets() -> None:
    assert evaluate(parse("sum(${t})"), SimpleEnv(values={"t": (1, 2)})) == 3.0  # type: ignore[dict-item]


# --- matched to JavaRosa (ODK Collect), as measured by tests/conformance ------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("boolean(0.0000000000001)", False),  # |x| < 1e-12 is false, as "=" tolerates it
        ("boolean(0.00000000001)", True),
        ("selected('a c', 'a c')", True),  # JavaRosa tests " a c " inside " a c "
        ("selected('', '')", True),
        ("count-selected('x	y')", 1.0),  # split on spaces only
        ("string-length('\U0001F600')", 2.0),  # UTF-16 units, as Java
        ("string(1000000 * 1000000)", "1.0E12"),
    ],
)
def test_javarosa_semantics(text: str, expected: Value) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (True, "1"),
        (False, "0"),
        (2500.0, "2500"),
        (1e12, "1000000000000"),
        (1e21, "1.0E21"),
        (1e-7, "1.0E-7"),
        (math.nan, ""),
        (math.inf, "Infinity"),
        (datetime(2024, 5, 2, 12, 0, tzinfo=UTC), "2024-05-02T12:00:00.000Z"),
        ("text", "text"),
    ],
)
def test_what_a_calculate_stores(value: Value, stored: str) -> None:
    """What Collect submits for a calculate's result (JavaRosa's answer types)."""
    import os
    import time

    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        assert stored_text(value) == stored
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
