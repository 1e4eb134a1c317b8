"""`make audit` checks every pinned dependency against the OSV advisory database (here a local
fake speaking OSV's query API, handed through OSV_URL as CI would); `.ci/audit` runs it when
the database answers and skips loudly when it does not."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
DJANGO_PIN = re.search(r"^Django==(\S+)$", (REPO / "constraints.txt").read_text(), re.M)[1]
ADVISORY = {
    "id": "GHSA-test-0000-0000",
    "summary": "SQL injection in a made-up lookup",
    "schema_version": "1.6.0",
    "affected": [
        {
            "package": {"name": "django", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9.9"}]}],
        }
    ],
}


class FakeOsv(BaseHTTPRequestHandler):
    vulnerable: dict[str, str] = {}
    queries: list[dict] = []

    def do_POST(self):
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.queries.append(query)
        name, version = query["package"]["name"], query.get("version")
        body = {"vulns": [ADVISORY]} if self.vulnerable.get(name) == version else {}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def osv_url():
    FakeOsv.vulnerable, FakeOsv.queries = {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOsv)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1/query"
    server.shutdown()


def run(command: list[str], osv_url: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OSV_URL": osv_url, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_make_audit_fails_on_a_known_vulnerability_of_a_pinned_dependency(osv_url, tmp_path):
    FakeOsv.vulnerable = {"django": DJANGO_PIN}
    result = run(["make", "--no-print-directory", "audit", f"OSV_URL={osv_url}"], osv_url, tmp_path)
    assert result.returncode != 0
    assert "GHSA-test-0000-0000" in result.stdout and "9.9" in result.stdout
    pinned = {
        canonicalize_name(line.split("==")[0])
        for line in (REPO / "constraints.txt").read_text().split()
    }
    asked = {query["package"]["name"] for query in FakeOsv.queries}
    assert asked == pinned  # every pinned package, nothing else


def test_ci_runs_the_audit_where_the_database_answers(osv_url, tmp_path):
    result = run([".ci/audit"], osv_url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No known vulnerabilities found" in result.stdout + result.stderr

    FakeOsv.vulnerable = {"django": DJANGO_PIN}
    assert run([".ci/audit"], osv_url, tmp_path).returncode != 0


def test_ci_skips_the_audit_loudly_where_the_database_does_not_answer(tmp_path):
    result = run([".ci/audit"], "http://127.0.0.1:9/v1/query", tmp_path)
    assert result.returncode == 0
    assert "SKIPPED: dependency audit (make audit)" in result.stderr
    assert "were NOT checked in this run" in result.stderr
