"""Read-only aggregate pages read from the replica when one is configured; nothing else does."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from accounts.models import User
from core.db_routing import REPLICA, ReplicaRouter, reads_from_replica

WITH_REPLICA = {**settings.DATABASES, REPLICA: dict(settings.DATABASES["default"])}


def routed(method: str = "GET") -> dict[str, str | None]:
    router, seen = ReplicaRouter(), {}

    @reads_from_replica
    def view(request):
        seen["read"] = router.db_for_read(User)
        seen["write"] = router.db_for_write(User)

    view(getattr(RequestFactory(), method.lower())("/transparencia/"))
    return seen


def test_without_a_replica_every_read_stays_on_the_primary():
    assert REPLICA not in settings.DATABASES
    assert routed() == {"read": None, "write": None}


@override_settings(DATABASES=WITH_REPLICA)
def test_a_wrapped_page_reads_from_the_replica_and_writes_on_the_primary():
    assert routed() == {"read": REPLICA, "write": None}
    assert routed("POST") == {"read": None, "write": None}  # a form's answer reads its writes
    assert ReplicaRouter().db_for_read(User) is None  # outside the page: the primary
    assert ReplicaRouter().allow_migrate(REPLICA, "procedures") is False
    assert ReplicaRouter().allow_migrate("default", "procedures") is not False


@pytest.mark.django_db
def test_the_public_transparency_page_still_answers_with_the_router_installed(client):
    with override_settings(DATABASE_ROUTERS=["core.db_routing.ReplicaRouter"]):
        assert client.get("/transparencia/").status_code == 200
