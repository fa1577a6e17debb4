r"""regex(): Collect's answers for the patterns forms use, and no pattern can hang (issue #17).

A security review found ``regex(., '(a+)+b')`` passing ``instruments check`` and then taking
seconds (exponential) on a 28-character answer. regex() now runs on RE2 (linear time); what
RE2 cannot run is refused when the form is checked or imported, naming item and row.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from factories import instrument_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.errors import ErrorCode, ExpressionError
from screening.expr import SimpleEnv, evaluate, parse
from screening.expr.regex import MAX_REGEX_SUBJECT, PatternError, matches
from tests.cli.helpers import ROOT, run_cli

# Each expected value is what JavaRosa's XPathFuncExpr.regex (Java's Pattern.matches)
# returns; test_table_agrees_with_javarosa re-checks them where Java is installed.
TABLE = [
    ("abc", "b", False),  # the whole text must match, as Collect
    ("abc", ".*b.*", True),
    ("abc", "^abc$", True),
    ("AB123456", "^[A-Z]{2}[0-9]{6}$", True),
    ("ab123456", "^[A-Z]{2}[0-9]{6}$", False),
    ("AB1234567", "^[A-Z]{2}[0-9]{6}$", False),
    ("0123456789", r"^\d{10}$", True),
    ("٠١٢٣٤٥٦٧٨٩", r"^\d{10}$", False),  # \d is ASCII in Java's default flavour
    ("0123456789\n", r"^\d{10}$", False),
    ("+44 20 7946 0958", r"^\+?[0-9 ]{6,15}$", True),
    ("+447911123456", r"^(\+|00)[1-9][0-9]{7,14}$", True),
    ("Иван Петров", r"^[\p{L} '-]+$", True),
    ("محمد علي", r"^[\p{L} '-]+$", True),
    ("O'Brien-Smith", r"^[\p{L} '-]+$", True),
    ("Nguyễn Văn A", r"^[\p{L} '-]+$", True),
    ("Anna2", r"^[\p{L} '-]+$", False),
    ("محمد علي", r"^[\u0600-\u06FF\s]+$", True),
    ("محمد", r"^\p{IsArabic}+$", True),
    ("محمد", r"^\p{InArabic}+$", True),
    ("Ivan", r"^\p{IsCyrillic}+$", False),
    ("Ёж", r"^[а-яА-ЯёЁ]+$", True),
    ("a.b@example.org", r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$", True),
    ("a b@c.de", r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$", False),
    ("é", r"\w", False),
    ("\x0b", r"\s", True),  # Java's \s has the vertical tab, RE2's has not
    ("\xa0", r"\s", False),
    ("a\rb", "a.b", False),  # Java's . stops at every line terminator
    ("a\u2028b", "a.b", False),
    ("a\nb", "(?s)a.b", True),
    ("😀", "^.$", True),
    ("abc\n", "abc$", False),
    ("1+1=2", r"\Q1+1\E=2", True),
    ("ABC\x01", r"\x41\u0042\0103\cA", True),
    ("😀", r"\uD83D\uDE00", True),
    ("Éva", r"\p{Lu}\p{Ll}+", True),
    ("é", r"\p{Alpha}", False),
    ("مُحَمَّد", r"\p{IsAlphabetic}+", True),
    ("a\r\nb", r"a\Rb", True),
    ("]a", "[]a]+", True),
    ("yes", "(?i)YES|no", True),
    ("aB", "a(?i)b", True),
    ("aBC", "(a(?i)b)c", False),
    ("", "a*", True),
    ("я", "(?i)Я", False),  # desktop Java's (?i) folds ASCII only ...
    ("Ivan", "(?i)[a-z]+", True),
    ("я", "(?iu)Я", True),  # ... and every script with (?u)
    ("a", r"(?i)\p{Lu}", True),
    # Review of issue #17: (?i) adds the other case of each letter to a class, never where a
    # final '-' would read it as a range ([a-z -] took "John 2" and "<script>")
    ("John 2", "(?i)^[a-z -]+$", False),
    ("<script>", "(?i)^[a-z' -]+$", False),
    ("Anne-Marie O'Neil", "(?i)^[a-z' -]+$", True),
    ("John.Doe@Example.COM", r"(?i)^[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]{2,}$", True),
    ("a^b@x.io", r"(?i)^[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]{2,}$", False),
    ("b", "(?i)[^a-]", True),
    ("A", "(?i)[^a-]", False),
    # ... after \s, \h, \p{..} a '-' is itself a character, not the start of a range
    ("Jo(n", r"^[\p{L}\s-.']+$", False),
    ("Jo-n O.", r"^[\p{L}\s-.']+$", True),
    ("5", r"^[\s-z]+$", False),
    ("z-", r"^[\h-z]+$", True),
    ("5", r"[\v-z]", True),  # but Java reads \v before '-' as the character \x0B
    ("\x0b", r"[\S]", False),
    ("b", r"[\Qa-c\E]", False),  # \Q..\E quotes the '-' too
    ("-", r"[\Qa-c\E]", True),
    ("11", r"\Q1\E{2}", True),
    # ... these crashed ("internal error")
    ("محمد علي", r"^[\p{InArabic}\s]+$", True),
    ("a", r"[^\p{block=Arabic}]", True),
    ("a", "a{00000000000000000000001}", True),
    # ... Java's binary properties, with Unicode's Other_Uppercase, Other_Alphabetic ...
    ("Ⅻ", r"\p{IsUppercase}", True),
    ("ª", r"\p{IsLowercase}", True),
    ("a\u0301", r"\p{IsAlphabetic}+", False),  # a combining accent is not Alphabetic
    ("A", r"(?i)\p{javaLowerCase}", True),
]
# Patterns Java refuses too (PatternSyntaxException); re-checked with TABLE.
JAVA_REFUSES = ["a{²}", "x{٣}", "[z-a]", r"[a-\d]", "[a"]


def regex(subject: str, pattern: str) -> object:
    env = SimpleEnv(values={"s": subject, "p": pattern})
    return evaluate(parse("regex(${s}, ${p})"), env)


@pytest.mark.parametrize(("subject", "pattern", "expected"), TABLE)
def test_form_patterns_match_as_in_collect(subject: str, pattern: str, expected: bool) -> None:
    assert regex(subject, pattern) is expected
    quote = '"' if "'" in pattern else "'"  # as a constant too, checked when loading
    constant = parse(f"regex(., {quote}{pattern}{quote})")
    assert evaluate(constant, SimpleEnv(current_value=subject)) is expected


JAVA_REGEX = """
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.HexFormat;
import org.javarosa.xpath.expr.XPathFuncExpr;
public class RegexTable {
    public static void main(String[] args) throws Exception {
        HexFormat hex = HexFormat.of();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] cell = line.split(" ", -1);
            String subject = new String(hex.parseHex(cell[0]), StandardCharsets.UTF_8);
            String pattern = new String(hex.parseHex(cell[1]), StandardCharsets.UTF_8);
            try {
                System.out.println(XPathFuncExpr.regex(subject, pattern));
            } catch (RuntimeException e) {
                System.out.println("error");
            }
        }
    }
}
"""


def test_table_agrees_with_javarosa(tmp_path: Path) -> None:
    import pyxform

    jar = Path(pyxform.__file__).parent / "validators/odk_validate/bin/ODK_Validate.jar"
    if not (shutil.which("java") and shutil.which("javac") and jar.is_file()):
        pytest.skip("needs java, javac and pyxform's ODK_Validate.jar (JavaRosa)")
    (tmp_path / "RegexTable.java").write_text(JAVA_REGEX)
    subprocess.run(["javac", "-cp", str(jar), "RegexTable.java"], cwd=tmp_path, check=True)
    cases = [*TABLE, *(("a", pattern, "error") for pattern in JAVA_REFUSES)]
    rows = "".join(f"{s.encode().hex()} {p.encode().hex()}\n" for s, p, _ in cases)
    (tmp_path / "table.txt").write_text(rows)
    result = subprocess.run(
        ["java", "-cp", f"{jar}:{tmp_path}", "RegexTable", str(tmp_path / "table.txt")],
        capture_output=True, text=True, check=True, timeout=120,
    )
    javarosa = [{"true": True, "false": False}.get(line, line) for line in result.stdout.split()]
    assert javarosa == [expected for _, _, expected in cases]


@pytest.mark.parametrize("pattern", JAVA_REFUSES)
def test_patterns_java_refuses_are_refused(pattern: str) -> None:
    """Java's digits in {n} are ASCII: x{٣} is refused there, not read as text."""
    with pytest.raises(PatternError) as info:
        parse(f"regex(., '{pattern}')")
    assert info.value.code == ErrorCode.EXPRESSION_SYNTAX


