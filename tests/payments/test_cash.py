"""Cash networks: the slip's barcode (scannable Interleaved 2 of 5), the sealed slip, and
settlement files (per-line report, each collection applied once, a file imported once)."""

from __future__ import annotations

import contextlib
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.errors import ActionRefused
from payments import cash
from payments import services as payments
from payments.models import Payment, PaymentOrder, SettlementFile

# Interleaved 2 of 5 as the standard defines it (N narrow, W wide), read independently here.
ITF_DIGITS = {
    "NNWWN": "0", "WNNNW": "1", "NWNNW": "2", "WWNNN": "3", "NNWNW": "4",
    "WNWNN": "5", "NWWNN": "6", "NNNWW": "7", "WNNWN": "8", "NWNWN": "9",
}  # fmt: skip


def decode_itf_svg(svg: str) -> str:
    """Read the bars of the SVG back into digits, as a scanner would."""
    bars = [
        (float(x), float(w))
        for x, w in re.findall(r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm"', svg)
    ]
    widths = []
    for (x, w), (next_x, _w) in zip(bars, bars[1:], strict=False):
        widths += [w, round(next_x - x - w, 3)]
    widths.append(bars[-1][1])
    narrow = min(widths)
    kinds = "".join("W" if w > 1.7 * narrow else "N" for w in widths)
    assert kinds.startswith("NNNN") and kinds.endswith("WNN"), kinds
    body = kinds[4:-3]
    digits = []
    for i in range(0, len(body), 10):
        pair = body[i : i + 10]
        digits += [ITF_DIGITS[pair[0::2]], ITF_DIGITS[pair[1::2]]]
    return "".join(digits)


@pytest.fixture
def order(resident, told):
    return payments.create_order(
        subject=resident,
        payer=resident,
        amount=Decimal("1500.00"),
        concept="Tasa de prueba",
        due_date=date(2026, 12, 10),
    )


def test_check_digit_as_the_networks_compute_it():
    # weights 1,3,5,7,9,3,5,7,9…: 1·1 + 2·3 + 3·5 + 4·7 = 50; 50 // 2 = 25 -> 5
    assert cash.check_digit("1234") == "5"


@pytest.mark.django_db
def test_the_collection_code_carries_order_amount_and_due_date(order, settings):
    settings.PAYMENTS_CASH_COMPANY_CODE = "0999"
    code = cash.collection_code(order)
    assert len(code) == 30 and code.startswith("0999")
    read = cash.read_code(code)
    assert (read.order_id, read.amount, read.due) == (order.pk, Decimal("1500.00"), order.due_date)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with translation.override("en"), pytest.raises(ValueError, match="check digit"):
        cash.read_code(wrong)


@pytest.mark.django_db
def test_the_barcode_is_interleaved_2_of_5_a_scanner_reads_back(order):
    code = cash.collection_code(order)
    assert decode_itf_svg(cash.barcode_svg(code)) == code


# --- Settlement files -------------------------------------------------------------------


def settlement(details, *, company="0999", day=date(2026, 11, 20)) -> bytes:
    return (
        "\r\n".join(cash.settlement_lines(company=company, settled_on=day, details=details))
        + "\r\n"
    ).encode()


def row(order, transaction_id: str, amount: str | None = None, code: str | None = None):
    return (
        date(2026, 11, 20),
        code or cash.collection_code(order),
        Decimal(amount) if amount else order.amount,
        transaction_id,
        Decimal("35.00"),
    )


@pytest.mark.django_db
def test_a_settlement_file_is_applied_with_a_report_per_line(order, resident, employee, told):
    other = payments.create_order(
        subject=resident,
        payer=resident,
        amount=Decimal("800.00"),
        concept="Otra",
        due_date=date(2026, 12, 10),
    )
    content = settlement([row(order, "T1"), row(other, "T2", amount="500.00")])
    lines = content.decode().split("\r\n")
    lines.insert(3, "D2026112" + "x" * 63)  # a malformed line
    lines[-2] = "T00000003" + lines[-2][9:]
    unknown = cash.collection_code(order)[:4] + "9999999999" + cash.collection_code(order)[14:29]
    lines.insert(
        4,
        "D20261120"
        + unknown
        + cash.check_digit(unknown)
        + "000000010000"
        + "          T9"
        + "00000000",
    )
    lines[-2] = "T00000004" + lines[-2][9:]
    imported = cash.import_settlement(
        network="rapipago",
        name="rp-20261120.txt",
        content="\r\n".join(lines).encode(),
        actor=employee,
    )
    outcomes = dict(imported.lines.values_list("line", "outcome"))
    assert outcomes == {2: "applied", 3: "applied", 4: "malformed", 5: "unknown"}
    assert imported.applied == 2
    assert PaymentOrder.objects.get(pk=order.pk).status == PaymentOrder.Status.PAID
    partly = PaymentOrder.objects.get(pk=other.pk)
    assert partly.status == PaymentOrder.Status.PARTLY_PAID and partly.amount_paid == Decimal(
        "500.00"
    )
    assert "500" in imported.lines.get(line=3).message  # paid less than the slip said
    assert Payment.objects.get(provider_payment_id="rapipago:T1").fee == Decimal("35.00")


@pytest.mark.django_db
def test_the_same_file_twice_is_refused_and_changes_nothing(order, employee):
    content = settlement([row(order, "T1")])
    cash.import_settlement(network="pagofacil", name="a.txt", content=content, actor=employee)
    with translation.override("en"), pytest.raises(ActionRefused, match="imported before"):
        cash.import_settlement(
            network="pagofacil", name="a-copia.txt", content=content, actor=employee
        )
    assert SettlementFile.objects.count() == 1
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_a_collection_in_two_files_is_applied_once(order, employee):
    cash.import_settlement(
        network="pagofacil", name="a.txt", content=settlement([row(order, "T1")]), actor=employee
    )
    again = cash.import_settlement(
        network="pagofacil",
        name="b.txt",
        content=settlement([row(order, "T1")], day=date(2026, 11, 21)),
        actor=employee,
    )
    assert list(again.lines.values_list("outcome", flat=True)) == ["already"]
    assert PaymentOrder.objects.get(pk=order.pk).amount_paid == Decimal("1500.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"Hola, esto no es una rendicion", "header"),
        (b"H099920261120\r\nT00000002000000000000000\r\n", "cut"),
        ("H0999202611ñ0\r\nT00000000000000000000000\r\n".encode(), "ASCII"),
        (b"H123420261120\r\nT00000000000000000000000\r\n", "another company"),
    ],
    ids=["not a settlement", "trailer count", "not ascii", "other company"],
)
def test_a_broken_file_is_refused_whole(content, reason, employee):
    with translation.override("en"), pytest.raises(ActionRefused, match=reason):
        cash.import_settlement(network="pagofacil", name="x.txt", content=content, actor=employee)
    assert not SettlementFile.objects.exists()


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    files=st.lists(
        st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5), st.booleans()), max_size=6),
        min_size=1,
        max_size=4,
    )
)
def test_each_valid_collection_is_applied_exactly_once(files, employee, resident):
    """Files of valid, repeated and malformed lines, some files repeated: each distinct
    collection (network transaction id) credits its order once, whatever the order."""
    orders = [
        payments.create_order(
            subject=resident,
            payer=resident,
            amount=Decimal("100.00"),
            concept=f"C{i}",
            due_date=date(2026, 12, 10),
        )
        for i in range(3)
    ]
    batch = PaymentOrder.objects.filter(pk__in=[o.pk for o in orders])
    expected: dict[str, tuple[int, Decimal]] = {}
    for number, lines in enumerate(files):
        details = []
        for order_index, transaction, malformed in lines:
            target = orders[order_index]
            transaction_id = f"H{target.pk}-{transaction}"
            if malformed:
                details.append(
                    (
                        date(2026, 11, 20),
                        "1" * 29 + "x",
                        Decimal("1.00"),
                        transaction_id,
                        Decimal(0),
                    )
                )
            else:
                details.append(row(target, transaction_id, amount="40.00"))
                expected.setdefault(transaction_id, (target.pk, Decimal("40.00")))
        content = settlement(details, day=date(2026, 11, 1) + timedelta(days=number))
        # The very same file again (same content) is refused whole.
        with contextlib.suppress(ActionRefused):
            cash.import_settlement(
                network="pagofacil", name=f"{number}.txt", content=content, actor=employee
            )
    paid = {
        p.provider_payment_id.split(":", 1)[1]: (p.order_id, p.amount)
        for p in Payment.objects.filter(order__in=batch)
    }
    assert paid == expected
    for order in batch:
        credited = sum((a for pk, a in expected.values() if pk == order.pk), Decimal("0.00"))
        assert order.amount_paid == credited


