from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Department
from notices import services
from notices.models import Area, Notice
from tests.engine.conftest import (  # noqa: F401 - fixtures
    TYPE_CODE,
    applicant,
    catalog_dir,
    make_employee,
    make_resident,
    version,
)


@pytest.fixture
def water_officer(version):  # noqa: F811 - the imported fixture
    return make_employee("aguas@example.com", "mesa-de-entradas")


@pytest.fixture
def areas(db):
    return {
        code: Area.objects.create(code=code, name=name)
        for code, name in (("centro", "Centro"), ("norte", "Barrio Norte"))
    }


def publish(officer, **overrides) -> Notice:
    values = {
        "actor": officer,
        "department": Department.objects.get(code="mesa-de-entradas"),
        "service": Notice.Service.WATER,
        "title": "Corte de agua en el centro",
        "description": "Reparamos un caño maestro.",
        "what_to_do": "Juntá agua para el día.",
        "starts_at": timezone.now() - timedelta(hours=1),
        "ends_at": timezone.now() + timedelta(hours=5),
    }
    return services.publish(**(values | overrides))
