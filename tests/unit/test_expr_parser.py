"""Parser: precedence, names, literals, errors with columns, and the Expr summary methods."""

from __future__ import annotations

import pytest

from screening.errors import ErrorCode, ExpressionError
from screening.expr import MAX_DEPTH, MAX_LENGTH, Expr, SimpleEnv, Value, evaluate, parse
from screening.expr.nodes import Call, Chain, ItemName, Literal, Neg, Parent, Ref


def ev(text: str, **values: Value) -> Value:
    return evaluate(parse(text), SimpleEnv(values=values))


def syntax_error(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    return info.value


# --- precedence and associativity ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("1 + 2 * 3 = 7", True),
        ("10 - 4 - 3", 3.0),  # left-associative, not 10 - (4 - 3)
        ("100 div 10 div 5", 2.0),
        ("7 mod 4 * 2", 6.0),  # same level as *, left to right
        ("2 + 3 = 5", True),
        ("1 < 2 = true()", True),  # < binds tighter than =
        ("3 > 2 > 1", False),  # (3 > 2) is true, and true (1) > 1 is false, as in XPath
        ("not(1 = 2) and 3 > 2", True),
        ("1 = 1 or 1 = 2 and 1 = 3", True),  # and binds tighter than or
        ("(1 = 1 or 1 = 2) and 1 = 3", False),
        ("2 * 3 + 4 * 5", 26.0),
        ("2 + 3 * 4 - 6 div 2", 11.0),
    ],
)
def test_precedence(text: str, expected: Value) -> None:
    assert ev(text) == expected


def test_and_binds_tighter_than_or_in_the_tree() -> None:
    root = parse("${a} or ${b} and ${c}").root
    assert root == Chain(Ref("a"), (("or", Chain(Ref("b"), (("and", Ref("c")),))),))
    # a=1, b=0, c=0: a or (b and c) is true; (a or b) and c would be false.
    assert ev("${a} or ${b} and ${c}", a=True, b=False, c=False) is True


def test_runs_of_one_level_are_one_flat_chain() -> None:
    root = parse("1 + 2 - 3 + 4").root
    assert isinstance(root, Chain)
    assert [op for op, _ in root.rest] == ["+", "-", "+"]


def test_operator_name_after_an_operand_even_before_a_parenthesis() -> None:
    # XPath lexical rule: after an operand, "or" is the operator, not a function call.
    assert ev("${a} or(${b})", a="", b="x") is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-2 * 3", -6.0),
        ("- -2", 2.0),
        ("2 - -3", 5.0),
        ("2--3", 5.0),
        ("-(1 + 2)", -3.0),
        ("3-2", 1.0),
        ("4 div-1", -4.0),  # "div-1" would be a name; after an operand it is div then -1
    ],
)
def test_unary_minus_and_subtraction(text: str, expected: float) -> None:
    assert ev(text) == expected


def test_unary_minus_binds_tighter_than_multiplication() -> None:
    root = parse("-${a} * 2").root
    assert isinstance(root, Chain)
    assert root.first == Neg(Ref("a"))


def test_hyphen_inside_a_reference_is_part_of_the_name() -> None:
    assert parse("${a-b}").references() == {"a-b"}
    assert ev("${a-b}", **{"a-b": "7"}) == "7"
    assert ev("${a} - ${b}", a="5", b="2") == 3.0
    assert ev("${a}-${b}", a="5", b="2") == 3.0


# --- names and literals ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "q1",
        "_private",
        "q.1.b",
        "hdr-2_x",
        "data_moris",  # Tetun
        "hatán",  # Tetun with an accent
        "العمر",  # Arabic
        "عُمر",  # Arabic with a haraka (a combining mark)
        "किसान",  # Devanagari with a vowel sign (a combining mark)
        "می\u200cخواهم",  # Persian with a zero-width non-joiner
    ],
)
def test_reference_names(name: str) -> None:
    expr = parse(f"${{{name}}} = 'x'")
    assert expr.references() == {name}
    assert ev(f"${{{name}}} = 'x'", **{name: "x"}) is True


@pytest.mark.parametrize(("text", "column"), [("${1abc}", 3), ("${a b}", 4), ("${-a}", 3)])
def test_invalid_reference_names(text: str, column: int) -> None:
    error = syntax_error(text)
    assert error.column == column
    assert error.code == ErrorCode.EXPRESSION_SYNTAX


