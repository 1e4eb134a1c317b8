"""A local Mercado Pago: the REST endpoints the portal uses, as Mercado Pago documents them.

- ``POST /checkout/preferences`` (Checkout Pro preference: items, external_reference,
  notification_url, back_urls) -> 201 with ``id`` and ``init_point``;
- ``GET /v1/payments/{id}`` -> the payment, or 404 ``not_found``;
- ``POST /v1/payments/{id}/refunds`` with ``X-Idempotency-Key`` (full with no body, partial
  with ``amount``) -> 201 with the refund; the same key answers the same refund;
- the checkout page (``init_point``): paying creates a payment, posts a notification to
  ``notification_url`` (``?data.id=…&type=payment``, body ``{"action": "payment.created",
  "data": {"id": …}}``, headers ``x-signature: ts=…,v1=…`` and ``x-request-id``) and
  redirects to ``back_urls.success`` with ``payment_id``, ``status``, ``external_reference``.

Every call needs ``Authorization: Bearer <access token>``. ``down = True`` answers 503.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from html import escape
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # noqa: ANN002
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def signature_header(secret: str, *, data_id: str, request_id: str, ts: str) -> str:
    """As Mercado Pago's documentation builds it (independently of the portal's code)."""
    manifest = f"id:{data_id.lower()};request-id:{request_id};ts:{ts};"
    return f"ts={ts},v1={hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()}"


class FakeMercadoPago:
    def __init__(self, *, access_token: str, webhook_secret: str) -> None:
        self.access_token = access_token
        self.webhook_secret = webhook_secret
        self.preferences: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}  # by idempotency key
        self.requests: list[tuple[str, str, dict]] = []
        self.down = False
        self._ids = itertools.count(1_000_000_001)
        self._lock = threading.Lock()
        self.server = make_server(
            "127.0.0.1", 0, self, server_class=_ThreadingServer, handler_class=_Quiet
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeMercadoPago:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what a test does as the payer or as Mercado Pago -------------------------------

    def pay(
        self, preference_id: str, *, amount: float | None = None, status: str = "approved"
    ) -> dict:
        preference = self.preferences[preference_id]
        total = round(sum(i["unit_price"] * i["quantity"] for i in preference["items"]), 2)
        with self._lock:
            payment_id = str(next(self._ids))
            payment = {
                "id": int(payment_id),
                "status": status,
                "status_detail": "accredited" if status == "approved" else status,
                "transaction_amount": amount if amount is not None else total,
                "currency_id": "ARS",
                "external_reference": preference.get("external_reference"),
                "payment_type_id": "credit_card",
                "date_created": datetime.now(UTC).isoformat(),
                "date_approved": datetime.now(UTC).isoformat() if status == "approved" else None,
                "fee_details": [
                    {"type": "mercadopago_fee", "amount": 12.5, "fee_payer": "collector"}
                ],
                "transaction_amount_refunded": 0,
                "preference_id": preference_id,
            }
            self.payments[payment_id] = payment
        return payment

    def set_status(self, payment_id: str, status: str) -> None:
        self.payments[str(payment_id)]["status"] = status

    def notification(
        self,
        payment_id: str,
        *,
        secret: str | None = None,
        ts: str | None = None,
        request_id: str | None = None,
    ) -> tuple[dict, dict, bytes]:
        """(query, headers, body) of a notification of ``payment_id``."""
        request_id = request_id or str(uuid.uuid4())
        ts = ts or str(int(time.time()))
        header = signature_header(
            secret or self.webhook_secret, data_id=str(payment_id), request_id=request_id, ts=ts
        )
        body = json.dumps(
            {
                "action": "payment.updated",
                "api_version": "v1",
                "data": {"id": str(payment_id)},
                "date_created": datetime.now(UTC).isoformat(),
                "id": next(self._ids),
                "live_mode": False,
                "type": "payment",
                "user_id": 123456,
            }
        ).encode()
        return (
            {"data.id": str(payment_id), "type": "payment"},
            {"x-signature": header, "x-request-id": request_id},
            body,
        )

    def notify(self, notification_url: str, payment_id: str) -> int:
        query, headers, body = self.notification(payment_id)
        separator = "&" if "?" in notification_url else "?"
        response = requests.post(
            notification_url + separator + urlencode(query),
            data=body,
            headers={**headers, "Content-Type": "application/json"},
            timeout=30,
        )
        return response.status_code

    # --- the WSGI app ------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ["PATH_INFO"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        self.requests.append((method, path, headers))
        if path.startswith("/checkout/v1/redirect"):
            return self._checkout_page(environ, method, raw, start_response)
        if self.down:
            return self._json(start_response, 503, {"message": "service unavailable"})
        if headers.get("authorization") != f"Bearer {self.access_token}":
            return self._json(
                start_response, 401, {"message": "invalid access token", "error": "unauthorized"}
            )
        parts = [p for p in path.split("/") if p]
        if method == "POST" and parts == ["checkout", "preferences"]:
            return self._create_preference(json.loads(raw or b"{}"), start_response)
        if method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "payments"]:
            payment = self.payments.get(parts[2])
            if payment is None:
                return self._json(
                    start_response,
                    404,
                    {
                        "message": "Payment not found",
                        "error": "not_found",
                        "status": 404,
                        "cause": [{"code": 2000, "description": "Payment not found"}],
                    },
                )
            return self._json(start_response, 200, payment)
        if method == "POST" and len(parts) == 4 and parts[3] == "refunds":
            return self._refund(parts[2], json.loads(raw or b"null"), headers, start_response)
        return self._json(start_response, 404, {"message": "not found", "error": "not_found"})

    def _json(self, start_response, status: int, body) -> list[bytes]:
        reason = {
            200: "OK",
            201: "Created",
            400: "Bad Request",
            401: "Unauthorized",
            404: "Not Found",
            503: "Service Unavailable",
        }[status]
        start_response(f"{status} {reason}", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def _create_preference(self, body: dict, start_response) -> list[bytes]:
        items = body.get("items") or []
        if not items or any("unit_price" not in item or "quantity" not in item for item in items):
            return self._json(
                start_response,
                400,
                {"message": "items needed", "error": "bad_request", "status": 400},
            )
        preference_id = f"123456-{uuid.uuid4()}"
        preference = {
            **body,
            "id": preference_id,
            "init_point": f"{self.url}/checkout/v1/redirect?pref_id={preference_id}",
            "sandbox_init_point": f"{self.url}/checkout/v1/redirect?pref_id={preference_id}",
            "date_created": datetime.now(UTC).isoformat(),
            "collector_id": 123456,
        }
        self.preferences[preference_id] = preference
        return self._json(start_response, 201, preference)

    def _refund(self, payment_id: str, body, headers: dict, start_response) -> list[bytes]:
        key = headers.get("x-idempotency-key")
        if not key:
            return self._json(start_response, 400, {"message": "X-Idempotency-Key required"})
        if key in self.refunds:
            return self._json(start_response, 201, self.refunds[key])
        payment = self.payments.get(payment_id)
        if payment is None:
            return self._json(
                start_response, 404, {"message": "Payment not found", "error": "not_found"}
            )
        available = payment["transaction_amount"] - payment["transaction_amount_refunded"]
        amount = (body or {}).get("amount", available)
        if payment["status"] != "approved" or amount > available + 1e-9:
            return self._json(
                start_response, 400, {"message": "invalid refund amount", "error": "bad_request"}
            )
        payment["transaction_amount_refunded"] += amount
        if payment["transaction_amount_refunded"] >= payment["transaction_amount"] - 1e-9:
            payment["status"] = "refunded"
        refund = {
            "id": next(self._ids),
            "payment_id": int(payment_id),
            "amount": amount,
            "status": "approved",
            "date_created": datetime.now(UTC).isoformat(),
        }
        self.refunds[key] = refund
        return self._json(start_response, 201, refund)

    def _checkout_page(self, environ, method, raw, start_response) -> list[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        preference_id = (query.get("pref_id") or [""])[0]
        preference = self.preferences.get(preference_id)
        if preference is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"unknown preference"]
        if method == "POST":
            payment = self.pay(preference_id)
            self.notify(preference["notification_url"], str(payment["id"]))
            back = preference["back_urls"]["success"]
            separator = "&" if "?" in back else "?"
            location = (
                back
                + separator
                + urlencode(
                    {
                        "payment_id": payment["id"],
                        "status": "approved",
                        "external_reference": preference["external_reference"],
                        "preference_id": preference_id,
                    }
                )
            )
            start_response("303 See Other", [("Location", location)])
            return [b""]
        lines = "".join(
            f"<li>{escape(item['title'])}: $ {item['unit_price']:.2f}</li>"
            for item in preference["items"]
        )
        page = (
            "<!doctype html><html lang='es'><head><meta charset='utf-8'><title>Mercado Pago"
            f"</title></head><body><main><h1>Mercado Pago</h1><ul>{lines}</ul>"
            "<form method='post'><button type='submit'>Pagar"
            "</button></form></main></body></html>"
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]