# --- patterns RE2 cannot run: refused with a plain reason ---------------------------------

REFUSED = [
    (r"(\d)\1", "backreferences (\\1) cannot be checked in bounded time"),
    (r"(?<x>a)\k<x>", "backreferences"),
    ("(?=.*[0-9])[a-z0-9]+", "lookahead"),
    ("(?!000)[0-9]{3}", "lookahead"),
    ("(?<=a)b", "lookbehind"),
    ("(?<!a)b", "lookbehind"),
    ("(?>a+)b", "atomic groups"),
    ("a++b", "possessive quantifiers"),
    ("[0-9]{2}+", "possessive quantifiers"),
    ("[a-z&&[^aeiou]]+", "classes inside classes"),
    (r"\p{L}{1000}", "too large to check safely"),
    ("a{1001}", "over 1000"),
    ("a{0,999}" * 5, "more than 4000 repeated parts"),  # RE2's compile time: quadratic
    ("(?:(?:ab){0,100}){0,30}", "more than 4000 repeated parts"),
]


@pytest.mark.parametrize(("pattern", "reason"), REFUSED)
def test_patterns_re2_cannot_run_are_refused_when_loading(pattern: str, reason: str) -> None:
    with pytest.raises(PatternError) as info:
        parse(f"regex(., '{pattern}')")
    assert info.value.code == ErrorCode.EXPRESSION_UNSUPPORTED
    assert reason in info.value.message and "regex():" in info.value.message
    assert info.value.column == 10  # the pattern's quote


