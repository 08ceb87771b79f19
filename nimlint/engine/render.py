"""New scalar text for fixes: YAML rendered by ruamel.yaml (imported only here), JSON by json."""

from __future__ import annotations

import io
import json
import re
from functools import cache

from nimlint.loading.scalars import yaml11_reading

_PRINTABLE_ASCII = re.compile(r"[ -~]*")
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")  # a word no YAML reader takes for more
_PLAIN_KEYWORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}
_QUOTES = {'"': '"\\', "'": "'"}  # a quote style and the characters it must escape


@cache
def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.width = 1 << 30  # never fold a long scalar over lines
    yaml.allow_unicode = True
    return yaml


def scalar_text(value: str, *, is_json: bool, style: str = "") -> str | None:
    """The string ``value`` as one line of YAML (``style`` ``"``, ``'``, or plain when it
    can be) or of JSON; None when YAML cannot write it on one line."""
    if is_json:
        return json.dumps(value, ensure_ascii=False)
    quote = style if style in _QUOTES else ""
    if quote and _PRINTABLE_ASCII.fullmatch(value) and not set(_QUOTES[quote]) & set(value):
        return f"{quote}{value}{quote}"  # what ruamel.yaml writes, without importing it
    plain = not style and _PLAIN_WORD.fullmatch(value) and value.lower() not in _PLAIN_KEYWORDS
    if plain and yaml11_reading(value) is None:
        return value  # likewise
    if not style and yaml11_reading(value) is not None:
        style = '"'  # plain would mean something else to a YAML 1.1 reader
    return ruamel_text(value, style)


def ruamel_text(value: str, style: str) -> str | None:
    """``value`` as ruamel.yaml writes it in ``style`` (``"``, ``'`` or plain), if on one line."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    wrapper = {'"': DoubleQuotedScalarString, "'": SingleQuotedScalarString}.get(style, str)
    stream = io.StringIO()
    _yaml().dump(wrapper(value), stream)
    text = stream.getvalue().removesuffix("\n...\n").removesuffix("\n")
    return None if "\n" in text else text
