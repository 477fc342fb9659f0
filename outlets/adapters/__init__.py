"""One adapter per outlet kind. Each sends a delivery and, where the outlet can be asked, finds a
delivery that may have been sent already (reconcile) and reports its adoption."""

from .base import Adapter, DeliveryError, LeaseLost, Recorder, Sent


def adapter_for(outlet):
    from . import atom, email, webhook, wordpress

    registry = {
        "wordpress": wordpress.WordPressAdapter,
        "webhook": webhook.WebhookAdapter,
        "email": email.EmailAdapter,
        "atom": atom.AtomAdapter,
    }
    return registry[outlet.kind](outlet)


__all__ = ["Adapter", "DeliveryError", "LeaseLost", "Recorder", "Sent", "adapter_for"]
