from celery import shared_task

from . import actions


@shared_task(name="reviews.remind_overdue_steps", time_limit=300, soft_time_limit=240)
def remind_overdue_steps():
    """Beat: remind reviewers of overdue steps, then escalate to the office director."""
    reminded, escalated = actions.remind_overdue_steps()
    return {"reminded": reminded, "escalated": escalated}