def test_a_bad_constant_pattern_is_a_syntax_error() -> None:
    with pytest.raises(PatternError) as info:
        parse("regex(., '[a')")
    assert info.value.code == ErrorCode.EXPRESSION_SYNTAX
    assert "invalid regular expression" in info.value.message


@pytest.mark.parametrize(("pattern", "reason"), REFUSED[:4])
def test_a_pattern_built_while_running_is_an_evaluation_error(pattern: str, reason: str) -> None:
    expr = parse("regex(., concat('', ${p}))")
    with pytest.raises(ExpressionError) as info:
        evaluate(expr, SimpleEnv(values={"p": pattern}, current_value="11"))
    assert info.value.code == ErrorCode.EXPRESSION_EVAL
    assert reason in info.value.message


@pytest.mark.parametrize("pattern", [r"(\1SECRET", "[SECRET", r"\p{SECRET}", "(?=SECRET)"])
def test_error_messages_never_echo_the_pattern(pattern: str) -> None:
    """A run-time pattern may hold an answer (concat('^', ${name})): errors end up in logs."""
    with pytest.raises(ExpressionError) as info:
        regex("x", pattern)
    assert "SECRET" not in info.value.message


# --- nothing hangs ------------------------------------------------------------------------

CATASTROPHIC = ["(a+)+b", "(a|aa)*c", "(.*a){10}", "(a*)*b", "(a|a)*b", r"(\w+\s?)+$", "(x+x+)+y"]
ATOMS = st.sampled_from(
    ["a", "b", "aa", ".", "[ab]", "[^b]", r"\d", r"\w", r"\s", r"\p{L}", "é", "я", "[a-z]",
     r"\.", "(?:ab)", "^", "$", r"\b"]
)  # fmt: skip
QUANTIFIERS = st.sampled_from(["*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?", "{2,5}?"])


def _compose(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, inner).map("".join),
        st.tuples(inner, inner).map(lambda pair: f"({pair[0]}|{pair[1]})"),
        inner.map(lambda one: f"({one})"),
        st.tuples(inner, QUANTIFIERS).map(lambda pair: f"(?:{pair[0]}){pair[1]}"),
    )


PATTERNS = st.one_of(st.sampled_from(CATASTROPHIC), st.recursive(ATOMS, _compose, max_leaves=12))
# Long texts cheaply: a short piece repeated, up to just past the cap.
SUBJECTS = st.tuples(st.text("aab é\nя1-", max_size=12), st.integers(1, MAX_REGEX_SUBJECT)).map(
    lambda pair: (pair[0] * pair[1])[: MAX_REGEX_SUBJECT + 1]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PATTERNS, SUBJECTS)