def test_string_literals_have_no_escapes() -> None:
    assert parse('"it\'s"').root == Literal("it's")
    assert parse("'say \"hi\"'").root == Literal('say "hi"')
    assert parse(r"'\d+'").root == Literal("\\d+")  # backslash is literal: regexes stay readable
    assert parse("''").root == Literal("")
    error = syntax_error("'a''b'")  # XPath 1.0 has no doubled quotes
    assert error.column == 4
    assert "unexpected string" in error.message


@pytest.mark.parametrize(("text", "value"), [("3", 3.0), ("2.5", 2.5), (".5", 0.5), ("2.", 2.0)])
def test_number_literals(text: str, value: float) -> None:
    assert parse(text).root == Literal(value)


def test_function_names_with_hyphens_and_namespaces() -> None:
    expr = parse(
        "count-selected(${a}) + boolean-from-string('1')"
        " + string-length(jr:choice-name(${a}, '${a}'))"
    )
    assert expr.functions() == {
        "count-selected",
        "boolean-from-string",
        "string-length",
        "jr:choice-name",
    }


def test_whitespace_is_insignificant_and_columns_do_not_affect_equality() -> None:
    assert parse("1+2").root == parse(" 1 +\n 2 ").root
    assert hash(parse("1+2").root) == hash(parse("1 + 2").root)
    assert parse("1+2") != parse("1 + 2")  # the Expr keeps its source
    assert len({parse("${a} = 1"), parse("${a} = 1")}) == 1


# --- errors and their columns ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("(1 + 2))", 8, "unexpected ')' at column 8"),
        ("if(${a} = 1, 2, 3))", 19, "unexpected ')' at column 19"),
        ("1 + ${a", 5, "unclosed '${' at column 5"),
        ("${a} = 1 and ${b", 14, "unclosed '${' at column 14"),
        ("${a} + (", 9, "unexpected end of expression at column 9"),
        ("1 + (2 * 3", 11, "expected ')' to close the '(' at column 5"),
        ("'abc", 1, "unclosed string at column 1"),
        ("1 2", 3, "unexpected number 2 at column 3"),
        ("${a} ${b}", 6, "unexpected reference ${b} at column 6"),
        ("1 +", 4, "unexpected end of expression"),
        ("concat(1,)", 10, "unexpected ')' at column 10"),
        ("and 1", 1, "unexpected 'and' at column 1"),
        ("${}", 1, "empty reference"),
        ("1 == 2", 3, "use '='"),
        ("${a} ! ${b}", 6, "'!='"),
        ("1 AND 2", 3, "lower-case"),
        ("true", 1, "true()"),
        ("age > 3", 1, "${age}"),
        ("1\u00a0+ 2", 2, "U+00A0"),
        ("1 # 2", 3, "unexpected character '#'"),
        ("foo(1)", 1, "unknown function 'foo()' at column 1"),
        ("1 + bar:baz()", 5, "unknown function 'bar:baz()'"),
        ("if(${a}, 2)", 1, "function 'if' takes 3 arguments, got 2"),
        ("not()", 1, "function 'not' takes 1 argument, got 0"),
        ("true(1)", 1, "function 'true' takes 0 arguments, got 1"),
        ("1 + substr('abc')", 5, "function 'substr' takes 2 or 3 arguments, got 1"),
        ("max()", 1, "takes at least 1 argument, got 0"),
        ("weighted-checklist(1, 2, 3)", 1, "an even number of arguments"),
        ("regex(., '[a')", 10, "invalid regular expression"),
        ("jr:choice-name(${a}, 'a')", 22, "'${name}'"),
    ],
)
def test_syntax_errors_name_the_column(text: str, column: int, fragment: str) -> None:
    error = syntax_error(text)
    assert error.code == ErrorCode.EXPRESSION_SYNTAX
    assert error.column == column
    assert fragment in error.message


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_is_an_error(text: str) -> None:
    error = syntax_error(text)
    assert error.column == 1
    assert "empty" in error.message


