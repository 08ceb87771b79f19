"""Render plain data as YAML in a randomly varied but always valid style (no dependencies)."""

from __future__ import annotations

import json
import random
import re

# Plain scalars that both YAML 1.1 (PyYAML) and 1.2 (ruamel.yaml) read back as strings.
_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_./@-]*(?::[A-Za-z0-9_./@-]+)*\Z")
_PLAIN_QUANTITY = re.compile(r"[0-9][0-9.]*[A-Za-z]+\Z")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}

SECTION_COMMENTS = {
    "metadata": "workload identity",
    "compute": "GPU and CPU sizing for the model",
    "environmentVariables": "NIM runtime settings",
    "modelStore": "where the model weights are cached",
    "servingPort": "OpenAI-compatible endpoint",
    "probes": "NIM reports ready once the engine is loaded",
    "tolerations": "allow scheduling on GPU nodes",
    "autoscaling": "scale on load",
    "security": "run as the NIM container user",
}
INLINE_COMMENTS = {
    "image": "pinned NIM release",
    "gpuDevicesRequest": "whole GPUs",
    "port": "HTTP",
    "initialDelaySeconds": "engine build can take minutes",
    "replicas": "fixed size",
    "failureThreshold": "allow slow model loads",
}


class Styler:
    """One document's style: indentation, quoting, flow collections, comments, blank lines."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.indent = " " * rng.choice((2, 2, 2, 4))
        self.indent_seq = rng.random() < 0.5
        self.p_flow = rng.choice((0.0, 0.2, 0.5))
        self.p_quote = rng.choice((0.0, 0.1, 0.4))
        self.p_comment = rng.choice((0.0, 0.3, 0.7))
        self.blank_lines = rng.random() < 0.3

    def document(self, data: dict, preamble: list[str]) -> list[str]:
        """Lines of one document: the preamble lines (``---``, comments), then the mapping."""
        out = list(preamble)
        self._mapping(data, "", out)
        return out

    def _scalar(self, value: object, flow: bool = False) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return "null"
        if not isinstance(value, str):
            return repr(value)
        plain = (_PLAIN.match(value) or _PLAIN_QUANTITY.match(value)) and (
            value.lower() not in _RESERVED and not (flow and ":" in value)
        )
        if plain and self.rng.random() >= self.p_quote:
            return value
        if self.rng.random() < 0.3:
            return "'" + value.replace("'", "''") + "'"
        return json.dumps(value)

    def _flow(self, value: dict | list) -> str | None:
        """Flow form of a small collection of scalars, or None to use block style."""
        items = list(value.values()) if isinstance(value, dict) else value
        if len(items) > 3 or any(isinstance(v, (dict, list)) for v in items):
            return None
        if self.rng.random() >= self.p_flow:
            return None
        if isinstance(value, list):
            return "[" + ", ".join(self._scalar(v, flow=True) for v in value) + "]"
        pairs = (f"{k}: {self._scalar(v, flow=True)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"

    def _mapping(self, data: dict, pad: str, out: list[str]) -> None:
        for key, value in data.items():
            if key in SECTION_COMMENTS and self.rng.random() < self.p_comment:
                if self.blank_lines and out:
                    out.append("")
                out.append(f"{pad}# {SECTION_COMMENTS[key]}")
            head = f"{pad}{key}:"
            if isinstance(value, (dict, list)) and value:
                flow = self._flow(value)
                if flow is not None:
                    out.append(f"{head} {flow}")
                elif isinstance(value, dict):
                    out.append(head)
                    self._mapping(value, pad + self.indent, out)
                else:
                    out.append(head)
                    self._sequence(value, pad + self.indent if self.indent_seq else pad, out)
                continue
            line = f"{head} {self._scalar(value)}"
            if key in INLINE_COMMENTS and self.rng.random() < self.p_comment / 2:
                line += f"  # {INLINE_COMMENTS[key]}"
            out.append(line)

    def _sequence(self, items: list, pad: str, out: list[str]) -> None:
        for item in items:
            if isinstance(item, dict):
                lines: list[str] = []
                self._mapping(item, pad + "  ", lines)
                out.append(f"{pad}- {lines[0].lstrip()}")
                out.extend(lines[1:])
            else:
                out.append(f"{pad}- {self._scalar(item)}")