def test_every_pattern_and_text_gives_a_yes_no_or_an_expression_error(
    pattern: str, subject: str
) -> None:
    try:
        result = matches(subject, pattern)
    except PatternError:
        return  # a pattern refused as a whole (e.g. too large), whatever the text
    except ExpressionError as exc:  # over the text cap, or over the work cap (text x program)
        assert len(subject) > MAX_REGEX_SUBJECT or "on a text this long" in exc.message
        return
    assert isinstance(result, bool)


def test_catastrophic_pattern_on_10000_characters_returns_at_once() -> None:
    """With a backtracking engine (Java's, Python's re) this would run for ages: 20 s is
    thousands of times what RE2 needs, so only an engine that backtracks can fail it."""
    code = textwrap.dedent(
        """
        from screening.expr import SimpleEnv, evaluate, parse
        env = SimpleEnv(current_value="a" * 10_000)
        for pattern in ("(a+)+b", "(a|aa)*c"):
            print(evaluate(parse(f"regex(., '{pattern}')"), env))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=20
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_a_text_longer_than_any_match_is_false_without_running() -> None:
    name = r"^[\p{L} '-]{1,100}$"  # 120,000 RE2 instructions; matches 100 characters at most
    assert matches("Nguyễn Văn A", name) is True
    assert matches("é" * 5_000, name) is False  # not "too large", and not slow


def test_a_large_program_on_a_long_text_is_refused_not_slow() -> None:
    """RE2's time is linear in text x program: the product is capped (MAX_REGEX_WORK)."""
    unbounded = r"^[\p{L} '-]{1,100}.*$"
    assert matches("Nguyễn Văn A", unbounded) is True
    with pytest.raises(ExpressionError) as info:
        matches("é" * 5_000, unbounded)
    assert "too large to check on a text this long" in info.value.message
    assert matches("a" * 10_000, "(.*|a){100}") is True  # small programs: up to the cap


def test_counts_up_to_the_budget_still_run() -> None:
    assert matches("a" * 3_996, "a{0,999}" * 4) is True
    assert matches("a" * 3_997 + "b", "a{0,999}" * 4 + "b") is False


# Found by the review: each took 2-20 s before counts were budgeted (RE2's compile time is
# quadratic in a run of optional copies; its slow NFA mode costs ~5 ns per instruction and
# byte). The hard timeout is far above the milliseconds they now take to be refused.
SLOW = [
    ("a{0,999}" * 124, "a" * 100),
    (r"\d{0,999}" * 110, "1" * 2_200),
    ("(?:[ab]?){999}" * 25, "ab" * 5_000),
    (r"(?:\d?){999}" * 25, "1" * 10_000),
    ("(?:a|b|){999}" * 20, "ab" * 5_000),
]


def test_patterns_slow_to_compile_or_match_are_refused_at_once() -> None:
    code = textwrap.dedent(
        """
        import json, sys
        from screening.expr import SimpleEnv, evaluate, parse
        from screening.errors import ExpressionError
        for pattern, text in json.loads(sys.stdin.read()):
            try:
                print(evaluate(parse("regex(${t}, ${p})"),
                               SimpleEnv(values={"t": text, "p": pattern})))
            except ExpressionError as exc:
                print("refused" if "repeated parts" in exc.message else exc.message)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, input=json.dumps(SLOW), capture_output=True,
        text=True, timeout=10,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["refused"] * len(SLOW)


def test_check_refuses_a_pattern_slow_to_compile_at_once(tmp_path: Path) -> None:
    """``instruments check`` took 14.5 s on this pattern, then said ok."""
    text = instrument_yaml(
        ITEMS + "    - name: code\n      type: text\n      text: {en: Code}\n"
        f"      constraint: \"regex(., '{'a{0,999}' * 124}')\"\n"
    )
    path = tmp_path / "slow.yaml"
    path.write_text(text)
    result = run_cli("instruments", "check", str(path), timeout=10)
    assert result.returncode == 2
    [error] = [row for row in result.stderr.splitlines() if "error:" in row]
    assert "item 'code'" in error and "more than 4000 repeated parts" in error


# --- where forms come in: instruments check and XLSForm import -----------------------------

ITEMS = """\
- name: s1
  title: {en: One}
  items:
    - name: passport
      type: text
      text: {en: Passport number}
      constraint: "regex(., '(a+)+b')"
    - name: arabic_name
      type: text
      text: {en: Name in Arabic}
      constraint: "regex(., '^[\\\\p{InArabic}\\\\s]+$')"
"""


def test_the_security_finding_passes_check_and_answers_fast(tmp_path: Path) -> None:
    path = tmp_path / "finding.yaml"
    path.write_text(instrument_yaml(ITEMS))
    result = run_cli("instruments", "check", str(path), timeout=60)
    assert result.returncode == 0, result.stderr  # \p{InArabic} in a class: was exit 1


def test_check_refuses_a_backreference_naming_item_and_line(tmp_path: Path) -> None:
    text = instrument_yaml(
        ITEMS + "    - name: ref_code\n      type: text\n      text: {en: Code}\n"
        "      constraint: \"regex(., '(\\\\d)\\\\1')\"\n"
    )
    path = tmp_path / "backref.yaml"
    path.write_text(text)
    result = run_cli("instruments", "check", str(path), timeout=60)
    assert result.returncode == 2
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "(\\\\d)" in row)
    [error] = [row for row in result.stderr.splitlines() if "error:" in row]
    assert f"backref.yaml:{line}" in error and "item 'ref_code'" in error
    assert "backreferences (\\1) cannot be checked in bounded time" in error
    assert "Traceback" not in result.stderr


FORM = """\
| survey |         |        |          |                               |                         |
|        | type    | name   | label    | constraint                    | relevant                |
|        | text    | pid    | ID       | regex(., '^[A-Z]{2}[0-9]{6}$') |                         |
|        | text    | code   | Code     | regex(., '(\\d)\\1')           |                         |
|        | text    | other  | Other    |                               | regex(${pid}, '(?=A)')  |
|        | text    | safe   | Safe     | regex(., '(a+)+b')            |                         |
|        | text    | ar     | Arabic   | regex(., '^[\\p{InArabic}\\s]+$') |                    |
"""


def test_import_refuses_backreference_and_lookahead_naming_row_column_item(
    tmp_path: Path,
) -> None:
    form = tmp_path / "form.md"
    form.write_text(FORM)
    result = run_cli("instruments", "import", str(form), "-o", str(tmp_path / "out.yaml"))
    assert result.returncode == 2
    errors = [row for row in result.stderr.splitlines() if "error:" in row]
    assert len(errors) == 2, result.stderr
    assert "survey sheet, row 3: constraint" in errors[0] and "of 'code'" in errors[0]
    assert "backreferences (\\1) cannot be checked in bounded time" in errors[0]
    assert "survey sheet, row 4: relevant" in errors[1] and "of 'other'" in errors[1]
    assert "lookahead" in errors[1]
    assert not (tmp_path / "out.yaml").exists()


def test_import_keeps_safe_patterns(tmp_path: Path) -> None:
    form = tmp_path / "form.md"
    form.write_text("\n".join(line for line in FORM.splitlines() if "code" not in line
                              and "other" not in line) + "\n")
    out = tmp_path / "out.yaml"
    result = run_cli("instruments", "import", str(form), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "regex(., '(a+)+b')" in out.read_text()


CHOICE_FILTER = """\
| survey  |               |      |       |                       |
|         | type          | name | label | choice_filter         |
|         | select_one yn | q    | Q     | regex(name, '(\\w)\\1') |
| choices |               |      |       |                       |
|         | list_name     | name | label |                       |
|         | yn            | y    | Yes   |                       |
|         | yn            | n    | No    |                       |
"""


def test_import_refuses_a_backreference_in_a_choice_filter(tmp_path: Path) -> None:
    """As in every other column: dropping the filter would offer choices the form hides."""
    form = tmp_path / "form.md"
    form.write_text(CHOICE_FILTER)
    result = run_cli("instruments", "import", str(form), "-o", str(tmp_path / "out.yaml"))
    assert result.returncode == 2
    [error] = [row for row in result.stderr.splitlines() if "error:" in row]
    assert "survey sheet, row 2: choice_filter" in error and "of 'q'" in error
    assert "backreferences (\\1)" in error and "column" not in error  # of the rewritten text
