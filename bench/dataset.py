"""The office at scale for the page benchmarks: 100 units, five years of items, ~1.05 deliveries and
~0.48 adoptions per item, their points, in the shape issue 14 measured.

`build(items)` fills an empty, migrated database. On PostgreSQL the big tables are written with COPY
(psycopg 3), a chunk of items at a time with foreign-key triggers off (the rows are made consistent
here); elsewhere with bulk_create. Afterwards the derived tables are rebuilt and the tables analysed.
What the pages need to know about the data (who to sign in as, which item to open) is returned as a
`Landmarks` and can be found again in a kept database (`Landmarks.find`).
"""

import datetime
import json
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Role, RoleAssignment, Unit, UnitClass, User
from outlets.models import Adoption, Delivery, DeliveryAttempt, Outlet
from reports import actions as reports_actions
from reports import demo, tallies
from reports.models import Score, ScoreRule
from reports.periods import month_start
from reviews.models import Decision, ReviewChain, ReviewRun, ReviewStage, ReviewStep
from submissions.models import Article, Category, Revision, Status

UNITS = {"Class 1": 80, "Class 2": 20}
YEARS = 5
CHUNK = 50_000
OUTLETS_PER_LEVEL = 2
# Of all items; what is left is signed off (approved).
STATUSES = {
    Status.DRAFT: 0.03,
    Status.IN_REVIEW: 0.025,
    Status.RETURNED: 0.01,
    Status.REJECTED: 0.04,
    Status.WITHDRAWN: 0.015,
}
SECOND_DELIVERY = 0.193  # of signed-off items: 0.88 x 1.193 ≈ 1.05 deliveries per item
ADOPTED = 0.5  # of signed-off items: 0.44 per item …
SECOND_ADOPTION = 0.09  # … and 9% of those twice: ≈ 0.48 adoptions per item
CO_UNIT = 0.05
WORDS = [
    "school",
    "campus",
    "teacher",
    "students",
    "reading",
    "library",
    "science",
    "robotics",
    "football",
    "concert",
    "exam",
    "parents",
    "volunteer",
    "safety",
    "fire",
    "drill",
    "garden",
    "lunch",
    "health",
    "sports",
    "festival",
    "art",
    "music",
    "poetry",
    "chess",
    "debate",
    "history",
    "museum",
    "visit",
    "county",
    "city",
    "province",
    "award",
    "ceremony",
    "spring",
    "autumn",
    "winter",
    "summer",
    "training",
    "workshop",
    "seminar",
    "lecture",
    "research",
    "project",
    "mathematics",
    "physics",
    "chemistry",
    "biology",
    "english",
    "chinese",
    "calligraphy",
    "painting",
    "dance",
    "choir",
    "orchestra",
    "marathon",
    "relay",
    "swimming",
    "basketball",
    "volleyball",
    "tennis",
    "graduation",
    "opening",
    "assembly",
    "flag",
    "anniversary",
    "charity",
    "donation",
    "environment",
    "recycling",
    "water",
    "energy",
    "computer",
    "coding",
    "internet",
    "ethics",
    "heritage",
    "village",
    "rural",
    "exchange",
    "partnership",
    "delegation",
    "inspection",
]
SEARCHED = "calligraphy"  # in ~2.5% of titles and more bodies
BIG_MODELS = [
    Article,
    Article.co_units.through,
    Revision,
    ReviewRun,
    ReviewStep,
    Delivery,
    DeliveryAttempt,
    Adoption,
    Score,
]
# The draft bench/web_memory.py uploads photos to, the same one every run: not one of the data set's items.
UPLOAD_DRAFT = uuid.UUID("00000000-0000-4000-8000-00000000b001")
PASSWORD = "bench-password-1"  # the admin's; the gunicorn bench gives it to whom it signs in as
BENCH_DIRECTOR = "bench-director"


