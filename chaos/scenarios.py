"""The six scenarios of issue 10. Each starts the processes it needs, does its damage, waits (bounded)
and returns one Line of the table, with notes that say what the figures mean."""

import random
import statistics
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

from django.db.models import Count
from django.utils import timezone

from outlets.models import Delivery, DeliveryAttempt
from submissions.models import Photo

from . import office as office_data
from .browser import Browser
from .harness import (
    DRAIN_SECONDS,
    MEDIA,
    MEDIA_MARKED,
    SCALE,
    SLUG,
    Line,
    WordPressWatch,
    db,
    describe,
    drain,
    scaled,
)
from .services import HungPort


def _sign_off_all(browsers, steps, outlet_ids):
    """Sign the steps off over HTTP, one browser tab per thread. Returns [(outcome, seconds)]."""
    tabs = [b.twin() for b in browsers]

    def one(pair):
        n, step = pair
        return tabs[n % len(tabs)].approve(step.pk, outlet_ids)

    with ThreadPoolExecutor(len(tabs)) as pool:
        return list(pool.map(one, enumerate(steps)))


def _outcome_notes(answers, label="sign-offs"):
    outcomes = Counter(outcome for outcome, _ in answers)
    if set(outcomes) == {"approved"}:
        return []
    return [f"{label}: " + ", ".join(f"{n} {o}" for o, n in outcomes.most_common())]


# --- 1. Worker killed ------------------------------------------------------------------------


def worker_kills(run):
    """60 items to WordPress + webhook, the worker SIGKILLed 20 times at random moments."""
    line = Line(f"1 worker SIGKILL x{scaled(20)}")
    if run.wordpress is None:
        line.notes.append(f"skipped: {run.wordpress_reason}")
        line.skipped, line.timing = True, "skipped"
        return line
    count, kills = scaled(60), scaled(20)
    hook = run.receiver("s1")
    wp = run.wordpress_outlet
    steps = office_data.items_waiting(run.office, count, photo_every=4, label="kill")
    articles = [s.article_id for s in steps]
    watch = WordPressWatch(run.wordpress).start()
    name = "worker-s1"
    worker, beat = run.worker(name), run.beat("beat-s1")
    signer = ThreadPoolExecutor(1)
    signed = signer.submit(_sign_off_all, [run.director], steps, [wp.pk, hook.outlet.pk])
    in_flight = {}  # (delivery, attempt) sending when a kill came: the moment of that kill
    for _ in range(kills):
        _wait_for_work_in_flight(articles)
        time.sleep(random.uniform(0.0, 2.0))
        sending = Delivery.objects.filter(state="sending", article_id__in=articles)
        sending_now = db(lambda q=sending: list(q.values_list("pk", "attempts")))
        worker.kill()
        in_flight.update(dict.fromkeys(sending_now, timezone.now()))
        worker = run.worker(name)
    answers = signed.result()
    took, states = drain(articles, 2 * count, DRAIN_SECONDS)
    line.items = 2 * count
    _count_deliveries(line, states, took, "after the last kill")
    _late(line, articles, 2 * count, took, "after the last kill")
    worker.stop()
    beat.stop()
    line.notes += _outcome_notes(answers)
    _recovery(line, in_flight)
    watch.stop()
    _check_wordpress(run, line, articles, wp, watch)
    _check_webhook(line, articles, hook)
    return line


LATE_SECONDS = 240.0


def _wait_for_work_in_flight(articles, timeout=15.0):
    """Until a delivery is being sent (a kill then lands mid-delivery, not while the worker boots), or
    nothing is left to send."""
    deadline = time.monotonic() + timeout
    ours = Delivery.objects.filter(article_id__in=articles)
    while time.monotonic() < deadline:
        states = set(db(lambda: list(ours.values_list("state", flat=True).distinct())))
        if "sending" in states or (states and states <= {"delivered", "failed", "needs_review"}):
            return
        time.sleep(0.1)


