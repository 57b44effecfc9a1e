"""The page header, written in Python: the organisation bar (GOV.UK generic header: this service is not on GOV.UK,
so no crown), the signed-in person with their account links, and the service navigation.

It is on every page; as a template it cost 0.8 ms a view (bench/). It reads service_name, organisation_name and
service_navigation from core.context_processors.service, and tolerates their absence (the 500 page renders
without a request).
"""

from typing import Any

from django.template import Context
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from core.context_processors import ORGANISATION_NAME, SERVICE_NAME, NavigationItem
from core.html import format_html


def header_html(context: Context) -> SafeString:
    organisation = context.get("organisation_name") or ORGANISATION_NAME
    service = context.get("service_name") or SERVICE_NAME
    return format_html(
        '<header class="govuk-template__header">\n<div class="govuk-generic-header">\n'
        '<div class="govuk-generic-header__container govuk-width-container app-header__container">\n'
        '<div class="govuk-generic-header__logo">\n<a href="/" class="govuk-generic-header__homepage-link">{}</a>\n'
        "</div>\n{}</div>\n</div>\n"
        '<section aria-label="Service information" class="govuk-service-navigation" '
        'data-module="govuk-service-navigation">\n<div class="govuk-width-container">\n'
        '<div class="govuk-service-navigation__container">\n<span class="govuk-service-navigation__service-name">\n'
        '<a href="/" class="govuk-service-navigation__link">{}</a>\n</span>\n{}</div>\n</div>\n</section>\n'
        "</header>",
        organisation,
        _account(context),
        service,
        _navigation(context.get("service_navigation") or []),
    )


def _account(context: Context) -> SafeString:
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return mark_safe("")
    return format_html(
        '<div class="app-account">\n<span class="app-account__name">{}</span>\n'
        '<a class="app-account__name govuk-link govuk-link--inverse" href="{}">Change password</a>\n'
        '<form class="app-account__sign-out" method="post" action="{}">\n{}\n'
        '<button type="submit" class="app-account__button">Sign out</button>\n</form>\n</div>\n',
        user.get_full_name() or user.get_username(),
        reverse("password_change"),
        reverse("logout"),
        _csrf_input(context.get("csrf_token")),
    )


def _csrf_input(token: Any) -> SafeString:
    """What {% csrf_token %} writes."""
    if not token or token == "NOTPROVIDED":
        return mark_safe("")
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def _navigation(items: list[NavigationItem]) -> SafeString:
    if not items:
        return mark_safe("")
    return format_html(
        '<nav aria-label="Menu" class="govuk-service-navigation__wrapper">\n'
        '<button type="button" class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" '
        'aria-controls="navigation" hidden aria-hidden="true">Menu</button>\n'
        '<ul class="govuk-service-navigation__list" id="navigation">\n{}\n</ul>\n</nav>\n',
        mark_safe("\n".join(_item(item) for item in items)),
    )


def _item(item: NavigationItem) -> str:
    marked = item.current or item.active
    current = ' aria-current="page"' if item.current else ' aria-current="true"' if item.active else ""
    text = format_html('<strong class="govuk-service-navigation__active-fallback">{}</strong>', item.text)
    return format_html(
        '<li class="govuk-service-navigation__item{}">\n<a class="govuk-service-navigation__link" href="{}"{}>\n{}\n'
        "</a>\n</li>",
        " govuk-service-navigation__item--active" if marked else "",
        item.href,
        mark_safe(current),
        text if marked else item.text,
    )
