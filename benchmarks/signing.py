"""Signed certificates per second: the whole pipeline against the bare rendering and signing calls.

    python -m benchmarks.signing                    # 40 certificates per run; writes --output
    python -m benchmarks.signing --documents 10     # a quick check

Both sides produce the same certificate (same template, facts, seal key and
local demo TSA, PAdES B-T):

* bare: Django's template rendering, WeasyPrint (``render_pdf``) and pyHanko
  (``sign_pdf``) called in a loop, in 1 or 2 processes;
* pipeline: ``request_document`` for every certificate in one transaction,
  then Celery workers on Redis (``--concurrency`` 1 or 2) render, sign, store
  (local files) and record each one, as in production.

The ratio pipeline / bare is the figure to watch (goal ≥ 0.9). Everything runs
on a dedicated PostgreSQL database, ``tramites_bench_signing``, created and
dropped here, with Redis database 13 as the broker and a fresh VAR_DIR.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "tramites_bench_signing"
BROKER = "redis://127.0.0.1:6379/13"
DEFAULT_OUTPUT = Path(tempfile.gettempdir()) / "perf-signing.md"
BUSY_LIMIT = 0.1


def busy_cpus(seconds: float = 2) -> float:
    """Share of the CPUs busy while this benchmark idles: other work skews the figures."""

    def times() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values), values[3] + values[4]

    total, idle = times()
    time.sleep(seconds)
    total_after, idle_after = times()
    return 1 - (idle_after - idle) / max(1, total_after - total)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(var_dir: Path, tsa_port: int) -> dict[str, str]:
    """Built from scratch: a developer's database, bucket or broker is never reached."""
    kept = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {
        **kept,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DATABASE_CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": BROKER,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_MANIFEST": "0",
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "SIGNING_TSA_URL": f"http://127.0.0.1:{tsa_port}/",
        "SIGNING_DEMO_PKI": "1",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
    }


def recreate_database(drop_only: bool = False) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        name = sql.Identifier(DATABASE)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if not drop_only:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{what} did not start") from None
            time.sleep(0.1)


# --- The work, both ways -----------------------------------------------------------------------


def _setup() -> tuple:
    """The engine's test type (a certificate) and a resident to file it."""
    from accounts.models import User
    from core.identifiers import make_cuit
    from procedures.catalog import load_catalog
    from procedures.models import ProcedureVersion
    from procedures.services.catalog import sync_catalog

    catalog = Path(tempfile.mkdtemp(prefix="bench-catalog-"))
    (catalog / "types").mkdir()
    source = ROOT / "procedures" / "catalog"
    for name in ("categories.yaml", "departments.yaml"):
        shutil.copy(source / name, catalog / name)
    shutil.copy(
        ROOT / "tests" / "engine" / "fixtures" / "habilitacion-de-prueba.yaml", catalog / "types"
    )
    sync_catalog(load_catalog(catalog))
    shutil.rmtree(catalog)
    version = ProcedureVersion.objects.get(
        procedure_type__code="habilitacion-de-prueba", status="published"
    )
    resident = User.objects.create_user(
        email="vecina@bench.example",
        full_name="Ana María Vecina",
        document_type=User.DocumentType.CUIT,
        document_number=make_cuit("27", "30111222"),
    )
    return version, resident


def _cases(version, resident, count: int) -> list[int]:
    """Approved cases, written directly: their certificates are what is measured."""
    from django.utils import timezone

    from procedures.models import Case
    from procedures.references import new_reference

    answers = {"nombre_fantasia": "Kiosco Don Pepe", "superficie": "20", "tiene_cartel": "no"}
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            reference=new_reference(),
            version=version,
            applicant=resident,
            filed_by=resident,
            status=Case.Status.APPROVED,
            answers=answers,
            submitted_at=now,
            resolved_at=now,
        )
        for _ in range(count)
    )
    return [case.pk for case in cases]