def _late(line, articles, expected, took, since):
    """Late or lost for good? Wait out a lease (5 min today) to tell; the line's figures stay as they
    were at the deadline."""
    if took is not None:
        return
    late, states = drain(articles, expected, LATE_SECONDS)
    if late is None:
        line.notes.append(f"{DRAIN_SECONDS + LATE_SECONDS:.0f} s {since}: {describe(states)}")
    else:
        line.notes.append(f"late: all delivered {DRAIN_SECONDS + late:.0f} s {since}")


def _count_deliveries(line, states, took, since):
    line.delivered = states.get("delivered", 0)
    line.lost = line.items - line.delivered
    if took is None:
        line.timing = f"not drained in {DRAIN_SECONDS:.0f} s"
        line.notes.append(f"not delivered {DRAIN_SECONDS:.0f} s {since}: {describe(states)}")
    else:
        line.timing = f"drained {took:.0f} s {since}"


def _recovery(line, in_flight):
    """How long the deliveries a kill interrupted waited, from the kill to the next attempt and to
    delivered (the promise: out again within a minute)."""
    if not in_flight:
        return
    ids = {pk for pk, _ in in_flight}
    attempts = defaultdict(dict)
    for delivery_id, number, started_at in DeliveryAttempt.objects.filter(delivery_id__in=ids).values_list(
        "delivery_id", "number", "started_at"
    ):
        attempts[delivery_id][number] = started_at
    delivered = dict(Delivery.objects.filter(pk__in=ids).values_list("pk", "delivered_at"))
    retried, done = [], []
    for (pk, number), killed_at in in_flight.items():
        if (next_try := attempts[pk].get(number + 1)) is not None:
            retried.append((next_try - killed_at).total_seconds())
        if delivered[pk] is not None:
            done.append((delivered[pk] - killed_at).total_seconds())
    line.notes.append(
        f"in flight at a kill: {len(in_flight)}; next attempt after {_spread(retried)}; "
        f"delivered after {_spread(done)}"
    )
    if any(seconds > 60 for seconds in done) or len(done) < len(in_flight):
        line.late = True
        line.notes.append("a delivery that a kill interrupted was not out again within a minute")


def _spread(seconds):
    if not seconds:
        return "—"
    return f"median {statistics.median(seconds):.0f} s, max {max(seconds):.0f} s"


def _check_wordpress(run, line, articles, outlet, watch):
    deliveries = dict(
        Delivery.objects.filter(article_id__in=articles, outlet=outlet).values_list("uuid", "remote_id")
    )
    keys = {f"pd-{uuid}": remote_id for uuid, remote_id in deliveries.items()}
    photos = dict(Photo.objects.filter(article_id__in=articles).values_list("pk", "sha256"))
    per_key = Counter(
        m.group(1) for slug in watch.posts.values() if (m := SLUG.match(slug)) and m.group(1) in keys
    )
    per_photo = Counter(photo for slug in watch.media.values() if (photo := _media_photo(slug, keys, photos)))
    extra_posts = sum(n - 1 for n in per_key.values() if n > 1)
    extra_media = sum(n - 1 for n in per_photo.values() if n > 1)
    states = dict(
        Delivery.objects.filter(article_id__in=articles, outlet=outlet).values_list("uuid", "state")
    )
    missing = [f"pd-{u}" for u, state in states.items() if state == "delivered" and f"pd-{u}" not in per_key]
    # A post another test run's clean-up deleted before the watch saw it still had its id returned.
    vanished = [
        k for k in missing if keys[k] and int(keys[k]) > watch.mark and int(keys[k]) not in watch.posts
    ]
    line.duplicated += extra_posts + extra_media
    line.lost += len(missing) - len(vanished)
    line.notes.append(
        f"WordPress: {len(per_key)} keys with a post of {len(keys)}, {extra_posts} extra posts; "
        f"media for {len(per_photo)} of {len(photos)} photos, {extra_media} extra "
        f"(max {max(per_photo.values(), default=0)} uploads of one photo)"
    )
    if missing:
        line.notes.append(
            f"WordPress: {len(missing)} deliveries marked delivered have no post seen; {len(vanished)} of "
            "them have a post id WordPress returned, deleted (by another run's clean-up) before the watch "
            "saw it"
        )
    if watch.errors:
        line.notes.append(f"WordPress: {watch.errors} looks at the site failed")
    mine = [
        ("/wp/v2/posts", i)
        for i, slug in watch.posts.items()
        if (m := SLUG.match(slug)) and m.group(1) in keys
    ]
    mine += [("/wp/v2/media", i) for i, slug in watch.media.items() if _media_photo(slug, keys, photos)]
    for route, item_id in mine:  # leave the shared site as we found it
        run.wordpress.request("DELETE", f"{route}/{item_id}", params={"force": "true"})


