"""Dates as the service writes them (English, its only language), without Django's per-call date formatting: pages
write hundreds of them (table rows, the timeline, the admin's list).

    short_date(date(2027, 3, 27)) == "27 Mar 2027"      # as the `j M Y` date format writes it
    long_date(date(2027, 3, 27)) == "27 March 2027"     # as `j F Y` writes it
"""

import datetime

MONTHS: tuple[str | None, ...] = (None, "January", "February", "March", "April", "May", "June")
MONTHS += ("July", "August", "September", "October", "November", "December")  # MONTHS[3] is March
SHORT_MONTHS = (None, *(name[:3] for name in MONTHS[1:] if name))


def long_date(day: datetime.date | None) -> str:
    """27 March 2027; nothing for no date."""
    return f"{day.day} {MONTHS[day.month]} {day.year}" if day else ""


def short_date(day: datetime.date | None) -> str:
    """27 Mar 2027; nothing for no date."""
    return f"{day.day} {SHORT_MONTHS[day.month]} {day.year}" if day else ""