def _bare_certificate(case_id: int) -> bytes:
    """The pipeline's certificate, straight through the rendering and signing calls."""
    from documents import keys, rendering
    from documents.models import SignedDocument, new_code
    from documents.signing.sign import sign_pdf
    from procedures.models import Case
    from procedures.services.outputs import case_content

    case = Case.objects.select_related("version", "applicant").get(pk=case_id)
    content = case_content(case, "certificate")
    document = SignedDocument(
        subject_type="procedures.case",
        subject_id=str(case.pk),
        subject_label=content.subject_label,
        kind="certificate",
        template=content.template,
        code=new_code(),
        signer="seal",
        signer_name="Municipalidad",
        signer_role=rendering.SEAL_ROLE,
        title=content.title,
        facts=content.facts,
    )
    with keys.seal().session() as signer:
        return sign_pdf(
            rendering.render_document(document),  # the template, then WeasyPrint
            signer,
            certify=True,
            timestamper=keys.timestamper(),
            field_name="SelloMunicipal",
            reason=f"{document.title} — {document.subject_label}",
            location="Municipalidad",
        )


def _bare_loop(case_ids: list[int], ready) -> None:
    import django

    django.setup()  # a fresh interpreter: forking after the Celery client's threads can hang
    _bare_certificate(case_ids[0])  # load fonts, keys and the TSA client before timing
    ready.wait()
    for case_id in case_ids[1:]:
        _bare_certificate(case_id)


