"""Integrations tested through their consumers.

pre-commit (try-repo on a copy of this tree), GitHub workflow commands (the runner's
grammar), python-jsonschema on the exported schemas, editors (stdin, gcc lines, VS Code's
matcher, Vim with ALE, Emacs with flycheck, yaml-language-server) and every snippet of
docs/integrations.md. Tests that need a tool this machine may lack skip without it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from nimlint.schema.kinds import detect_kind

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "integrations"
BAD = FIXTURES / "specs" / "bad.yaml"
GOOD = ROOT / "examples" / "llama3-8b-instruct.yaml"
DOC = ROOT / "docs" / "integrations.md"
KINDS = ("create", "update", "response")
# Findings of BAD that every consumer must see: (rule, line, column).
BAD_FINDINGS = {("S002", 9, 20), ("S004", 10, 13), ("S008", 13, 5)}

GCC_LINE = re.compile(r"^(.+):(\d+):(\d+): (error|warning|note): (.*) \[(\w+)\]$")
WORKFLOW_COMMAND = re.compile(
    r"^::(error|warning|notice) ((?:\w+=[^,:\r\n]*,)*\w+=[^,:\r\n]*)::([^\r\n]*)$"
)
COMMAND_DATA = re.compile(r"(?:[^%\r\n]|%(?:25|0D|0A))*")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
GCC_WORDS = {"error": "error", "warning": "warning", "info": "note"}
COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


# --- helpers -------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    """The environment for a child: nimlint on PATH, not inside GitHub Actions."""
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def run(cmd, *, cwd=None, stdin=None, env=None, timeout=120) -> subprocess.CompletedProcess:
    """Run a command and capture its text output (never raises on a non-zero exit)."""
    return subprocess.run(
        cmd,
        cwd=cwd,
        input=stdin,
        env=env or _env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def nimlint(*args, **kwargs) -> subprocess.CompletedProcess:
    """The real CLI, as the installed interpreter runs it."""
    return run([sys.executable, "-m", "nimlint", *map(str, args)], **kwargs)


def json_findings(*args, **kwargs) -> list[dict]:
    """Findings of ``nimlint check --format json ARGS``."""
    result = nimlint("check", "--format", "json", *args, **kwargs)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def located(findings) -> set[tuple[str, int, int]]:
    return {(f["rule"], f["line"], f["column"]) for f in findings}


def doc_blocks(lang: str) -> list[str]:
    """The fenced blocks of docs/integrations.md whose info string is ``lang``."""
    return [body for info, body in FENCE.findall(DOC.read_text("utf-8")) if info == lang]


def doc_block(lang: str, needle: str) -> str:
    """The one ``lang`` block of the doc that contains ``needle``."""
    found = [b for b in doc_blocks(lang) if needle in b]
    assert len(found) == 1, f"expected one {lang} block with {needle!r}, got {len(found)}"
    return found[0]


def git(*args, cwd: Path) -> None:
    who = ["-c", "user.name=nimlint tests", "-c", "user.email=tests@nimlint.invalid"]
    result = run(["git", *who, "-c", "commit.gpgsign=false", *args], cwd=cwd)
    assert result.returncode == 0, result.stderr


def git_repo(folder: Path) -> Path:
    """Commit everything in ``folder`` into a new repository there."""
    git("init", "-q", "-b", "main", cwd=folder)
    git("add", "-A", cwd=folder)
    git("commit", "-q", "-m", "snapshot", cwd=folder)
    return folder


def consumer_repo(folder: Path) -> Path:
    """A repository holding a bad and a good spec under deploy/nim/ and a bad one outside."""
    specs = folder / "deploy" / "nim"
    specs.mkdir(parents=True)
    shutil.copy(BAD, specs / "bad.yaml")
    shutil.copy(GOOD, specs / "good.yaml")
    (folder / "other").mkdir()
    shutil.copy(BAD, folder / "other" / "values.yaml")
    return git_repo(folder)


WORKFLOW = "name: ci\non: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps: []\n"
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nim-env\ndata:\n  A: b\n"
HELM_VALUES = "image:\n  repository: nvcr.io/nim/meta/llama3-8b-instruct\n  tag: 1.0.0\n"


def mixed_repo(folder: Path) -> Path:
    """A repository as real ones are: the specs of consumer_repo beside a GitHub workflow, a
    ConfigMap, Helm values and a pre-commit configuration, none of them NIM bodies."""
    consumer_repo(folder)
    for name, text in {
        ".github/workflows/ci.yaml": WORKFLOW,
        "deploy/k8s/configmap.yaml": CONFIGMAP,
        "chart/values.yaml": HELM_VALUES,
        ".pre-commit-config.yaml": "repos: []\n",
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, "utf-8")
    (folder / "other" / "values.yaml").unlink()
    git("add", "-A", cwd=folder)
    git("commit", "-q", "-m", "manifests", cwd=folder)
    return folder


def _spec_tree(tmp_path: Path) -> Path:
    """tmp/deploy/nim/bad.yaml under a config that makes S004 info (a ``note``)."""
    (tmp_path / ".nimlint.yaml").write_text("severity: {S004: info}\n", "utf-8")
    spec = tmp_path / "deploy" / "nim" / "bad.yaml"
    spec.parent.mkdir(parents=True)
    shutil.copy(BAD, spec)
    return spec


def need(program: str) -> str:
    path = shutil.which(program, path=_env()["PATH"])
    if path is None:
        pytest.skip(f"{program} is not installed")
    return path


# --- pre-commit ----------------------------------------------------------------------------


def _ignored_by(root: Path):
    """A copytree ignore function: .git plus the patterns of the repository's .gitignore."""
    lines = (root / ".gitignore").read_text("utf-8").splitlines()
    patterns = [p.strip().rstrip("/") for p in lines if p.strip() and not p.startswith("#")]

    def ignore(folder: str, names: list[str]) -> set[str]:
        where = Path(folder).relative_to(root)
        return {
            name
            for name in names
            if name == ".git"
            or any(
                fnmatch.fnmatch((where / name).as_posix() if "/" in p else name, p)
                for p in patterns
            )
        }

    return ignore


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> Path:
    """A committed copy of this working tree (others' uncommitted files and all)."""
    copy = tmp_path_factory.mktemp("hook-repo") / "nimlint"
    shutil.copytree(ROOT, copy, ignore=_ignored_by(ROOT))
    return git_repo(copy)


