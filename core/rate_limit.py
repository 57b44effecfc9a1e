"""How fast one client may ask for the public pages: django-ratelimit's count per client and period, kept in the Redis
all web workers share (settings RATELIMIT_USE_CACHE), and a 429 page once a client is over it."""

import functools
import logging
from collections.abc import Callable
from typing import Concatenate

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def seconds_to_wait(request: HttpRequest, group: str) -> int | None:
    """Count this request against the client's allowance for `group`: None while within it, else how many seconds
    until the allowance starts again (at least 1). The client is settings.RATELIMIT_IP_META_KEY's address."""
    try:
        usage = get_usage(request, group=group, key="ip", rate=settings.PUBLIC_PAGES_RATE_LIMIT, increment=True)
    except RedisError:  # a limit is not worth an error page: serve, and say so in the log
        logger.warning("Rate limit: the shared cache did not answer; not limiting", exc_info=True)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


type View[**P] = Callable[Concatenate[HttpRequest, P], HttpResponse]


def limit_rate[**P](group: str, *, template: str) -> Callable[[View[P]], View[P]]:
    """A view decorator: a client over settings.PUBLIC_PAGES_RATE_LIMIT for `group` gets `template` with 429 Too
    Many Requests and a Retry-After header, and the view does not run."""

    def decorate(view: View[P]) -> View[P]:
        def limited(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            wait = seconds_to_wait(request, group)
            if wait is None:
                return view(request, *args, **kwargs)
            response = render(request, template, {"wait_seconds": wait}, status=429)
            response["Retry-After"] = str(wait)
            response["Cache-Control"] = "no-store"  # a refusal for one client is not a page for the next
            return response

        functools.update_wrapper(limited, view)  # its name and module, for Django's resolver and the matrix
        return limited

    return decorate