def _media_photo(slug, keys, photos):
    """The photo a media item on WordPress is an upload of, by its slug: photo-<id> (the first
    adapter) or <delivery marker>-<photo sha256> (since uploads are matched up after a crash)."""
    if (m := MEDIA.match(slug)) and int(m.group(1)) in photos:
        return int(m.group(1))
    if (m := MEDIA_MARKED.match(slug)) and m.group(1) in keys:
        return next((pk for pk, sha in photos.items() if sha == m.group(2)), None)
    return None


def _check_webhook(line, articles, hook):
    keys = {
        str(uuid): state
        for uuid, state in Delivery.objects.filter(article_id__in=articles, outlet=hook.outlet).values_list(
            "uuid", "state"
        )
    }
    received = hook.received()
    missing = [k for k, state in keys.items() if state == "delivered" and k not in received]
    repeats = sum(n - 1 for k, n in received.items() if k in keys and n > 1)
    line.lost += len(missing)
    line.notes.append(
        f"webhook: {sum(1 for k in keys if k in received)} of {len(keys)} ids received; "
        f"{repeats} repeats of an id (allowed: the receiver deduplicates)"
    )
    if missing:
        line.notes.append(f"webhook: {len(missing)} deliveries marked delivered were never received")


# --- 2. Broker stopped and hung --------------------------------------------------------------


def broker_faults(run):
    """Sign-offs while the broker is stopped, then while it accepts and never answers."""
    half = scaled(15)
    line = Line(f"2 broker down / hung, {2 * half} sign-offs", items=2 * half)
    hook = run.receiver("s2")
    steps = office_data.items_waiting(run.office, 2 * half, label="broker")
    articles = [s.article_id for s in steps]
    worker, beat = run.worker("worker-s2"), run.beat("beat-s2")
    time.sleep(5)  # let them connect
    browsers = [run.director] * 5
    run.redis.stop()
    down = _sign_off_all(browsers, steps[:half], [hook.outlet.pk])
    health_down = run.director.get("/healthz")
    hung = HungPort(run.redis.port).start()
    stuck = _sign_off_all(browsers, steps[half:], [hook.outlet.pk])
    health_hung = run.director.get("/healthz")
    hung.stop()
    run.redis.start()
    took, states = drain(articles, 2 * half, DRAIN_SECONDS)
    worker.stop()
    beat.stop()
    _count_deliveries(line, states, took, "after the broker returned")
    slow = [s for _, s in down + stuck if s > 2.0]
    worst = max(s for _, s in down + stuck)
    unanswered = any(outcome.startswith("no answer") for outcome, _ in down + stuck)
    line.timing += f"; max answer {'> ' if unanswered else ''}{worst:.1f} s"
    line.notes.append(
        f"sign-off answer, broker stopped: max {max(s for _, s in down):.1f} s, median "
        f"{statistics.median(s for _, s in down):.1f} s; broker hung: max {max(s for _, s in stuck):.1f} s, "
        f"median {statistics.median(s for _, s in stuck):.1f} s; {len(slow)} of {2 * half} over 2 s"
    )
    line.notes += _outcome_notes(down, "sign-offs, broker stopped") + _outcome_notes(stuck, "sign-offs, hung")
    line.notes.append(
        f"/healthz: broker stopped → {health_down[0]} in {health_down[1]:.1f} s; "
        f"hung → {health_hung[0]} in {health_hung[1]:.1f} s"
    )
    line.notes.append(f"webhook ids received: {len(hook.received())} of {2 * half}")
    return line


