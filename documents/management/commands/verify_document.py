"""`manage.py verify_document FILE.pdf`: the verification page's answer, for a file on disk.

Exit status: 0 authentic and valid, 1 not authentic, 2 authentic but revoked or superseded.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.verification import Verdict, check_file


class Command(BaseCommand):
    help = "Verify a signed PDF against the municipality's trust roots and records."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        result = check_file(data)
        headline = {
            Verdict.VALID: _("AUTHENTIC and valid"),
            Verdict.REVOKED: _("AUTHENTIC but REVOKED"),
            Verdict.SUPERSEDED: _("AUTHENTIC but SUPERSEDED"),
        }.get(result.verdict, _("NOT AUTHENTIC"))
        lines = [f"{file}: {headline}"]
        if result.reason:
            lines.append(_("Reason: %(reason)s") % {"reason": result.reason})
        report, document = result.report, result.document
        if report is not None and report.signer_common_name:
            lines.append(
                _("Certificate holder: %(name)s (%(organisation)s)")
                % {
                    "name": report.signer_common_name,
                    "organisation": report.signer_organisation or "—",
                }
            )
        if report is not None and report.level:
            lines.append(_("Signature level: PAdES %(level)s") % {"level": report.level})
        if result.timestamp is not None:
            lines.append(
                _("Timestamp: %(time)s")
                % {"time": timezone.localtime(result.timestamp).strftime("%d/%m/%Y %H:%M:%S %Z")}
            )
        if document is not None:
            lines += [
                _("Document: %(title)s, code %(code)s")
                % {"title": document.title, "code": document.display_code},
                _("About: %(subject)s") % {"subject": document.subject_label},
                _("Signed by: %(name)s, %(role)s")
                % {"name": document.signer_name, "role": document.signer_role},
                _("Status: %(status)s") % {"status": document.get_status_display()}
                + (f" ({document.status_reason})" if document.status_reason else ""),
            ]
            if document.superseded_by is not None:
                lines.append(
                    _("Replaced by: %(code)s") % {"code": document.superseded_by.display_code}
                )
        for line in lines:
            self.stdout.write(line)
        if result.verdict != Verdict.VALID:
            raise SystemExit(2 if result.authentic else 1)