def bare(case_ids: list[int], processes: int) -> float:
    """Certificates per second, with ``processes`` processes each signing its share."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(processes + 1)
    shares = [case_ids[i::processes] for i in range(processes)]
    workers = [context.Process(target=_bare_loop, args=(share, ready)) for share in shares]
    for worker in workers:
        worker.start()
    ready.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit("a bare signing process failed")
    return (len(case_ids) - processes) / (time.perf_counter() - started)


def _start_worker(env: dict[str, str], concurrency: int, log: Path) -> subprocess.Popen:
    from config.celery import app

    app.control.purge()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--queues=signing",
            f"--concurrency={concurrency}",
            "--hostname=bench-signing@%h",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise SystemExit(f"the Celery worker did not start; see {log}")
    return worker


def _request(case_ids: list[int]) -> tuple[list[int], float]:
    """Request the certificates in one transaction; their ids and when it committed."""
    from django.db import transaction

    from procedures.models import Case
    from procedures.services import outputs

    committed: list[float] = []
    with transaction.atomic():  # ids reach the queue when this commits
        transaction.on_commit(lambda: committed.append(time.time()))  # runs before the dispatches
        ids = [
            outputs.produce_output(case).pk
            for case in Case.objects.filter(pk__in=case_ids).select_related("version", "applicant")
        ]
    return ids, committed[0]


def _issued(document_ids: list[int], level: str = "", timeout: float = 600) -> None:
    from documents.models import SignedDocument

    deadline = time.monotonic() + timeout
    pending = SignedDocument.objects.filter(pk__in=document_ids).exclude(status="issued")
    if level:
        pending = SignedDocument.objects.filter(pk__in=document_ids).exclude(level=level)
    while pending.exists():
        if time.monotonic() > deadline:
            raise SystemExit("the pipeline did not sign everything in time")
        time.sleep(0.05)


def pipeline(env: dict[str, str], case_ids: list[int], concurrency: int, log: Path) -> float:
    from django.db.models import Max

    from documents.models import SignedDocument

    worker = _start_worker(env, concurrency, log)
    try:
        # Warm-up: every worker process loads its fonts, keys and TSA client once.
        warm, measured = case_ids[: 2 * concurrency], case_ids[2 * concurrency :]
        _issued(_request(warm)[0], level="B-LTA")  # their extensions done too: the queue is empty
        document_ids, started = _request(measured)
        _issued(document_ids)
        # Extension tasks queue behind the signing ones: the last issue ends the run.
        last = SignedDocument.objects.filter(pk__in=document_ids).aggregate(Max("issued_at"))
        return len(measured) / (last["issued_at__max"].timestamp() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        from config.celery import app

        app.control.purge()


# --- Report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    processes: int
    bare: float
    pipeline: float

    @property
    def ratio(self) -> float:
        return self.pipeline / self.bare


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}"


def report(results: list[Result], documents: int, repeats: int, busy: float) -> str:
    from importlib.metadata import version

    lines = [
        "## Signing documents",
        "",
        f"`python -m benchmarks.signing` on {date.today():%Y-%m-%d}: {machine()}; "
        f"WeasyPrint {version('weasyprint')}, pyHanko {version('pyhanko')}. "
        f"{documents} one-page certificates per run, PAdES B-T against the local demo TSA, "
        f"RSA-2048 seal from a PKCS#12 file, files on the local disk; median of {repeats} runs.",
        "",
        "| processes | bare render + sign (docs/s) | pipeline (docs/s) | pipeline / bare |",
        "|---|---|---|---|",
    ]
    for result in results:
        lines.append(
            f"| {result.processes} | {result.bare:.2f} | {result.pipeline:.2f} | "
            f"{result.ratio:.2f} |"
        )
    one, two = results[0], results[-1]
    lines += [
        "",
        "*Bare*: the same template rendered by Django, then `render_pdf` (WeasyPrint, tagged PDF/A-3a) "
        "and `sign_pdf` (pyHanko, certifying seal, B-T) in a loop, in 1 or 2 processes. "
        "*Pipeline*: `request_document` for every certificate in one transaction, then a Celery "
        "worker on Redis with `--concurrency` 1 or 2 renders, signs, stores and records each one "
        "(row lock, audit record, timeline event), as in production; timed from the commit that "
        "makes the work available to the last `issued_at`, after a warm-up of two documents per worker process.",
        "",
        f"From 1 to 2 processes: ×{two.pipeline / one.pipeline:.2f} through the pipeline, "
        f"×{two.bare / one.bare:.2f} bare. Both share the machine's cores with the TSA, "
        "PostgreSQL and Redis, which the pipeline uses more.",
        "",
    ]
    if busy > BUSY_LIMIT:
        lines += [
            f"Before the runs {busy:.0%} of the CPUs were busy with other work: the figures "
            "are low; rerun on a quiet machine.",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--documents", type=int, default=40, help="certificates per run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    var_dir = Path(tempfile.mkdtemp(prefix="bench-signing-"))
    tsa_port = _free_port()
    env = environment(var_dir, tsa_port)
    os.environ.update(env)
    recreate_database()
    tsa = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from documents import demo

        call_command("migrate", verbosity=0)
        pki = demo.ensure_demo_pki()
        tsa = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "documents.signing.timestamping",
                "--pki-dir",
                str(pki.directory),
                "--port",
                str(tsa_port),
            ],
            cwd=ROOT,
            env={**env, "DEMO_PKI_PASSWORD": pki.password.decode()},
            stdout=subprocess.DEVNULL,
        )
        _wait_for_port(tsa_port, tsa, "the demo TSA")
        version, resident = _setup()
        busy = busy_cpus()
        results = []
        for processes in (1, 2):
            bare_rates, pipeline_rates = [], []
            for run in range(args.repeats):
                case_ids = _cases(version, resident, args.documents + 2 * processes)
                bare_rates.append(bare(case_ids[: args.documents + processes], processes))
                log = var_dir / f"worker-{processes}-{run}.log"
                pipeline_rates.append(pipeline(env, case_ids, processes, log))
                print(
                    f"{processes} process(es), run {run + 1}: bare {bare_rates[-1]:.2f}/s, "
                    f"pipeline {pipeline_rates[-1]:.2f}/s",
                    flush=True,
                )
            results.append(
                Result(processes, statistics.median(bare_rates), statistics.median(pipeline_rates))
            )
        text = report(results, args.documents, args.repeats, busy)
        args.output.write_text(text)
        print(text)
        print(f"Written to {args.output}")
    finally:
        if tsa is not None:
            tsa.terminate()
        from django.db import connections

        connections.close_all()
        recreate_database(drop_only=True)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
