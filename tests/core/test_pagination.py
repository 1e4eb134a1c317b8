"""core.pagination.counted_page: the page and its count in one query, as the Paginator pages."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.pagination import counted_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven():
    User.objects.bulk_create(User(email=f"p{i}@example.com") for i in range(7))
    return User.objects.filter(email__startswith="p").order_by("email")


@pytest.mark.parametrize("number", [None, "1", "2", "3", "4", "99", "0", "-1", "x"])
def test_the_same_page_as_the_paginator(seven, number):
    page = counted_page(seven, number, 3)
    expected = Paginator(seven, 3).get_page(number)
    assert [u.email for u in page] == [u.email for u in expected]
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (
        expected.number,
        7,
        3,
    )
    assert (page.has_previous(), page.has_next()) == (
        expected.has_previous(),
        expected.has_next(),
    )


def test_one_query_while_the_page_has_rows(seven):
    with CaptureQueriesContext(connection) as captured:
        page = counted_page(seven, "2", 3)
        assert page.paginator.num_pages == 3 and len(page) == 3
    assert len(captured) == 1


def test_no_rows_at_all_in_one_query(db):
    with CaptureQueriesContext(connection) as captured:
        page = counted_page(User.objects.filter(email="nobody").order_by("pk"), None, 3)
        assert list(page) == [] and page.paginator.count == 0 and page.number == 1
        assert page.paginator.num_pages == 1 and not page.has_next()
    assert len(captured) == 1
