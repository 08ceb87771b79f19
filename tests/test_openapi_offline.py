"""--openapi stays offline: only references inside the document are followed."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_cli import ROOT, nimlint

SHIPPED = ROOT / "schemas" / "runai-2.24-nim-services.openapi.json"
SECRET = "TOP-SECRET-CONTENT"


@pytest.fixture
def server():
    """A local HTTP server that records every request it gets (it must get none)."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = json.dumps({"type": "string", "description": SECRET}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()


def _document_with(tmp_path: Path, edit) -> Path:
    document = json.loads(SHIPPED.read_text())
    edit(document["components"]["schemas"])
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(document))
    return path


def _check(tmp_path: Path, document: Path):
    spec = tmp_path / "spec.yaml"
    spec.write_text('metadata: {name: a, projectId: "1"}\nspec: {}\n')
    return nimlint("check", "--openapi", str(document), str(spec))


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_an_outside_reference_is_an_error_naming_it(tmp_path: Path, server, scheme: str) -> None:
    url, requests = server
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"type": "string", "description": SECRET}))
    target = f"{url}/x.json" if scheme == "http" else secret.as_uri()
    document = _document_with(
        tmp_path, lambda schemas: schemas["NimServiceReplicas"].update({"$ref": target})
    )
    run = _check(tmp_path, document)
    assert run.returncode == 2
    assert f"$ref {target!r} at /components/schemas/NimServiceReplicas" in run.stderr.decode()
    assert SECRET.encode() not in run.stderr + run.stdout
    assert requests == []


@pytest.mark.parametrize(
    "keys",
    [
        {"$id": "{url}/base.json", "$ref": "#/x"},
        {"$schema": "{url}/meta.json"},
        {"$dynamicRef": "{url}/x.json"},
    ],
)
def test_no_keyword_makes_the_validator_fetch(tmp_path: Path, server, keys: dict) -> None:
    url, requests = server
    filled = {k: v.format(url=url) for k, v in keys.items()}
    document = _document_with(
        tmp_path, lambda schemas: schemas["NimServiceReplicas"].update(filled)
    )
    run = _check(tmp_path, document)
    assert run.returncode == 2, run.stderr
    assert SECRET.encode() not in run.stderr + run.stdout
    assert requests == []


def test_inside_references_still_work(tmp_path: Path) -> None:
    document = _document_with(
        tmp_path,
        lambda schemas: schemas.update(
            {"Alias": {"$ref": "#/components/schemas/NimServiceReplicas"}}
        ),
    )
    assert _check(tmp_path, document).returncode in (0, 1)


def test_errors_quote_a_short_excerpt(tmp_path: Path) -> None:
    document = _document_with(
        tmp_path, lambda schemas: schemas["NimServiceReplicas"].update({"type": "x" * 5000})
    )
    run = _check(tmp_path, document)
    assert run.returncode == 2
    assert len(run.stderr) < 600, run.stderr


def test_every_validator_refuses_to_fetch_even_past_the_check(server) -> None:
    """Defence in depth: were a schema with an outside reference to get past the check above,
    jsonschema-rs is built offline and fails instead of fetching."""
    from nimlint.schema.schemaset import SchemaSet

    url, requests = server
    schemas = SchemaSet({"create": {"$ref": f"{url}/replicas.json"}})
    with pytest.raises(Exception, match="Retrieval is disabled"):
        schemas.validator("create")
    assert requests == []