def test_non_text_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError):
        parse(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        (
            "pulldata('f', 'c', 'k', ${a})",
            1,
            "pulldata() is not supported: FieldScreen cannot read external files",
        ),
        ("instance('list')/root/item", 1, "instance() is not supported"),
        ("1 + randomize(${a})", 5, "randomize() is not supported"),
        ("digest(${a}, 'SHA-256')", 1, "digest() is not supported"),
        ("area(${a})", 1, "does not record locations"),
        ("distance(${a})", 1, "does not record locations"),
        ("/data/age > 3", 1, "XPath paths"),
        ("${a}[1]", 5, "predicates"),
        ("${a} | ${b}", 6, "union"),
        ("count(..)", 7, "position(..)"),
        ("position(.)", 10, "position(..)"),
        ("${last-saved#a}", 1, "last-saved"),
        # XPath 1.0 functions Collect stops the form on: refused with what to use instead.
        ("floor(${a})", 1, "ODK Collect cannot evaluate floor(); use int()"),
        ("1 + ceiling(${a})", 5, "ODK Collect cannot evaluate ceiling()"),
        ("substring(${a}, 2)", 1, "use substr(text, start, end)"),
    ],
)
def test_unsupported_odk_features(text: str, column: int, fragment: str) -> None:
    error = syntax_error(text)
    assert error.code == ErrorCode.EXPRESSION_UNSUPPORTED
    assert error.column == column
    assert fragment in error.message


def test_position_of_the_parent() -> None:
    root = parse("position(..) = 1").root
    assert isinstance(root, Chain)
    assert root.first == Call("position", (Parent(),))


# --- limits: hostile input is an ExpressionError, never a RecursionError ------------------


@pytest.mark.parametrize(
    "text",
    ["(" * 5000 + "1" + ")" * 5000, "(" * 5000, "-" * 5000 + "1", "not(" * 3000 + "1" + ")" * 3000],
)
def test_deep_nesting_is_refused(text: str) -> None:
    error = syntax_error(text)
    assert "nested too deeply" in error.message
    # Refused where the limit is crossed, not at the end of the text.
    assert error.column is not None and error.column <= 4 * MAX_DEPTH + 1


def test_nesting_below_the_limit_parses_and_evaluates() -> None:
    depth = 90
    text = "if(${a} = 1, 1, " * depth + "0" + ")" * depth
    assert ev(text, a="2") == 0.0


def test_long_flat_chains_are_not_nesting() -> None:
    assert ev(" + ".join(["1"] * 3000)) == 3000.0
    refs = {f"q{i}": "" for i in range(500)}
    text = " or ".join(f"${{q{i}}} = 'yes'" for i in range(500))
    assert parse(text).references() == set(refs)
    assert ev(text, **{**refs, "q499": "yes"}) is True


def test_overlong_text_is_refused() -> None:
    error = syntax_error("1" + " + 1" * (MAX_LENGTH // 4 + 1))
    assert "too long" in error.message
    assert error.column == MAX_LENGTH + 1


# --- Expr summary methods ----------------------------------------------------------------


def test_references_functions_and_current() -> None:
    expr = parse("if(${a} > 1, ${b}, concat(${c}, ${a}, .))")
    assert isinstance(expr, Expr)
    assert expr.source == "if(${a} > 1, ${b}, concat(${c}, ${a}, .))"
    assert expr.references() == frozenset({"a", "b", "c"})
    assert expr.functions() == frozenset({"if", "concat"})
    assert expr.uses_current() is True
    assert str(expr) == expr.source


def test_summary_of_an_expression_without_references() -> None:
    expr = parse("1 + 1")
    assert expr.references() == frozenset()
    assert expr.functions() == frozenset()
    assert expr.uses_current() is False


def test_zero_argument_string_functions_read_the_current_value() -> None:
    assert parse("string-length() < 10").uses_current() is True
    assert parse("normalize-space() != ''").uses_current() is True
    assert evaluate(parse("string-length()"), SimpleEnv(current_value="abcd")) == 4.0


@pytest.mark.parametrize("item", ["'${colors}'", '"${colors}"', "' ${colors} '", "${colors}"])
def test_choice_name_item_forms(item: str) -> None:
    expr = parse(f"jr:choice-name(${{pick}}, {item})")
    assert expr.references() == {"pick", "colors"}
    root = expr.root
    assert isinstance(root, Call)
    assert root.args[1] == ItemName("colors")
