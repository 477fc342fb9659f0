"""The demo assessment: scoring rules, monthly minimums, five more schools with their people, outlets the
office records adoptions for by hand, and a year of history — a few hundred items reviewed, signed off
and adopted — so the dashboard, rankings and bulletins have something to show.

Safe to run again: it changes nothing that exists, and the history is written once.
"""

import hashlib
import json
import random
import uuid
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import cache, partial

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, OFFICE, PRIMARY, SCHOOL, TOWN
from accounts.models import Role, RoleAssignment, Unit, UnitClass, User
from outlets.models import Adoption, Delivery, Outlet
from reviews.models import Decision, ReviewChain, ReviewRun, ReviewStage, ReviewStep
from submissions.content import text_length
from submissions.models import Article, Category, Event, Revision, Status

from . import actions, scoring
from .models import AnnualTarget, InstructionBonus, Quota, ScoreRule, ScoringPolicy
from .periods import add_months, month_start

Level = Outlet.Level

# level -> (points for the main unit, for each co-contributing unit)
RULES = {
    Level.SCHOOL: (1, Decimal("0.5")),
    Level.COUNTY: (2, 1),
    Level.CITY: (4, 2),
    Level.PROVINCE: (8, 4),
    Level.NATIONAL: (16, 8),
}
BONUSES = {Level.COUNTY: 2, Level.CITY: 4, Level.PROVINCE: 8, Level.NATIONAL: 16}
# unit class -> (minimum submitted, minimum adopted) a month
QUOTAS = {"Class 1": (2, 1), "Class 2": (1, 0)}
MISSED_SUBMITTED_DEDUCTION = 1

NO2 = "Shawan No. 2 Middle School"
VOCATIONAL = "Shawan Vocational High School"
BINHE = "Shawan Binhe Primary School"
TAIPING = "Taiping Town Central School"
FUXI = "Fuxi Town School"

# unit name -> (unit class, order)
MORE_UNITS = {
    NO2: ("Class 1", 4),
    VOCATIONAL: ("Class 1", 5),
    BINHE: ("Class 1", 6),
    TAIPING: ("Class 2", 7),
    FUXI: ("Class 2", 8),
}
# unit name -> its liaison officer and its leader in charge: username, display name
MORE_PEOPLE = {
    TOWN: ("officer3", "Sun Li", "leader3", "He Ping"),
    NO2: ("officer4", "Zhou Jie", "leader4", "Gao Yan"),
    VOCATIONAL: ("officer5", "Wu Lei", "leader5", "Luo Qiang"),
    BINHE: ("officer6", "Zheng Hui", "leader6", "Tang Min"),
    TAIPING: ("officer7", "Feng Xia", "leader7", "Xu Gang"),
    FUXI: ("officer8", "Huang Tao", "leader8", "Deng Lan"),
}

# Outlets whose own editors pick items: nothing is sent to them, the office records their adoptions.
# name -> (level, how often it adopts relative to the others)
HAND_OUTLETS = {
    "District education portal": (Level.COUNTY, 35),
    "Shawan Daily": (Level.CITY, 20),
    "Provincial Education News": (Level.PROVINCE, 10),
    "China Education Daily": (Level.NATIONAL, 5),
}
CAMPUS_FEED, CAMPUS_FEED_WEIGHT = "Campus news feed", 30  # the feed from outlets/demo.py adopts too
NEWSPAPERS = {"Shawan Daily", "Provincial Education News", "China Education Daily"}

