"""Each user's permissions come from the shared cache, and a change is seen on the very next
request: granted works at once, removed is refused at once (accounts.permission_cache)."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User

# Committed for real: the cache is filled only outside a transaction, and a change is
# forgotten again once it commits.
pytestmark = pytest.mark.django_db(transaction=True)

TREASURY = "/gestion/pagos/"  # needs payments.manage_payments


@pytest.fixture(autouse=True)
def _permission_cache(settings):
    settings.ACCOUNTS_PERMISSION_CACHE = True


@pytest.fixture
def manage_payments():
    return Permission.objects.get(codename="manage_payments")


@pytest.fixture
def treasury_group(manage_payments):
    group = Group.objects.create(name="tesoreria")
    group.permissions.add(manage_payments)
    return group


@pytest.fixture
def staff_client(client, employee):
    Authenticator.objects.create(
        user=employee, type=Authenticator.Type.TOTP, data={"secret": "A" * 32}
    )
    client.force_login(employee)
    return client


def status(client) -> int:
    return client.get(TREASURY).status_code


def permission_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(TREASURY).status_code == 200
    return sum('"auth_permission"' in query["sql"] for query in captured.captured_queries)


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_permissions_are_read_once_then_from_the_cache(staff_client, employee, treasury_group):
    employee.groups.add(treasury_group)
    assert permission_queries(staff_client) == 2  # the user's own, then its groups'
    assert permission_queries(staff_client) == 0


def test_a_group_granted_or_taken_away_counts_on_the_next_request(
    staff_client, employee, treasury_group
):
    assert status(staff_client) == 403  # refused, and cached as refused
    employee.groups.add(treasury_group)
    assert status(staff_client) == 200
    employee.groups.remove(treasury_group)
    assert status(staff_client) == 403
    treasury_group.user_set.add(employee)  # from the group's side
    assert status(staff_client) == 200
    treasury_group.user_set.remove(employee)
    assert status(staff_client) == 403
    treasury_group.user_set.add(employee)
    assert status(staff_client) == 200
    treasury_group.user_set.clear()
    assert status(staff_client) == 403
    employee.groups.add(treasury_group)
    assert status(staff_client) == 200
    employee.groups.clear()
    assert status(staff_client) == 403


def test_a_group_permission_granted_or_taken_away_counts_on_the_next_request(
    staff_client, employee, treasury_group, manage_payments
):
    employee.groups.add(treasury_group)
    assert status(staff_client) == 200
    treasury_group.permissions.remove(manage_payments)
    assert status(staff_client) == 403
    manage_payments.group_set.add(treasury_group)  # from the permission's side
    assert status(staff_client) == 200
    treasury_group.permissions.clear()
    assert status(staff_client) == 403


def test_a_deleted_group_or_permission_is_refused_on_the_next_request(
    staff_client, employee, treasury_group, manage_payments
):
    employee.groups.add(treasury_group)
    assert status(staff_client) == 200
    treasury_group.delete()  # its rows in the membership table go without m2m_changed
    assert status(staff_client) == 403

    employee.user_permissions.add(manage_payments)
    assert status(staff_client) == 200
    manage_payments.delete()
    assert fresh(employee).get_all_permissions() == set()


def test_own_permissions_granted_or_taken_away_count_on_the_next_request(
    staff_client, employee, manage_payments
):
    employee.user_permissions.add(manage_payments)
    assert status(staff_client) == 200
    employee.user_permissions.remove(manage_payments)
    assert status(staff_client) == 403
    manage_payments.user_set.add(employee)
    assert status(staff_client) == 200
    manage_payments.user_set.remove(employee)
    assert status(staff_client) == 403


def test_superuser_and_active_flags_count_even_when_changed_without_signals(staff_client, employee):
    assert status(staff_client) == 403
    User.objects.filter(pk=employee.pk).update(is_superuser=True)
    assert status(staff_client) == 200
    assert "payments.manage_payments" in fresh(employee).get_all_permissions()
    User.objects.filter(pk=employee.pk).update(is_superuser=False)
    assert status(staff_client) == 403
    assert fresh(employee).get_all_permissions() == set()

    User.objects.filter(pk=employee.pk).update(is_superuser=True, is_active=False)
    assert fresh(employee).get_all_permissions() == set()


def test_a_new_permission_is_a_superusers_at_once(employee):
    User.objects.filter(pk=employee.pk).update(is_superuser=True)
    before = fresh(employee).get_all_permissions()
    permission = Permission.objects.create(
        codename="act_for_new_office",
        name="Act on review steps of a new office",
        content_type=Permission.objects.get(codename="manage_payments").content_type,
    )
    after = fresh(employee).get_all_permissions()
    assert after - before == {f"payments.{permission.codename}"}


def test_a_change_rolled_back_leaves_nothing_behind(employee, treasury_group):
    assert not fresh(employee).has_perm("payments.manage_payments")
    with pytest.raises(RuntimeError), transaction.atomic():
        employee.groups.add(treasury_group)
        assert fresh(employee).has_perm("payments.manage_payments")  # its own change
        raise RuntimeError
    assert not fresh(employee).has_perm("payments.manage_payments")


def test_permissions_are_answered_by_one_backend_only(employee):
    """allauth's backend answers none: a refused permission is not looked up twice."""
    with CaptureQueriesContext(connection) as captured:
        assert not fresh(employee).has_perm("payments.manage_payments")
    assert sum('"auth_permission"' in q["sql"] for q in captured.captured_queries) == 2
