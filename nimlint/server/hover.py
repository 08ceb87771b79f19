"""Hover: a key's field documentation from the OpenAPI document in use, or a rule's summary
and rationale on its id in a suppression comment."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import nimlint.server.cursor as cursor
from nimlint.messages import clip
from nimlint.server.cursor import cut

_DIRECTIVE = re.compile(r"#[ \t]*nimlint:[ \t]*disable(?:-next-line|-file)?[ \t]*=[ \t]*(.*)")
_ID = re.compile(r"[^\s,]+")


def rule_at(line_text: str, column: int) -> str | None:
    """The rule id (or prefix) under 0-based code-point ``column`` in a suppression comment."""
    directive = _DIRECTIVE.search(line_text)
    if directive is None:
        return None
    for match in _ID.finditer(line_text, directive.start(1)):
        if match.start() <= column <= match.end():
            return match[0]
    return None


def rule_text(selector: str, rules: Mapping) -> str | None:
    """Markdown for a rule id (summary and rationale), or the rules a prefix names."""
    rule = rules.get(selector)
    if rule is not None:
        return cut(
            f"**{rule.id}** {rule.name} (default severity: {rule.severity}, fix: {rule.fix})"
            f"\n\n{rule.summary}\n\n{rule.rationale.strip()}",
            8000,
        )
    named = [r for i, r in rules.items() if i.startswith(selector)]
    if not named:
        return None
    lines = [f"- **{r.id}** {r.summary}" for r in named[:30]]
    more = [f"- and {len(named) - 30} more"] if len(named) > 30 else []
    head = f"`{selector}` silences {len(named)} rules:\n\n"
    return cut(head + "\n".join(lines + more), 8000)


def field_text(schema: dict, pointer: str, kind: str, how: str) -> str | None:
    """Markdown for the field at ``pointer``: description, type, allowed values, default,
    and the kind the document was read as."""
    node = cursor.schema_node(schema, pointer)
    if node is None or not pointer:
        return None
    path = ".".join(cursor.tokens(pointer))
    types = " | ".join(cursor.type_names(node)) or "any"
    parts = [cut(f"**{clip(path, 200)}**: `{types}`")]
    if node.get("format"):
        parts[0] += f" ({node['format']})"
    description = node.get("description")
    if isinstance(description, str) and description.strip():
        parts.append(cut(description.strip()))
    enum = [v for v in node.get("enum", []) if v is not None]
    if enum:
        parts.append(cut("Allowed values: " + ", ".join(f"`{_show(v)}`" for v in enum[:50])))
    if "default" in node:
        parts.append(cut(f"Default: `{_show(node['default'])}`"))
    parts.append(f"Document read as: {kind} ({how})")
    return "\n\n".join(parts)


def _show(value) -> str:
    """A value as it is written in YAML (a string unquoted, null/true/numbers as JSON)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return clip(text.replace("`", "'"), 200)
