"""Filing an Open311 claim as a case of the engine; keys and their rate limit.

Every refusal is an ``Open311Error`` with the HTTP status the GeoReport v2
specification gives it (403 key, 404 unknown service, 400 anything else);
nothing is written unless the whole claim is accepted.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone

from accounts.models import User
from core.errors import ActionRefused
from procedures.forms import build_field, to_json
from procedures.models import Case
from procedures.services import cases

from .catalog import Attribute, Service, service
from .models import ApiKey, ApiKeyUsage, ServiceRequest

DESCRIPTION_MAX = 4000
ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def authenticate(key: str) -> ApiKey:
    api_key = ApiKey.objects.filter(key=key, is_active=True).first() if key else None
    if api_key is None:
        raise Open311Error(403, "api_key is missing or not valid")
    return api_key


def take_quota(api_key: ApiKey) -> None:
    """Count one claim in this hour's window; refuse beyond the key's limit."""
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        usage, _created = ApiKeyUsage.objects.select_for_update().get_or_create(
            api_key=api_key, hour=hour
        )
        if usage.count >= api_key.requests_per_hour:
            raise Open311Error(
                429, f"rate limit of {api_key.requests_per_hour} requests per hour reached"
            )
        ApiKeyUsage.objects.filter(pk=usage.pk).update(count=F("count") + 1)


def _coordinate(data: QueryDict, name: str) -> Decimal | None:
    text = data.get(name, "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Open311Error(400, f"{name} is not a number") from None
    if not value.is_finite():
        raise Open311Error(400, f"{name} is not a number")
    return value.quantize(Decimal("0.000001"))


def _location(data: QueryDict) -> tuple[Decimal | None, Decimal | None, str, str]:
    lat, long = _coordinate(data, "lat"), _coordinate(data, "long")
    address = data.get("address_string", "").strip()
    address_id = data.get("address_id", "").strip()
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat and long must be sent together")
    if lat is None and not address and not address_id:
        raise Open311Error(
            400, "a location is required: lat and long, address_string or address_id"
        )
    if len(address) > 250 or len(address_id) > 100:
        raise Open311Error(400, "address_string or address_id is too long")
    if lat is not None:
        south, west, north, east = settings.OPEN311_BOUNDS
        if not (south <= lat <= north and west <= long <= east):
            raise Open311Error(400, "lat/long is outside the municipality")
    return lat, long, address, address_id


def _raw_attributes(data: QueryDict) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name in data:
        match = ATTRIBUTE.match(name)
        if match:
            values.setdefault(match.group(1), []).extend(data.getlist(name))
    return values


def _clean_attribute(attribute: Attribute, raw: list[str], offered: Service) -> Any:
    field = build_field(attribute.spec, offered.definition)
    if attribute.datatype == "multivaluelist":
        value: Any = [v for item in raw for v in item.split(",") if v]
    else:
        if len(raw) > 1:
            raise Open311Error(400, f"attribute {attribute.code} takes one value")
        value = raw[0].strip()
        if attribute.datatype == "datetime":
            value = value[:10]
    try:
        return to_json(field.clean(value))
    except ValidationError as exc:
        reason = " ".join(exc.messages)
        raise Open311Error(400, f"attribute {attribute.code}: {reason}") from None


def _answers(offered: Service, data: QueryDict, location_text: str) -> dict[str, Any]:
    raw = _raw_attributes(data)
    attributes = {a.code: a for a in offered.attributes}
    unknown = sorted(set(raw) - set(attributes))
    if unknown:
        raise Open311Error(400, f"unknown attribute {', '.join(unknown)}")
    answers: dict[str, Any] = {}
    for code, attribute in attributes.items():
        if code in raw and any(v.strip() for v in raw[code]):
            answers[code] = _clean_attribute(attribute, raw[code], offered)
        elif attribute.required:
            raise Open311Error(400, f"attribute {code} is required")
    for spec in offered.location_fields:
        answers[spec.name] = location_text[:200]
    return answers


def _reporter(data: QueryDict, api_key: ApiKey) -> User:
    """The applicant: the reporter's account by e-mail (created without a password, so they
    can claim it by resetting one), or the app's contact when no e-mail was sent."""
    email = data.get("email", "").strip().lower()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise Open311Error(400, "email is not a valid address") from None
    name = " ".join(
        part
        for part in (data.get("first_name", "").strip(), data.get("last_name", "").strip())
        if part
    )[:150]
    phone = data.get("phone", "").strip()[:30]
    address = email or api_key.contact_email.lower()
    user = User.objects.filter(email__iexact=address).first()
    if user is None:
        user = User.objects.create_user(
            email=address,
            password=None,
            full_name=name if email else api_key.name,
            phone=phone if email else "",
        )
    return user


def _media_url(data: QueryDict) -> str:
    url = data.get("media_url", "").strip()
    if url:
        try:
            if len(url) > 500:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise Open311Error(400, "media_url is not a valid http(s) URL") from None
    return url


def file_request(*, api_key: ApiKey, data: QueryDict) -> ServiceRequest:
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    offered = service(code)
    if offered is None:
        raise Open311Error(404, f"service_code {code} not found")
    description = data.get("description", "")
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description is longer than {DESCRIPTION_MAX} characters")
    lat, long, address, address_id = _location(data)
    location_text = address or address_id or f"{lat}, {long}"
    answers = _answers(offered, data, location_text)
    media_url = _media_url(data)
    try:
        with transaction.atomic():
            reporter = _reporter(data, api_key)
            take_quota(api_key)
            case = cases.start_draft(
                version=offered.version,
                applicant=reporter,
                filed_by=reporter,
                channel=Case.Channel.OPEN311,
            )
            case.answers = answers
            case.form_section = len(offered.definition.sections)
            case.save(update_fields=["answers", "form_section", "updated_at"])
            case = cases.submit(case=case, actor=reporter)
            return ServiceRequest.objects.create(
                case=case,
                api_key=api_key,
                lat=lat,
                long=long,
                address_string=address,
                address_id=address_id,
                description=description,
                media_url=media_url,
            )
    except ActionRefused as exc:
        raise Open311Error(400, str(exc)) from None
