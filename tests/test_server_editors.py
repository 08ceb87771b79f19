"""docs/editors.md: its editor settings send what the server reads, and the
Emacs (eglot) setup drives ``nimlint server`` for real where Emacs and eglot are installed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "editors.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
OPTIONS = {"isolated", "noPythonRules"}  # the initialization options the server reads
BIN = str(Path(sys.executable).parent)  # nimlint and python of this environment


def blocks(lang: str) -> list[str]:
    return [body for info, body in FENCE.findall(DOC.read_text("utf-8")) if info == lang]


def test_the_help_says_what_the_command_is() -> None:
    # The page's sh commands themselves run in tests/test_docs.py, like every page's.
    result = subprocess.run(
        [sys.executable, "-m", "nimlint", "server", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "language server" in result.stdout
    assert "--isolated" in result.stdout and "--no-python-rules" in result.stdout


def test_vscode_settings_start_the_server_with_known_options() -> None:
    (block,) = blocks("json")
    settings = json.loads(block)
    assert settings["glspc.server.command"] == "nimlint"
    assert settings["glspc.server.commandArguments"] == ["server"]
    assert settings["glspc.server.languageId"] == ["yaml", "json"]
    assert set(settings["glspc.server.initializationOptions"]) == OPTIONS
    assert "source.fixAll.nimlint" in settings["editor.codeActionsOnSave"]


def test_helix_languages_toml_starts_the_server_with_known_options() -> None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    (block,) = blocks("toml")
    config = tomllib.loads(block)
    server = config["language-server"]["nimlint"]
    assert [server["command"], *server["args"]] == ["nimlint", "server"]
    assert set(server["config"]) == OPTIONS
    assert {
        lang["name"] for lang in config["language"] if "nimlint" in lang["language-servers"]
    } == {
        "yaml",
        "json",
    }


def test_neovim_configs_start_the_server_with_known_options() -> None:
    lua = blocks("lua")
    assert len(lua) == 2
    for block in lua:
        assert 'cmd = { "nimlint", "server" }' in block
        assert 'filetypes = { "yaml", "json" }' in block
        options = re.search(r"init_options = \{(.*?)\}", block)[1]
        assert set(re.findall(r"(\w+) =", options)) == OPTIONS


EGLOT_SCRIPT = """
(package-initialize)
(require 'eglot)
(require 'yaml-mode)
(require 'json)
(load-file (expand-file-name "nimlint-eglot.el"))
(defun nimlint-wait (pred)
  (let ((n 0))
    (while (and (< n 300) (not (funcall pred)))
      (when (bound-and-true-p flymake-mode) (flymake-start))
      (accept-process-output nil 0.1)
      (setq n (1+ n)))))
(defun nimlint-diagnostics ()
  (vconcat (mapcar (lambda (d) (vector (line-number-at-pos (flymake-diagnostic-beg d))
                                       (symbol-name (flymake-diagnostic-type d))
                                       (flymake-diagnostic-text d)))
                   (flymake-diagnostics))))
(defun nimlint-replace (from to)
  (goto-char (point-min))
  (search-forward from)
  (replace-match to)
  ;; What eglot's idle timer does (Emacs is never idle in batch mode).
  (eglot--signal-textDocument/didChange))
(find-file (expand-file-name "svc.yaml"))
(call-interactively #'eglot)
(nimlint-wait #'eglot-current-server)
(nimlint-replace "gpuDevicesRequest" "gpuDevicesReqest")
(nimlint-wait #'flymake-diagnostics)
(let ((typed (nimlint-diagnostics)))
  (nimlint-replace "gpuDevicesReqest" "gpuDevicesRequest")
  (nimlint-wait (lambda () (null (flymake-diagnostics))))
  (let ((fixed (nimlint-diagnostics)))
    (goto-char (point-min))
    (search-forward "gpuRequestType")
    (let ((hover (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover
                                  (eglot--TextDocumentPositionParams))))
      (princ (json-encode (list typed fixed (plist-get (plist-get hover :contents) :value)
                                (buffer-modified-p)))))))
"""


def test_eglot_from_the_doc_gets_live_diagnostics_and_hover(tmp_path: Path) -> None:
    emacs = shutil.which("emacs")
    if emacs is None:
        pytest.skip("Emacs is not installed (Debian: emacs-nox elpa-eglot elpa-yaml-mode)")
    (block,) = blocks("elisp")
    (tmp_path / "nimlint-eglot.el").write_text(block, "utf-8")
    (tmp_path / "run.el").write_text(EGLOT_SCRIPT, "utf-8")
    shutil.copy(ROOT / "examples" / "embedqa-autoscaling.yaml", tmp_path / "svc.yaml")
    (tmp_path / ".git").mkdir()  # the project eglot finds
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", "")}
    result = subprocess.run(
        [emacs, "--batch", "-l", str(tmp_path / "run.el")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if "Cannot open load file" in result.stderr:
        pytest.skip("eglot or yaml-mode is not installed (Debian: elpa-eglot elpa-yaml-mode)")
    typed, fixed, hover, modified = json.loads(result.stdout.strip().splitlines()[-1])
    assert [(line, text.split(":")[0]) for line, _, text in typed] == [(10, "nimlint [S008]")]
    assert "gpuDevicesReqest" in typed[0][2]
    assert fixed == []
    assert hover.startswith("**spec.compute.gpuRequestType**: `string`")
    assert modified  # never saved: the diagnostics were for the buffer's text
