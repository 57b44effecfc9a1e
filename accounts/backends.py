"""Signing in: Django's model backend, reading the signed-in person's region with them."""

from typing import Any

from django.contrib.auth import backends

from accounts.models import User


class ModelBackend(backends.ModelBackend):
    """The person of every request comes with their region in the same query: pages name it (My actions)."""

    def get_user(self, user_id: Any) -> User | None:  # user_id: what the session holds
        users = User._default_manager.select_related("region")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
