"""Confirming a resident's phone number with a one-time code sent to that phone.

Only a confirmed number identifies a resident (the contact centre matches WhatsApp senders
on it); the typed ``User.phone`` is just contact data. Accounts cannot send to a phone
itself: the senders are plugins in ``PHONE_CODE_SENDERS`` (the contact centre registers
WhatsApp; the demo here writes the code to the server's log for ``make run``).
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from datetime import timedelta
from typing import Protocol

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from core import audit, outbox
from core.errors import ActionRefused
from core.ratelimit import over_limit
from core.registry import PluginRegistry

from .models import PhoneVerification, User

log = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_VALID = timedelta(minutes=10)
MAX_WRONG_CODES = 5
# Codes asked per hour: per account, and per number (nobody floods someone else's phone).
CODES_PER_HOUR = 3
CONFIRMATIONS_PER_HOUR = 10
SEND_CODE = "accounts.send_phone_code"


class CodeNotSent(Exception):
    """The sender cannot deliver to this number (retrying will not help); says why."""


class PhoneCodeSender(Protocol):
    key: str
    label: str
    demo: bool

    def problems(self) -> list[str]: ...

    def send_code(self, *, phone: str, code: str) -> None:
        """Deliver ``code`` to ``phone`` (international digits); raise ``CodeNotSent`` when it
        never can, anything else to be retried."""


PHONE_CODE_SENDERS: PluginRegistry = PluginRegistry(
    "phone verification code sender", settings=("ACCOUNTS_PHONE_CODE_SENDER",)
)


class LoggedCode:
    """For ``make run``: the code goes to the server's log, nothing is sent."""

    key = "demo"
    label = "Phone codes in the server log (demo, nothing is sent)"
    demo = True

    def problems(self) -> list[str]:
        return []

    def send_code(self, *, phone: str, code: str) -> None:
        log.warning("demo phone verification code for +%s: %s", phone, code)


def whatsapp_number(text: str) -> str | None:
    """An Argentine mobile number as WhatsApp writes it (54 9 + area code + number), however
    it was typed ("+54 9 11 5555-0001", "11 5555 0001", "011 5555-0001"); None if it is not
    ten digits once the country code, the 9 and the trunk 0 are taken off."""
    digits = re.sub(r"\D", "", text or "").removeprefix("00")
    if digits.startswith("54"):
        digits = digits[2:].removeprefix("9")
    digits = digits.removeprefix("0")
    return f"549{digits}" if len(digits) == 10 else None


def is_verified(user: User) -> bool:
    return bool(user.verified_phone) and user.verified_phone == whatsapp_number(user.phone)


def _hash(verification_user_id: int, phone: str, code: str) -> str:
    return salted_hmac("accounts.phone", f"{verification_user_id}:{phone}:{code}").hexdigest()


def _masked(phone: str) -> str:
    return f"+{phone[:-4]}····" if len(phone) > 4 else "····"


def pending(user: User) -> PhoneVerification | None:
    """The code last asked for this account's current number, still usable."""
    phone = whatsapp_number(user.phone)
    return (
        PhoneVerification.objects.filter(
            user=user,
            phone=phone or "",
            confirmed_at__isnull=True,
            expires_at__gt=timezone.now(),
            attempts__lt=MAX_WRONG_CODES,
        )
        .order_by("-created_at", "-id")
        .first()
    )


def last_failure(user: User) -> PhoneVerification | None:
    """The latest code for the current number, if the sender could not deliver it."""
    latest = (
        PhoneVerification.objects.filter(user=user, phone=whatsapp_number(user.phone) or "")
        .order_by("-created_at", "-id")
        .first()
    )
    return latest if latest is not None and latest.send_error else None


