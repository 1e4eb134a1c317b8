"""A plain CSV list of transfers, for the embedded portal and demonstrations."""

from __future__ import annotations

import csv
import io

from . import BankFile, Debtor


class DemoCsvExporter:
    key = "demo-csv"
    label = "CSV (demo)"
    demo = True  # no bank reads it

    def problems(self) -> list[str]:
        return []

    def export(self, batch, orders, debtor: Debtor) -> BankFile:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(["reference", "cbu", "holder", "cuit", "currency", "amount", "date"])
        for order in orders:
            writer.writerow(
                [
                    order.reference,
                    order.cbu,
                    order.holder_name,
                    order.payee_cuit,
                    order.currency,
                    f"{order.amount:.2f}",
                    batch.execution_date.isoformat(),
                ]
            )
        return BankFile(f"{batch.reference}.csv", buffer.getvalue().encode(), "text/csv")
