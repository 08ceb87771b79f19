"""``nimlint server``: the Language Server Protocol over stdio (pygls), imported by it alone.

adapter.py is the one module that calls nimlint's linting API; app.py wires the protocol.
"""


def main(*, isolated: bool = False, python_rules: bool = True) -> int:
    """Serve until the client says exit (or its process dies); the exit code."""
    from nimlint.server.adapter import Trust
    from nimlint.server.app import run

    return run(Trust(isolated, python_rules and not isolated))
