"""The Jinja2 environment of the app's pages (settings.TEMPLATES).

Templates find the official GOV.UK Frontend macros under "govuk_frontend_jinja/..." (the package's own import
paths) and ours under "macros/...". Globals and filters are Django's own functions, named as in Django templates.
"""

import datetime
from typing import Any

from django.template.defaultfilters import floatformat, linebreaks_filter
from django.templatetags.static import static
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import Truncator
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, Undefined, select_autoescape

from core.form_fields import error_items, field_component, field_params
from core.pagination import pagination_params
from core.querystrings import query_with, query_without_value


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """As {% url name arg %}: the path of a named URL."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def date(value: Any, format_string: str = "j F Y") -> str:
    """As Django's |date filter (local time for datetimes); "" for no date."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return dateformat.format(value, format_string)


def truncate_words(value: Any, count: int) -> str:
    return Truncator(value).words(count)


def plural(count: int, singular: str, plural_form: str = "") -> str:
    """ "1 recommendation", "2 recommendations": the count and the noun that agrees with it."""
    noun = singular if count == 1 else plural_form or f"{singular}s"
    return f"{count:,} {noun}"


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
    )
    env.filters.update(
        date=date,
        duration=duration,
        truncate_words=truncate_words,
        linebreaks=linebreaks_filter,  # Django's |linebreaks: escapes, then paragraphs and <br>
        floatformat=floatformat,
    )
    return env
