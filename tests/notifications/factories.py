import factory
from factory.django import DjangoModelFactory

from notifications.models import Notification
from tests.factories import ArticleFactory, UserFactory


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = Notification.Kind.RETURNED
    article = factory.SubFactory(ArticleFactory)
    actor = factory.SubFactory(UserFactory, display_name="Li Hua")
    note = "Please add the date of the event."