@pytest.mark.django_db
def test_a_slip_paid_twice_in_one_file_is_a_duplicate_and_more_than_owed_is_overpaid(
    order, resident, employee, told
):
    other = payments.create_order(
        subject=resident,
        payer=resident,
        amount=Decimal("800.00"),
        concept="Otra",
        due_date=date(2026, 12, 10),
    )
    imported = cash.import_settlement(
        network="pagofacil",
        name="pf-20261120.txt",
        content=settlement(
            [row(order, "T1"), row(order, "T2"), row(other, "T3", amount="1000.00")]
        ),
        actor=employee,
    )
    assert imported.applied == 3
    assert PaymentOrder.objects.get(pk=order.pk).amount_paid == Decimal("3000.00")
    assert Payment.objects.get(provider_payment_id="pagofacil:T2").is_duplicate
    assert not Payment.objects.get(provider_payment_id="pagofacil:T1").is_duplicate
    assert PaymentOrder.objects.get(pk=other.pk).status == PaymentOrder.Status.PAID
    assert told == [
        ("paid", order.external_reference, Decimal("1500.00")),
        ("overpaid", order.external_reference, Decimal("1500.00")),
        ("paid", other.external_reference, Decimal("1000.00")),
        ("overpaid", other.external_reference, Decimal("200.00")),
    ]
