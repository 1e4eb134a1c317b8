"""Locust users of `python -m benchmarks.filing_load`: residents filing a procedure.

Each user takes one logged-in resident's session (written by the run, as `login()`
writes it) and files, again and again, as a browser without JavaScript would: the
procedure's page, "Start", each form step (a GET, then the POST of its answers),
the documents step with a PDF upload, the review page and "Submit", then the
confirmation page. Every step is named by its number, so Locust reports p50/p95/p99
per step; any unexpected status or redirect counts as an error.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading

from locust import HttpUser, constant, task

SESSIONS = json.loads(os.environ["FILING_SESSIONS"])  # [[cookie name, value], ...]
CODE = os.environ["FILING_PROCEDURE"]
STEPS = json.loads(os.environ["FILING_STEPS"])  # the answers of each form step, in order
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_taken = iter(range(len(SESSIONS)))
_lock = threading.Lock()


class Failed(Exception):
    pass


class Resident(HttpUser):
    wait_time = constant(0)  # back-to-back filings: the run measures throughput

    def on_start(self) -> None:
        with _lock:
            name, value = SESSIONS[next(_taken) % len(SESSIONS)]
        self.client.cookies.set(name, value, domain="127.0.0.1")

    def _get(self, path: str, step: str) -> str:
        with self.client.get(path, name=step, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                raise Failed(step)
            return response.text

    def _post(self, path: str, step: str, token: str, data=None, files=None) -> str:
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": token, **(data or {})},
            files=files,
            headers={"Referer": self.host + path},
            name=step,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.startswith("/mis-tramites/"):
                response.failure(f"HTTP {response.status_code} to {location or 'nowhere'}")
                raise Failed(step)
            return location

    def _token(self, page: str, step: str) -> str:
        found = TOKEN.search(page)
        if not found:
            raise Failed(f"{step}: no form")
        return found.group(1)

    @task
    def file_a_procedure(self) -> None:
        with contextlib.suppress(Failed):  # already reported as a failure of its step
            self._file()

    def _file(self) -> None:
        page = self._get(f"/tramites/{CODE}/", "01 procedure page")
        step = self._post(f"/tramites/{CODE}/iniciar/", "02 start", self._token(page, "01"))
        for number, answers in enumerate(STEPS, start=1):
            page = self._get(step, f"{2 * number + 1:02} form step {number}")
            step = self._post(
                step, f"{2 * number + 2:02} save step {number}", self._token(page, "step"), answers
            )
        after = 2 * len(STEPS) + 2
        page = self._get(step, f"{after + 1:02} documents page")
        step = self._post(
            step,
            f"{after + 2:02} upload document",
            self._token(page, "documents"),
            files={"dni": ("dni.pdf", PDF, "application/pdf")},
        )
        page = self._get(step, f"{after + 3:02} review page")
        step = self._post(step, f"{after + 4:02} submit", self._token(page, "review"))
        self._get(step, f"{after + 5:02} confirmation page")
