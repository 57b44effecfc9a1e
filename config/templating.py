"""The Jinja2 environment of the app's pages (settings.TEMPLATES).

Templates find the official GOV.UK Frontend macros under "govuk_frontend_jinja/..." (the package's own import
paths) and ours under "macros/...". Globals and filters are Django's own functions, named as in Django templates.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.template.defaultfilters import floatformat, linebreaks_filter, linebreaksbr
from django.templatetags.static import static
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import Truncator
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, Undefined, select_autoescape

from core.dates import long_date, short_date
from core.form_fields import error_items, field_component, field_params
from core.pagination import pagination_params
from core.querystrings import query_with, query_without_value
from recommendations.models import status_colour


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """As {% url name arg %}: the path of a named URL."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


# The service's two date formats, written without Django's formatter (about 0.4 ms a date): a long action plan
# writes thousands of dates.
_FAST_FORMATS = {"j F Y": long_date, "j M Y": short_date}


def date(value: Any, format_string: str = "j F Y") -> str:
    """As Django's |date filter (local time for datetimes); "" for no date."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    if fast := _FAST_FORMATS.get(format_string):
        return fast(value)
    return dateformat.format(value, format_string)


def truncate_words(value: Any, count: int) -> str:
    return Truncator(value).words(count)


def truncate_chars(value: Any, length: int) -> str:
    """As Django's |truncatechars: at most `length` characters, the last an ellipsis when cut."""
    return Truncator(value).chars(length)


def moj_date(timestamp: str | datetime.date, kind: str = "") -> str:
    """MOJ Frontend's mojDate filter (moj/filters/all.js), which its timeline writes dates with: "datetime"
    3 March 2026 at 2:05pm (2pm on the hour), "shortdatetime" 3 Mar 2026 at 2:05pm, "date" 3 March 2026,
    "shortdate" 3 Mar 2026, "time" 2:05pm; any other kind, the timestamp as given. A timestamp is an ISO 8601 string
    (as in <time datetime>), written in its own offset (give it in the current time zone, as TimelineEntry does), or
    a date or datetime, written in the current time zone."""
    if isinstance(timestamp, str):
        moment: datetime.date = datetime.datetime.fromisoformat(timestamp)
    elif isinstance(timestamp, datetime.datetime) and timestamp.tzinfo is not None:
        moment = timezone.localtime(timestamp)
    else:
        moment = timestamp
    match kind:
        case "datetime":
            return f"{long_date(moment)} at {_moj_time(moment)}"
        case "shortdatetime":
            return f"{short_date(moment)} at {_moj_time(moment)}"
        case "date":
            return long_date(moment)
        case "shortdate":
            return short_date(moment)
        case "time":
            return _moj_time(moment)
    return str(timestamp)


def _moj_time(moment: datetime.date) -> str:
    """As moment.js formats "h:mma" (or "ha" on the hour): 2:05pm, 2pm, 12:30am."""
    hour, minute = getattr(moment, "hour", 0), getattr(moment, "minute", 0)
    clock = f"{hour % 12 or 12}" + (f":{minute:02d}" if minute else "")
    return f"{clock}{'am' if hour < 12 else 'pm'}"


def plural(count: int, singular: str, plural_form: str = "") -> str:
    """ "1 recommendation", "2 recommendations": the count and the noun that agrees with it."""
    noun = singular if count == 1 else plural_form or f"{singular}s"
    return f"{count:,} {noun}"


def in_words(names: Iterable[str]) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C" ("Kent, Surrey and Sussex and South Central":
    region names may hold commas and "and" themselves, so two names are never joined by a comma)."""
    names = [str(name) for name in names]
    return " and ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} and {names[-1]}"


def duration(value: datetime.timedelta) -> str:
    """A timedelta in words, to the minute: "1 hour", "1 hour 30 minutes", "45 minutes"."""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def environment(**options: Any) -> Environment:
    # Django's backend passes a loader for DIRS; the package's macros are found after it, under their own prefix.
    official = PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})
    options["loader"] = ChoiceLoader([options["loader"], official])
    # The official macros test for missing parameters; Django's DEBUG default (DebugUndefined) would print them.
    options["undefined"] = Undefined
    # Plain-text emails are not HTML: only .html templates (and strings) are escaped.
    options["autoescape"] = select_autoescape(enabled_extensions=("html",), default_for_string=True, default=False)
    env = Environment(**options)
    env.globals.update(
        static=static,
        url=url,
        field_component=field_component,
        field_params=field_params,
        error_items=error_items,
        pagination_params=pagination_params,
        query_with=query_with,
        query_without_value=query_without_value,
        plural=plural,
        status_colour=status_colour,
        local_date=timezone.localdate,  # today in the service's time zone (the date a printed page carries)
    )
    env.filters.update(
        date=date,
        duration=duration,
        truncate_words=truncate_words,
        truncatechars=truncate_chars,
        linebreaksbr=linebreaksbr,
        linebreaks=linebreaks_filter,  # Django's |linebreaks: escapes, then paragraphs and <br>
        floatformat=floatformat,
        mojDate=moj_date,
        in_words=in_words,
    )
    return env