# unit name -> (items a month, share of signed-off items adopted, annual target: submitted, adopted,
# points). Strong, middling and weak units, so rankings and bulletins have shape.
HISTORY = {
    SCHOOL: (6.0, 0.6, (60, 30, 110)),
    PRIMARY: (4.5, 0.55, (48, 24, 80)),
    TOWN: (1.6, 0.4, (15, 6, 18)),
    NO2: (5.0, 0.6, (54, 28, 95)),
    VOCATIONAL: (3.0, 0.45, (36, 15, 45)),
    BINHE: (1.4, 0.3, (30, 12, 36)),  # weak: often below its minimum of 2
    TAIPING: (2.0, 0.45, (18, 8, 24)),
    FUXI: (1.2, 0.35, (12, 4, 12)),
}
QUIET_MONTH = (FUXI, 5)  # (unit, months ago): not one item submitted
IN_REVIEW = 3  # the latest items still wait for a decision
SEED = 2026
HISTORY_KEYS = uuid.UUID("6f0d2a8e-3b1c-4c55-9a4e-0d6c2b7f1e90")  # namespace of the items' client keys
BATCH = 500


def seed():
    """Create what is missing; return a one-line summary."""
    seed_scoring()
    units = seed_units()
    outlets = seed_outlets()
    written = seed_history(units, outlets)
    return (
        f"scoring rules, minimums and targets for {len(units)} units, {len(HAND_OUTLETS)} outlets "
        f"adopted by hand, {written} new history items"
    )


def seed_scoring():
    ScoringPolicy.objects.get_or_create(
        pk=1,
        defaults={
            "multi_outlet": ScoringPolicy.MultiOutlet.EVERY,
            "missed_submitted_deduction": MISSED_SUBMITTED_DEDUCTION,
        },
    )
    for level, (main, co) in RULES.items():
        ScoreRule.objects.get_or_create(
            level=level, outlet=None, category=None, defaults={"main_points": main, "co_points": co}
        )
    for level, points in BONUSES.items():
        InstructionBonus.objects.get_or_create(level=level, defaults={"points": points})
    for class_name, (submitted, adopted) in QUOTAS.items():
        unit_class, _ = UnitClass.objects.get_or_create(
            name=class_name, defaults={"order": int(class_name.split()[-1])}
        )
        Quota.objects.get_or_create(
            unit_class=unit_class, month=None, defaults={"min_submitted": submitted, "min_adopted": adopted}
        )


def seed_units():
    """Five more schools; a liaison officer and a leader in charge for them and the town school; every
    demo unit's annual targets for last year and this year. Returns the demo units by name."""
    office = Unit.objects.get(name=OFFICE, parent=None)
    for name, (class_name, order) in MORE_UNITS.items():
        Unit.objects.get_or_create(
            name=name,
            parent=office,
            defaults={"unit_class": UnitClass.objects.get(name=class_name), "order": order},
        )
    units = {unit.name: unit for unit in Unit.objects.filter(parent=office, name__in=HISTORY)}
    for unit_name, (officer, officer_name, leader, leader_name) in MORE_PEOPLE.items():
        for username, display_name, role in [
            (officer, officer_name, Role.LIAISON_OFFICER),
            (leader, leader_name, Role.LEADER_IN_CHARGE),
        ]:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "display_name": display_name,
                    "email": f"{username}@shawan.example.org",
                    "password": _demo_password,
                },
            )
            RoleAssignment.objects.get_or_create(user=user, role=role, unit=units[unit_name])
    this_year = timezone.localdate().year
    for name, (_per_month, _share, (submitted, adopted, points)) in HISTORY.items():
        for year in (this_year - 1, this_year):
            AnnualTarget.objects.get_or_create(
                unit=units[name],
                year=year,
                defaults={"submitted": submitted, "adopted": adopted, "points": points},
            )
    return units


@cache
def _demo_password():
    return make_password(DEMO_PASSWORD)  # hashed once, and only if someone is new: it takes 0.3 s


def seed_outlets():
    """Outlets adopted by hand: Atom feeds never preselected, so nothing is sent to them. Returns the
    outlets that adopt history items, by name."""
    outlets = {}
    for name, (level, _weight) in HAND_OUTLETS.items():
        outlets[name], _ = Outlet.objects.get_or_create(
            name=name, defaults={"kind": Outlet.Kind.ATOM, "level": level, "preselected": False}
        )
    outlets.update({o.name: o for o in Outlet.objects.filter(name=CAMPUS_FEED)})
    return outlets


