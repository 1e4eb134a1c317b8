import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procedures.catalog import CATALOG_DIR, CatalogInvalid, load_catalog, validate_catalog
from procedures.completion import completion_problems, wording_problems
from procedures.selectors import published_versions
from procedures.services.catalog import sync_catalog


class Command(BaseCommand):
    help = (
        "The procedure catalog: `check` validates the YAML files, `sync` loads them "
        "(idempotent), `list` prints the published types."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            (
                "check",
                "Validate every catalog file and walk every type's form for every "
                "combination of its conditions; exit 1 on errors.",
            ),
            ("sync", "Create or publish versions from the catalog files."),
        ):
            command = commands.add_parser(name, help=text)
            command.add_argument(
                "--directory",
                type=Path,
                default=CATALOG_DIR,
                help="Catalog folder (default: the one in the repository).",
            )
        listing = commands.add_parser("list", help="List the published procedure types.")
        listing.add_argument("--json", action="store_true", dest="as_json", help="Print JSON.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _check(self, directory: Path, **options):
        errors = validate_catalog(directory)
        if not errors:  # every type must be completable, whatever the resident chooses
            catalog = load_catalog(directory)
            for code, definition in sorted(catalog.procedures.items()):
                file = f"types/{code}.yaml"
                errors += wording_problems(definition, file)
                errors += completion_problems(definition, file)
        for error in errors:
            self.stderr.write(f"{error.file}: {error.key or '(file)'}: {error.reason}")
        if errors:
            raise CommandError(f"{len(errors)} error(s) in the catalog.")
        self.stdout.write(self.style.SUCCESS("The catalog is valid."))
        self._translation_coverage(catalog, options.get("verbosity", 1))

    def _translation_coverage(self, catalog, options_verbosity: int) -> None:
        """How much of what visitors read exists in English and Italian (Spanish is the
        fallback, and the pages say when they show it)."""
        resident = [d for d in catalog.procedures.values() if d.audience == "resident"]
        for language in ("en", "it"):
            shares = {d.code: d.translated_share(language) for d in resident}
            complete = sorted(code for code, share in shares.items() if share == 1)
            average = sum(shares.values()) / len(shares) if shares else 1
            self.stdout.write(
                f"Translation into {language}: {average:.0%} of the residents' texts; "
                f"{len(complete)} of {len(shares)} procedures complete"
            )
            if options_verbosity > 1:
                for code, share in sorted(shares.items()):
                    self.stdout.write(f"  {code}: {share:.0%}")

    def _sync(self, directory: Path, **options):
        try:
            catalog = load_catalog(directory)
        except CatalogInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError("The catalog has errors; nothing was loaded.") from None
        report = sync_catalog(catalog)
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalog synced: {len(report.published)} published "
                f"({len(report.created)} new versions), {len(report.unchanged)} unchanged, "
                f"{len(report.retired)} retired."
            )
        )

    def _list(self, as_json: bool = False, **options):
        rows = [
            {
                "code": v.procedure_type.code,
                "name": v.name_es,
                "audience": v.procedure_type.audience,
                "category": v.procedure_type.category.code,
                "version": v.number,
                "fee": {
                    "kind": v.fee_kind,
                    "amount": str(v.fee_amount) if v.fee_amount is not None else None,
                },
                "deadline_business_days": v.deadline_business_days,
            }
            for v in published_versions()
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['code']:<50} v{row['version']:<3} {row['audience']:<9} "
                f"{row['deadline_business_days']:>3} días  {row['name']}"
            )