@dataclass(frozen=True)
class Landmarks:
    """Who and what the pages are opened with: the busiest unit's officer and leader, one of its
    signed-off items with deliveries and an adoption, and the office director and an admin."""

    items: int
    unit_id: int
    unit_items: int
    officer: str
    leader: str
    director: str
    admin: str
    article_id: int

    @classmethod
    def find(cls):
        """The landmarks of a database `build` filled, or None when it holds none."""
        if not User.objects.filter(username=BENCH_DIRECTOR).exists():
            return None
        busiest = Article.objects.values("unit_id").annotate(n=Count("pk")).order_by("-n", "unit_id").first()
        if busiest is None:
            return None
        unit_id = busiest["unit_id"]
        article = (
            Article.objects.filter(unit_id=unit_id, status=Status.APPROVED)
            .annotate(
                deliveries_n=Count("deliveries", distinct=True), adoptions_n=Count("adoptions", distinct=True)
            )
            .filter(deliveries_n__gte=2, adoptions_n__gte=1)
            .order_by("-signed_off_at")
            .values_list("pk", flat=True)
            .first()
        )
        order = Unit.objects.get(pk=unit_id).order
        return cls(
            items=Article.objects.exclude(client_key=UPLOAD_DRAFT).count(),
            unit_id=unit_id,
            unit_items=busiest["n"],
            officer=f"bench-officer-{order}",
            leader=f"bench-leader-{order}",
            director=BENCH_DIRECTOR,
            admin="bench-admin",
            article_id=article,
        )


def build(items, *, seed=1, log=print):
    """Fill an empty database with `items` items and all that hangs off them; returns the Landmarks."""
    rng = random.Random(seed)
    office = _Office.make()
    started = timezone.now()
    shape = _Shape(rng, office, items, now=started)
    with _bulk_load():
        for first in range(0, items, CHUNK):
            with transaction.atomic():
                for model, rows in shape.chunk(first, min(first + CHUNK, items)):
                    write(model, rows)
            log(f"   … {min(first + CHUNK, items):,} items written")
    _reset_sequences()
    rebuild_derived(log)
    analyze()
    return Landmarks.find()


def rebuild_derived(log=print):
    """Rebuild what is derived from the raw rows, as the app's own jobs would."""
    log("   … deductions for missed minimums (reports.actions.score_all_minimums)")
    reports_actions.score_all_minimums()
    log("   … the kept figures per unit, officer and period (reports.tallies.rebuild)")
    tallies.rebuild()


def analyze():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Writing rows ---------------------------------------------------------------------------------


def write(model, rows):
    """Insert `rows` (dicts by attribute name; a field left out takes its default): COPY on
    PostgreSQL, one executemany elsewhere (bulk_create spends most of its time making SQL)."""
    fields = model._meta.concrete_fields
    makers = [_value_maker(f) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            values = ", ".join(["%s"] * len(fields))
            prepared = (
                [f.get_db_prep_save(make(row), connection) for f, make in zip(fields, makers, strict=True)]
                for row in rows
            )
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({values})", prepared)
            return
        raw = getattr(cursor, "cursor", cursor)  # under the debug wrapper, psycopg's own cursor
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([make(row) for make in makers])


def _value_maker(field):
    name = field.attname
    as_text = field.get_internal_type() == "JSONField" and connection.vendor == "postgresql"
    if field.has_default() and callable(field.default):
        default = field.default  # uuid4, timezone.now, list, dict: one call per row
    else:
        constant = field.get_default() if field.has_default() else (None if field.null else _blank(field))
        default = lambda: constant  # noqa: E731
    if as_text:  # COPY takes JSON as its text
        return lambda row: json.dumps(row[name] if name in row else default())
    return lambda row: row[name] if name in row else default()


def _blank(field):
    return "" if field.get_internal_type() in {"CharField", "TextField", "URLField", "SlugField"} else None


class _bulk_load:
    """On PostgreSQL: no foreign-key triggers while loading (the rows are consistent by
    construction), so that COPY does not queue a check per row; and the big tables' secondary
    indexes dropped and made again afterwards, which is much faster than keeping them up to date."""

    def __enter__(self):
        self.indexes = []
        if connection.vendor != "postgresql":
            return
        tables = [m._meta.db_table for m in BIG_MODELS]
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
                [tables],
            )
            self.indexes = cursor.fetchall()
            for name, _ in self.indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")

    def __exit__(self, *exc):
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in self.indexes:
                cursor.execute(definition)