# --- 3. Outlet answering 500 -----------------------------------------------------------------

RETRY_BASE = 10.0
SWEEP = 2.0


def outlet_outage(run):
    """A webhook receiver that answers 500 for two minutes, then heals."""
    count, outage = scaled(10), max(30.0, 120.0 * SCALE)
    line = Line(f"3 outlet 500 for {outage:.0f} s", items=count)
    hook = run.receiver("s3")
    steps = office_data.items_waiting(run.office, count, label="outage")
    articles = [s.article_id for s in steps]
    env = {"OUTLETS_RETRY_BASE_SECONDS": RETRY_BASE, "BEAT_INTERVALS": f"sweep-deliveries={SWEEP:g}"}
    worker, beat = run.worker("worker-s3", **env), run.beat("beat-s3", **env)
    time.sleep(3)
    heal_at = time.time() + outage
    hook.script(fail_until=heal_at)
    answers = _sign_off_all([run.director], steps, [hook.outlet.pk])
    took, states = drain(articles, count, outage + DRAIN_SECONDS)
    worker.stop()
    beat.stop()
    after_heal = time.time() - heal_at if took is not None else None
    line.delivered = states.get("delivered", 0)
    line.lost = count - line.delivered
    line.timing = f"drained {after_heal:.0f} s after it healed" if after_heal is not None else "not drained"
    if took is None:
        line.notes.append(f"not delivered: {describe(states)}")
    line.notes += _outcome_notes(answers)
    line.notes += _schedule_notes(articles)
    line.notes.append(
        f"receiver: {sum(1 for r in hook.requests() if r['status'] == 500)} requests answered 500, "
        f"{len(hook.received())} ids answered 200"
    )
    return line


