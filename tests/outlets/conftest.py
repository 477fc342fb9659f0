import pytest

from outlets.credentials import encrypt
from outlets.models import Outlet
from outlets.receiver import Receiver
from reviews import actions
from reviews.models import Decision, ReviewStep

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def receiver():
    receiver = Receiver(SECRET).start()
    yield receiver
    receiver.stop()


def webhook_outlet(receiver, name, **fields):
    """A webhook outlet posting to `receiver`."""
    return Outlet.objects.create(
        name=name, kind=Outlet.Kind.WEBHOOK, endpoint=receiver.url, secret_encrypted=encrypt(SECRET), **fields
    )


@pytest.fixture
def webhook(receiver, db):
    return webhook_outlet(receiver, "District portal", preselected=True)


@pytest.fixture
def sign_off(people, django_capture_on_commit_callbacks):
    """Take an article through the chain; deliveries are sent (eagerly) after the commit."""

    def sign_off(article, outlets=None):
        actions.submit_for_review(article, base_version=article.version, by=article.author)
        for reviewer in ("leader", "director"):
            step = ReviewStep.objects.get(article=article, decision=Decision.PENDING)
            with django_capture_on_commit_callbacks(execute=True):
                actions.approve(step, by=people[reviewer], revision_id=step.revision_id, outlets=outlets)
        article.refresh_from_db()
        return article

    return sign_off
