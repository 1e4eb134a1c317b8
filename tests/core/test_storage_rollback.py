"""A file stored inside a transaction lives exactly as long as that transaction commits."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from core import storage

pytestmark = pytest.mark.django_db(transaction=True)


class Refused(Exception):
    pass


def stored(name: str) -> str:
    saved = default_storage.save(name, ContentFile(b"contenido"))
    storage.delete_if_rolled_back(saved)
    return saved


def test_a_rolled_back_transaction_takes_its_file_with_it():
    with pytest.raises(Refused), transaction.atomic():
        name = stored("rollback/a.txt")
        assert default_storage.exists(name)
        raise Refused
    assert not default_storage.exists(name)


def test_a_committed_transaction_keeps_its_file():
    with transaction.atomic():
        name = stored("rollback/b.txt")
    assert default_storage.exists(name)


def test_a_file_stored_outside_any_transaction_stays():
    name = stored("rollback/c.txt")
    assert default_storage.exists(name)


def test_a_rolled_back_savepoint_takes_only_its_own_file():
    with transaction.atomic():
        kept = stored("rollback/d.txt")
        with pytest.raises(Refused), transaction.atomic():
            dropped = stored("rollback/e.txt")
            raise Refused
        assert not default_storage.exists(dropped)
    assert default_storage.exists(kept)


def test_an_outer_rollback_takes_the_file_of_a_savepoint_that_had_succeeded():
    with pytest.raises(Refused), transaction.atomic():
        with transaction.atomic():
            name = stored("rollback/f.txt")
        assert default_storage.exists(name)
        raise Refused
    assert not default_storage.exists(name)
