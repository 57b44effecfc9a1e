"""python manage.py import_report FILE [FILE...] [--source-url URL] [--published YYYY-MM-DD]"""

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspections.importing import MAX_REPORT_BYTES, ImportResult, import_report
from inspections.parsing import ReportFormatError


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--published must be a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Import HMI Probation inspection reports saved as plain text. Importing a report twice changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="A report's text (UTF-8 or Windows-1252).")
        parser.add_argument("--source-url", default="", help="Where the report is published (one FILE only).")
        parser.add_argument("--published", type=_date, default=None, help="Publication date, YYYY-MM-DD.")

    def handle(
        self, *args: Any, files: list[str], source_url: str, published: datetime.date | None, **options: Any
    ) -> None:
        if source_url and len(files) > 1:
            raise CommandError("--source-url names the page of one report: give one FILE with it")
        failed = [name for name in files if not self._import(name, source_url=source_url, published_on=published)]
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} file(s) not imported: {', '.join(failed)}")

    def _import(self, name: str, *, source_url: str, published_on: datetime.date | None) -> bool:
        try:
            with Path(name).open("rb") as file:
                # One byte over the limit is enough for the import to refuse the file without reading all of it.
                data = file.read(MAX_REPORT_BYTES + 1)
            result = import_report(text=data, source_url=source_url, published_on=published_on)
        except (OSError, ReportFormatError) as error:
            self.stderr.write(f"{name}: {error}")
            return False
        self.stdout.write(f"{name}: {_describe(result)}")
        return True


def _describe(result: ImportResult) -> str:
    inspection = result.inspection
    if not result.created:
        return f"already imported as {inspection.reference} ({inspection.title}); nothing changed"
    return f"created {inspection.reference} ({inspection.title}): {result.counts.describe()}"
