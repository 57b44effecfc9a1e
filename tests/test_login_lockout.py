"""The login lock-out is keyed to the username and the client's own address, as the trusted proxy gives it: behind
the README's proxy every request comes from 127.0.0.1, and five failures from anyone must not lock out everyone."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from config.proxy import client_address_settings
from tests.factories import make_user

PASSWORD = "a-long-enough-password-2026"
ATTACKER, OWNER = "198.51.100.7", "203.0.113.20"  # documentation addresses


@pytest.fixture
def behind_one_proxy(settings: Any) -> None:
    """The settings of TRUSTED_PROXY_COUNT=1 (config/settings.py); the test client's REMOTE_ADDR is 127.0.0.1."""
    for name, value in client_address_settings(1).items():
        setattr(settings, name, value)


def sign_in(address: str, password: str, forwarded_for: str | None = None) -> int:
    """A fresh browser at `address` (as the proxy appends it to X-Forwarded-For) signs in as "ada"."""
    chain = address if forwarded_for is None else f"{forwarded_for}, {address}"
    response = Client(HTTP_X_FORWARDED_FOR=chain).post(reverse("login"), {"username": "ada", "password": password})
    return response.status_code


@pytest.mark.django_db
def test_failures_from_one_address_behind_the_proxy_lock_out_only_that_address(
    behind_one_proxy: None, settings: Any
) -> None:
    make_user(username="ada", password=PASSWORD)
    failures = [sign_in(ATTACKER, "wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert failures == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last one locks
    assert sign_in(ATTACKER, PASSWORD) == 429  # locked, even with the right password
    assert sign_in(OWNER, PASSWORD) == 302  # the owner, from elsewhere, signs in


@pytest.mark.django_db
def test_an_address_the_client_writes_itself_is_not_trusted(behind_one_proxy: None, settings: Any) -> None:
    """Only the entry the proxy appended counts: a client cannot pose as another address (left of it)."""
    make_user(username="ada", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(ATTACKER, "wrong", forwarded_for=OWNER)
    assert sign_in(OWNER, PASSWORD) == 302
    assert sign_in(ATTACKER, PASSWORD, forwarded_for=OWNER) == 429


@pytest.mark.django_db
def test_without_a_trusted_proxy_the_header_is_ignored(settings: Any) -> None:
    """TRUSTED_PROXY_COUNT=0 (the default): the connection's own address; a forged header changes nothing."""
    for name, value in client_address_settings(0).items():
        setattr(settings, name, value)
    make_user(username="ada", password=PASSWORD)
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(f"198.51.100.{number + 1}", "wrong")  # each from a "different" address
    assert sign_in(OWNER, PASSWORD) == 429  # all from 127.0.0.1
