"""Filling the benchmark database with submitted cases as the services would leave them.

A handful of cases go through the real services (cases.submit, review.claim,
review.decide); the rest are written with PostgreSQL COPY in batches, which
takes minutes where the services would take hours. ``check_faithful`` then
compares the two: every bulk row must set the same fields as a service row of
the same kind, so the pages read data shaped like production's.
"""

from __future__ import annotations

import gc
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Count
from django.utils import timezone
from psycopg import sql
from psycopg.types.json import Jsonb
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from accounts.models import Department, User
from accounts.services import make_employee
from core.calendar import add_business_days
from core.identifiers import InvalidIdentifier, make_cuit
from procedures.catalog import (
    CATALOG_DIR,
    Catalog,
    FieldSpec,
    ProcedureDefinition,
    load_catalog,
)
from procedures.flows import StandardProcedureFlow as Flow
from procedures.forms import build_field, to_json
from procedures.models import Case, CaseDocument, CaseEvent, ProcedureType, ProcedureVersion
from procedures.references import new_reference
from procedures.selectors import staff_tasks
from procedures.services import cases, review
from procedures.services.catalog import definition_of, department_permission, sync_catalog

FIXTURE = (
    Path(__file__).resolve().parent.parent / "tests/engine/fixtures/habilitacion-de-prueba.yaml"
)
EMPLOYEES_PER_DEPARTMENT = 4
CASES_PER_RESIDENT = 4
BATCH = 5_000
WRITERS = 2  # batches written at once, each by a process of its own
ANSWER_VARIANTS = 16
SUBMITTED_WITHIN = timedelta(days=60)
ASSIGNED_SHARE = 0.3  # open review tasks already claimed by someone
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
PreviousLink = Task.previous.through


def employee_email(department: str, number: int) -> str:
    return f"{department}.{number}@empleados.bench.example"


# --- COPY -------------------------------------------------------------------------------


def reserve_ids(model: type[models.Model], count: int) -> range:
    """Draw a block of ids from the table's own sequence, so rows written by COPY never clash later.

    One statement for the whole block: nothing else writes to the benchmark's database while
    it fills, so no other session can draw an id between its nextval and its setval.
    """
    if count <= 0:
        return range(0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(s, nextval(s) + %s - 1) "
            "FROM CAST(pg_get_serial_sequence(%s, 'id') AS regclass) AS s",
            [count, model._meta.db_table],
        )
        last = cursor.fetchone()[0]
    return range(last - count + 1, last + 1)


def with_ids(objects: list[Any]) -> list[Any]:
    if objects:
        for obj, pk in zip(objects, reserve_ids(type(objects[0]), len(objects)), strict=True):
            obj.pk = pk
    return objects


Row = dict[str, Any]


