"""The SOAP client (zeep) for AFIP's services: descriptions from ``wsdl/``, addresses from
the settings, and AFIP's ways of failing turned into two exceptions."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import requests
import zeep
from django.conf import settings
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport

from . import AfipUnavailable


@cache
def _client(wsdl: str, timeout: int) -> zeep.Client:
    return zeep.Client(wsdl, transport=Transport(timeout=timeout, operation_timeout=timeout))


def client_for(wsdl: Path, binding: str, address: str):
    return _client(str(wsdl), settings.AFIP_TIMEOUT).create_service(binding, address)


def call(
    operation: Callable[..., Any],
    *,
    transient: tuple[str, ...] = (),
    refused: type[Exception] = AfipUnavailable,
    **arguments: Any,
) -> Any:
    """Run an operation: no answer or a transient fault is ``AfipUnavailable``; any other
    fault is ``refused`` with AFIP's code and message."""
    try:
        return operation(**arguments)
    except Fault as fault:
        code = str(fault.code or "").split(":")[-1]
        if code in transient:
            raise AfipUnavailable(f"{code}: {fault.message}") from fault
        raise refused(f"{code}: {fault.message}") from fault
    except (TransportError, requests.RequestException) as exc:
        raise AfipUnavailable(str(exc)) from exc
