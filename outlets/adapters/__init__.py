"""One adapter per outlet kind. Each sends a delivery and, where the outlet can be asked, finds a
delivery that may have been sent already (reconcile) and reports its adoption."""

from .base import Adapter, DeliveryError, LeaseLost, Recorder, Sent


def _registry():
    from . import atom, email, webhook, wordpress

    return {
        "wordpress": wordpress.WordPressAdapter,
        "webhook": webhook.WebhookAdapter,
        "email": email.EmailAdapter,
        "atom": atom.AtomAdapter,
    }


def adapter_for(outlet):
    return _registry()[outlet.kind](outlet)


def resend_safe_kinds():
    """The outlet kinds that recognise a repeat by the delivery's key: sending again is harmless."""
    return sorted(kind for kind, adapter in _registry().items() if adapter.resend_is_safe)


__all__ = ["Adapter", "DeliveryError", "LeaseLost", "Recorder", "Sent", "adapter_for", "resend_safe_kinds"]
