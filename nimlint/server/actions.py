"""Code actions: a finding's fix, "disable RULE on this line / for this file" (the
suppression comments nimlint reads), and source.fixAll.nimlint."""

from __future__ import annotations

import re

from lsprotocol import types

from nimlint.findings import Finding
from nimlint.server.text import Lines

FIX_ALL = "source.fixAll.nimlint"
_IDS = re.compile(r"#[ \t]*nimlint:[ \t]*disable[ \t]*=[ \t]*[^\s,]+(?:[ \t]*,[ \t]*[^\s,]+)*")


def _edit(uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    """Edits of one buffer, refused by the client if the buffer has moved on since."""
    document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(document, edits)])


def quick_fix(
    finding: Finding, diagnostic: types.Diagnostic, lines: Lines, uri: str, version: int | None
) -> types.CodeAction | None:
    """The finding's fix; an unsafe one is offered, never preferred."""
    fix = finding.fix
    if fix is None:
        return None
    edits = [types.TextEdit(lines.edit_range(e.start, e.end), e.content) for e in fix.edits]
    unsafe = fix.applicability != "safe"
    return types.CodeAction(
        title=f"{finding.rule}: {fix.message}" + (" (unsafe fix)" if unsafe else ""),
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        is_preferred=not unsafe,
        edit=_edit(uri, version, edits),
    )


def disable_on_line(finding: Finding, lines: Lines) -> tuple[str, types.TextEdit]:
    """(title, edit) adding the rule to the line's ``# nimlint: disable=`` comment, or
    ending the line with one."""
    line = finding.line - 1
    text = lines.line_text(line)
    existing = _IDS.search(text)
    start = lines.starts[line]
    if existing:
        at = lines.position(start + existing.end())
        edit = types.TextEdit(types.Range(at, at), f",{finding.rule}")
    else:
        at = lines.position(start + len(text))
        edit = types.TextEdit(types.Range(at, at), f"  # nimlint: disable={finding.rule}")
    return f"Disable {finding.rule} on this line", edit


def disable_for_file(finding: Finding, lines: Lines) -> tuple[str, types.TextEdit]:
    """(title, edit) putting ``# nimlint: disable-file=RULE`` on a line of its own at the top."""
    newline = "\r\n" if "\r\n" in lines.text[: lines.line_end(0) + 2] else "\n"
    at = lines.position(lines.bom)
    edit = types.TextEdit(types.Range(at, at), f"# nimlint: disable-file={finding.rule}{newline}")
    return f"Disable {finding.rule} for this file", edit


def apply(text: str, lines: Lines, edits: list[types.TextEdit]) -> str:
    """``text`` with non-overlapping LSP ``edits`` applied (to check a suppression works)."""
    spans = sorted(
        ((lines.offset(e.range.start), lines.offset(e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, content in spans:
        text = text[:start] + content + text[end:]
    return text


def suppression(
    title: str, edit: types.TextEdit, diagnostic: types.Diagnostic, uri: str, version: int | None
) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=_edit(uri, version, [edit]),
    )


def fix_all(text: str, fixed: str, lines: Lines, uri: str, version: int | None):
    whole = types.Range(types.Position(0, 0), lines.position(len(text)))
    return types.CodeAction(
        title="nimlint: apply every safe fix",
        kind=FIX_ALL,
        edit=_edit(uri, version, [types.TextEdit(whole, fixed)]),
    )
