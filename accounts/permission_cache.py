"""Each user's permissions kept in the shared cache, forgotten at once when they may change.

Staff pages ask for permissions on every request; Django's ModelBackend answers with two
queries each time (the user's own permissions, those of their groups — departments are
groups). Here one cache read answers instead.

An entry is valid only while two tokens it was computed under are still current: the
user's version (renewed when the user's groups or own permissions change) and the global
generation (renewed when a group's permissions change, a group is deleted, a permission or
content type is saved or deleted, and after migrations, which create permissions in bulk).
The entry also records whether the user was a superuser (all permissions) and is used only
for the same flag; an inactive user has none, checked before the cache. A missing token or
entry means the permissions are read again, never that old ones are used. Tokens are
random, so a token lost from the cache and created again never matches an old entry.

A change is forgotten twice: at once, so that the transaction making it reads its own
change, and after its commit, because another request may have cached the old permissions
between the two. Nothing is stored from inside a transaction: what it read may still be
rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core import generations

GENERATION_KEY = "accounts:perms:generation"
# Entries and tokens expire, so that unused ones leave the cache by themselves.
TIMEOUT = 7 * 24 * 3600

Permissions = tuple[frozenset[str], frozenset[str]]  # own, from groups


def _version_key(user_pk: Any) -> str:
    return f"accounts:perms:version:{user_pk}"


def _entry_key(user_pk: Any) -> str:
    return f"accounts:perms:{user_pk}"


def cached(user_pk: Any, is_superuser: bool, compute: Callable[[], Permissions]) -> Permissions:
    """The user's (own, group) permission names, from the cache or from ``compute()``, which
    must read the primary database (a replica's may lag behind a change just forgotten)."""
    if not settings.ACCOUNTS_PERMISSION_CACHE:
        return compute()
    version_key, entry_key = _version_key(user_pk), _entry_key(user_pk)
    found = cache.get_many([GENERATION_KEY, version_key, entry_key])
    generation, version = found.get(GENERATION_KEY), found.get(version_key)
    entry = found.get(entry_key)
    if (
        entry is not None
        and generation is not None
        and version is not None
        and entry[:3] == (generation, version, is_superuser)
    ):
        return entry[3], entry[4]
    # The tokens are read before the permissions: a change committed after this read
    # renews a token, so what is stored below is never taken for current.
    generation = generation or generations.current(GENERATION_KEY, TIMEOUT)
    version = version or generations.current(version_key, TIMEOUT)
    own, from_groups = compute()
    if (
        generation is not None
        and version is not None
        and not transaction.get_connection().in_atomic_block
    ):
        cache.set(entry_key, (generation, version, is_superuser, own, from_groups), TIMEOUT)
    return own, from_groups


def keys_of(user_pk: Any) -> list[str]:
    """The tokens the user's permissions are valid under (pages showing what they allow)."""
    return [GENERATION_KEY, _version_key(user_pk)]


def forget_user(user_pk: Any, using: str | None = None) -> None:
    """The user's groups or own permissions changed."""
    generations.renew(_version_key(user_pk), TIMEOUT, using)


def forget_everyone(using: str | None = None) -> None:
    """Something many users' permissions derive from changed (a group's permissions...)."""
    generations.renew(GENERATION_KEY, TIMEOUT, using)


def _user_side_changed(sender, instance, action, reverse, pk_set, using, **kwargs) -> None:
    """A user's groups (departments are groups) or own permissions, changed from either side:
    ``user.groups`` / ``user.user_permissions``, or ``group.user_set`` / ``permission.user_set``."""
    if action not in ("post_add", "post_remove", "post_clear") or pk_set == set():
        return
    if not reverse:
        forget_user(instance.pk, using)
    elif pk_set is None:  # cleared from the group's or permission's side: members unknown now
        forget_everyone(using)
    else:
        for user_pk in pk_set:
            forget_user(user_pk, using)


def _group_permissions_changed(sender, action, pk_set, using, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and pk_set != set():
        forget_everyone(using)


def _everyone_changed(sender, using=None, **kwargs) -> None:
    forget_everyone(using)


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

    user_model = get_user_model()
    uid = "accounts.permission_cache"
    for relation in (user_model.groups, user_model.user_permissions):
        m2m_changed.connect(
            _user_side_changed, sender=relation.through, dispatch_uid=f"{uid}:{relation.field}"
        )
    m2m_changed.connect(
        _group_permissions_changed, sender=Group.permissions.through, dispatch_uid=uid
    )
    # A new permission is a superuser's at once; a renamed or deleted one (or content type)
    # changes names; a deleted group takes its members' permissions with it, without
    # m2m_changed. Migrations create permissions in bulk, without post_save.
    for model in (Permission, ContentType):
        post_save.connect(_everyone_changed, sender=model, dispatch_uid=f"{uid}:{model.__name__}")
    for model in (Permission, ContentType, Group):
        post_delete.connect(_everyone_changed, sender=model, dispatch_uid=f"{uid}:{model.__name__}")
    post_migrate.connect(_everyone_changed, dispatch_uid=uid)
