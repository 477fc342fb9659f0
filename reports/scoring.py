"""Points (积分): rebuilt from adoptions, scoring rules, the policy and the monthly minimums.

The ledger (`Score`) is derived data. An item's adoption points are rebuilt whenever one of its
adoptions is recorded or a rule changes; a month's deductions are rebuilt once the month is over and
whenever a minimum or the policy changes. Every line keeps what it came from (adoption, kind, and
the rule, bonus or policy). Each adoption is judged by the settings in force on its publication day,
each month by those in force on its first day, so a change recomputes only the periods it covers.
A closed year's lines are never rebuilt (`AssessmentYear`).

Rebuilds may overlap (the one-minute sweeper, a kicked run, a second beat): an item's rebuild locks
the item's row, a month's rebuild locks its year's row, so the second run waits and then rebuilds
from what the first wrote. Unique constraints on the ledger make a line counted twice impossible.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from outlets.models import Adoption
from submissions.models import Article

from . import tallies
from .figures import Quotas, assessed_units, monthly_counts
from .models import AssessmentYear, InstructionBonus, Score, ScoreRule, ScoringPolicy
from .periods import add_months, month_start

ADOPTION_KINDS = [
    Score.Kind.ADOPTION,
    Score.Kind.CO_ADOPTION,
    Score.Kind.NOT_COUNTED,
    Score.Kind.INSTRUCTION,
    Score.Kind.TOPIC_BONUS,
]
MINIMUM_KINDS = [Score.Kind.MISSED_SUBMITTED, Score.Kind.MISSED_ADOPTED]
BATCH = 500


@dataclass(frozen=True)
class Rules:
    """What scoring reads, loaded once per rebuild: every period's rules, bonuses and policies. An
    adoption is scored by those in force on its publication day."""

    policies: list
    rules: list
    bonuses: list

    @classmethod
    def load(cls):
        rules = sorted(ScoreRule.objects.all(), key=lambda r: -r.specificity)
        return cls(list(ScoringPolicy.objects.all()), rules, list(InstructionBonus.objects.all()))

    def rule_for(self, adoption, category_id):
        """The most specific rule in force that matches, or None (no points)."""
        day = adoption.adopted_on
        return next((r for r in self.rules if r.applies_on(day) and r.matches(adoption, category_id)), None)

    def bonus_for(self, adoption):
        day, level = adoption.adopted_on, adoption.instruction_level
        return next((b for b in self.bonuses if b.level == level and b.applies_on(day)), None)

    def policy_on(self, day):
        return ScoringPolicy.on(day, self.policies)


def article_scores(article, adoptions, rules, *, counted_before=()):
    """The ledger lines for one item's adoptions (unsaved). Pure: the tests compute these by hand.

    The policy in force on the item's first publication decides whether every adoption counts.
    `counted_before`: adoptions whose points a closed year holds; under "only the highest" one of
    them stays the one that counts."""
    scored = [(adoption, rules.rule_for(adoption, article.category_id)) for adoption in adoptions]
    counted = scored
    if scored and rules.policy_on(adoptions[0].adopted_on).multi_outlet == ScoringPolicy.MultiOutlet.HIGHEST:
        # the highest adoption counts; among equals, the first published (then the first recorded)
        frozen = [pair for pair in scored if pair[0].pk in counted_before]
        best = frozen[0] if frozen else max(scored, key=_rank)
        counted = [best]
    co_units = [u for u in article.co_units.all() if u.pk != article.unit_id]
    lines = []
    for adoption, rule in scored:
        line = _liner(article, adoption, rule)
        if (adoption, rule) in counted:
            lines.append(line(Score.Kind.ADOPTION, _main(rule)))
            lines += [line(Score.Kind.CO_ADOPTION, rule.co_points if rule else 0, unit=u) for u in co_units]
        else:
            lines.append(line(Score.Kind.NOT_COUNTED, 0))
        if adoption.instruction_level:
            bonus = rules.bonus_for(adoption)
            lines.append(line(Score.Kind.INSTRUCTION, bonus.points if bonus else Decimal(0), rule=None))
            lines[-1].bonus = bonus
    if counted and (points := _topic_bonus(article)):
        lines.append(_liner(article, counted[0][0], None)(Score.Kind.TOPIC_BONUS, points))
    return lines


def _topic_bonus(article):
    """A commissioned topic's bonus, once per item (with its first counted adoption), for an item
    that answered the topic by its deadline."""
    topic = article.topic if article.topic_id else None
    if topic is None or not topic.bonus_points or topic.is_late(article.submitted_at):
        return Decimal(0)
    return topic.bonus_points


def _rank(pair):
    adoption, rule = pair
    return (_main(rule), -adoption.adopted_on.toordinal(), -adoption.pk)


def _liner(article, adoption, rule):
    """Make ledger lines for one adoption: the main unit's (with its officer) unless `unit` is given."""
    month = month_start(adoption.adopted_on)

    def line(kind, points, *, unit=None, rule=rule):
        officer = None if unit else article.author_id
        unit_id = unit.pk if unit else article.unit_id
        return Score(
            unit_id=unit_id,
            officer_id=officer,
            kind=kind,
            points=points,
            article=article,
            adoption=adoption,
            month=month,
            rule=rule,
        )

    return line


