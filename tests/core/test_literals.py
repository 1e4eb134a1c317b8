"""Constants written into the SQL text (core.literals), so prepared statements keep using the
partial indexes that name them."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User
from core.literals import Literal

pytestmark = pytest.mark.django_db


def test_a_literal_finds_the_same_rows_as_a_value_even_with_quotes_and_percent_signs():
    odd = User.objects.create(email="o'brien%_x@example.org", full_name="O'Brien")
    User.objects.create(email="obrien@example.org", full_name="Other")
    assert list(User.objects.filter(email=Literal("o'brien%_x@example.org"))) == [odd]
    assert list(User.objects.filter(email=Literal("o'brien%%_x@example.org"))) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query text")
def test_on_postgresql_a_literal_is_in_the_query_text_and_not_a_parameter():
    sql, params = (
        User.objects.filter(email=Literal("a@example.org"), full_name="Ana")
        .values("pk")
        .query.sql_with_params()
    )
    assert "'a@example.org'" in sql
    assert params == ("Ana",)
