"""People in the admin: Inspectorate staff add them, change their role and region, deactivate them and send them a
set-your-password email. Nobody is deleted but by a superuser, and only a superuser makes or changes a superuser.

Its search also serves a recommendation's owner autocomplete: recommendations/admin.py registers it again with that
search scoped to who may own the recommendation (accounts sits below recommendations).
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import PersonCreationForm
from accounts.models import User, may_manage_people, may_manage_person
from accounts.requests import signed_in_user

# Only a superuser sees or sets these: they grant powers beyond a role's (Django's own permissions).
SUPERUSER_FIELDS = ("is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    add_form = PersonCreationForm
    list_display = ("username", "get_full_name", "email", "role", "region", "is_active")
    list_filter = ("role", "region", "is_active", "is_staff")
    list_select_related = ("region",)
    search_fields = ("username", "first_name", "last_name", "email")
    actions = ("send_set_your_password_emails", "deactivate_people")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Role", {"fields": ("role", "region")}),
        ("Permissions", {"fields": ("is_active", "is_staff", *SUPERUSER_FIELDS)}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email")}),
        ("Role", {"fields": ("role", "region")}),
        ("Password", {"fields": ("send_email",)}),
    )

    # Inspectorate staff manage people by their role, as every other admin page is theirs (no Django permissions).
    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_manage_people(request.user)

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Also asked by the admin's autocomplete, with which staff pick owners and a region's Inspectorate lead.
        return may_manage_people(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_manage_people(request.user)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return may_manage_person(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Deactivate instead: a person's history (decisions, updates, reminders) stays under their name.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        # Staff see whether a password is set, never a way to set it (the email does), and no Django permissions.
        return [(name, {"fields": _as_staff_see_them(options["fields"])}) for name, options in self.fieldsets]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        readonly = super().get_readonly_fields(request, obj)
        return readonly if request.user.is_superuser else (*readonly, "password_state", *SUPERUSER_FIELDS)

    @admin.display(description="Password")
    def password_state(self, person: User) -> str:
        if person.has_usable_password():
            return "Set by them. If they have forgotten it, send them a set-your-password email."
        return "Not set yet: send them a set-your-password email."

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # Staff never choose or know someone's password: they send the set-your-password email.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change and form.cleaned_data.get("send_email"):
            self._send_set_your_password_emails(request, [obj])

    @admin.action(description="Send a set-your-password email to the selected people", permissions=["change"])
    def send_set_your_password_emails(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._send_set_your_password_emails(request, list(queryset))

    @admin.action(description="Deactivate the selected people", permissions=["change"])
    def deactivate_people(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        staff = signed_in_user(request)
        allowed = [person for person in queryset if may_manage_person(staff, person) and person != staff]
        if deactivated := services.deactivate(allowed):
            for person in deactivated:
                self.log_change(request, person, "Deactivated.")
            names = ", ".join(str(person) for person in deactivated)
            messages.success(request, f"Deactivated: {names}. They can no longer sign in; their history stays.")
        if refused := [person for person in queryset if person not in allowed]:
            names = ", ".join(str(person) for person in refused)
            messages.error(request, f"Not deactivated (you cannot deactivate yourself, nor a superuser): {names}.")

    def get_urls(self) -> list[URLPattern]:
        # Before the default URLs, which end in a catch-all for object ids.
        opts = self.model._meta
        view = self.admin_site.admin_view(require_POST(self.set_your_password_email_view))
        name = f"{opts.app_label}_{opts.model_name}_set_your_password_email"
        return [path("<int:pk>/set-your-password-email/", view, name=name), *super().get_urls()]

    def set_your_password_email_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The button on a person's page: the same email as the action, for this one person."""
        person = get_object_or_404(User, pk=pk)
        if not self.has_change_permission(request, person):
            raise PermissionDenied
        self._send_set_your_password_emails(request, [person])
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[person.pk]))

    def _send_set_your_password_emails(self, request: HttpRequest, people: list[User]) -> None:
        staff = signed_in_user(request)
        for person in people:
            if not may_manage_person(staff, person):
                messages.error(request, f"Only a superuser can send {person} a set-your-password email.")
            elif services.send_set_your_password_email(person, request):
                self.log_change(request, person, "Sent a set-your-password email.")
                messages.success(request, f"A set-your-password email is on its way to {person} ({person.email}).")
            else:
                messages.error(request, f"{person} was not sent an email: they need an email address and to be active.")


def _as_staff_see_them(fields: Any) -> list[str]:
    """A fieldset's fields for staff who are not superusers: whether a password is set rather than a way to set it,
    and no Django permissions (is_superuser stays, read-only, so that they can see who is one)."""
    hidden = ("groups", "user_permissions")
    return ["password_state" if field == "password" else field for field in fields if field not in hidden]
