"""The GitHub Action's lint step (action.yml): ``nimlint check`` with the action's inputs.

Run by the action's own virtualenv Python in isolated mode (``-I``: neither the working folder,
which is the checkout, nor this script's folder is on ``sys.path``). The inputs arrive as
environment variables, never pasted into a script:

- ``NIMLINT_PATHS``: files or folders, one per line;
- ``NIMLINT_ARGS``: more options, split into words as a POSIX shell splits them (quotes and
  backslashes), with nothing evaluated: no variable, command substitution or glob;
- ``NIMLINT_SARIF``: a SARIF report to write; it is written whatever happens, even when nimlint
  stops before writing it (exit 2: a usage error), with the error as a notification;
- ``NIMLINT_PYTHON_RULES``: ``auto`` (no Python rule module for a pull request from a fork),
  ``true`` or ``false``; without them nimlint still reads the configuration's data but runs no
  code from the checkout (``--no-python-rules``);
- ``NIMLINT_FORK``: ``true`` when the run is for a pull request from a fork.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

EXIT_USAGE = 2


def main() -> int:
    sarif = os.environ.get("NIMLINT_SARIF", "")
    try:
        options = _options(sarif)
    except ValueError as exc:
        return _stop(sarif, [str(exc)])
    paths = [line for line in os.environ.get("NIMLINT_PATHS", "").splitlines() if line]
    nimlint = os.path.join(os.path.dirname(sys.executable), "nimlint")
    if sarif and os.path.lexists(sarif):  # a report from an earlier run must not pass for ours
        os.unlink(sarif)
    # The annotations come last: each --output-file pairs with the --format before it.
    command = [nimlint, "check", *options, "--format", "github", "--", *paths]
    done = subprocess.run(command, stderr=subprocess.PIPE, check=False)
    sys.stderr.buffer.write(done.stderr)
    sys.stderr.flush()
    if sarif and not os.path.lexists(sarif):
        lines = done.stderr.decode("utf-8", errors="replace").splitlines()
        errors = [_error(line) for line in lines if _error(line)]  # click says "Error: ..."
        _write_sarif(sarif, errors or lines or [f"nimlint exited {done.returncode}"])
    return done.returncode


def _error(line: str) -> str:
    """The error a line of nimlint's standard error reports, or ""."""
    for prefix in ("nimlint: error: ", "Error: "):
        if line.startswith(prefix):
            return line[len(prefix) :]
    return ""


def _options(sarif: str) -> list[str]:
    """The options for ``nimlint check`` from the inputs; ValueError says which is wrong."""
    try:
        args = shlex.split(os.environ.get("NIMLINT_ARGS", ""))
    except ValueError as exc:  # an unclosed quote, a trailing backslash
        raise ValueError(f"the action's args input cannot be split into words: {exc}") from None
    python_rules = os.environ.get("NIMLINT_PYTHON_RULES", "auto").strip().lower() or "auto"
    if python_rules not in ("auto", "true", "false"):
        raise ValueError(f"the action's python-rules input {python_rules!r} is not auto/true/false")
    fork = os.environ.get("NIMLINT_FORK", "") == "true"
    trusted = python_rules == "true" or (python_rules == "auto" and not fork)
    report = ["--format", "sarif", "--output-file", sarif] if sarif else []
    return [*report, *([] if trusted else ["--no-python-rules"]), *args]


def _stop(sarif: str, errors: list[str]) -> int:
    """Report ``errors`` as nimlint would (stderr, and the SARIF report), exit 2."""
    from nimlint.escaping import printable

    for error in errors:
        print(f"nimlint: error: {printable(error)}", file=sys.stderr)
    if sarif:
        _write_sarif(sarif, errors)
    return EXIT_USAGE


def _write_sarif(path: str, errors: list[str]) -> None:
    """A valid SARIF log with no result and ``errors`` as notifications."""
    from nimlint import __version__
    from nimlint.files import write_report
    from nimlint.report import Report, render

    report = Report((), (), {}, __version__, errors=tuple(errors))
    write_report(path, render(report, "sarif").encode("utf-8"))


if __name__ == "__main__":
    sys.exit(main())
