"""Cases driven through the real engine at chosen moments, for the hand-worked scenarios."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from unittest import mock

import pytest
from viewflow.workflow.models import Task

from core.calendar import LOCAL_TIMEZONE
from procedures.catalog import load_catalog
from procedures.models import Case, ProcedureVersion
from procedures.services import cases as case_services
from procedures.services import review
from procedures.services.catalog import sync_catalog
from tests.browser.conftest import assert_accessible, axe  # noqa: F401 - for test_browser.py
from tests.engine.conftest import TYPE_CODE, make_catalog_dir, make_employee, make_resident
from tests.engine.test_resident_filing import fill_until_review


def moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_TIMEZONE)


@contextmanager
def at(day: date, hour: int = 10) -> Iterator[datetime]:
    """Run the code inside as if it were ``day`` at ``hour`` (local time)."""
    when = moment(day, hour)
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield when


def open_task(case: Case) -> Task:
    return Task.objects.get(
        process_id=case.process_id, status__in=["NEW", "ASSIGNED"], flow_task_type="HUMAN"
    )


class Scenario:
    """A resident files and the two departments of the test procedure decide, on given days."""

    def __init__(self, client, applicant, desk_clerk, revenue_officer):
        self.client, self.applicant = client, applicant
        self.desk, self.revenue = desk_clerk, revenue_officer

    def start(self, day: date) -> Case:
        self.client.force_login(self.applicant)
        with at(day):
            assert self.client.post("/tramites/habilitacion-de-prueba/iniciar/").status_code == 302
        return Case.objects.latest("pk")

    def submit(self, case: Case, day: date) -> Case:
        self.client.force_login(self.applicant)
        with at(day):
            fill_until_review(self.client, case)
            response = self.client.post(f"/mis-tramites/borradores/{case.pk}/revisar/")
            assert response.status_code == 302
        case.refresh_from_db()
        return case

    def file(self, day: date) -> Case:
        return self.submit(self.start(day), day)

    def _decide(self, case: Case, day: date, user, decision: str, message: str = "") -> Case:
        with at(day, 11):
            task = open_task(case)
            review.claim(task_id=task.pk, user=user)
            return review.decide(task_id=task.pk, user=user, decision=decision, message=message)

    def ask_correction(self, case: Case, day: date) -> Case:
        return self._decide(case, day, self.desk, review.Decision.CORRECTION, "Falta el DNI.")

    def correct(self, case: Case, day: date) -> Case:
        with at(day, 12):
            return case_services.resubmit(case=case, actor=self.applicant, answers={})

    def approve(self, case: Case, day: date) -> Case:
        self._decide(case, day, self.desk, review.Decision.APPROVE)
        return self._decide(case, day, self.revenue, review.Decision.APPROVE)


@pytest.fixture
def version(db, tmp_path) -> ProcedureVersion:
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    return ProcedureVersion.objects.get(
        procedure_type__code=TYPE_CODE, status=ProcedureVersion.Status.PUBLISHED
    )


@pytest.fixture
def applicant(db):
    return make_resident("vecina@example.com", "30111222")


@pytest.fixture
def desk_clerk(version):
    return make_employee("mesa@example.com", "mesa-de-entradas")


@pytest.fixture
def revenue_officer(version):
    return make_employee("rentas@example.com", "rentas")


@pytest.fixture
def scenario(client, applicant, desk_clerk, revenue_officer) -> Scenario:
    return Scenario(client, applicant, desk_clerk, revenue_officer)
