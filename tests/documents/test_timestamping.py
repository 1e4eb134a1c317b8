from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from asn1crypto import cms

from documents.signing.loops import outside_event_loop
from documents.signing.pki import TSA_NAME, DemoPki
from documents.signing.timestamping import QUERY_TYPE, TsaServer, make_timestamper

REPO_ROOT = Path(__file__).resolve().parents[2]


def _tst_info(token: cms.ContentInfo) -> dict:
    return token["content"]["encap_content_info"]["content"].parsed.native


@outside_event_loop
def _request_token(url: str, digest: bytes) -> cms.ContentInfo:
    return asyncio.run(make_timestamper(url).async_timestamp(digest, "sha256"))


def test_token_from_local_tsa(tsa: TsaServer) -> None:
    digest = hashlib.sha256(b"constancia").digest()
    token = _request_token(tsa.url, digest)
    info = _tst_info(token)
    assert info["message_imprint"]["hashed_message"] == digest
    assert abs(info["gen_time"] - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    signer_cert = next(
        cert.chosen
        for cert in token["content"]["certificates"]
        if cert.chosen.subject.native["common_name"] == TSA_NAME
    )
    assert signer_cert.extended_key_usage_value.native == ["time_stamping"]


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (None, None, 405),
        (b"x", "application/octet-stream", 415),
        (b"not DER", QUERY_TYPE, 400),
        (b"\0" * 20_000, QUERY_TYPE, 413),
    ],
)
def test_bad_requests(
    tsa: TsaServer, data: bytes | None, content_type: str | None, status: int
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(tsa.url, data=data, headers=headers)
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)
    assert error.value.code == status


def test_command_line_server(pki: DemoPki) -> None:
    env = {**os.environ, "DEMO_PKI_PASSWORD": pki.password.decode()}
    command = [sys.executable, "-m", "documents.signing.timestamping"]
    args = ["--pki-dir", str(pki.directory), "--port", "0"]
    with subprocess.Popen(
        [*command, *args], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True
    ) as server:
        try:
            assert server.stdout is not None
            url = server.stdout.readline().rsplit(" ", 1)[-1].strip()
            assert url.startswith("http://127.0.0.1:")
            token = _request_token(url, hashlib.sha256(b"x").digest())
            assert _tst_info(token)["tsa"]["common_name"] == TSA_NAME
        finally:
            server.terminate()