# --- History ------------------------------------------------------------------------------------

# One topic per two lines: "months it fits (* for any) | category | title", then the body.
TOPICS = """
* | Activity | {unit} holds a class meeting on road safety
Class teachers walked pupils through their routes to school and the crossings to watch.
* | News | Teachers of {unit} open their classrooms to their colleagues
Twelve teachers gave open lessons this week, followed by a discussion in each subject group.
* | Activity | {unit} runs a fire drill for the whole school
Every pupil was out in under three minutes; firefighters showed how to use an extinguisher.
* | News | Parents sit in on lessons at the open day of {unit}
More than 300 parents visited classrooms and talked with teachers about their children's progress.
* | News | Pupils of {unit} win prizes at the district calligraphy contest
Five pupils won first or second prizes; their works will be shown at the district library.
* | Activity | Mental health week: counsellors meet every class
The counsellors held group talks on stress before examinations and opened a letter box.
* | News | Young teachers compete in a teaching skills contest
Eighteen teachers under 35 gave a 15-minute lesson each, judged by the district's subject advisers.
* | Activity | {unit} starts an after-school football club
Forty pupils from Grades 4 to 8 train twice a week with a coach from the district sports school.
* | News | Teachers visit the families of left-behind children
Each class teacher visited at least three families to talk about study, health and safety at home.
* | Notice | Opening hours of the new reading room
The reading room is open from 7:30 to 17:30 on school days; each class has one period a week there.
* | Policy & research | Research group reports on the homework load in Grade 8
A survey of 420 pupils shows homework time fell to 82 minutes a day after the new plan.
* | Policy & research | {unit} discusses the district's plan to ease pupils' burden
The staff meeting agreed on homework limits per grade and a weekly check by the year heads.
* | News | Food safety inspection in the school canteen
Inspectors checked storage, sample keeping and staff health certificates; all was in order.
* | Activity | Volunteers of {unit} clean up the riverbank
Pupils and teachers collected rubbish along two kilometres of the Dadu River on Saturday.
* | Activity | Science and technology week at {unit}
Pupils built model rockets and water filters, and a researcher talked about the Chang'e missions.
* | Activity | English speech contest for Grades 7 to 9
Twenty-four pupils spoke on "My hometown"; the winners go on to the district final.
* | Notice | Timetable of the mid-term examinations
The examinations take two days; parents are asked to make sure pupils rest well.
9 | News | {unit} welcomes its new pupils at the opening ceremony
The headteacher asked the new pupils to read widely, keep fit and look after one another.
9 | Activity | Teachers' Day: pupils thank their teachers
Every class made cards, and the school honoured eight teachers with thirty years of service.
10 | Activity | National Day: pupils sing for the motherland
Each grade sang two songs at the flag-raising ceremony before the holiday.
10 11 | News | {unit} holds its autumn sports meet
More than a thousand pupils took part in 28 events over two days.
11 | Activity | Fire safety month: firefighters visit {unit}
Firefighters explained how fires start at home and let pupils try a fire blanket.
12 1 | Activity | New Year art performance at {unit}
Dances, a choir and a short play from every grade filled the afternoon before the holiday.
1 2 | Notice | Winter holiday safety letter to parents
The letter reminds parents about fireworks, road safety and a daily reading time.
2 3 | News | Spring term begins with a safety check of every building
The school checked classrooms, wiring and fire exits before pupils returned.
3 | Activity | Learning from Lei Feng: pupils volunteer in the community
Pupils helped at the town's home for the elderly and tidied the streets around the school.
3 | Activity | Arbor Day: pupils plant trees on the school grounds
Each class planted and named a tree and will look after it until they leave the school.
4 | Activity | Qingming: pupils honour the revolutionary martyrs
Pupils laid flowers at the martyrs' cemetery and listened to a veteran's story.
4 | Activity | World Book Day: a week of reading at {unit}
Classes swapped books, and parents came in to read aloud to the younger pupils.
5 | News | May Fourth: new Youth League members take the oath
Thirty-six pupils joined the Communist Youth League at a ceremony in the school hall.
5 6 | Activity | Labour education: pupils tend the school garden
Each class grows vegetables on its own plot and keeps a diary of the work.
6 | Activity | Children's Day celebrations at {unit}
Pupils performed and played games, and the best Young Pioneers were commended.
6 | Activity | Dragon Boat Festival: pupils learn to make zongzi
Grandparents showed pupils how to wrap zongzi and told the story of Qu Yuan.
5 6 7 | Notice | Drowning prevention: a letter to every family
Parents are asked to keep children away from rivers and ponds unless an adult is with them.
7 | News | {unit} holds its graduation ceremony
Graduates thanked their teachers and planted a tree for their year.
7 8 | News | Teachers of {unit} attend summer training
Teachers spent a week on classroom practice and the new curriculum standards.
"""
RETURN_REASONS = [
    "Please add how many pupils took part.",
    "Name the teachers in charge and add the date.",
    "The second paragraph repeats the first; shorten it.",
]
REJECT_REASONS = [
    "An internal matter: not for the outlets.",
    "The same event was reported last week.",
]
INSTRUCTIONS = {
    Level.COUNTY: ("Director of the District Education Bureau", "Good practice: share it with every school."),
    Level.CITY: ("Deputy Mayor for Education", "Well done. The city's schools should learn from this."),
    Level.PROVINCE: ("Provincial Department of Education", "A model worth promoting across the province."),
    Level.NATIONAL: ("Ministry of Education", "An example of easing pupils' burden in practice."),
}
# (share of items, how their route ends early, the comment); the others are signed off
EARLY_ENDS = [
    (0.05, Decision.REJECTED, REJECT_REASONS),
    (0.04, Decision.RETURNED, RETURN_REASONS),
    (0.05, Decision.CANCELLED, [""]),  # withdrawn by the author while in review
]
# how a route ends -> the item's status; the last stage's approval signs it off
ENDS = {
    Decision.REJECTED: Status.REJECTED,
    Decision.RETURNED: Status.RETURNED,
    Decision.CANCELLED: Status.WITHDRAWN,
}
DECIDED = {
    Decision.APPROVED: Event.Kind.APPROVED,
    Decision.RETURNED: Event.Kind.RETURNED,
    Decision.REJECTED: Event.Kind.REJECTED,
}


