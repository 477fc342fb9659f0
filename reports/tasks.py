"""Scheduled and queued assessment work. Tasks take no model instances; each calls one action."""

from datetime import date

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import actions, scoring, tallies
from .periods import add_months, month_start


@shared_task(name="reports.score_pending", time_limit=900, soft_time_limit=840)
def score_pending():
    """Points for new adoptions and for adoptions whose rules changed (also the beat's sweeper), and
    the figures of items delivered since the last run and any others left to recount, medians too."""
    scored = scoring.score_pending(limit=100_000)
    tallies.mark_delivered()
    tallies.recount_due()
    tallies.recount_medians()
    return scored


@shared_task(name="reports.recount_figures", time_limit=600, soft_time_limit=540)
def recount_figures():
    """The kept figures that changes named since, counted again from the items."""
    return tallies.recount_due()


@shared_task(name="reports.score_minimums", time_limit=900, soft_time_limit=840)
def score_minimums(periods=None):
    """Deductions of the finished months in `periods` ([[first, last]] as ISO days or None; None: all)."""
    if periods is not None:
        periods = [tuple(date.fromisoformat(d) if d else None for d in period) for period in periods]
    return actions.score_all_minimums(periods=periods)


@shared_task(name="reports.close_month", time_limit=600, soft_time_limit=540)
def close_month():
    """Deductions for the month that just ended (the beat runs this daily; it is idempotent)."""
    return scoring.score_month_minimums(add_months(month_start(timezone.localdate()), -1))


@shared_task(name="reports.remind_units_behind", time_limit=600, soft_time_limit=540)
def remind_units_behind():
    units = actions.remind_units_behind(days_before_end=settings.REPORTS_REMIND_DAYS_BEFORE_MONTH_END)
    return len(units)
