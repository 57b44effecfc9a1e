"""Values every page template needs: the service's names and the navigation for the signed-in user."""

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_urlconf, reverse

SERVICE_NAME = "Recommendation tracker"
ORGANISATION_NAME = "HM Inspectorate of Probation"

# (link text, URL name, for Inspectorate staff only). Entries whose URL name does not resolve are skipped.
NAVIGATION: tuple[tuple[str, str, bool], ...] = (
    ("My actions", "recommendations:my_actions", False),
    ("Recommendations", "recommendations:list", False),
    ("Inspections", "inspections:list", False),
    ("What's changed", "recommendations:whats_changed", False),
    ("Dashboard", "recommendations:dashboard", True),
    ("Regions", "recommendations:regions", True),
    ("Recurring recommendations", "recommendations:recurring", True),
    ("Update rounds", "recommendations:round_list", True),
    ("Reminder settings", "reminders:preferences", False),
)


@dataclass(frozen=True)
class NavigationItem:
    text: str
    href: str
    current: bool = False  # this exact page: aria-current="page"
    active: bool = False  # a page inside this section: aria-current="true"


def navigation_items(
    path: str, *, inspectorate: bool = True, own_page: tuple[str, str] | None = None
) -> list[NavigationItem]:
    """Entries the person may use that resolve, and a lead's own figures page (`own_page`: text and URL) after the
    third; the one whose URL is the longest prefix of ``path`` is marked."""
    links = _links(NAVIGATION, inspectorate, get_urlconf() or settings.ROOT_URLCONF)
    if own_page is not None:
        links = [*links[:3], own_page, *links[3:]]
    matching = [href for _, href in links if path.startswith(href) and href != "/"]
    selected = max(matching, key=len, default=None)
    return [
        NavigationItem(text, href, current=href == path, active=href == selected and href != path)
        for text, href in links
    ]


@functools.cache
def _links(navigation: tuple[tuple[str, str, bool], ...], inspectorate: bool, urlconf: Any) -> list[tuple[str, str]]:
    """The entries' URLs, reversed once per URL configuration rather than on every page."""
    links: list[tuple[str, str]] = []
    for text, url_name, inspectorate_only in navigation:
        if inspectorate_only and not inspectorate:
            continue
        try:
            links.append((text, reverse(url_name, urlconf=urlconf)))
        except NoReverseMatch:
            continue
    return links


def own_page(user: Any) -> tuple[str, str] | None:
    """A lead's page of figures: their region's (a regional lead), the national one (an HMPPS lead); staff reach
    every region's from "Regions"."""
    try:
        if user.is_regional_lead and user.region_id is not None:
            return "Your region", reverse("recommendations:region", args=(user.region_id,))
        if user.is_hmpps_lead:
            return "National figures", reverse("recommendations:national")
    except NoReverseMatch:
        return None
    return None


def service(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "service_name": SERVICE_NAME,
        "organisation_name": ORGANISATION_NAME,
        "service_navigation": navigation_items(request.path, inspectorate=user.is_inspectorate, own_page=own_page(user))
        if user is not None and signed_in
        else [],
    }