@dataclass(frozen=True)
class Topic:
    months: frozenset  # empty: any month
    category: str
    title: str
    body: str


@dataclass
class Cast:
    """Who and what the history is made of, looked up once."""

    units: dict  # name -> Unit
    officers: dict  # unit id -> User
    reviewers: list  # per stage of the route: unit id -> User
    stages: list
    chain: ReviewChain
    director: User
    categories: dict  # name -> Category
    outlets: list
    weights: list
    topics: list
    pushed_to: list  # the outlets signed-off items are delivered to (the preselected ones)


@dataclass
class Story:
    """One history item and what happened to it, before it is written."""

    article: Article
    created_at: datetime
    steps: list = field(default_factory=list)  # ReviewStep (unsaved, no run or revision yet)
    adoptions: list = field(default_factory=list)  # Adoption (unsaved)
    co_unit: Unit = None
    ended_at: datetime = None


def seed_history(units, outlets):
    """The twelve months before today and this month so far. Written once: returns 0 if it exists."""
    cast = _cast(units, outlets)
    stories = _plan(random.Random(SEED), cast, timezone.localdate(), timezone.now())
    if Article.objects.filter(client_key__in=[s.article.client_key for s in stories]).exists():
        return 0
    with transaction.atomic():
        _write(stories, cast)
        scoring.score_pending()
        actions.score_all_minimums()
    return len(stories)