def _schedule_notes(articles):
    """Each gap between attempts against the back-off schedule: base * 2^(n-1), ±20 % jitter, plus up
    to one sweep interval (retries are picked up by the sweeper)."""
    gaps, off = {}, []
    attempts = DeliveryAttempt.objects.filter(delivery__article_id__in=articles).order_by(
        "delivery", "number"
    )
    previous = None
    for attempt in attempts:
        if previous and previous.delivery_id == attempt.delivery_id and previous.finished_at:
            n = previous.number
            gap = (attempt.started_at - previous.finished_at).total_seconds()
            expected = RETRY_BASE * 2 ** (n - 1)
            gaps.setdefault(n, []).append(gap)
            if not (0.8 * expected - 1 <= gap <= 1.2 * expected + SWEEP + 3):
                off.append(f"#{n}→#{n + 1} {gap:.0f} s (schedule {expected:.0f} s)")
        previous = attempt
    per_step = "; ".join(
        f"after #{n}: {statistics.median(g):.0f} s (schedule {RETRY_BASE * 2 ** (n - 1):.0f} s ±20 %)"
        for n, g in sorted(gaps.items())
    )
    counts = Counter(
        DeliveryAttempt.objects.filter(delivery__article_id__in=articles)
        .values("delivery")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    notes = [
        f"retry base {RETRY_BASE:g} s and sweep {SWEEP:g} s for this run (defaults 30 s and 15 s); "
        f"attempts per delivery: {dict(sorted(counts.items()))}",
        f"gaps between attempts (median): {per_step}",
        "with the defaults, attempts come at 0, 30, 90, 210 s (±20 %, +≤15 s sweep): after a 120 s outage "
        "the 4th attempt, at ~210-250 s, delivers",
    ]
    if off:
        notes.append(f"{len(off)} gaps off the schedule: " + ", ".join(off[:6]))
    return notes


# --- 4. PostgreSQL restarted -----------------------------------------------------------------


def database_restart(run):
    """PostgreSQL restarted (fast shutdown) while web and worker run."""
    half = scaled(10)
    line = Line("4 PostgreSQL restart", items=2 * half)
    hook = run.receiver("s4")
    hook.script(delay=0.5)  # so that the worker is mid-delivery when the database goes
    steps = office_data.items_waiting(run.office, 2 * half, label="restart")
    articles = [s.article_id for s in steps]
    worker, beat = run.worker("worker-s4"), run.beat("beat-s4")
    time.sleep(3)
    officer = Browser(run.base_url, "officer").sign_in()
    page = f"/submissions/{articles[0]}/"
    polls, stop = [], threading.Event()

    def poll():
        while not stop.is_set():
            status, seconds = officer.get(page)
            polls.append((time.monotonic(), status, seconds))
            time.sleep(0.25)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    before = _sign_off_all([run.director], steps[:half], [hook.outlet.pk])
    went_down = time.monotonic()
    run.pg.restart()
    came_up, back_at = time.monotonic(), timezone.now()
    after = _sign_off_after_restart(run, steps[half:], hook.outlet.pk)
    time.sleep(max(0.0, 10 - (time.monotonic() - came_up)))
    stop.set()
    poller.join(timeout=60)
    took, states = drain(articles, 2 * half, DRAIN_SECONDS)
    _count_deliveries(line, states, took, "after the restart")
    _late(line, articles, 2 * half, took, "after the restart")
    worker.stop()
    beat.stop()
    recovered = next((t for t, status, _ in polls if t > came_up and status == 200), None)
    failing = [status for t, status, _ in polls if t >= went_down and status != 200]
    page_back = f"{recovered - came_up:.1f} s" if recovered else "never (in 10 s)"
    line.timing += f"; page back {page_back} after restart"
    line.notes.append(
        f"PostgreSQL down {came_up - went_down:.1f} s; the item page answered 200 again {page_back} after "
        f"it was back; {len(failing)} failed page loads ({', '.join(map(str, Counter(failing)))})"
    )
    line.notes += _outcome_notes(before, "sign-offs before") + _outcome_notes(after, "sign-offs after")
    since = Delivery.objects.filter(article_id__in=articles, delivered_at__gt=back_at)
    first = since.order_by("delivered_at").values_list("delivered_at", flat=True).first()
    line.notes.append(
        f"the worker (not restarted) delivered {since.count()} after the restart"
        + (f", the first {(first - back_at).total_seconds():.1f} s after it" if first else "")
    )
    line.notes.append(f"webhook ids received: {len(hook.received())} of {2 * half}")
    return line


def _sign_off_after_restart(run, steps, outlet_id):
    """The director carries on: each sign-off is tried until the web answers (at most 30 s each)."""
    answers = []
    for step in steps:
        deadline = time.monotonic() + 30
        while True:
            try:
                outcome = run.director.approve(step.pk, [outlet_id])
            except Exception as error:
                outcome = (f"page failed ({error.__class__.__name__})", 0.0)
            if outcome[0] in ("approved", "refused") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        answers.append(outcome)
    return answers


# --- 5. Two beats --------------------------------------------------------------------------


def two_beats(run):
    """Two beat processes for five minutes; adoptions recorded and units falling behind meanwhile."""
    from accounts.models import Role, RoleAssignment, Unit, User
    from outlets.models import Adoption, Outlet
    from reports import actions as report_actions
    from reports.models import Quota, Reminder, Score, ScoreRule, ScoringPolicy
    from reports.scoring import ADOPTION_KINDS, MINIMUM_KINDS

    duration = max(60.0, 300.0 * SCALE)
    line = Line(f"5 two beats for {duration:.0f} s")
    office = run.office
    unit_class = office.school.unit_class
    Quota.objects.create(unit_class=unit_class, month=None, min_submitted=5, min_adopted=2)
    ScoringPolicy.objects.update_or_create(
        pk=1, defaults={"missed_submitted_deduction": 1, "missed_adopted_deduction": 1}
    )
    county = Outlet.objects.create(name="Chaos county paper", kind=Outlet.Kind.ATOM, level="county")
    rule = ScoreRule.objects.create(level="county", main_points=2, co_points=1)
    approved = _approved_items(office, scaled(100))
    intervals = "score-pending-adoptions=3,remind-units-behind=5,close-month=5,sweep-deliveries=30"
    worker = run.worker("worker-s5", concurrency=4, BEAT_INTERVALS=intervals)
    beats = [run.beat(f"beat-s5-{n}", BEAT_INTERVALS=intervals) for n in (1, 2)]
    worst = Counter()
    new_units, adopted = [], []
    started = time.monotonic()
    next_unit, next_change, changes = 0.0, 30.0, 0
    while time.monotonic() - started < duration:
        if time.monotonic() - started >= next_change:  # the admin edits the rule, then the policy
            changes += 1
            _change_rules(rule, changes)
            next_change += 30
        if approved:
            article = approved.pop()
            db(lambda a=article: report_actions.record_adoption(
                a, county, adopted_on=timezone.localdate(), by=office.directors[0]
            ))  # fmt: skip
            adopted.append(article.pk)
        if time.monotonic() - started >= next_unit:
            unit = Unit.objects.create(name=f"Chaos unit {len(new_units) + 1}", parent=office.office,
                                       unit_class=unit_class)  # fmt: skip
            person = User.objects.create_user(username=f"unit-officer-{len(new_units) + 1}")
            RoleAssignment.objects.create(user=person, role=Role.LIAISON_OFFICER, unit=unit)
            new_units.append(unit.pk)
            next_unit += 20
        for _ in range(4):
            worst = worst | _duplicates(Score, Reminder, ADOPTION_KINDS, MINIMUM_KINDS)
            time.sleep(0.5)
    for beat in beats:
        beat.stop()
    time.sleep(15)  # what is queued finishes
    worker.stop()
    final = _duplicates(Score, Reminder, ADOPTION_KINDS, MINIMUM_KINDS)
    worst = worst | final
    unscored = Adoption.objects.filter(article_id__in=adopted, needs_scoring=True).count()
    month = timezone.localdate().replace(day=1)
    units = new_units  # each starts the month with nothing submitted: behind its minimum
    reminded = set(
        Reminder.objects.filter(month=month, by=None, unit_id__in=units).values_list("unit", flat=True)
    )
    line.items = len(adopted) + len(units)
    line.delivered = len(adopted) - unscored + len(reminded)
    line.lost = unscored + len(set(units) - reminded)
    line.duplicated = sum(worst.values())
    line.timing = f"{duration:.0f} s, 2 beats"
    line.notes.append(
        f"{len(adopted)} adoptions recorded ({unscored} never scored); {len(units)} units behind, "
        f"{len(reminded)} reminded"
    )
    line.notes.append(
        "most duplicates seen at one moment: "
        + ", ".join(f"{kind} {worst[kind]}" for kind in KINDS)
        + "; at the end: "
        + ", ".join(f"{kind} {final[kind]}" for kind in KINDS)
    )
    line.notes.append(
        f"the scoring rule was changed {changes} times (every other time with the policy): every adoption "
        "rescored by the kicked run and both beats' sweepers at once"
    )
    line.notes.append(f"schedules for this run: {intervals} (defaults 60 s, 12 h, 6 h, 15 s)")
    return line


KINDS = ("adoption points", "month deductions", "reminders")


def _change_rules(rule, n):
    """What the admin does in the admin site (reports/admin.py): save the rule, then rescore."""
    from reports import actions as report_actions

    rule.main_points = 2 + n % 2
    db(lambda: rule.save(update_fields=["main_points"]))
    db(lambda: report_actions.rule_changed(levels=[rule.level]))
    if n % 2 == 0:
        db(report_actions.policy_changed)


def _approved_items(office, count):
    from reviews import actions as reviews

    items = []
    for step in office_data.items_waiting(office, count, label="assessed"):
        reviews.approve(step, by=office.directors[0], revision_id=step.revision_id, outlets=[])
        items.append(step.article)
    return items


def _duplicates(Score, Reminder, adoption_kinds, minimum_kinds):
    """Lines or reminders that exist twice right now."""

    def extra(queryset, *fields):
        rows = queryset.values(*fields).annotate(n=Count("pk")).filter(n__gt=1).values_list("n", flat=True)
        return sum(n - 1 for n in db(lambda: list(rows)))

    return Counter(
        {
            "adoption points": extra(
                Score.objects.filter(kind__in=adoption_kinds), "adoption", "unit", "kind"
            ),
            "month deductions": extra(Score.objects.filter(kind__in=minimum_kinds), "unit", "month", "kind"),
            "reminders": extra(Reminder.objects.filter(by=None), "unit", "month"),
        }
    )


# --- 6. Simultaneous approvals ---------------------------------------------------------------


def simultaneous_approvals(run):
    """Two directors, 25 browser tabs each, press Approve on one step at the same moment."""
    from reviews.models import ReviewStep
    from submissions.models import Event

    rounds, tabs = scaled(3), 25
    line = Line(f"6 2x{tabs} approvals of one step", items=rounds)
    hook = run.receiver("s6")
    outcomes, slowest = Counter(), 0.0
    for _ in range(rounds):
        step = office_data.items_waiting(run.office, 1, label="race")[0]
        directors = [run.director, run.director2]
        browsers = [d.twin() for d in directors for _ in range(tabs)]
        opened = [b.open_step(step.pk) for b in browsers]
        gate = threading.Barrier(len(browsers))

        def press(n, step=step, opened=opened, gate=gate, browsers=browsers):
            gate.wait()
            return browsers[n].approve(step.pk, [hook.outlet.pk], opened=opened[n])

        with ThreadPoolExecutor(len(browsers)) as pool:
            answers = list(pool.map(press, range(len(browsers))))
        outcomes.update(o for o, _ in answers)
        slowest = max(slowest, *(s for _, s in answers))
        decided = ReviewStep.objects.filter(article_id=step.article_id).exclude(decision="pending").count()
        signed = Event.objects.filter(article_id=step.article_id, kind=Event.Kind.SIGNED_OFF).count()
        approvals = Event.objects.filter(article_id=step.article_id, kind=Event.Kind.APPROVED).count()
        deliveries = Delivery.objects.filter(article_id=step.article_id).count()
        line.delivered += decided == 1
        line.lost += decided == 0
        line.duplicated += (
            max(0, decided - 1) + max(0, signed - 1) + max(0, approvals - 1) + max(0, deliveries - 1)
        )
        line.notes.append(
            f"step {step.pk}: {decided} decision, {approvals} approval events, {signed} sign-off events, "
            f"{deliveries} deliveries"
        )
    line.timing = f"max answer {slowest:.1f} s"
    line.notes.append("answers: " + ", ".join(f"{n} {o}" for o, n in outcomes.most_common()))
    return line


SCENARIOS = {
    "1": worker_kills,
    "2": broker_faults,
    "3": outlet_outage,
    "4": database_restart,
    "5": two_beats,
    "6": simultaneous_approvals,
}