@pytest.fixture(scope="session")
def pre_commit_env(tmp_path_factory) -> dict[str, str]:
    """pre-commit's cache in a temporary folder, shared by this session's runs."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    return _env(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")


def _text_report_lines(output: str, path: str) -> set[tuple[str, int, int]]:
    """(rule, line, column) of the text-format findings in ``path``."""
    found, rule = set(), None
    for line in output.splitlines():
        header = re.match(r"^(?:error|warning|info)\[(\w+)\]: ", line)
        if header:
            rule = header[1]
        where = re.match(r"^\s*--> (.+):(\d+):(\d+)$", line)
        if where and rule and where[1] == path:
            found.add((rule, int(where[2]), int(where[3])))
    return found


def _pre_commit(args, consumer: Path, env: dict, label: str) -> subprocess.CompletedProcess:
    started = time.monotonic()
    result = run(["pre-commit", *args], cwd=consumer, env=env, timeout=600)
    print(f"pre-commit {label}: {time.monotonic() - started:.1f}s")
    return result


@pytest.mark.slow
def test_pre_commit_try_repo_fails_on_the_bad_spec_only(tmp_path, hook_repo, pre_commit_env):
    # try-repo builds the hook's virtualenv (pip install of the copy) in a store of its own
    # every time, whatever PRE_COMMIT_HOME says: one run covers every file. pre-commit names
    # every YAML file of the repository: the workflow, the ConfigMap, the Helm values and
    # .pre-commit-config.yaml are no specs, and the hook skips them (--force-exclude).
    consumer = mixed_repo(tmp_path / "consumer")
    args = ["try-repo", str(hook_repo), "nimlint", "--all-files"]
    result = _pre_commit(args, consumer, pre_commit_env, "try-repo (builds the environment)")
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^nimlint\.+Failed$", result.stdout, re.MULTILINE), result.stdout
    assert _text_report_lines(result.stdout, "deploy/nim/bad.yaml") >= BAD_FINDINGS
    report = result.stdout.split("Using config")[-1]
    for other in ("good.yaml", "ci.yaml", "configmap.yaml", "chart/", "pre-commit-config"):
        assert other not in report, report
    summary = r"^Found .* in 1 of 2 files\. 2 files skipped: not NIM service bodies\.$"
    assert re.search(summary, result.stdout, re.MULTILINE), result.stdout


@pytest.mark.slow
def test_pre_commit_config_from_docs(tmp_path, hook_repo, pre_commit_env):
    consumer = mixed_repo(tmp_path / "consumer")
    config = yaml.safe_load(doc_block("yaml", "- repo: https://github.com/nimlint/nimlint"))
    head = run(["git", "rev-parse", "HEAD"], cwd=hook_repo).stdout.strip()
    config["repos"][0].update(repo=str(hook_repo), rev=head)
    config["repos"][0]["hooks"][0]["args"] = ["--format", "gcc"]
    (consumer / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    git("add", ".pre-commit-config.yaml", cwd=consumer)
    result = _pre_commit(["run", "--all-files"], consumer, pre_commit_env, "run --all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [GCC_LINE.match(line) for line in result.stdout.splitlines()]
    seen = {(m[6], int(m[2]), int(m[3])) for m in lines if m and m[1] == "deploy/nim/bad.yaml"}
    assert seen >= BAD_FINDINGS, result.stdout
    assert "deploy/nim/good.yaml:" not in result.stdout
    assert "chart/values.yaml" not in result.stdout
    others = [".github/workflows/ci.yaml", "deploy/k8s/configmap.yaml", "chart/values.yaml"]
    args = ["run", "--files", "deploy/nim/good.yaml", ".pre-commit-config.yaml", *others]
    good = _pre_commit(args, consumer, pre_commit_env, "run on the good spec (cached)")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"^nimlint\.+Passed$", good.stdout, re.MULTILINE), good.stdout


def test_hook_manifest_and_docs_config_validate_under_pre_commit(tmp_path):
    manifest = run(["pre-commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")])
    assert manifest.returncode == 0, manifest.stdout + manifest.stderr
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hooks[0]["id"] == "nimlint" and hooks[0]["entry"] == "nimlint check --force-exclude"
    assert hooks[0]["types_or"] == ["yaml", "json"] and hooks[0]["require_serial"] is True
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(doc_block("yaml", "- repo: https://github.com/nimlint/nimlint"), "utf-8")
    checked = run(["pre-commit", "validate-config", str(config)])
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- GitHub workflow commands --------------------------------------------------------------


def unescape(text: str) -> str:
    """Undo ``@actions/core`` escaping (``%25 %0D %0A %3A %2C``) in one pass."""
    return re.sub(r"%(25|0D|0A|3A|2C)", lambda m: chr(int(m[1], 16)), text)


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """One workflow command as the runner reads it: command, properties, message."""
    match = WORKFLOW_COMMAND.fullmatch(line)
    assert match, f"not a workflow command: {line!r}"
    assert COMMAND_DATA.fullmatch(match[3]), f"unescaped data in {line!r}"
    pairs = (item.split("=", 1) for item in match[2].split(","))
    return match[1], {k: unescape(v) for k, v in pairs}, unescape(match[3])


@pytest.fixture
def awkward_specs(tmp_path) -> Path:
    """Specs whose file names and keys need every escape of the workflow-command grammar."""
    text = BAD.read_text("utf-8") + '    "gpu%Port:a,b": 1\n'
    for name in ("odd,na:me 100%.yaml", "new\nline\r.yaml", "plain.yaml"):
        (tmp_path / name).write_text(text, "utf-8")
    return tmp_path


def test_github_commands_decode_to_the_json_report(awkward_specs):
    args = ("--severity", "S008=info", "--severity", "S004=warning", awkward_specs)
    result = nimlint("check", "--format", "github", *args)
    assert result.returncode == 1, result.stderr
    commands = [parse_command(line) for line in result.stdout.split("\n")[:-1]]
    findings = json_findings(*args)
    assert len(commands) == len(findings) > 3
    assert {c for c, _, _ in commands} == {"error", "warning", "notice"}
    for (command, props, message), f in zip(commands, findings, strict=True):
        assert command == COMMANDS[f["severity"]]
        assert message == f["message"]
        assert props == {
            "file": f["file"],
            "line": str(f["line"]),
            "col": str(f["column"]),
            "endLine": str(f["endLine"]),
            "endColumn": str(f["endColumn"]),
            "title": f["rule"],
        }


def test_github_actions_environment_selects_github_commands():
    explicit = nimlint("check", "--format", "github", BAD)
    implicit = nimlint("check", BAD, env=_env(GITHUB_ACTIONS="true"))
    assert implicit.returncode == explicit.returncode == 1
    assert implicit.stdout == explicit.stdout and explicit.stdout.startswith("::error ")


# --- nimlint schema ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported() -> dict[str, dict]:
    """``nimlint schema --kind K`` output for every kind, as text."""
    outputs = {kind: nimlint("schema", "--kind", kind) for kind in KINDS}
    assert all(r.returncode == 0 for r in outputs.values())
    return {kind: r.stdout for kind, r in outputs.items()}


def _descriptions(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["description"]] if isinstance(node.get("description"), str) else []
        return own + [d for k, v in node.items() if k != "description" for d in _descriptions(v)]
    if isinstance(node, list):
        return [d for item in node for d in _descriptions(item)]
    return []


@pytest.mark.parametrize("kind", KINDS)
def test_schema_command_prints_the_shipped_schema(kind, exported):
    shipped = ROOT / "schemas" / f"nim-service-{kind}.schema.json"
    assert exported[kind] == shipped.read_text("utf-8")
    jsonschema.Draft202012Validator.check_schema(json.loads(exported[kind]))


@pytest.mark.parametrize("kind", KINDS)
def test_schema_keeps_the_openapi_descriptions(kind, exported):
    openapi = json.loads((ROOT / "schemas" / "runai-2.24-nim-services.openapi.json").read_text())
    components = openapi["components"]["schemas"]
    defs = json.loads(exported[kind])["$defs"]
    shared = [name for name in defs if name in components]
    assert len(shared) > 50 and len(_descriptions(defs)) > 100
    for name in shared:
        assert sorted(_descriptions(defs[name])) == sorted(_descriptions(components[name])), name


def _valid_documents() -> list[tuple[str, Path]]:
    examples = [(detect_kind(yaml.safe_load(p.read_text("utf-8"))), p) for p in _examples()]
    extra = sorted((FIXTURES / "schema" / "valid").glob("*.yaml"))
    return examples + [(p.name.split("-")[0], p) for p in extra]


def _examples() -> list[Path]:
    return sorted((ROOT / "examples").glob("*.yaml"))


def test_valid_documents_cover_every_kind():
    assert {kind for kind, _ in _valid_documents()} == set(KINDS)


@pytest.mark.parametrize(("kind", "path"), _valid_documents(), ids=lambda v: getattr(v, "name", v))
def test_exported_schema_accepts_valid_documents(kind, path, exported):
    validator = jsonschema.Draft202012Validator(json.loads(exported[kind]))
    errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text("utf-8")))]
    assert errors == []


INVALID = sorted((FIXTURES / "schema" / "invalid").glob("*.yaml"))


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_exported_schema_rejects_invalid_documents(path, exported):
    kind, rule = path.name.split("-")[:2]
    validator = jsonschema.Draft202012Validator(json.loads(exported[kind]))
    assert list(validator.iter_errors(yaml.safe_load(path.read_text("utf-8"))))
    findings = json_findings("--kind", kind, path)
    assert rule in {f["rule"] for f in findings}


# --- editors: stdin, gcc lines, VS Code ----------------------------------------------------


@pytest.fixture
def project(tmp_path) -> Path:
    """A folder whose .nimlint.yaml ignores S008, and a sibling folder without one."""
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / ".nimlint.yaml").write_text("ignore: [S008]\n", "utf-8")
    (tmp_path / "elsewhere").mkdir()
    return tmp_path / "project"


@pytest.mark.parametrize("relative", [False, True])
def test_stdin_filename_names_findings_and_finds_config(project, relative):
    cwd = project.parent / "elsewhere"
    name = "../project/x.yaml" if relative else str(project / "x.yaml")
    findings = json_findings("--stdin-filename", name, "-", stdin=BAD.read_text(), cwd=cwd)
    assert {f["file"] for f in findings} == {name}
    assert located(findings) == BAD_FINDINGS - {("S008", 13, 5)}
    outside = json_findings("--stdin-filename", "x.yaml", "-", stdin=BAD.read_text(), cwd=cwd)
    assert located(outside) == BAD_FINDINGS


def test_gcc_lines_parse_with_the_errorformat_regex(project):
    name = project.parent / "elsewhere" / "sub dir" / "x: y.yaml"
    args = ("--severity", "S008=info", "--stdin-filename", name, "-")
    result = nimlint("check", "--format", "gcc", "--select", "S", *args, stdin=BAD.read_text())
    matches = [GCC_LINE.match(line) for line in result.stdout.splitlines()]
    assert matches and all(matches), result.stdout
    findings = json_findings("--select", "S", *args, stdin=BAD.read_text())
    assert [m.groups() for m in matches] == [
        (
            f["file"],
            str(f["line"]),
            str(f["column"]),
            GCC_WORDS[f["severity"]],
            f["message"],
            f["rule"],
        )
        for f in findings
    ]


def _vscode_tasks() -> list[dict]:
    return json.loads(doc_block("json", '"problemMatcher"'))["tasks"]


def _match_vscode(regexp: str, lines: list[str]) -> list[list[str] | None]:
    """Match ``lines`` as VS Code does (JavaScript RegExp), or with Python's re without node."""
    if shutil.which("node") is None:
        return [list(m.groups()) if (m := re.match(regexp, s)) else None for s in lines]
    script = (
        "const [re, lines] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const m = lines.map(l => { const r = new RegExp(re).exec(l); return r && r.slice(1); });"
        "process.stdout.write(JSON.stringify(m));"
    )
    result = run(["node", "-e", script], stdin=json.dumps([regexp, lines]))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("task", [0, 1], ids=["current-file", "workspace"])
