"""How the portal talks to PostgreSQL: values bound by the server, repeated queries prepared,
unless DATABASE_PREPARED_STATEMENTS=0 (a pooler in transaction mode, docs/deployment.md)."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from tests.core.production import manage, production_env

SHOW_OPTIONS = (
    "import json; from django.conf import settings; "
    "print(json.dumps({k: settings.DATABASES['default']['OPTIONS'].get(k) "
    "for k in ('server_side_binding', 'prepare_threshold')}))"
)


def _options(**env: str) -> dict:
    result = manage("shell", "-c", SHOW_OPTIONS, env=production_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_binds_on_the_server_and_prepares_repeated_queries():
    assert _options() == {"server_side_binding": True, "prepare_threshold": 5}


def test_behind_a_pooler_in_transaction_mode_the_values_are_inlined_as_before():
    options = _options(DATABASE_PREPARED_STATEMENTS="0")
    assert options == {"server_side_binding": None, "prepare_threshold": None}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's setting")
def test_the_suite_runs_on_postgresql_as_production_does():
    assert connection.features.uses_server_side_binding
