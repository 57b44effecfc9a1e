"""Values every page template needs: the service's names and the navigation for the signed-in user."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

SERVICE_NAME = "Recommendation tracker"
ORGANISATION_NAME = "HM Inspectorate of Probation"

# (link text, URL name). Entries whose URL name does not resolve yet are skipped, so pages render before
# the views behind them exist.
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("My actions", "recommendations:my_actions"),
    ("Recommendations", "recommendations:list"),
    ("Inspections", "inspections:list"),
    ("Dashboard", "recommendations:dashboard"),
)


@dataclass(frozen=True)
class NavigationItem:
    text: str
    href: str
    current: bool = False  # this exact page: aria-current="page"
    active: bool = False  # a page inside this section: aria-current="true"


def navigation_items(path: str) -> list[NavigationItem]:
    """Resolvable navigation entries; the one whose URL is the longest prefix of ``path`` is marked."""
    links: list[tuple[str, str]] = []
    for text, url_name in NAVIGATION:
        try:
            links.append((text, reverse(url_name)))
        except NoReverseMatch:
            continue
    matching = [href for _, href in links if path.startswith(href) and href != "/"]
    selected = max(matching, key=len, default=None)
    return [
        NavigationItem(text, href, current=href == path, active=href == selected and href != path)
        for text, href in links
    ]


def service(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "service_name": SERVICE_NAME,
        "organisation_name": ORGANISATION_NAME,
        "service_navigation": navigation_items(request.path) if signed_in else [],
    }
