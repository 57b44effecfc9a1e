"""python manage.py import_report FILE [FILE...] [--source-url URL] [--published YYYY-MM-DD] [--confirm-warnings]"""

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspections.parsing import ParseWarning, ReportFormatError
from recommendations.importing import (
    MAX_REPORT_BYTES,
    ImportResult,
    PublicationDateMissing,
    WarningsNotConfirmed,
    import_report,
)


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--published must be a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Import HMI Probation inspection reports saved as plain text. Importing a report twice changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="A report's text, UTF-8 (or UTF-16 with BOM).")
        parser.add_argument("--source-url", default="", help="Where the report is published (one FILE only).")
        parser.add_argument(
            "--published",
            type=_date,
            default=None,
            help="Publication date, YYYY-MM-DD: needed when a report does not state it; wins over the one it states.",
        )
        parser.add_argument(
            "--confirm-warnings",
            action="store_true",
            help="Import reports with parser warnings as they were read (the warnings are printed either way).",
        )

    def handle(
        self,
        *args: Any,
        files: list[str],
        source_url: str,
        published: datetime.date | None,
        confirm_warnings: bool,
        **options: Any,
    ) -> None:
        if source_url and len(files) > 1:
            raise CommandError("--source-url names the page of one report: give one FILE with it")
        failed = [
            name
            for name in files
            if not self._import(name, source_url=source_url, published_on=published, confirm_warnings=confirm_warnings)
        ]
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} file(s) not imported: {', '.join(failed)}")

    def _import(
        self, name: str, *, source_url: str, published_on: datetime.date | None, confirm_warnings: bool
    ) -> bool:
        try:
            with Path(name).open("rb") as file:
                # One byte over the limit is enough for the import to refuse the file without reading all of it.
                data = file.read(MAX_REPORT_BYTES + 1)
            result = import_report(
                text=data, source_url=source_url, published_on=published_on, confirm_warnings=confirm_warnings
            )
        except PublicationDateMissing:
            self.stderr.write(
                f"{name}: not imported: the report does not state its publication date, which gives its reference "
                "its year. Run again with --published YYYY-MM-DD"
            )
            return False
        except WarningsNotConfirmed as unconfirmed:
            self._warn(name, unconfirmed.warnings)
            count = len(unconfirmed.warnings)
            self.stderr.write(
                f"{name}: not imported: {count} warning{'s' if count > 1 else ''} to confirm. Check the report; run "
                "again with --confirm-warnings to import it as read"
            )
            return False
        except (OSError, ReportFormatError) as error:
            self.stderr.write(f"{name}: {error}")
            return False
        self._warn(name, result.warnings)
        self.stdout.write(f"{name}: {_describe(result)}")
        return True

    def _warn(self, name: str, warnings: tuple[ParseWarning, ...]) -> None:
        for warning in warnings:
            self.stderr.write(f"{name}: warning: {warning}")


def _describe(result: ImportResult) -> str:
    inspection = result.inspection
    if not result.created:
        return f"already imported as {inspection.reference} ({inspection.title}); nothing changed"
    return f"created {inspection.reference} ({inspection.title}): {result.counts.describe()}"
