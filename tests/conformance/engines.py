"""The reference engines: JavaRosa (ODK Collect) and ODK Web Forms, each run once per batch.

Both take the XForm pyxform makes of the case's XLSForm (``xform``) and the same answers.
JavaRosa's harness (``engines/javarosa/Harness.java``) is compiled against pyxform's
``ODK_Validate.jar`` into ``.cache/conformance/`` (keyed by a hash of the source and the jar);
Web Forms runs from ``engines/webforms`` (``npm ci`` there, see ``make conformance-engines``).
``*_unavailable()`` says why an engine cannot run here (the tests skip with that reason).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .corpus import ROOT, Case

HERE = Path(__file__).resolve().parent
CACHE = ROOT / ".cache" / "conformance"
JAVAROSA_SRC = HERE / "engines" / "javarosa" / "Harness.java"
WEBFORMS_DIR = HERE / "engines" / "webforms"
MIN_NODE = (20, 19)
TIMEOUT = 600  # seconds for a whole batch; a stuck engine fails the run, it does not hang it


class EngineError(Exception):
    """An engine could not run the batch at all (not a case's result)."""


def validate_jar() -> Path:
    import pyxform

    return Path(pyxform.__file__).parent / "validators" / "odk_validate" / "bin" / \
        "ODK_Validate.jar"


# -- XForms ----------------------------------------------------------------------------------
def xform(case: Case) -> tuple[str | None, str | None]:
    """(XForm XML, None) or (None, pyxform's error) for a case."""
    result, error = _convert(case)
    return (result.xform, None) if result is not None else (None, error)


def _loops(element: dict[str, Any]) -> list[str]:
    """Names of the ``begin loop`` groups (their questions are keyed ``loop.choice.name``)."""
    found = [element["name"]] if element.get("type") == "loop" else []
    for child in element.get("children") or []:
        if isinstance(child, dict):
            found += _loops(child)
    return found


def _convert(case: Case) -> tuple[Any, str | None]:
    from pyxform.xls2xform import convert

    path = case.form_path()
    source: str | bytes = path.read_bytes() if path is not None else (case.markdown() or "")
    file_type = path.suffix if path is not None else ".md"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = convert(source, validate=False, file_type=file_type, form_name="data")
    except Exception as exc:  # pyxform raises more than PyXFormError on odd input
        return None, f"pyxform: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
    return result, None


def jobs_for(cases: Iterable[Case]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The engines' jobs, and the cases pyxform refused (id -> error)."""
    jobs: list[dict[str, Any]] = []
    refused: dict[str, str] = {}
    for case in cases:
        result, error = _convert(case)
        if result is None:
            refused[case.id] = error or "pyxform failed"
            continue
        jobs.append({"id": case.id, "xml": result.xform,
                     "answers": [list(a) for a in case.answers], "repeats": case.repeats,
                     "loops": _loops(result._pyxform or {})})
    return jobs, refused


# -- availability ----------------------------------------------------------------------------
def javarosa_unavailable() -> str | None:
    for tool in ("java", "javac"):
        if shutil.which(tool) is None:
            return (f"JavaRosa conformance skipped: '{tool}' is not installed "
                    "(apt-get install default-jdk-headless)")
    if not validate_jar().is_file():
        return f"JavaRosa conformance skipped: {validate_jar()} is missing"
    return None


def node_version() -> tuple[int, ...] | None:
    node = shutil.which("node")
    if node is None:
        return None
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30,
                             check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v(\d+)\.(\d+)", out.strip())
    return (int(match[1]), int(match[2])) if match else None


def webforms_unavailable() -> str | None:
    version = node_version()
    if version is None:
        return "Web Forms conformance skipped: 'node' is not installed (Node >= 20.19 needed)"
    if version < MIN_NODE:
        return (f"Web Forms conformance skipped: Node {version[0]}.{version[1]} is older than "
                "20.19, which @getodk/xforms-engine needs")
    installed = WEBFORMS_DIR / "node_modules" / ".package-lock.json"
    if not installed.is_file():
        return ("Web Forms conformance skipped: tests/conformance/engines/webforms/node_modules "
                "is missing (run `make conformance-engines`)")
    if installed.stat().st_mtime < (WEBFORMS_DIR / "package-lock.json").stat().st_mtime:
        return ("Web Forms conformance skipped: node_modules is older than package-lock.json "
                "(run `make conformance-engines`)")
    return None


# -- running ---------------------------------------------------------------------------------
def _batch(jobs: list[dict[str, Any]], command: Callable[[Path, Path], list[str]],
           name: str, cwd: Path | None = None) -> dict[str, dict[str, Any]]:
    # UTC everywhere: a date answer is midnight UTC in every engine.
    env = {**os.environ, "TZ": "UTC"}
    with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
        jobs_path = Path(tmp) / "jobs.json"
        out_path = Path(tmp) / "results.jsonl"
        jobs_path.write_text(json.dumps({"jobs": jobs}), encoding="utf-8")
        try:
            proc = subprocess.run(command(jobs_path, out_path), capture_output=True, text=True,
                                  timeout=TIMEOUT, cwd=cwd, env=env, check=False)
        except subprocess.TimeoutExpired:
            raise EngineError(f"{name}: no result after {TIMEOUT} s") from None
        if proc.returncode != 0 or not out_path.is_file():
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise EngineError(f"{name} exited with {proc.returncode}:\n{tail}")
        results = {}
        for line in out_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                result = json.loads(line)
                results[result.pop("id")] = result
    missing = [job["id"] for job in jobs if job["id"] not in results]
    if missing:
        raise EngineError(f"{name} gave no result for {', '.join(missing[:5])}")
    return results


def javarosa_classes() -> Path:
    """The compiled harness, in a folder named by the hash of its source and the jar."""
    jar = validate_jar()
    digest = hashlib.sha256(JAVAROSA_SRC.read_bytes())
    digest.update(hashlib.sha256(jar.read_bytes()).digest())
    out = CACHE / f"javarosa-{digest.hexdigest()[:16]}"
    if (out / "Harness.class").is_file():
        return out
    tmp = Path(tempfile.mkdtemp(prefix="javarosa-", dir=_cache_dir()))
    proc = subprocess.run(["javac", "-nowarn", "-encoding", "UTF-8", "-cp", str(jar),
                           "-d", str(tmp), str(JAVAROSA_SRC)],
                          capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise EngineError(f"javac failed on {JAVAROSA_SRC.name}:\n{proc.stderr[-2000:]}")
    try:
        tmp.rename(out)
    except OSError:  # another run compiled it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    for old in CACHE.glob("javarosa-*"):  # builds of earlier sources or jars
        if old != out and old.is_dir() and len(old.name) == len(out.name):
            shutil.rmtree(old, ignore_errors=True)
    return out


def _cache_dir() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE


def javarosa_command() -> Callable[[Path, Path], list[str]]:
    classes = javarosa_classes()
    classpath = os.pathsep.join([str(classes), str(validate_jar())])
    return lambda jobs, out: ["java", "-Xss8m", "-Duser.timezone=UTC", "-Dfile.encoding=UTF-8",
                              "-cp", classpath, "Harness", str(jobs), str(out)]


def run_javarosa(jobs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return _batch(jobs, javarosa_command(), "JavaRosa")


def webforms_command() -> Callable[[Path, Path], list[str]]:
    node = shutil.which("node") or "node"
    return lambda jobs, out: [node, str(WEBFORMS_DIR / "run.mjs"), str(jobs), str(out)]


def run_webforms(jobs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return _batch(jobs, webforms_command(), "Web Forms", cwd=WEBFORMS_DIR)


# -- versions (for the document) -------------------------------------------------------------
def javarosa_version() -> str:
    import zipfile

    try:
        with zipfile.ZipFile(validate_jar()) as jar:
            text = jar.read("META-INF/maven/org.getodk/javarosa/pom.properties").decode()
    except (OSError, KeyError, zipfile.BadZipFile):
        return "unknown"
    match = re.search(r"^version=(.+)$", text, re.M)
    return match[1].strip() if match else "unknown"


def webforms_version() -> str:
    try:
        lock = json.loads((WEBFORMS_DIR / "package-lock.json").read_text(encoding="utf-8"))
        return str(lock["packages"]["node_modules/@getodk/xforms-engine"]["version"])
    except (OSError, KeyError, ValueError):
        return "unknown"


def pyxform_version() -> str:
    from importlib.metadata import version

    return version("pyxform")
