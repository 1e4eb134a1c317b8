"""The authentication backends: Django's and allauth's, with permissions answered once, by the
first, from the shared cache (accounts.permission_cache)."""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from asgiref.sync import sync_to_async
from django.contrib.auth import backends
from django.contrib.auth.models import Permission
from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from . import permission_cache


def _names(permissions: QuerySet[Permission]) -> frozenset[str]:
    rows = permissions.using(DEFAULT_DB_ALIAS).values_list("content_type__app_label", "codename")
    return frozenset(f"{app_label}.{codename}" for app_label, codename in rows.order_by())


class ModelBackend(backends.ModelBackend):
    """Django's backend; a user's permissions are read from the cache, and from the primary
    database when they are not there."""

    def _get_permissions(self, user_obj, obj, from_name):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        # Per user object too, as Django does: a request asks the cache once.
        if not hasattr(user_obj, "_user_perm_cache"):
            own, from_groups = permission_cache.cached(
                user_obj.pk, user_obj.is_superuser, lambda: self._read(user_obj)
            )
            user_obj._user_perm_cache, user_obj._group_perm_cache = set(own), set(from_groups)
        return getattr(user_obj, f"_{from_name}_perm_cache")

    async def _aget_permissions(self, user_obj, obj, from_name):
        return await sync_to_async(self._get_permissions)(user_obj, obj, from_name)

    def _read(self, user_obj) -> permission_cache.Permissions:
        if user_obj.is_superuser:
            everything = _names(Permission.objects.all())
            return everything, everything
        return (
            _names(self._get_user_permissions(user_obj)),
            _names(self._get_group_permissions(user_obj)),
        )


class AuthenticationBackend(AllauthBackend):
    """allauth's backend, for logging in by e-mail. It answers no permission: ModelBackend
    (listed first) answers them all, so a permission refused is not looked up twice."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    async def aget_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    async def aget_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()
