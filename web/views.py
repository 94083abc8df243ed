"""The shell's own screens: the home page ("what waits for me", by role) and notifications."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backoffice.notifications import notifications_mark_read, unread_notifications
from backoffice.screens import role_required


@role_required()
def home(request):
    return render(request, "web/home.html", {"notifications": unread_notifications(request.user)})


@require_POST
@role_required()
def notifications_read(request):
    """Mark one notification (`id`) or all as read; then follow its link, or go home."""
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    link = request.POST.get("next", "")
    notifications_mark_read(user=request.user, ids=ids)
    if link.startswith("/") and not link.startswith("//"):
        return redirect(link)
    return redirect("web:home")