def _main(rule):
    return rule.main_points if rule else Decimal(0)


@transaction.atomic
def score_articles(article_ids, rules=None, *, recount=True):
    """Rebuild the adoption points of these items, except in closed years, whose lines stay as they
    are. Returns the number of ledger lines written. `recount`: recount the figures the points
    changed after the commit (else the caller does, once for many batches)."""
    rules = rules or Rules.load()
    article_ids = lock_articles(article_ids)
    closed = AssessmentYear.closed_years()
    articles = Article.objects.filter(pk__in=article_ids).select_related("topic").prefetch_related("co_units")
    adoptions = {}
    for adoption in Adoption.objects.filter(article_id__in=article_ids).order_by("adopted_on", "pk"):
        adoptions.setdefault(adoption.article_id, []).append(adoption)
    old = Score.objects.filter(article_id__in=article_ids, kind__in=ADOPTION_KINDS)
    frozen = old.filter(month__year__in=closed, kind=Score.Kind.ADOPTION) if closed else old.none()
    counted_before = set(frozen.values_list("adoption_id", flat=True)) if closed else set()
    old = old.exclude(month__year__in=closed)
    tallies.points_changed(old.values_list("unit_id", "officer_id", "month").distinct().order_by(), recount)
    old.delete()
    lines = []
    for article in articles:
        found = article_scores(article, adoptions.get(article.pk, []), rules, counted_before=counted_before)
        lines += [line for line in found if line.month.year not in closed]
    Score.objects.bulk_create(lines, batch_size=BATCH)
    tallies.points_changed(lines, recount)
    seen = [a.pk for found in adoptions.values() for a in found]
    Adoption.objects.filter(pk__in=seen, needs_scoring=True).update(needs_scoring=False)
    return len(lines)


def score_pending(limit=5000):
    """Score the items whose adoptions are not scored yet (new adoptions, changed rules), in batches.
    Returns how many items were scored."""
    done = 0
    rules = Rules.load()
    while done < limit:
        pending = Adoption.objects.filter(needs_scoring=True).values_list("article_id", flat=True)
        batch = list(pending.order_by().distinct()[:BATCH])
        if not batch:
            break
        score_articles(batch, rules, recount=False)
        done += len(batch)
    tallies.recount_due()
    return done


@transaction.atomic
def score_month_minimums(month, *, today=None, recount=True):
    """Rebuild a finished month's deductions for units that missed their minimum, by the minimums and
    the policy in force on the month's first day; a closed year's months stay. Returns the lines."""
    month = month_start(month)
    today = today or timezone.localdate()
    if lock_year(month.year).is_closed:
        return 0
    old = Score.objects.filter(month=month, kind__in=MINIMUM_KINDS)
    tallies.points_changed(old.values_list("unit_id", "officer_id", "month").distinct().order_by(), recount)
    old.delete()
    if add_months(month, 1) > today:
        return 0  # the month is not over: nobody has missed anything yet
    policy, quotas = ScoringPolicy.on(month), Quotas()
    counts = monthly_counts(month, add_months(month, 1))
    lines = []
    for unit in assessed_units():
        min_submitted, min_adopted = quotas.minimum(unit, month)
        submitted, adopted = counts.get((unit.pk, month), (0, 0))
        missed = {
            Score.Kind.MISSED_SUBMITTED: (submitted < min_submitted, policy.missed_submitted_deduction),
            Score.Kind.MISSED_ADOPTED: (adopted < min_adopted, policy.missed_adopted_deduction),
        }
        lines += [
            Score(unit=unit, month=month, kind=kind, points=-deduction, policy=policy if policy.pk else None)
            for kind, (is_missed, deduction) in missed.items()
            if is_missed and deduction
        ]
    Score.objects.bulk_create(lines)
    tallies.points_changed(lines, recount)
    return len(lines)


def lock_articles(article_ids):
    """Lock the items' rows (in one order, so two batches cannot deadlock) until the transaction ends.
    Returns the ids of the items that exist."""
    locked = Article.objects.select_for_update().filter(pk__in=list(article_ids)).order_by("pk")
    return list(locked.values_list("pk", flat=True))


def lock_year(year, *, exclusive=True):
    """Lock the year's row until the transaction ends; made first if it is the year's first rebuild.
    Rebuilds and closing take it exclusively; recording an adoption takes a weaker lock that only
    waits for those."""
    AssessmentYear.objects.bulk_create([AssessmentYear(year=year)], ignore_conflicts=True)
    return AssessmentYear.objects.select_for_update(no_key=not exclusive).get(year=year)


def months_to_assess(today=None, *, covering=None):
    """Every finished month from the first submission on: the periods a minimum or policy change
    affects. `covering`: only the months that meet one of these [first, last] periods (None: open)."""
    today = today or timezone.localdate()
    earliest = Article.objects.filter(submitted_at__isnull=False).order_by("submitted_at").first()
    if earliest is None:
        return []
    month, last = month_start(timezone.localtime(earliest.submitted_at).date()), month_start(today)
    months = []
    while month < last:
        if covering is None or any(_meets(month, period) for period in covering):
            months.append(month)
        month = add_months(month, 1)
    return months


def _meets(month, period):
    first, last = period
    return (first is None or add_months(month, 1) > first) and (last is None or month <= last)
