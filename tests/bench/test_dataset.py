"""The bench's office at scale, built small: the shape issue 14 measured, and pages that open on it."""

from django.test import Client

from accounts.models import User
from bench import dataset
from outlets.models import Adoption, Delivery, DeliveryAttempt
from reports.models import Score
from reviews.models import ReviewStep
from submissions.models import Article, Status

ITEMS = 2000


def test_the_data_set_has_the_measured_shape_and_its_landmarks_open(db):
    landmarks = dataset.build(ITEMS, log=lambda line: None)

    assert Article.objects.count() == landmarks.items == ITEMS
    assert Article.objects.values("unit").distinct().count() == 100
    assert 0.95 < Delivery.objects.count() / ITEMS < 1.15
    assert 0.40 < Adoption.objects.count() / ITEMS < 0.56
    assert DeliveryAttempt.objects.count() == Delivery.objects.count()
    assert ReviewStep.objects.pending().count() == Article.objects.filter(status=Status.IN_REVIEW).count()
    unscored = Adoption.objects.exclude(
        pk__in=Score.objects.filter(kind=Score.Kind.ADOPTION).values("adoption_id")
    )
    assert not unscored.exists()
    assert not Adoption.objects.filter(needs_scoring=True).exists()

    # the landmarks the bench measures open their pages (one build: it takes a minute)
    officer, director = Client(), Client()
    officer.force_login(User.objects.get(username=landmarks.officer))
    director.force_login(User.objects.get(username=landmarks.director))

    assert officer.get(f"/submissions/{landmarks.article_id}/").status_code == 200
    assert officer.get("/submissions/").status_code == 200
    assert director.get("/outlets/deliveries/").status_code == 200
    assert dataset.Landmarks.find() == landmarks
