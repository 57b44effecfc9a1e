"""The people's admin. Its search also serves a recommendation's owner autocomplete: recommendations/admin.py
registers it again with that search scoped to who may own the recommendation (accounts sits below recommendations).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "get_full_name", "email", "role", "region", "is_active")
    list_filter = ("role", "region", "is_active", "is_staff")
    list_select_related = ("region",)
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Role", {"fields": ("role", "region")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("Role", {"fields": ("email", "role", "region")}))

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Inspectorate staff pick owners and regional leads with the admin's autocomplete, which asks here.
        user = request.user
        return super().has_view_permission(request, obj) or bool(user.is_staff and user.is_inspectorate)