def _reset_sequences():
    statements = connection.ops.sequence_reset_sql(no_style(), BIG_MODELS)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _next_id(model):
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


# --- The office -----------------------------------------------------------------------------------


@dataclass
class _Office:
    units: list
    officers: dict  # unit id -> officer id
    director: User
    category_ids: list
    outlets: list
    stages: list
    chain: ReviewChain
    rules: dict  # level -> ScoreRule

    @classmethod
    def make(cls):
        demo.seed_scoring()  # rules per outlet level, bonuses, minimums per class, deductions
        office = Unit.objects.create(name="Bench office")
        classes = [UnitClass.objects.get(name_en=name) for name, count in UNITS.items() for _ in range(count)]
        units = Unit.objects.bulk_create(
            Unit(name=f"School {n}", parent=office, unit_class=unit_class, order=n)
            for n, unit_class in enumerate(classes)
        )
        people = User.objects.bulk_create(
            [User(username=f"bench-{role}-{n}") for n in range(len(units)) for role in ("officer", "leader")]
        )
        officers, leaders = people[0::2], people[1::2]
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=o, role=Role.LIAISON_OFFICER, unit=u)
                for o, u in zip(officers, units, strict=True)
            ]
            + [
                RoleAssignment(user=leader, role=Role.LEADER_IN_CHARGE, unit=u)
                for leader, u in zip(leaders, units, strict=True)
            ]
        )
        director = User.objects.create(username=BENCH_DIRECTOR)
        RoleAssignment.objects.create(user=director, role=Role.OFFICE_DIRECTOR, unit=office)
        User.objects.create_superuser("bench-admin", "admin@bench.invalid", PASSWORD)
        categories = [
            Category.objects.get_or_create(name=f"Bench {w}")[0].pk for w in ("news", "notice", "story")
        ]
        outlets = [
            Outlet.objects.create(name=f"Bench {level} {n}", kind=Outlet.Kind.ATOM, level=level)
            for level in Outlet.Level.values
            for n in range(OUTLETS_PER_LEVEL)
        ]
        chain = ReviewChain.objects.create(name="Bench chain", is_default=True)
        stages = [
            ReviewStage.objects.create(
                chain=chain, order=1, name="Leader", reviewer_role=Role.LEADER_IN_CHARGE
            ),
            ReviewStage.objects.create(
                chain=chain, order=2, name="Director", reviewer_role=Role.OFFICE_DIRECTOR
            ),
        ]
        rules = {r.level: r for r in ScoreRule.objects.filter(outlet=None, category=None)}
        officer_of = {u.pk: o.pk for u, o in zip(units, officers, strict=True)}
        return cls(units, officer_of, director, categories, outlets, stages, chain, rules)


# --- The rows -------------------------------------------------------------------------------------