def request_code(*, user: User) -> PhoneVerification:
    """A new code for the account's phone, sent after the commit; earlier codes stop working."""
    if not user.is_resident:
        raise ActionRefused(_("Only residents confirm a phone number here."))
    phone = whatsapp_number(user.phone)
    if phone is None:
        raise ActionRefused(
            _(
                "Write your mobile number in “My details” with its area code, without 0 or 15 "
                "(for example 11 5555-0001), and save it first."
            )
        )
    if is_verified(user):
        raise ActionRefused(_("This number is already confirmed."))
    if over_limit(
        "accounts.phone_code.user", str(user.pk), limit=CODES_PER_HOUR, window_seconds=3600
    ) or over_limit("accounts.phone_code.phone", phone, limit=CODES_PER_HOUR, window_seconds=3600):
        raise ActionRefused(_("Too many codes were asked for in the last hour. Try again later."))
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    with transaction.atomic():
        PhoneVerification.objects.filter(user=user, confirmed_at__isnull=True).update(
            expires_at=now
        )
        verification = PhoneVerification.objects.create(
            user=user,
            phone=phone,
            code_hash=_hash(user.pk, phone, code),
            expires_at=now + CODE_VALID,
        )
        audit.record(
            actor=user,
            action="phone.code_sent",
            obj=user,
            after={"phone": _masked(phone), "verification": verification.pk},
        )
        # The code travels in the outbox item only (the row keeps its hash); it is useless
        # after ten minutes or once used.
        outbox.enqueue(
            SEND_CODE, {"verification_id": verification.pk, "code": code}, subject=verification
        )
    return verification


def send_code(*, verification_id: int, code: str) -> None:
    """Outbox handler: hand the code to the chosen sender, once, while it is still valid."""
    verification = (
        PhoneVerification.objects.select_for_update()
        .filter(pk=verification_id, confirmed_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if verification is None:
        return
    try:
        PHONE_CODE_SENDERS.chosen().send_code(phone=verification.phone, code=code)
    except CodeNotSent as exc:
        verification.send_error = str(exc)[:300]
        verification.expires_at = timezone.now()
        verification.save(update_fields=["send_error", "expires_at"])


def confirm(*, user: User, code: str) -> User:
    """The code the resident received: right, the number is confirmed; wrong, it counts."""
    code = re.sub(r"\s", "", code or "")
    if over_limit(
        "accounts.phone_confirm.user",
        str(user.pk),
        limit=CONFIRMATIONS_PER_HOUR,
        window_seconds=3600,
    ):
        raise ActionRefused(_("Too many attempts in the last hour. Try again later."))
    refusal = ""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        verification = (
            PhoneVerification.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        now = timezone.now()
        if verification is None:
            refusal = _("Ask for a code first.")
        elif verification.phone != whatsapp_number(user.phone):
            refusal = _("Your phone number changed after the code was sent. Ask for a new code.")
        elif verification.expires_at <= now:
            refusal = _("The code expired. Ask for a new one.")
        elif verification.attempts >= MAX_WRONG_CODES:
            refusal = _("Too many wrong codes. Ask for a new one.")
        elif not hmac.compare_digest(
            verification.code_hash, _hash(user.pk, verification.phone, code)
        ):
            verification.attempts += 1
            verification.save(update_fields=["attempts"])
            audit.record(
                actor=user,
                action="phone.code_wrong",
                obj=user,
                after={"verification": verification.pk, "attempts": verification.attempts},
            )
            left = MAX_WRONG_CODES - verification.attempts
            refusal = (
                _("The code is not right. You can try %(left)s more times.") % {"left": left}
                if left
                else _("Too many wrong codes. Ask for a new one.")
            )
        else:
            before = {"verified_phone": _masked(user.verified_phone) if user.verified_phone else ""}
            verification.confirmed_at = now
            verification.save(update_fields=["confirmed_at"])
            user.verified_phone = verification.phone
            user.save(update_fields=["verified_phone"])
            audit.record(
                actor=user,
                action="phone.verified",
                obj=user,
                before=before,
                after={"verified_phone": _masked(verification.phone)},
            )
    # Refused after the commit: a wrong code's count must stay.
    if refusal:
        raise ActionRefused(refusal)
    return user


def register() -> None:
    PHONE_CODE_SENDERS.register(LoggedCode())
    outbox.register(SEND_CODE, send_code)
