"""The ``nimlint`` program as one short-lived process: start without collecting, end without
tearing down.

Start-up creates tens of thousands of objects that live until exit (modules, classes,
functions) and frees almost none, so the cyclic garbage collector only walks them again and
again: it is off while the modules load, and what they built is frozen out of later
collections. At exit, Python would free every module one by one; the process is about to end,
so after the atexit handlers run and the output is flushed it ends at once. Library callers
(``nimlint.lint``) and ``cli`` tests are untouched: only this entry point does either.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

# cli's exit codes, needed before cli can be imported.
EXIT_USAGE, EXIT_INTERRUPTED = 2, 130


def main() -> None:
    """Console script entry point (``nimlint``, ``python -m nimlint``)."""
    gc.disable()
    try:
        from nimlint.cli import main as run_cli
    except KeyboardInterrupt:
        _exit(EXIT_INTERRUPTED)
    except ImportError as exc:  # a broken installation: a dependency missing or unloadable
        print(f"nimlint: error: cannot start: {exc} (reinstall nimlint)", file=sys.stderr)
        _exit(EXIT_USAGE)
    gc.freeze()
    gc.enable()
    try:
        run_cli()
        code = 0
    except SystemExit as exc:
        code = _exit_status(exc.code)
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    _exit(code)


def _exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` gives: None is 0, a message is printed and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _exit(code: int) -> None:
    """Run atexit handlers (plugins may have some), flush the output, end the process."""
    try:
        atexit._run_exitfuncs()
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader that went away (| head), a closed stream
            pass
    os._exit(code)
