"""State changes on accounts. Each runs in one transaction with its audit event."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core import audit

from . import phone
from .models import Department, User


@dataclass(frozen=True)
class ProfileData:
    full_name: str
    document_type: str
    document_number: str
    phone: str
    address: str
    city: str
    postal_code: str


def update_profile(*, user: User, data: ProfileData, actor: User) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before, after = audit.changed_fields(user, data.__dict__)
        if not after:
            return user
        if (
            "phone" in after
            and user.verified_phone
            and phone.whatsapp_number(data.phone) != user.verified_phone
        ):
            # A new number is only contact data until its own code is confirmed.
            before["verified_phone"], after["verified_phone"] = user.verified_phone, ""
        for name, value in after.items():
            setattr(user, name, value)
        user.save(update_fields=list(after))
        audit.record(actor=actor, action="profile.updated", obj=user, before=before, after=after)
    return user


def ensure_department(
    *, code: str, name: str, permissions: Iterable[Permission] = ()
) -> Department:
    """Create or update a department and its group; idempotent."""
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=f"dept:{code}")
        department, created = Department.objects.update_or_create(
            code=code, defaults={"name": name, "group": group}
        )
        group.permissions.add(*permissions)
        if created:
            audit.record(
                actor=None,
                action="department.created",
                obj=department,
                after={"code": code, "name": name},
            )
    return department


def make_employee(*, user: User, departments: Iterable[Department], actor: User | None) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = {"role": user.role, "is_staff": user.is_staff}
        user.role = User.Role.EMPLOYEE
        user.is_staff = True
        user.save(update_fields=["role", "is_staff"])
        codes = []
        for department in departments:
            user.groups.add(department.group)
            codes.append(department.code)
        audit.record(
            actor=actor,
            action="user.made_employee",
            obj=user,
            before=before,
            after={"role": user.role, "is_staff": True, "departments": codes},
        )
    return user
