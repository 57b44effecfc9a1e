"""The Notifications page: what the signed-in person has been told, newest first; each opens what it is about."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.requests import AuthenticatedRequest
from core.pagination import page_or_404
from recommendations import notifications


@login_required
@require_safe
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    """Viewing the list marks nothing read: a notification is read when opened, or all at once by the button."""
    paginator = Paginator(notifications.inbox(request.user), notifications.INBOX_PAGE_SIZE)
    page = page_or_404(paginator, request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_safe
def open_notification(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark it read and go to what it is about; someone else's is a 404, as if it did not exist."""
    notification = notifications.notification_open(user=request.user, pk=pk)
    if notification is None:
        raise Http404("No such notification.")
    return HttpResponseRedirect(notification.get_absolute_url())


@login_required
@require_POST
def mark_all_read(request: AuthenticatedRequest) -> HttpResponse:
    notifications.notifications_mark_all_read(user=request.user)
    return HttpResponseRedirect(reverse("recommendations:notifications"))
