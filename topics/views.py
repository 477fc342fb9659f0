from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, IntegerField, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from publicity.paging import page_of
from submissions.actions import ActionRefused
from submissions.models import Article, Status

from . import actions, permissions
from .answers import answers_to
from .forms import TopicForm, UnitForm


@login_required
def topic_list(request):
    """The office: every topic with how many units answered. A unit's people: the topics asked of
    their units, open ones first (soonest deadline first), with how their unit stands."""
    user = request.user
    if not permissions.may_see_topics(user):
        raise Http404
    today = timezone.localdate()
    closed = Case(When(deadline__lt=today, then=1), default=0, output_field=IntegerField())
    topics = (
        permissions.visible_topics(user)
        .select_related("unit_class")
        .annotate(closed=closed)
        .order_by("closed", Case(When(deadline__gte=today, then=F("deadline"))).asc(), "-deadline", "-pk")
    )
    context = page_of(request, topics, name="topics")
    office = permissions.follows_every_topic(user)
    own = set() if office else permissions.own_unit_ids(user)
    context["rows"] = [
        (found, [row for row in found.rows if row.unit.pk in own])
        for found in answers_to(context["topics"], today=today)
    ]
    context |= {"office": office, "may_post": permissions.may_post_topics(user), "today": today}
    return render(request, "topics/topic_list.html", context)


@login_required
def topic_new(request):
    permissions.require_poster(request.user)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = actions.post_topic(
                title=data["title"],
                brief=data["brief"],
                audience=data["audience"],
                unit_class=data["unit_class"],
                units=data["units"],
                deadline=data["deadline"],
                bonus_points=data["bonus_points"],
                by=request.user,
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The topic was posted and the units were told."))
            return redirect("topics:detail", pk=topic.pk)
    return render(request, "topics/topic_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def topic_detail(request, pk):
    user = request.user
    topic = permissions.access_topic(user, pk)
    office = permissions.follows_every_topic(user)
    found = answers_to([topic], reminders=office)[0]
    own = permissions.own_unit_ids(user)
    drafts = Article.objects.filter(topic=topic, author=user, status=Status.DRAFT).select_related("unit")
    return render(
        request,
        "topics/topic_detail.html",
        {
            "topic": topic,
            "found": found,
            "office": office,
            "rows": found.rows if office else [row for row in found.rows if row.unit.pk in own],
            "may_urge": permissions.may_post_topics(user),
            "answering_units": permissions.answering_units(user, topic),
            "drafts": list(drafts),
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
def answer(request, pk):
    """Start a submission for this topic: a draft that carries it, opened in the usual form."""
    topic = permissions.access_topic(request.user, pk)
    form = UnitForm(request.POST, units=permissions.answering_units(request.user, topic))
    if not form.is_valid():
        raise Http404
    try:
        article = actions.start_answer(topic, unit=form.cleaned_data["unit"], by=request.user)
    except ActionRefused:
        raise Http404 from None
    return redirect("submissions:edit", pk=article.pk)


@require_POST
@login_required
def urge(request, pk):
    """Urge one unit that has not answered, or every such unit."""
    permissions.require_poster(request.user)
    topic = permissions.access_topic(request.user, pk)
    if request.POST.get("unit") == "all":
        reminders = actions.urge_late(topic, by=request.user)
        count = len(reminders)
        messages.success(
            request,
            ngettext("%(count)s unit was urged.", "%(count)s units were urged.", count) % {"count": count},
        )
        return redirect("topics:detail", pk=topic.pk)
    form = UnitForm(request.POST, units=[row.unit for row in answers_to([topic])[0].not_answered])
    if not form.is_valid():
        messages.error(request, _("That unit has answered the topic already or is not asked it."))
        return redirect("topics:detail", pk=topic.pk)
    reminder = actions.urge(topic, form.cleaned_data["unit"], by=request.user)
    messages.success(
        request,
        ngettext(
            "%(unit)s was urged: %(count)s person told.",
            "%(unit)s was urged: %(count)s people told.",
            reminder.recipients,
        )
        % {"unit": reminder.unit, "count": reminder.recipients},
    )
    return redirect("topics:detail", pk=topic.pk)