def test_vscode_problem_matcher_reads_gcc_output(tmp_path, task):
    spec = _spec_tree(tmp_path)
    definition = _vscode_tasks()[task]
    variables = {"${file}": str(spec), "${workspaceFolder}": str(tmp_path)}
    args = [variables.get(a, a) for a in definition["args"]]
    result = run([definition["command"], *args], cwd=tmp_path)
    matcher = definition["problemMatcher"]
    pattern = matcher["pattern"]
    rows = _match_vscode(pattern["regexp"], result.stdout.splitlines())
    assert rows and all(rows), result.stdout
    location = matcher["fileLocation"]
    base = {"absolute": None, "relative": tmp_path}[
        location if isinstance(location, str) else location[0]
    ]
    seen, severities = set(), set()
    for row in rows:
        file = Path(row[pattern["file"] - 1])
        assert (base / file if base else file) == spec and file.is_absolute() == (base is None)
        severities.add(row[pattern["severity"] - 1])
        rule = re.search(r"\[(\w+)\]$", row[pattern["message"] - 1])[1]
        seen.add((rule, int(row[pattern["line"] - 1]), int(row[pattern["column"] - 1])))
    assert seen >= BAD_FINDINGS and severities == {"error", "warning", "note"}


# --- editors through the real programs (skipped where the program is missing) --------------


