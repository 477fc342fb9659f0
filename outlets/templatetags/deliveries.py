"""A delivery's state badge (and its adoption), the same on the deliveries list, a delivery's page
and an item's deliveries.

A tag, not an include: the deliveries list draws it on every row, and an include costs a template
render each time; this costs a string format."""

from django import template
from django.utils.formats import time_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext

from outlets.models import Delivery

register = template.Library()


@register.simple_tag
def delivery_state(delivery):
    if delivery.waits_for_outlet:
        state = gettext("Waiting: outlet paused")
    elif delivery.state == Delivery.State.RETRYING:
        when = time_format(localtime(delivery.next_attempt_at), "H:i") if delivery.next_attempt_at else ""
        state = gettext("Retrying at %(when)s") % {"when": when}
    else:
        state = delivery.get_state_display()
    badge = format_html(
        '<span class="badge delivery-state delivery-{}" data-testid="delivery-state">{}</span>',
        delivery.state,
        state,
    )
    if delivery.adoption == Delivery.Adoption.ADOPTED:
        return format_html(
            '{} <span class="badge text-bg-success" data-testid="adopted">{}</span>',
            badge,
            gettext("Adopted"),
        )
    if delivery.adoption == Delivery.Adoption.DECLINED:
        return format_html('{} <span class="badge text-bg-secondary">{}</span>', badge, gettext("Declined"))
    return badge
