from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from publicity.paging import page_of

from . import actions, permissions
from .forms import EmailPreferencesForm
from .models import Notification


@login_required
def notification_list(request):
    """My notifications, newest first; the unread ones stand out."""
    notifications = Notification.objects.for_list().filter(recipient=request.user)
    return render(
        request, "notifications/notification_list.html", page_of(request, notifications, name="notifications")
    )


@login_required
def open_notification(request, pk):
    """Follow a notification to its item, marking it read (a GET: opening it twice changes nothing)."""
    notification = permissions.access_notification(request.user, pk)
    actions.mark_read(notification, by=request.user)
    if notification.link.startswith("/"):  # only our own paths: links are written by our code
        return redirect(notification.link)
    if notification.article_id is None:
        return redirect("notifications:list")
    return redirect("submissions:detail", pk=notification.article_id)


@require_POST
@login_required
def mark_all_read(request):
    actions.mark_all_read(by=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
def email_settings(request):
    form = EmailPreferencesForm.for_user(request.user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        actions.set_email_opt_outs(request.user, form.opt_outs(), by=request.user)
        messages.success(request, _("Your e-mail settings were saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/email_settings.html", {"form": form})
