from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("article", "actor")

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person should know about an item: shown in the app, and e-mailed after commit."""

    class Kind(models.TextChoices):
        REVIEW_REQUESTED = "review_requested", _("An item waits for your review")
        RETURNED = "returned", _("Your item was returned for revision")
        REJECTED = "rejected", _("Your item was rejected")
        SIGNED_OFF = "signed_off", _("Your item was signed off")
        EDITED_BY_REVIEWER = "edited_by_reviewer", _("A reviewer edited your item")
        OVERDUE = "overdue", _("A review is overdue")
        ESCALATED = "escalated", _("An overdue review was escalated to you")
        DELIVERY_FAILED = "delivery_failed", _("A delivery to an outlet failed")
        OUTLET_PAUSED = "outlet_paused", _("An outlet was paused")
        URGED = "urged", _("Your unit is behind its monthly minimum")
        BULLETIN = "bulletin", _("A bulletin was published")
        REVIEWER_MISSING = "reviewer_missing", _("An item has nobody to review it")
        ADOPTED = "adopted", _("Your item was adopted")
        TOPIC_POSTED = "topic_posted", _("The office asks your unit for items on a topic")
        TOPIC_URGED = "topic_urged", _("Your unit has not answered a commissioned topic")

    # kind -> (sentence naming the actor, sentence without one); the title and name are plain text.
    SENTENCES = {
        Kind.REVIEW_REQUESTED: (
            _("%(actor)s passed “%(title)s” to you for review."),
            _("“%(title)s” waits for your review."),
        ),
        Kind.RETURNED: (
            _("“%(title)s” was returned for revision by %(actor)s."),
            _("“%(title)s” was returned for revision."),
        ),
        Kind.REJECTED: (
            _("“%(title)s” was rejected by %(actor)s."),
            _("“%(title)s” was rejected."),
        ),
        Kind.SIGNED_OFF: (
            _("“%(title)s” was signed off by %(actor)s."),
            _("“%(title)s” was signed off."),
        ),
        Kind.EDITED_BY_REVIEWER: (
            _("%(actor)s edited “%(title)s” during review."),
            _("A reviewer edited “%(title)s” during review."),
        ),
        Kind.OVERDUE: (
            _("The review of “%(title)s” is overdue."),
            _("The review of “%(title)s” is overdue."),
        ),
        Kind.ESCALATED: (
            _("The overdue review of “%(title)s” was escalated to you."),
            _("The overdue review of “%(title)s” was escalated to you."),
        ),
        Kind.DELIVERY_FAILED: (
            _("“%(title)s” could not be delivered."),
            _("“%(title)s” could not be delivered."),
        ),
        Kind.OUTLET_PAUSED: (_("An outlet was paused."), _("An outlet was paused.")),
        Kind.REVIEWER_MISSING: (
            _("“%(title)s” has nobody to review it."),
            _("“%(title)s” has nobody to review it."),
        ),
        # the note's first line is the outlet; the lines after it say where it was published
        Kind.ADOPTED: (
            _("“%(title)s” was adopted by %(outlet)s."),
            _("“%(title)s” was adopted by %(outlet)s."),
        ),
    }

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    article = models.ForeignKey(
        "submissions.Article",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    # Where the notification leads when it is not about an article (a bulletin, the unit's figures).
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_recent"),
        ]

    def __str__(self):
        return self.describe()

    @property
    def is_unread(self):
        return self.read_at is None

    def describe(self):
        """One translated line for the list and the e-mail subject. Plain text: templates escape it."""
        if self.article_id is None:
            return str(self.get_kind_display())
        with_actor, without_actor = self.SENTENCES[self.kind]
        names = {"title": self.article, "outlet": self.note.partition("\n")[0]}
        if self.actor_id is None:
            return without_actor % names
        return with_actor % (names | {"actor": self.actor})


class EmailOptOut(models.Model):
    """A kind of notification the user does not want by e-mail (they still see it in the app)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="email_opt_outs",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Notification.Kind.choices)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("e-mail opt-out")
        verbose_name_plural = _("e-mail opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_opt_out_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()}"