class Columns:
    """A model's columns as COPY writes them, each value prepared by its field as an INSERT would.

    Rows are dicts of attnames rather than model instances: instantiating a model costs more
    than preparing all its values. A column a row leaves out takes its field's default, as the
    model would.
    """

    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        self.model = model
        self.fields = meta.concrete_fields
        self.statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table),
            sql.SQL(", ").join(sql.Identifier(f.column) for f in self.fields),
        )
        # dict and list make an empty value each time; other callables (now) are called per row.
        varying = [
            f
            for f in self.fields
            if f.has_default() and callable(f.default) and f.default not in (dict, list)
        ]
        self.varying = [(f.attname, f) for f in varying]
        self.defaults = {f.attname: f.get_default() for f in self.fields if f not in varying}

    def write(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        # The wrapper itself: the `connection` proxy's lookups cost as much as a field's work.
        db = connections[DEFAULT_DB_ALIAS]
        # Most values repeat from row to row (statuses, flow nodes, owners, a variant's
        # answers): each is prepared once per batch. Equal values of the same type prepare
        # alike; a dict or list is keyed by its id, safe while ``rows`` keeps it alive.
        # (dict.get, not KeyError: raising costs more than most preparations.)
        columns = [(f.attname, f.get_db_prep_save, {}) for f in self.fields]
        with connection.cursor() as cursor, cursor.cursor.copy(self.statement) as copy:
            for row in rows:
                values = {**self.defaults, **row}
                for name, field in self.varying:
                    if name not in row:
                        values[name] = field.get_default()
                prepared = []
                for name, prepare, done in columns:
                    value = values[name]
                    key: Any = (value.__class__, value)
                    try:
                        ready = done.get(key, _UNPREPARED)
                    except TypeError:  # unhashable (a dict, a viewflow Token): keyed by id
                        key = id(value)
                        ready = done.get(key, _UNPREPARED)
                    if ready is _UNPREPARED:
                        ready = done[key] = _dumped(prepare(value, db))
                    prepared.append(ready)
                copy.write_row(prepared)


_UNPREPARED = object()


def _dumped(prepared: Any) -> Any:
    """JSON as psycopg would dump it, so a value written again is not dumped again."""
    if isinstance(prepared, Jsonb) and prepared.dumps:
        return prepared.dumps(prepared.obj)
    return prepared


@cache
def columns_of(model: type[models.Model]) -> Columns:
    return Columns(model)


def copy_rows(objects: Sequence[models.Model]) -> None:
    """COPY unsaved instances, every column prepared by its field as an INSERT would.

    Unlike bulk_create, COPY keeps the timestamps given: auto_now_add would
    stamp every row with the time of the fill, and the queues sort by dates.
    """
    if objects:
        table = columns_of(type(objects[0]))
        table.write([{f.attname: getattr(o, f.attname) for f in table.fields} for o in objects])


# --- Catalog, staff, residents ----------------------------------------------------------------


def load_bench_catalog() -> tuple[Catalog, str]:
    """The real catalog when it has types; else the engine's test type in a throwaway copy."""
    catalog = load_catalog()
    if catalog.procedures:
        return catalog, f"procedures/catalog ({len(catalog.procedures)} types)"
    directory = Path(tempfile.mkdtemp(prefix="tramites-bench-catalog-"))
    try:
        (directory / "types").mkdir()
        for name in ("categories.yaml", "departments.yaml"):
            shutil.copy(CATALOG_DIR / name, directory)
        shutil.copy(FIXTURE, directory / "types")
        return load_catalog(directory), f"test fixture {FIXTURE.name} (no catalog types yet)"
    finally:
        shutil.rmtree(directory)


def create_staff(definitions: Iterable[ProcedureDefinition]) -> dict[str, list[int]]:
    """Employees of each department that reviews a step, with TOTP set up; ids by department."""
    codes = sorted({step.department for d in definitions for step in d.review_steps})
    staff: dict[str, list[int]] = {}
    for department in Department.objects.filter(code__in=codes):
        for number in range(1, EMPLOYEES_PER_DEPARTMENT + 1):
            user = User.objects.create_user(
                employee_email(department.code, number),
                full_name=f"Empleado {number} de {department.name}",
            )
            make_employee(user=user, departments=[department], actor=None)
            TOTP.activate(user, generate_totp_secret())
            staff.setdefault(department.code, []).append(user.pk)
    return staff


def create_residents(count: int, now: datetime) -> list[int]:
    residents = [
        User(
            email=f"vecino{i}@bench.example",
            full_name=f"Vecino de Prueba {i}",
            role=User.Role.RESIDENT,
            document_type=User.DocumentType.DNI,
            document_number=str(20_000_000 + i),
            phone="+54 351 555-0101",
            address=f"Calle {i % 500} {i % 3000}",
            city="Villa Demo",
            postal_code="5000",
            password=make_password(None),
            is_active=True,
            is_staff=False,
            is_superuser=False,
            date_joined=now - timedelta(days=400),
        )
        for i in range(1, count + 1)
    ]
    with transaction.atomic():
        copy_rows(with_ids(residents))
    return [user.pk for user in residents]


# --- What a case holds ----------------------------------------------------------------------


def _cuit(dni: str) -> str:
    for prefix in ("20", "27", "23"):
        try:
            return make_cuit(prefix, dni)
        except InvalidIdentifier:
            continue
    raise InvalidIdentifier(dni)


def _typed_answer(spec: FieldSpec, i: int) -> object:
    """What a person would type into the field, as the form receives it."""
    dni = str(25_000_000 + i * 7919)
    if spec.kind in ("number", "money"):
        low = spec.min_value if spec.min_value is not None else Decimal(1)
        high = spec.max_value if spec.max_value is not None else low + 1000
        return str(min(high, low + i * 3))
    if spec.kind in ("choice", "yesno"):
        return spec.choice_values[i % len(spec.choice_values)]
    if spec.kind == "multichoice":
        return [c.value for c in spec.choices[: 1 + i % len(spec.choices)]]
    if spec.kind == "cuit":
        return _cuit(dni)
    typed = {
        "text": f"Dato de prueba {i}",
        "textarea": f"Descripción de prueba número {i}, con el detalle que pide el trámite. " * 3,
        "date": (date(2025, 1, 1) + timedelta(days=i * 11)).isoformat(),
        "email": f"contacto{i}@example.com",
        "phone": f"+54 351 555-{1000 + i}",
        "dni": dni,
        "address": f"Av. Colón {100 + i}, Villa Demo",
    }[spec.kind]
    return typed[: spec.max_length] if spec.max_length else typed


@dataclass(frozen=True)
class Upload:
    slot: str
    name: str
    content_type: str


@dataclass(frozen=True)
class Variant:
    """One complete set of answers for a type, validated by the type's own form fields."""

    answers: dict[str, Any]
    fee: Decimal
    uploads: tuple[Upload, ...]


def _upload(slot: str, accept: Sequence[str]) -> Upload:
    return Upload(slot, f"{slot}.{EXTENSIONS.get(accept[0], 'pdf')}", accept[0])


def answer_variants(definition: ProcedureDefinition) -> list[Variant]:
    variants = []
    for i in range(ANSWER_VARIANTS):
        answers: dict[str, Any] = {}
        uploads = []
        for spec in definition.fields:
            if spec.show_if and not spec.show_if.matches(answers.get(spec.show_if.field)):
                continue
            if spec.kind == "file":
                upload = _upload(spec.name, spec.accept or ("application/pdf",))
                answers[spec.name] = upload.name
                uploads.append(upload)
            else:
                answers[spec.name] = to_json(
                    build_field(spec, definition).clean(_typed_answer(spec, i))
                )
        uploads += [
            _upload(d.name, d.accept)
            for n, d in enumerate(definition.documents)
            if d.required or (i + n) % 2 == 0
        ]
        variants.append(Variant(answers, definition.fee.compute(answers), tuple(uploads)))
    return variants


@dataclass(frozen=True)
class TypeInfo:
    version: ProcedureVersion
    definition: ProcedureDefinition
    variants: list[Variant]

    @property
    def internal(self) -> bool:
        return self.definition.audience == ProcedureType.Audience.INTERNAL


def published_types() -> list[TypeInfo]:
    versions = ProcedureVersion.objects.filter(status=ProcedureVersion.Status.PUBLISHED)
    return [
        TypeInfo(v, definition_of(v), answer_variants(definition_of(v)))
        for v in versions.order_by("procedure_type__code")
    ]


# --- Through the real services ----------------------------------------------------------


def _uploaded(upload: Upload) -> SimpleUploadedFile:
    file = SimpleUploadedFile(upload.name, b"%PDF-1.4\n% bench\n", upload.content_type)
    # The upload form sniffs the content and sets this; the services rely on it.
    file.sniffed_type = upload.content_type  # type: ignore[attr-defined]
    return file


def submit_through_services(info: TypeInfo, applicant: User) -> Case:
    variant = info.variants[0]
    by_slot = {u.slot: u for u in variant.uploads}
    case = cases.start_draft(version=info.version, applicant=applicant, filed_by=applicant)
    for index, section in enumerate(info.definition.sections):
        names = [f.name for f in section.fields if f.name in variant.answers]
        case = cases.save_section(
            case=case,
            section_index=index,
            actor=applicant,
            answers={n: variant.answers[n] for n in names if n not in by_slot},
            uploads={n: _uploaded(by_slot[n]) for n in names if n in by_slot},
        )
    documents = {d.name for d in info.definition.documents}
    cases.save_documents(
        case=case,
        actor=applicant,
        uploads={u.slot: _uploaded(u) for u in variant.uploads if u.slot in documents},
    )
    return cases.submit(case=case, actor=applicant)


def _open_review(case: Case) -> Task:
    return Task.objects.get(
        process_id=case.process_id, flow_task=Flow.review, status__in=[STATUS.NEW, STATUS.ASSIGNED]
    )


def service_cases(info: TypeInfo, applicant: User, staff: dict[str, list[int]]) -> list[int]:
    """Cases at each state the bulk fill produces: new, claimed, one step on, claimed again."""

    def reviewer(case: Case) -> User:
        case.refresh_from_db()
        return User.objects.get(pk=staff[case.current_department][0])

    plans = [0, 1, 2, 3] if len(info.definition.review_steps) > 1 else [0, 1]
    ids = []
    for actions in plans:
        case = submit_through_services(info, applicant)
        for action in range(actions):
            task, user = _open_review(case), reviewer(case)
            if action % 2 == 0:
                review.claim(task_id=task.pk, user=user)
            else:
                review.decide(task_id=task.pk, user=user, decision=review.Decision.APPROVE)
        ids.append(case.pk)
    return ids


# --- In bulk ----------------------------------------------------------------------------------


@cache
def _due(submitted: date, business_days: int) -> date:
    return add_business_days(submitted, business_days)


class BulkBatch:
    """Rows for a batch of cases, each at a random review step with its open review task."""

    def __init__(self, rnd: random.Random, now: datetime, references: set[str]) -> None:
        self.rnd, self.now, self.references = rnd, now, references
        self.processes: list[Row] = []
        self.cases: list[Row] = []
        self.chains: list[list[Row]] = []
        self.events: list[Row] = []
        self.documents: list[Row] = []

    def _reference(self) -> str:
        reference = new_reference()
        while reference in self.references:
            reference = new_reference()
        self.references.add(reference)
        return reference

    def _task(
        self,
        node: Any,
        created: datetime,
        status: str = STATUS.DONE,
        finished: datetime | None = None,
        **fields: Any,
    ) -> Row:
        finished = (finished or created) if status == STATUS.DONE else None
        started = finished if node.task_type in ("START", "HUMAN") else None
        return {
            "flow_task": node,
            "flow_task_type": node.task_type,
            "status": status,
            "created": created,
            "started": started,
            "finished": finished,
            **fields,
        }

    def add(
        self,
        info: TypeInfo,
        case_id: int,
        process_id: int,
        applicant: int,
        staff: dict[str, list[int]],
    ) -> None:
        rnd = self.rnd
        steps = info.version.steps
        variant = rnd.choice(info.variants)
        step = rnd.randrange(len(steps))
        submitted = self.now - SUBMITTED_WITHIN * rnd.random()
        pace = (self.now - submitted) / (step + 2)  # each approved step took about this long
        drafted = submitted - timedelta(minutes=rnd.randint(5, 90))
        reference = self._reference()
        self.processes.append(
            {
                "id": process_id,
                "flow_class": Flow,
                "status": STATUS.NEW,
                "created": submitted,
                "data": {"steps": steps, "case_reference": reference},
            }
        )
        chain = [self._task(Flow.start, submitted), self._task(Flow.route, submitted)]
        self.events.append(
            {
                "case_id": case_id,
                "kind": CaseEvent.Kind.SUBMITTED,
                "actor_id": applicant,
                "at": submitted,
                "public": True,
            }
        )
        at = submitted
        for done in steps[:step]:
            begin, at = at, at + pace
            owner = rnd.choice(staff[done["department"]])
            chain += [
                self._task(
                    Flow.review,
                    begin,
                    finished=at,
                    owner_id=owner,
                    owner_permission=department_permission(done["department"], qualified=True),
                    assigned=begin + pace / 2,
                ),
                self._task(Flow.after_review, at),
                self._task(Flow.route, at),
            ]
            self.events.append(
                {
                    "case_id": case_id,
                    "kind": CaseEvent.Kind.STEP_APPROVED,
                    "actor_id": owner,
                    "at": at,
                    "step_name": done["name"]["es"],
                    "public": True,
                }
            )
        department = steps[step]["department"]
        claimed = rnd.random() < ASSIGNED_SHARE
        holder = rnd.choice(staff[department]) if claimed else None
        chain.append(
            self._task(
                Flow.review,
                at,
                STATUS.ASSIGNED if claimed else STATUS.NEW,
                owner_permission=department_permission(department, qualified=True),
                owner_id=holder,
                assigned=at + (self.now - at) * rnd.random() if claimed else None,
            )
        )
        self.chains.append(chain)
        self.cases.append(
            {
                "id": case_id,
                "reference": reference,
                "version_id": info.version.pk,
                "applicant_id": applicant,
                "filed_by_id": applicant,
                "status": Case.Status.SUBMITTED,
                "channel": Case.Channel.INTERNAL if info.internal else Case.Channel.ONLINE,
                "answers": variant.answers,
                "form_section": len(info.definition.sections),
                "current_step": step,
                "current_department": department,
                "fee_amount": variant.fee,
                "submitted_at": submitted,
                "due_date": _due(
                    timezone.localdate(submitted), info.definition.deadline_business_days
                ),
                # Its open review task's created and owner, as procedures.signals keeps them.
                "queued_at": at,
                "assignee_id": holder,
                "process_id": process_id,
                "created_at": drafted,
                "updated_at": at,
            }
        )
        self.documents += [
            {
                "case_id": case_id,
                "slot": u.slot,
                "token": token,
                "file": f"cases/{case_id}/{token}",
                "original_name": u.name,
                "content_type": u.content_type,
                "size": rnd.randint(40_000, 2_000_000),
                "sha256": rnd.randbytes(32).hex(),
                "uploaded_by_id": applicant,
                "uploaded_at": drafted,
                "replaced": False,
            }
            for u in variant.uploads
            for token in [rnd.randbytes(16).hex()]
        ]

    def number(self) -> None:
        """Give every row its id and link the tasks: in the filling process, batch by batch,
        so the ids are the same however many writers there are."""
        self.tasks = [task for chain in self.chains for task in chain]
        task_ids = iter(reserve_ids(Task, len(self.tasks)))
        for chain, process in zip(self.chains, self.processes, strict=True):
            for task in chain:
                task["id"], task["process_id"] = next(task_ids), process["id"]
        self.links = [
            {"from_task_id": later["id"], "to_task_id": earlier["id"]}
            for chain in self.chains
            for earlier, later in pairwise(chain)
        ]
        for model, rows in (
            (PreviousLink, self.links),
            (CaseEvent, self.events),
            (CaseDocument, self.documents),
        ):
            for row, pk in zip(rows, reserve_ids(model, len(rows)), strict=True):
                row["id"] = pk

    def write(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            # A crash would lose the batch of a fill that is then redone anyway.
            cursor.execute("SET LOCAL synchronous_commit = off")
            for model, rows in (
                (Process, self.processes),
                (Case, self.cases),
                (Task, self.tasks),
                (PreviousLink, self.links),
                (CaseEvent, self.events),
                (CaseDocument, self.documents),
            ):
                columns_of(model).write(rows)


class Writers:
    """Batches written by forked processes, each over its own connection, while this process
    draws the next batch: preparing and copying the rows costs about twice drawing them, and
    PostgreSQL needs its share of the CPUs too. Forking hands the rows over without pickling."""

    def __init__(self, at_once: int, progress: Callable[[int], None]) -> None:
        self.at_once, self.progress = at_once, progress
        self.running: deque[tuple[int, int]] = deque()  # (pid, cases written once it ends)

    def start(self, batch: BulkBatch, done: int) -> None:
        if len(self.running) >= self.at_once:
            self.wait_oldest()
        connections.close_all()  # a connection must never be shared with a child
        pid = os.fork()
        if pid == 0:
            # A collection would walk, and so copy, every page of this process's heap.
            gc.disable()
            status = 1
            try:
                batch.write()
                connections.close_all()
                status = 0
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stderr.flush()
                os._exit(status)
        self.running.append((pid, done))

    def wait_oldest(self) -> None:
        pid, done = self.running.popleft()
        if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0:
            self.wait_all()
            raise RuntimeError("a batch writer failed (its traceback is above)")
        self.progress(done)

    def wait_all(self) -> None:
        while self.running:
            self.wait_oldest()


def fill_bulk(
    count: int,
    types: list[TypeInfo],
    staff: dict[str, list[int]],
    residents: list[int],
    rnd: random.Random,
    progress: Callable[[int], None],
) -> list[int]:
    """Write ``count`` cases; returns the ids of the first batch (for the faithfulness check)."""
    now = timezone.now()
    references = set(Case.objects.exclude(reference=None).values_list("reference", flat=True))
    employees = [pk for ids in staff.values() for pk in ids]
    first: list[int] = []
    writers = Writers(WRITERS, progress)
    try:
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            batch = BulkBatch(rnd, now, references)
            for case_id, process_id in zip(
                reserve_ids(Case, size), reserve_ids(Process, size), strict=True
            ):
                info = rnd.choice(types)
                applicant = rnd.choice(employees if info.internal else residents)
                batch.add(info, case_id, process_id, applicant, staff)
            batch.number()
            writers.start(batch, start + size)
            first = first or [case["id"] for case in batch.cases]
    finally:
        writers.wait_all()
    return first


BULK_MODELS = (Process, Case, Task, PreviousLink, CaseEvent, CaseDocument)


@contextmanager
def secondary_indexes_deferred(models_: Iterable[type[models.Model]]) -> Iterator[None]:
    """Drop the tables' non-unique indexes while the body writes, and build them again after.

    Building an index once over the whole table is much cheaper than maintaining it row by
    row. The definitions are read back first, so the very same indexes (partial ones
    included) return; unique indexes and constraints stay, and so does every check.
    """
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.schemaname, i.indexname, i.indexdef
            FROM pg_indexes i
            JOIN pg_index x ON x.indexrelid = format('%%I.%%I', i.schemaname, i.indexname)::regclass
            WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema()
              AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.indexname
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for schema, name, _ in indexes:
            cursor.execute(
                sql.SQL("DROP INDEX {}.{}").format(sql.Identifier(schema), sql.Identifier(name))
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _, _, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")


# --- Faithfulness -------------------------------------------------------------------------

# Fields whose value, not just presence, tells rows of different kinds apart.
KIND_FIELDS = ("status", "kind", "flow_task_type")


def shape(obj: models.Model) -> frozenset[str]:
    """Which fields a row sets (and, for JSON data, which keys): what the pages rely on."""
    names = set()
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        if value is None or (isinstance(value, str | list | dict) and not value):
            continue
        names.add(f"{f.attname}={value}" if f.attname in KIND_FIELDS else f.attname)
        if f.attname == "data" and isinstance(value, dict):
            names |= {f"data.{key}" for key in value}
    return frozenset(names)


def _shapes_by_model(case_ids: Sequence[int]) -> dict[str, set[frozenset[str]]]:
    selected = Case.objects.filter(pk__in=case_ids)
    process_ids = selected.values("process_id")
    querysets: dict[str, models.QuerySet] = {
        "case": selected,
        "process": Process.objects.filter(pk__in=process_ids),
        "task": Task.objects.filter(process_id__in=process_ids),
        "task.previous": PreviousLink.objects.filter(from_task__process_id__in=process_ids),
        "case event": CaseEvent.objects.filter(case_id__in=case_ids),
        "case document": CaseDocument.objects.filter(case_id__in=case_ids),
    }
    return {name: {shape(row) for row in qs} for name, qs in querysets.items()}


def check_faithful(service_ids: Sequence[int], bulk_ids: Sequence[int]) -> None:
    """Bulk rows set exactly the fields that service rows of the same kind set."""
    real, bulk = _shapes_by_model(service_ids), _shapes_by_model(bulk_ids)
    problems = [
        f"{name}: only in bulk rows {sorted(map(sorted, bulk[name] - shapes))}; "
        f"only in service rows {sorted(map(sorted, shapes - bulk[name]))}"
        for name, shapes in real.items()
        if bulk[name] != shapes
    ]
    if problems:
        raise AssertionError("bulk rows differ from service rows:\n" + "\n".join(problems))


# --- The whole fill -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FillReport:
    catalog: str
    setup_seconds: float
    cases_seconds: float
    analyze_seconds: float


def _waits_for_payment(info: TypeInfo) -> bool:
    """A fee paid on filing: its cases would wait for the payment, not be under review."""
    fee = info.definition.fee
    return fee.paid_when == "on_filing" and fee.compute(info.variants[0].answers) > 0


def fill(count: int, progress: Callable[[int], None]) -> FillReport:
    rnd = random.Random(20_260_101)  # noqa: S311 - reproducible data, nothing secret
    started = time.monotonic()
    catalog, source = load_bench_catalog()
    sync_catalog(catalog)
    types = published_types()
    staff = create_staff(t.definition for t in types)
    residents = create_residents(max(1, count // CASES_PER_RESIDENT), timezone.now())
    setup = time.monotonic()
    sample = max(
        (t for t in types if not t.internal),
        default=types[0],
        key=lambda t: (
            not _waits_for_payment(t),
            len(t.definition.review_steps) > 1,
            bool(t.variants[0].uploads),
        ),
    )
    service_ids = service_cases(sample, User.objects.get(pk=residents[0]), staff)
    with secondary_indexes_deferred(BULK_MODELS):
        bulk_ids = fill_bulk(count - len(service_ids), types, staff, residents, rnd, progress)
    check_faithful(service_ids, bulk_ids[:500])
    filled = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return FillReport(source, setup - started, filled - setup, time.monotonic() - filled)


@dataclass(frozen=True)
class Cast:
    """Who and what the pages are measured with, chosen from the data so --reuse finds them."""

    employee: User
    department: str
    resident: User
    case_reference: str
    search_word: str
    category: str
    procedure_code: str
    resident_case_reference: str
    deep_queue_cursor: int  # the last task of the queue's page 39: its "Next" link leads to 40


def pick_cast() -> Cast:
    busiest = (
        Task.objects.filter(flow_task=Flow.review, status=STATUS.NEW)
        .values("owner_permission")
        .annotate(n=Count("id"))
        .order_by("-n")[0]
    )
    department = next(
        code
        for code in Department.objects.values_list("code", flat=True)
        if department_permission(code, qualified=True) == busiest["owner_permission"]
    )
    resident = (
        Case.objects.filter(applicant__role=User.Role.RESIDENT)
        .values("applicant")
        .annotate(n=Count("id"))
        .order_by("-n", "applicant")[0]
    )
    case = (
        Case.objects.filter(status=Case.Status.SUBMITTED, current_department=department)
        .order_by("due_date", "pk")
        .first()
    )
    version = (
        ProcedureVersion.objects.filter(
            status=ProcedureVersion.Status.PUBLISHED, procedure_type__audience="resident"
        )
        .select_related("procedure_type__category")
        .order_by("name_es")
        .first()
    )
    assert case and version, "the benchmark database has no case or no published type"
    word = max(version.search_text.split(), key=len)
    employee = User.objects.get(email=employee_email(department, 1))
    return Cast(
        employee=employee,
        department=department,
        resident=User.objects.get(pk=resident["applicant"]),
        case_reference=case.reference or "",
        search_word=word,
        category=version.procedure_type.category.code,
        procedure_code=version.procedure_type.code,
        resident_case_reference=Case.objects.filter(applicant_id=resident["applicant"])
        .exclude(reference=None)
        .order_by("-submitted_at")
        .values_list("reference", flat=True)
        .first()
        or "",
        deep_queue_cursor=_deep_queue_cursor(employee),
    )


def _deep_queue_cursor(employee: User) -> int:
    """The last task of the queue's page 39, or of its last page in a small fill (--cases 1000:
    a department's queue may be shorter than 39 pages)."""
    first_tasks = staff_tasks(employee, box="queue").values_list("pk", flat=True)[: 39 * 25]
    return list(first_tasks)[-1]
