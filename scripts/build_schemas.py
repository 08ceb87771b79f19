"""Build schemas/ from the Run:ai API documentation seed.

1. Merge the three one-operation OpenAPI fragments of the seed (create, get, update;
   they share ``components``) into one OpenAPI document.
2. Generate one standalone JSON Schema per document kind from it.
3. Generate the JSON Schema of a NIM-service policy from its NimServiceSpec.

Usage: python scripts/build_schemas.py [SEED] [--check]
``--check`` writes nothing and exits 1 when a shipped file differs from what it would write.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nimlint.policy import schema as policy_schema  # noqa: E402
from nimlint.schema.generate import KIND_LOCATIONS, generate, schema_filename  # noqa: E402

SEED = ROOT.parent / "shared" / "seeds" / "000_3b2fdb490c8fc4ff.txt"
OPENAPI_FILE = "runai-2.24-nim-services.openapi.json"
_FENCE = re.compile(r"^```json\n(.*?)\n```", re.MULTILINE | re.DOTALL)


def fragments_from_markdown(text: str) -> list[dict]:
    """The JSON OpenAPI documents held in the seed's fenced ```json blocks."""
    return [json.loads(block) for block in _FENCE.findall(text)]


def merge_fragments(fragments: list[dict]) -> dict:
    """Merge one-operation OpenAPI documents; shared parts must agree exactly."""
    merged: dict = {}
    for fragment in fragments:
        for key, value in fragment.items():
            if key == "paths":
                for path, operations in value.items():
                    target = merged.setdefault("paths", {}).setdefault(path, {})
                    _merge_disjoint(target, operations, f"paths.{path}")
            elif key == "components":
                for section, entries in value.items():
                    target = merged.setdefault("components", {}).setdefault(section, {})
                    _merge_disjoint(target, entries, f"components.{section}", allow_equal=True)
            elif key in merged and merged[key] != value:
                raise ValueError(f"fragments disagree on top-level {key!r}")
            else:
                merged[key] = value
    for section in merged.get("components", {}).values():
        section_items = sorted(section.items())
        section.clear()
        section.update(section_items)
    return merged


def _merge_disjoint(target: dict, entries: dict, where: str, allow_equal: bool = False) -> None:
    for name, entry in entries.items():
        if name in target and not (allow_equal and target[name] == entry):
            raise ValueError(f"fragments define {where}.{name} differently")
        target[name] = entry


def build(seed: Path) -> dict[str, str]:
    """Return {filename: content} for every file this script owns under schemas/."""
    openapi = merge_fragments(fragments_from_markdown(seed.read_text(encoding="utf-8")))
    files = {OPENAPI_FILE: _dump(openapi)}
    for kind in KIND_LOCATIONS:
        files[schema_filename(kind)] = _dump(generate(openapi, kind))
    files[policy_schema.SCHEMA_FILENAME] = _dump(policy_schema.generate(openapi))
    return files


def _dump(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    seed = Path(args[0]) if args else SEED
    stale = []
    for name, content in build(seed).items():
        path = ROOT / "schemas" / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                stale.append(name)
        else:
            path.write_text(content, encoding="utf-8")
    for name in stale:
        print(f"schemas/{name} is out of date: run python scripts/build_schemas.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
