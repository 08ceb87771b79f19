"""``nimlint server``: the Language Server Protocol over stdio (pygls), imported by it alone.

adapter.py is the one module that calls nimlint's linting API; app.py wires the protocol.
"""

from typing import NoReturn


def main(*, isolated: bool = False, python_rules: bool = True) -> NoReturn:
    """Serve until the client says exit (or its process dies), then end the process: 0 after
    shutdown, else 1."""
    from nimlint.server.adapter import Trust
    from nimlint.server.app import run

    run(Trust(isolated, python_rules and not isolated))