def _ale_runtime() -> Path:
    for folder in ("/usr/share/vim-ale", "/usr/share/vim/vimfiles/pack/ale/start/ale"):
        if (Path(folder) / "plugin" / "ale.vim").is_file():
            return Path(folder)
    pytest.skip("ALE is not installed (Debian: vim-ale)")


def _run_vim(tmp_path: Path, vimrc: str, script: str, spec: Path) -> list:
    """Run Vim headless with ``vimrc`` and ``script``; the script writes JSON to out.json."""
    (tmp_path / "vimrc").write_text(vimrc, "utf-8")
    (tmp_path / "run.vim").write_text(script.replace("OUT", str(tmp_path / "out.json")), "utf-8")
    command = [need("vim"), "-N", "-u", str(tmp_path / "vimrc"), "-i", "NONE", "-n"]
    command += ["--not-a-term", "-S", str(tmp_path / "run.vim"), str(spec)]
    result = run(command, cwd=tmp_path, stdin="", timeout=60)
    assert (tmp_path / "out.json").is_file(), result.stdout + result.stderr
    return json.loads((tmp_path / "out.json").read_text("utf-8"))


ALE_SCRIPT = """ALELint
let s:n = 0
while s:n < 100 && (ale#engine#IsCheckingBuffer(bufnr('')) || empty(getloclist(0)))
  sleep 100m
  let s:n += 1
endwhile
call writefile([json_encode(map(getloclist(0), {_, e -> [e.lnum, e.col, e.type, e.text]}))], 'OUT')
qall!
"""