def _cast(units, outlets):
    chain = ReviewChain.objects.get(is_default=True)
    stages = [s for s in chain.stages.all() if s.applies == ReviewStage.Applies.ALWAYS]
    holders = {}
    for assignment in RoleAssignment.objects.select_related("user").order_by("pk"):
        holders.setdefault((assignment.role, assignment.unit_id), assignment.user)
    office = Unit.objects.get(name=OFFICE, parent=None)

    def holder(role, unit):
        return holders.get((role, unit.pk)) or holders.get((role, office.pk))

    return Cast(
        units=units,
        officers={u.pk: holder(Role.LIAISON_OFFICER, u) for u in units.values()},
        reviewers=[{u.pk: holder(s.reviewer_role, u) for u in units.values()} for s in stages],
        stages=stages,
        chain=chain,
        director=holder(Role.OFFICE_DIRECTOR, office),
        categories={c.name: c for c in Category.objects.all()},
        outlets=list(outlets.values()),
        weights=[HAND_OUTLETS.get(name, (None, CAMPUS_FEED_WEIGHT))[1] for name in outlets],
        topics=_topics(TOPICS),
        pushed_to=list(Outlet.objects.filter(preselected=True).order_by("pk")),
    )


def _plan(rng, cast, today, now):
    stories = []
    this_month = month_start(today)
    for months_ago in range(12, -1, -1):
        month = add_months(this_month, -months_ago)
        length = monthrange(month.year, month.month)[1]
        last_day = today.day if months_ago == 0 else length
        for name, (per_month, share_adopted, _target) in HISTORY.items():
            expected = 0 if (name, months_ago) == QUIET_MONTH else per_month * last_day / length
            for _ in range(int(expected * rng.uniform(0.6, 1.4) + rng.random())):
                day = month.replace(day=rng.randint(1, last_day))
                stories.append(_story(rng, cast, cast.units[name], day, share_adopted, now))
    stories = sorted(
        (s for s in stories if s.article.submitted_at < now), key=lambda s: s.article.submitted_at
    )
    for n, story in enumerate(stories[-IN_REVIEW:]):
        _leave_waiting(story, position=n % len(cast.stages))
    for n, story in enumerate(stories):
        story.article.client_key = uuid.uuid5(HISTORY_KEYS, str(n))
    return stories


def _story(rng, cast, unit, day, share_adopted, now):
    topic = rng.choice([t for t in cast.topics if not t.months or day.month in t.months])
    author = cast.officers[unit.pk]
    submitted_at = _at(day, rng.randint(8, 17), rng.randint(0, 59))
    article = Article(
        unit=unit,
        author=author,
        last_editor=author,
        title=topic.title.format(unit=unit.name),
        body=f"<p>{topic.body}</p>",
        body_length=text_length(topic.body),
        category=cast.categories.get(topic.category),
        event_date=day - timedelta(days=rng.randint(0, 4)),
        submitted_at=submitted_at,
    )
    story = Story(article, created_at=submitted_at - timedelta(minutes=rng.randint(10, 180)))
    if len(cast.units) > 1 and rng.random() < 0.05:
        story.co_unit = rng.choice([u for u in cast.units.values() if u != unit])
    _review(rng, cast, story, now)
    if article.status == Status.APPROVED and rng.random() < share_adopted:
        _adopt(rng, cast, story, now)
    return story


