"""The one error a report that cannot be read raises, with what was missing and where."""


class ReportFormatError(ValueError):
    """The text is not an inspection report we can read; `line` is 1-based when the problem has a place."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"{message} (line {line})" if line else message)