def test_ale_linter_from_docs_in_vim(tmp_path):
    spec, ale = _spec_tree(tmp_path), _ale_runtime()
    linters = tmp_path / "vim" / "ale_linters" / "yaml"
    linters.mkdir(parents=True)
    (linters / "nimlint.vim").write_text(doc_block("vim", "ale#linter#Define"), "utf-8")
    vimrc = (
        f"set nocompatible\nlet &runtimepath = '{tmp_path / 'vim'},{ale},' . &runtimepath\n"
        f"filetype plugin on\nlet g:ale_lint_on_enter = 0\n{doc_block('vim', 'autocmd')}"
    )
    items = _run_vim(tmp_path, vimrc, ALE_SCRIPT, spec)
    seen = {(re.match(r"(\w+): ", text)[1], lnum, col) for lnum, col, _, text in items}
    assert seen >= BAD_FINDINGS
    kinds = {(lnum, kind) for lnum, _, kind, _ in items}
    assert kinds >= {(9, "E"), (10, "I"), (13, "W")}


MAKE_SCRIPT = """silent make!
let s:items = map(getqflist(), {_, e -> [e.valid, e.lnum, e.col, e.type, e.text]})
call writefile([json_encode(s:items)], 'OUT')
qall!
"""


def test_vim_makeprg_and_errorformat_from_docs(tmp_path):
    spec = _spec_tree(tmp_path)
    vimrc = "set nocompatible\nset shell=/bin/sh\nautocmd BufRead * " + " | ".join(
        doc_block("vim", "makeprg").strip().splitlines()
    )
    items = _run_vim(tmp_path, vimrc + "\n", MAKE_SCRIPT, spec)
    assert all(valid for valid, *_ in items), items
    seen = {
        (re.search(r"\[(\w+)\]$", text)[1], lnum, col, kind) for _, lnum, col, kind, text in items
    }
    assert seen >= {("S002", 9, 20, "e"), ("S004", 10, 13, "n"), ("S008", 13, 5, "w")}


