"""New scalar text for fixes: YAML rendered by ruamel.yaml (imported only here), JSON by json."""

from __future__ import annotations

import io
import json
from functools import cache

from nimlint.loading.scalars import yaml11_reading


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
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if not style and yaml11_reading(value) is not None:
        style = '"'  # plain would mean something else to a YAML 1.1 reader
    wrapper = {'"': DoubleQuotedScalarString, "'": SingleQuotedScalarString}.get(style, str)
    stream = io.StringIO()
    _yaml().dump(wrapper(value), stream)
    text = stream.getvalue().removesuffix("\n...\n").removesuffix("\n")
    return None if "\n" in text else text
