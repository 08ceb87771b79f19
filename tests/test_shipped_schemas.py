"""The shipped OpenAPI document and the generated JSON Schemas stay true to the seed."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"


def _build_module():
    spec = importlib.util.spec_from_file_location(
        "build_schemas", ROOT / "scripts" / "build_schemas.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _build_module()
OPENAPI = json.loads((SCHEMAS / BUILD.OPENAPI_FILE).read_text())


def _seed() -> Path:
    if not BUILD.SEED.exists():
        pytest.skip(f"seed not found at {BUILD.SEED} (../shared is absent)")
    return BUILD.SEED


def test_shipped_openapi_is_the_merge_of_the_seed_fragments() -> None:
    fragments = BUILD.fragments_from_markdown(_seed().read_text(encoding="utf-8"))
    assert len(fragments) == 3
    assert BUILD.merge_fragments(fragments) == OPENAPI
    operations = {(p, m) for p, ops in OPENAPI["paths"].items() for m in ops}
    assert operations == {
        ("/api/v2/workloads/nim-services", "post"),
        ("/api/v2/workloads/nim-services/{WorkloadV2Id}", "get"),
        ("/api/v2/workloads/nim-services/{WorkloadV2Id}", "patch"),
    }


def test_shipped_openapi_is_valid() -> None:
    from openapi_spec_validator import validate

    validate(OPENAPI)


def test_generated_schemas_are_up_to_date() -> None:
    built = BUILD.build(_seed())
    for name, content in built.items():
        assert (SCHEMAS / name).read_text(encoding="utf-8") == content, (
            f"schemas/{name} is stale: run python scripts/build_schemas.py"
        )


def test_merge_rejects_conflicting_fragments() -> None:
    first = {"openapi": "3.0.3", "components": {"schemas": {"A": {"type": "string"}}}}
    second = {"openapi": "3.0.3", "components": {"schemas": {"A": {"type": "integer"}}}}
    with pytest.raises(ValueError, match=r"components\.schemas\.A"):
        BUILD.merge_fragments([first, second])


@pytest.mark.parametrize("kind", ["create", "update", "response"])
def test_generated_schema_is_valid_json_schema_2020_12(kind: str) -> None:
    schema = json.loads((SCHEMAS / f"nim-service-{kind}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    text = json.dumps(schema)
    assert '"nullable"' not in text
    assert '"pattern": ".*"' not in text
    assert "#/components/" not in text


def test_openapi_quirks_are_translated() -> None:
    schema = json.loads((SCHEMAS / "nim-service-create.schema.json").read_text())
    defs = schema["$defs"]
    assert defs["ImagePullPolicy"]["enum"] == ["Always", "Never", "IfNotPresent", None]
    assert defs["ImagePullPolicy"]["type"] == ["string", "null"]
    assert (
        defs["NimServiceReplicas"]["minimum"] == 0 and defs["NimServiceReplicas"]["maximum"] == 1000
    )
    assert defs["AutoScalingMetricThreshold"]["maximum"] == 2**31 - 1
    assert defs["RunAsUid"]["minimum"] == -(2**63)
    assert "pattern" not in defs["Image"]
    assert schema["required"] == ["metadata", "spec"]


def test_pattern_dot_star_count_matches_the_document() -> None:
    count = json.dumps(OPENAPI).count('"pattern": ".*"')
    assert count == 24


def _check(seed: Path) -> subprocess.CompletedProcess:
    script = str(ROOT / "scripts" / "build_schemas.py")
    return subprocess.run(
        [sys.executable, script, str(seed), "--check"], capture_output=True, text=True
    )


def test_check_mode_reports_stale_files(tmp_path: Path) -> None:
    assert _check(_seed()).returncode == 0
    changed = tmp_path / "seed.md"
    text = _seed().read_text(encoding="utf-8")
    changed.write_text(
        text.replace("The port that the container", "The TCP port that the container")
    )
    result = _check(changed)
    assert result.returncode == 1
    assert "nim-service-create.schema.json is out of date" in result.stdout