FLYCHECK_SCRIPT = """
(package-initialize)
(require 'flycheck)
(require 'yaml-mode)
(require 'json)
(load-file (expand-file-name "nimlint-flycheck.el"))
(find-file (expand-file-name "deploy/nim/bad.yaml"))
(flycheck-mode 1)
(flycheck-buffer)
(let ((n 0))
  (while (and (< n 100) (flycheck-running-p)) (accept-process-output nil 0.1) (setq n (1+ n))))
(princ (json-encode
        (list (symbol-name flycheck-checker)
              (vconcat (mapcar (lambda (e) (vector (flycheck-error-line e) (flycheck-error-column e)
                                                   (symbol-name (flycheck-error-level e))
                                                   (flycheck-error-id e)))
                               flycheck-current-errors)))))
"""


def test_flycheck_checker_from_docs_in_emacs(tmp_path):
    emacs, spec = need("emacs"), _spec_tree(tmp_path)
    (tmp_path / "nimlint-flycheck.el").write_text(doc_block("elisp", "define-checker"), "utf-8")
    (spec.parent / ".dir-locals.el").write_text(doc_block("elisp", "flycheck-checker ."), "utf-8")
    (tmp_path / "run.el").write_text(FLYCHECK_SCRIPT, "utf-8")
    result = run([emacs, "--batch", "-l", str(tmp_path / "run.el")], cwd=tmp_path, timeout=60)
    if "Cannot open load file" in result.stderr:
        pytest.skip("flycheck or yaml-mode is not installed (Debian: elpa-flycheck)")
    checker, errors = json.loads(result.stdout.strip().splitlines()[-1])
    assert checker == "nimlint"
    assert {(rule, line, col) for line, col, _, rule in errors} >= BAD_FINDINGS
    levels = {(line, level) for line, _, level, _ in errors}
    assert levels >= {(9, "error"), (10, "info"), (13, "warning")}


