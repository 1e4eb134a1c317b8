"""The real catalog, synced once for this package and removed afterwards."""

import pytest
from django.core.management import call_command

from procedures.catalog import load_catalog
from procedures.services.catalog import sync_catalog


@pytest.fixture(scope="package")
def real_catalog(django_db_setup, django_db_blocker):
    catalog = load_catalog()
    with django_db_blocker.unblock():
        sync_catalog(catalog)
    yield catalog
    with django_db_blocker.unblock():
        # Other packages expect the empty database that transactional tests leave behind.
        call_command("flush", interactive=False, verbosity=0)