def _review(rng, cast, story, now):
    """Walk the route: approvals, or a return, rejection or withdrawal on the way. Every decision falls
    before now; the latest items are left waiting afterwards (`_leave_waiting`)."""
    article, ending = story.article, _early_end(rng)
    stop = rng.randrange(len(cast.stages)) if ending else len(cast.stages)
    waiting_since = article.submitted_at
    for position, stage in enumerate(cast.stages[: stop + 1]):
        took = min(timedelta(minutes=rng.randint(30, 24 * 60)), (now - waiting_since) / 2)
        step = ReviewStep(
            stage=stage,
            position=position,
            created_at=waiting_since,
            due_at=waiting_since + timedelta(hours=stage.time_limit_hours),
            decided_at=waiting_since + took,
        )
        step.decision, step.comment = ending if position == stop else (Decision.APPROVED, "")
        if step.decision != Decision.CANCELLED:  # a withdrawal is the author's, not a reviewer's
            step.reviewer = cast.reviewers[position][article.unit_id]
        story.steps.append(step)
        waiting_since = step.decided_at
    story.ended_at = waiting_since
    article.status = ENDS.get(story.steps[-1].decision, Status.APPROVED)
    if article.status == Status.APPROVED:
        article.signed_off_at = waiting_since


def _early_end(rng):
    """(decision, comment) for a route that ends before sign-off, or None."""
    roll = rng.random()
    for share, decision, comments in EARLY_ENDS:
        if roll < share:
            return decision, rng.choice(comments)
        roll -= share
    return None


def _leave_waiting(story, position):
    """The item still waits at this stage (or where its route ended): no decision there, none after."""
    story.steps = story.steps[: position + 1]
    step = story.steps[-1]
    step.decision, step.reviewer, step.decided_at, step.comment = Decision.PENDING, None, None, ""
    story.article.status, story.article.signed_off_at = Status.IN_REVIEW, None
    story.adoptions, story.ended_at = [], step.created_at


def _adopt(rng, cast, story, now):
    """One outlet publishes the item, sometimes two; now and then a leader writes an instruction."""
    count = 2 if rng.random() < 0.2 else 1
    chosen = []
    while len(chosen) < count:
        outlet = rng.choices(cast.outlets, cast.weights)[0]
        if outlet not in chosen:
            chosen.append(outlet)
    signed_off = timezone.localtime(story.article.signed_off_at).date()
    for outlet in chosen:
        adopted_on = signed_off + timedelta(days=rng.randint(1, 12))
        recorded_at = min(_at(adopted_on, 16, 0) + timedelta(days=rng.randint(0, 3)), now)
        if adopted_on > timezone.localtime(now).date():
            continue
        adoption = Adoption(
            outlet=outlet,
            level=outlet.level,
            adopted_on=adopted_on,
            source=Adoption.Source.OFFICE,
            recorded_by=cast.director,
            created_at=recorded_at,
        )
        if outlet.name in NEWSPAPERS:
            adoption.issue = f"{adopted_on:%Y-%m-%d}, page {rng.randint(1, 8)}"
        else:
            adoption.url = f"https://news.shawan.example.org/{adopted_on:%Y%m}/{rng.randint(1000, 9999)}.html"
        if outlet.level in INSTRUCTIONS and rng.random() < 0.04:
            adoption.instruction_level = outlet.level
            adoption.instruction_leader, adoption.instruction_text = INSTRUCTIONS[outlet.level]
        story.adoptions.append(adoption)
        story.ended_at = max(story.ended_at, recorded_at)


def _write(stories, cast):
    for story in stories:
        story.article.created_at, story.article.updated_at = story.created_at, story.ended_at
    _insert_as_recorded(s.article for s in stories)
    through = Article.co_units.through
    through.objects.bulk_create(
        [through(article_id=s.article.pk, unit_id=s.co_unit.pk) for s in stories if s.co_unit]
    )
    revisions = [_revision(s.article) for s in stories]
    runs = [_run(s, cast) for s in stories]
    _insert_as_recorded(revisions + runs)
    steps, adoptions, events = [], [], []
    for story, revision, run in zip(stories, revisions, runs, strict=True):
        for step in story.steps:
            step.run, step.article, step.revision = run, story.article, revision
        for adoption in story.adoptions:
            adoption.article = story.article
        steps += story.steps
        adoptions += story.adoptions
        events += _events(story, revision, cast)
    ReviewStep.objects.bulk_create(steps, batch_size=BATCH)
    deliveries = [d for s, r in zip(stories, revisions, strict=True) for d in _deliveries(s.article, r, cast)]
    events += [_delivered_event(d) for d in deliveries]
    _insert_as_recorded(adoptions + events + deliveries)