class _Shape:
    """Makes the rows of a range of items and of everything that hangs off them."""

    def __init__(self, rng, office, items, *, now):
        self.rng, self.office, self.now = rng, office, now
        self.today = timezone.localdate(now)
        self.span = datetime.timedelta(days=365 * YEARS).total_seconds()
        self.weights = [rng.uniform(0.3, 1.7) for _ in office.units]
        self.unit_ids = [u.pk for u in office.units]
        self.ids = {m: _next_id(m) for m in (Article, Delivery, Adoption, Score)}
        self.co_id = _next_id(Article.co_units.through)
        self.article_base = self.ids[Article]
        self.statuses = [*STATUSES, Status.APPROVED]
        self.status_weights = [*STATUSES.values(), 1 - sum(STATUSES.values())]

    def chunk(self, first, last):
        """[(model, rows)] for items first..last-1, in an order foreign keys allow."""
        rng = self.rng
        units = rng.choices(self.unit_ids, self.weights, k=last - first)
        statuses = rng.choices(self.statuses, self.status_weights, k=last - first)
        articles = [
            self._article(n, u, s) for n, u, s in zip(range(first, last), units, statuses, strict=True)
        ]
        submitted = [a for a in articles if a["submitted_at"]]
        signed_off = [a for a in articles if a["signed_off_at"]]
        deliveries = [d for a in signed_off for d in self._deliveries(a)]
        adoptions = [x for a in signed_off for x in self._adoptions(a, deliveries_of=a.pop("_outlets"))]
        co_units = [self._co_unit(a) for a in submitted if rng.random() < CO_UNIT]
        scores = [s for x in adoptions for s in self._scores(x)]
        return [
            (Article, articles),
            (Revision, [self._revision(a) for a in submitted]),
            (ReviewRun, [self._run(a) for a in submitted]),
            (ReviewStep, [self._step(a) for a in submitted]),
            (Delivery, deliveries),
            (DeliveryAttempt, [self._attempt(d) for d in deliveries]),
            (Adoption, adoptions),
            (Article.co_units.through, co_units),
            (Score, scores),
        ]

    def _article(self, n, unit_id, status):
        rng = self.rng
        if status == Status.IN_REVIEW:  # waiting now: submitted in the last three weeks
            submitted_at = self.now - datetime.timedelta(seconds=rng.uniform(600, 21 * 86400))
        else:
            submitted_at = self.now - datetime.timedelta(seconds=rng.uniform(3 * 86400, self.span))
        created_at = submitted_at - datetime.timedelta(hours=rng.uniform(1, 72))
        signed_off_at = None
        if status == Status.APPROVED:
            signed_off_at = submitted_at + datetime.timedelta(hours=rng.uniform(1, 48))
        title = f"{' '.join(rng.choices(WORDS, k=5)).capitalize()} ({n})"
        body = "<p>" + " ".join(rng.choices(WORDS, k=40)) + ".</p>"
        return {
            "id": self.article_base + n,
            "unit_id": unit_id,
            "author_id": self.office.officers[unit_id],
            "last_editor_id": self.office.officers[unit_id],
            "title": title,
            "body": body,
            "body_length": len(body) - 7,
            "category_id": rng.choice(self.office.category_ids),
            "event_date": created_at.date(),
            "status": status,
            "created_at": created_at,
            "updated_at": signed_off_at or (created_at if status == Status.DRAFT else submitted_at),
            "submitted_at": None if status == Status.DRAFT else submitted_at,
            "signed_off_at": signed_off_at,
            "_outlets": [],
        }

    def _revision(self, article):
        return {
            "id": article["id"],
            "article_id": article["id"],
            "number": 1,
            "title": article["title"],
            "body": article["body"],
            "photos": [],
            "content_hash": "bench",
            "created_by_id": article["author_id"],
            "created_at": article["submitted_at"],
        }

    def _run(self, article):
        state = {
            Status.APPROVED: ReviewRun.State.SIGNED_OFF,
            Status.REJECTED: ReviewRun.State.REJECTED,
            Status.WITHDRAWN: ReviewRun.State.WITHDRAWN,
        }.get(article["status"], ReviewRun.State.ACTIVE)
        return {
            "id": article["id"],
            "article_id": article["id"],
            "chain_id": self.office.chain.pk,
            "route": [s.pk for s in self.office.stages],
            "state": state,
            "started_at": article["submitted_at"],
            "finished_at": article["signed_off_at"],
        }

    def _step(self, article):
        """The run's last step: waiting (at either stage) or how it ended."""
        status, leader, director = article["status"], *self.office.stages
        decision = {
            Status.IN_REVIEW: Decision.PENDING,
            Status.APPROVED: Decision.APPROVED,
            Status.RETURNED: Decision.RETURNED,
            Status.REJECTED: Decision.REJECTED,
            Status.WITHDRAWN: Decision.CANCELLED,
        }[status]
        stage = (leader if article["id"] % 2 else director) if status == Status.IN_REVIEW else director
        at = article["submitted_at"]
        decided = None if decision == Decision.PENDING else at + datetime.timedelta(hours=1)
        return {
            "id": article["id"],
            "run_id": article["id"],
            "article_id": article["id"],
            "unit_id": article["unit_id"],
            "stage_id": stage.pk,
            "position": self.office.stages.index(stage),
            "revision_id": article["id"],
            "decision": decision,
            "reviewer_id": None if decided is None else self.office.director.pk,
            "created_at": at,
            "due_at": at + datetime.timedelta(hours=24),
            "decided_at": decided,
        }

    def _deliveries(self, article):
        count = 2 if self.rng.random() < SECOND_DELIVERY else 1
        outlets = self.rng.sample(self.office.outlets, count)
        article["_outlets"] = outlets
        delivered_at = article["signed_off_at"] + datetime.timedelta(minutes=5)
        for outlet in outlets:
            self.ids[Delivery] += 1
            yield {
                "id": self.ids[Delivery] - 1,
                "article_id": article["id"],
                "revision_id": article["id"],
                "outlet_id": outlet.pk,
                "state": Delivery.State.DELIVERED,
                "attempts": 1,
                "next_attempt_at": article["signed_off_at"],
                "created_by_id": self.office.director.pk,
                "created_at": article["signed_off_at"],
                "delivered_at": delivered_at,
                "remote_media": {},
            }

    def _attempt(self, delivery):
        """The one attempt that delivered it."""
        return {
            "id": delivery["id"],
            "delivery_id": delivery["id"],
            "number": 1,
            "started_at": delivery["delivered_at"] - datetime.timedelta(seconds=1),
            "finished_at": delivery["delivered_at"],
            "outcome": DeliveryAttempt.Outcome.DELIVERED,
            "requests": [],
            "latency_ms": 120,
        }

    def _adoptions(self, article, deliveries_of):
        rng = self.rng
        if rng.random() >= ADOPTED:
            return
        count = 2 if rng.random() < SECOND_ADOPTION else 1
        outlets = list(deliveries_of)
        others = [o for o in self.office.outlets if o not in outlets]
        outlets = (outlets + rng.sample(others, 2))[:count]
        for outlet in outlets:
            published = timezone.localdate(article["signed_off_at"]) + datetime.timedelta(
                days=rng.randint(1, 10)
            )
            self.ids[Adoption] += 1
            yield {
                "id": self.ids[Adoption] - 1,
                "article_id": article["id"],
                "outlet_id": outlet.pk,
                "level": outlet.level,
                "adopted_on": min(published, self.today),
                "source": Adoption.Source.OFFICE,
                "recorded_by_id": self.office.director.pk,
                "created_at": article["signed_off_at"] + datetime.timedelta(days=1),
                "needs_scoring": False,  # scored below, as reports.scoring would
                "_article": article,
            }

    def _co_unit(self, article):
        others = [u for u in self.unit_ids if u != article["unit_id"]]
        unit_id = self.rng.choice(others)
        article.setdefault("_co_units", []).append(unit_id)
        self.co_id += 1
        return {"id": self.co_id - 1, "article_id": article["id"], "unit_id": unit_id}

    def _scores(self, adoption):
        """The ledger lines reports.scoring writes for an adoption under the demo rules (every
        adoption counts; no instructions or topics here)."""
        article = adoption.pop("_article")
        rule = self.office.rules.get(adoption["level"])
        month = month_start(adoption["adopted_on"])
        common = {
            "month": month,
            "article_id": article["id"],
            "adoption_id": adoption["id"],
            "rule_id": rule and rule.pk,
        }
        lines = [
            common
            | {
                "unit_id": article["unit_id"],
                "officer_id": article["author_id"],
                "kind": Score.Kind.ADOPTION,
                "points": rule.main_points if rule else Decimal(0),
            }
        ]
        for unit_id in article.get("_co_units", []):
            lines.append(
                common
                | {
                    "unit_id": unit_id,
                    "officer_id": None,
                    "kind": Score.Kind.CO_ADOPTION,
                    "points": rule.co_points if rule else Decimal(0),
                }
            )
        for line in lines:
            line["id"] = self.ids[Score]
            self.ids[Score] += 1
        return lines
