"""A two-type catalog (one resident, one internal) synced into the test database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services as account_services
from accounts.models import Department, User
from core.identifiers import make_cuit
from procedures.catalog import load_catalog
from procedures.models import ProcedureVersion
from procedures.services.catalog import sync_catalog

FIXTURES = Path(__file__).parent / "fixtures"
CATALOG = Path(__file__).resolve().parents[2] / "procedures" / "catalog"
TYPE_CODE = "habilitacion-de-prueba"

# The smallest files libmagic recognises by content.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def make_catalog_dir(directory: Path, *fixtures: Path) -> Path:
    (directory / "types").mkdir(parents=True, exist_ok=True)
    for name in ("categories.yaml", "departments.yaml"):
        shutil.copy(CATALOG / name, directory / name)
    for fixture in fixtures or sorted(FIXTURES.glob("*.yaml")):
        shutil.copy(fixture, directory / "types" / fixture.name)
    return directory


@pytest.fixture
def catalog_dir(tmp_path) -> Path:
    return make_catalog_dir(tmp_path / "catalog")


@pytest.fixture
def version(db, catalog_dir) -> ProcedureVersion:
    sync_catalog(load_catalog(catalog_dir))
    return ProcedureVersion.objects.get(
        procedure_type__code=TYPE_CODE, status=ProcedureVersion.Status.PUBLISHED
    )


def pdf_file(name: str = "documento.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def make_resident(email: str, dni: str) -> User:
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(
        email=email,
        password="una-clave-larga-123",
        full_name=f"Vecina {dni}",
        document_type=User.DocumentType.CUIT,
        document_number=make_cuit("27", dni),
        address="Calle 1 234",
        city="Villa Demo",
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_employee(email: str, department_code: str) -> User:
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(email=email, password="una-clave-larga-123", full_name=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    account_services.make_employee(
        user=user, departments=[Department.objects.get(code=department_code)], actor=None
    )
    # The portal requires TOTP for staff pages; a configured authenticator is enough here.
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "A" * 32})
    return User.objects.get(pk=user.pk)


@pytest.fixture
def applicant(db) -> User:
    return make_resident("vecina@example.com", "30111222")


@pytest.fixture
def other_resident(db) -> User:
    return make_resident("otra@example.com", "30999888")


@pytest.fixture
def desk_clerk(version) -> User:
    return make_employee("mesa@example.com", "mesa-de-entradas")


@pytest.fixture
def revenue_officer(version) -> User:
    return make_employee("rentas@example.com", "rentas")