def _lsp_send(process, message: dict) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    process.stdin.write(b"Content-Length: %d\r\n\r\n%b" % (len(body), body))
    process.stdin.flush()


def _lsp_receive(process, timeout: float) -> dict | None:
    if not select.select([process.stdout], [], [], timeout)[0]:
        return None
    headers = {}
    while line := process.stdout.readline().decode().strip():
        key, _, value = line.partition(":")
        headers[key.lower()] = value.strip()
    return json.loads(process.stdout.read(int(headers["content-length"])))


def _lsp_answer(request: dict, config: dict):
    """Answer a server request: settings for workspace/configuration, else nothing."""
    if request["method"] != "workspace/configuration":
        return None
    sections = config["settings"]
    return [sections.get(item.get("section"), {}) for item in request["params"]["items"]]


def _lsp_diagnostics(server: str, root: Path, spec: Path, settings: dict) -> list[dict]:
    """Open ``spec`` in yaml-language-server; its first non-empty diagnostics."""
    process = subprocess.Popen(
        [server, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_env()
    )
    try:
        init = {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
        _lsp_send(process, {"id": 1, "method": "initialize", "params": init})
        while (message := _lsp_receive(process, 30)) and message.get("id") != 1:
            pass
        _lsp_send(process, {"method": "initialized", "params": {}})
        yaml_settings = {"validate": True, "schemaStore": {"enable": False}, **settings}
        config = {"settings": {"yaml": yaml_settings}}
        _lsp_send(process, {"method": "workspace/didChangeConfiguration", "params": config})
        document = {"uri": spec.as_uri(), "languageId": "yaml", "version": 1}
        document["text"] = spec.read_text("utf-8")
        _lsp_send(process, {"method": "textDocument/didOpen", "params": {"textDocument": document}})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            message = _lsp_receive(process, 1) or {}
            if "id" in message and "method" in message:
                _lsp_send(process, {"id": message["id"], "result": _lsp_answer(message, config)})
            diagnostics = message.get("params", {}).get("diagnostics")
            if message.get("method") == "textDocument/publishDiagnostics" and diagnostics:
                return diagnostics
        raise AssertionError("yaml-language-server published no diagnostics")
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize("how", ["modeline", "settings"])
def test_yaml_language_server_uses_the_exported_schema(tmp_path, how):
    server = need("yaml-language-server")
    (tmp_path / "schemas").mkdir()
    for command in doc_block("sh", "nimlint schema").strip().splitlines():
        assert run(["sh", "-c", command], cwd=tmp_path).returncode == 0, command
    spec = _spec_tree(tmp_path)
    settings = json.loads(doc_block("json", "yaml.schemas")) if how == "settings" else {}
    modeline = doc_block("yaml", "$schema=").splitlines()[0] + "\n"
    spec.write_text((modeline if how == "modeline" else "") + BAD.read_text("utf-8"), "utf-8")
    shift = 1 if how == "modeline" else 0
    settings = {"schemas": settings.get("yaml.schemas", {})}
    diagnostics = _lsp_diagnostics(server, tmp_path, spec, settings)
    starts = {
        (d["range"]["start"]["line"] + 1 - shift, d["range"]["start"]["character"] + 1)
        for d in diagnostics
    }
    assert starts == {(9, 20), (10, 13)}


# --- docs/integrations.md ---------------------------------------------------------


def test_doc_json_and_yaml_blocks_parse():
    json_blocks, yaml_blocks = doc_blocks("json"), doc_blocks("yaml")
    assert len(json_blocks) >= 2 and len(yaml_blocks) >= 5
    for block in json_blocks:
        json.loads(block)
    for block in yaml_blocks:
        assert yaml.safe_load(block) is not None


def test_doc_spec_with_modeline_lints_clean(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(doc_block("yaml", "$schema="), "utf-8")
    result = nimlint("check", spec)
    assert result.returncode == 0, result.stdout


def _workflow() -> dict:
    lint_options = "--output-file nimlint.sarif --format github deploy/nim/"
    return yaml.safe_load(doc_block("yaml", lint_options))


def _step(job: dict, needle: str) -> dict:
    return next(step for step in job["steps"] if needle in json.dumps(step))


def test_doc_github_workflow_shape():
    workflow = _workflow()
    job = workflow["jobs"]["nimlint"]
    assert workflow["permissions"]["security-events"] == "write"
    upload = _step(job, "upload-sarif")
    assert upload["if"] == "always()"
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    lint = _step(job, "nimlint check")
    assert "--format sarif --output-file nimlint.sarif --format github" in lint["run"]
    assert upload["with"]["sarif_file"] == "nimlint.sarif"


def test_doc_github_lint_step_writes_sarif_and_annotations(tmp_path):
    consumer = consumer_repo(tmp_path / "repo")
    lint = _step(_workflow()["jobs"]["nimlint"], "nimlint check")
    result = run(["bash", "-e", "-c", lint["run"]], cwd=consumer, env=_env(GITHUB_ACTIONS="true"))
    assert result.returncode == 1, result.stderr
    commands = [parse_command(line) for line in result.stdout.splitlines()]
    assert {(p["title"], int(p["line"]), int(p["col"])) for _, p, _ in commands} >= BAD_FINDINGS
    sarif = json.loads((consumer / "nimlint.sarif").read_text("utf-8"))
    results = sarif["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"deploy/nim/bad.yaml"}


def _gitlab_jobs() -> list[dict]:
    return [yaml.safe_load(b)["nimlint"] for b in doc_blocks("yaml") if "artifacts:" in b]


def _run_gitlab_job(job: dict, folder: Path) -> None:
    """Run a job's script (allowed to fail, as GitLab would) and then its after_script."""
    script = [line for line in job["script"] if not line.startswith("pip install")]
    result = run(["bash", "-e", "-c", "\n".join(script)], cwd=folder)
    assert result.returncode == 1, result.stdout + result.stderr
    for line in job.get("after_script", []):
        after = run(["bash", "-e", "-c", line], cwd=folder)
        assert after.returncode == 0, after.stdout + after.stderr


@pytest.mark.parametrize("index", [0, 1], ids=["junit", "junit+codequality"])
def test_doc_gitlab_job_writes_its_reports(tmp_path, index):
    job = _gitlab_jobs()[index]
    consumer = consumer_repo(tmp_path / "repo")
    _run_gitlab_job(job, consumer)
    assert job["artifacts"]["when"] == "always"
    reports = job["artifacts"]["reports"]
    suite = ET.parse(consumer / reports["junit"]).getroot()
    assert suite.tag == "testsuites" and suite.get("failures") == "1"
    if "codequality" in reports:
        issues = json.loads((consumer / reports["codequality"]).read_text("utf-8"))
        assert {(i["check_name"], i["location"]["lines"]["begin"]) for i in issues} >= {
            (rule, line) for rule, line, _ in BAD_FINDINGS
        }
        assert all(i["severity"] in ("info", "minor", "major") for i in issues)
        assert len({i["fingerprint"] for i in issues}) == len(issues)
        schema = json.loads(
            (FIXTURES.parent / "report" / "gitlab-code-quality.schema.json").read_text("utf-8")
        )
        jsonschema.validate(issues, schema)
        assert "after_script" not in job  # nimlint writes the report: no converter script


@pytest.mark.parametrize(
    ("schema", "needle"),
    [("vendor.github-workflows", "upload-sarif"), ("vendor.gitlab-ci", "artifacts:")],
)
def test_doc_ci_blocks_match_the_vendor_schemas(tmp_path, schema, needle):
    tool = need("check-jsonschema")
    blocks = [b for b in doc_blocks("yaml") if needle in b]
    files = []
    for index, block in enumerate(blocks):
        files.append(tmp_path / f"ci-{index}.yaml")
        files[-1].write_text(block, "utf-8")
    result = run([tool, "--builtin-schema", schema, *map(str, files)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_doc_schema_export_commands(tmp_path):
    for command in doc_block("sh", "nimlint schema").strip().splitlines():
        assert run(["sh", "-c", command], cwd=tmp_path).returncode == 0, command
    for kind in ("create", "update"):
        name = f"nim-service-{kind}.schema.json"
        exported = (tmp_path / "schemas" / name).read_text("utf-8")
        assert exported == (ROOT / "schemas" / name).read_text("utf-8")
