"""Made-up test data is the same on every run (tests/conftest.py seeds Faker and factory_boy per test)."""

import factory
import factory.fuzzy
import factory.random


class Made(factory.DictFactory):
    name = factory.Faker("name")
    event_date = factory.Faker("date_between", start_date="-60d", end_date="today")
    word = factory.fuzzy.FuzzyText(length=12)


def test_a_test_gets_the_data_its_name_seeds(request):
    got = [Made() for _ in range(3)]

    factory.random.reseed_random(f"{request.node.path.name}::{request.node.name}")

    assert [Made() for _ in range(3)] == got