def _deliveries(article, revision, cast):
    """A signed-off item went to the preselected outlets a minute after sign-off."""
    if article.status != Status.APPROVED:
        return []
    sent = article.signed_off_at + timedelta(minutes=1)
    return [
        Delivery(
            article=article,
            revision=revision,
            outlet=outlet,
            state=Delivery.State.DELIVERED,
            attempts=1,
            next_attempt_at=article.signed_off_at,
            created_by=cast.director,
            created_at=article.signed_off_at,
            delivered_at=sent,
        )
        for outlet in cast.pushed_to
    ]


def _delivered_event(delivery):
    return Event(
        article=delivery.article,
        kind=Event.Kind.DELIVERED,
        revision=delivery.revision,
        note=delivery.outlet.name,
        at=delivery.delivered_at,
    )


def _insert_as_recorded(rows):
    """Insert rows with the times they carry. bulk_create would stamp their auto_now(_add) fields with
    the present, and the timeline may not be updated afterwards; a raw save, as loaddata does, keeps
    them."""
    for row in rows:
        row.save_base(raw=True)


def _revision(article):
    # the content hash as submissions.actions.snapshot_revision makes it (no photos)
    content = json.dumps([article.title, article.body, []], ensure_ascii=False, sort_keys=True)
    return Revision(
        article=article,
        number=1,
        title=article.title,
        body=article.body,
        photos=[],
        content_hash=hashlib.sha256(content.encode()).hexdigest(),
        created_by=article.author,
        created_at=article.submitted_at,
    )


def _run(story, cast):
    state = {
        Status.APPROVED: ReviewRun.State.SIGNED_OFF,
        Status.REJECTED: ReviewRun.State.REJECTED,
        Status.WITHDRAWN: ReviewRun.State.WITHDRAWN,
    }.get(story.article.status, ReviewRun.State.ACTIVE)
    finished_at = story.steps[-1].decided_at if state != ReviewRun.State.ACTIVE else None
    return ReviewRun(
        article=story.article,
        chain=cast.chain,
        route=[s.pk for s in cast.stages],
        state=state,
        started_at=story.article.submitted_at,
        finished_at=finished_at,
    )


def _events(story, revision, cast):
    """The item's timeline as the actions would have written it."""
    article, kind = story.article, Event.Kind
    event = partial(Event, article=article, revision=revision)
    events = [
        event(kind=kind.CREATED, actor=article.author, revision=None, at=story.created_at),
        event(kind=kind.SUBMITTED, actor=article.author, at=article.submitted_at),
    ]
    for step in story.steps:
        if step.decision == Decision.CANCELLED:
            events.append(event(kind=kind.WITHDRAWN, actor=article.author, revision=None, at=step.decided_at))
        elif step.decision != Decision.PENDING:
            note = str(step.stage) if step.decision == Decision.APPROVED else step.comment
            events.append(
                event(kind=DECIDED[step.decision], actor=step.reviewer, note=note, at=step.decided_at)
            )
    if article.status == Status.APPROVED:
        last = story.steps[-1]
        events.append(event(kind=kind.SIGNED_OFF, actor=last.reviewer, at=last.decided_at))
    for adoption in story.adoptions:
        note = " ".join(part for part in (adoption.outlet.name, adoption.url, adoption.issue) if part)
        events.append(
            event(kind=kind.ADOPTED, actor=cast.director, revision=None, note=note, at=adoption.created_at)
        )
    return events


def _topics(text):
    lines = text.strip().splitlines()
    topics = []
    for heading, body in zip(lines[::2], lines[1::2], strict=True):
        months, category, title = (part.strip() for part in heading.split("|"))
        topics.append(Topic(frozenset(int(m) for m in months.split() if m != "*"), category, title, body))
    return topics


def _at(day, hour, minute):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))
