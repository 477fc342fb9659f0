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
from django.utils import timezone, translation

from accounts.demo import DEMO_PASSWORD, OFFICE, PRIMARY, SCHOOL, TOWN, names, seed_unit_class
from accounts.models import Role, RoleAssignment, Unit, User
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

# English unit name (the key) -> (Chinese name, unit class, order)
MORE_UNITS = {
    NO2: ("沙湾区第二中学", "Class 1", 4),
    VOCATIONAL: ("沙湾区职业高级中学", "Class 1", 5),
    BINHE: ("沙湾区滨河小学", "Class 1", 6),
    TAIPING: ("太平镇中心学校", "Class 2", 7),
    FUXI: ("福禧镇学校", "Class 2", 8),
}
# unit name -> its liaison officer and its leader in charge: username, display name
MORE_PEOPLE = {
    TOWN: ("officer3", "孙丽", "leader3", "何平"),
    NO2: ("officer4", "周杰", "leader4", "高燕"),
    VOCATIONAL: ("officer5", "吴磊", "leader5", "罗强"),
    BINHE: ("officer6", "郑慧", "leader6", "唐敏"),
    TAIPING: ("officer7", "冯霞", "leader7", "徐刚"),
    FUXI: ("officer8", "黄涛", "leader8", "邓兰"),
}

# Outlets whose own editors pick items: nothing is sent to them, the office records their adoptions.
# English name (the key) -> (Chinese name, level, how often it adopts relative to the others)
HAND_OUTLETS = {
    "District education portal": ("沙湾区教育网", Level.COUNTY, 35),
    "Shawan Daily": ("沙湾日报", Level.CITY, 20),
    "Provincial Education News": ("省教育报", Level.PROVINCE, 10),
    "China Education Daily": ("中国教育报", Level.NATIONAL, 5),
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
        Quota.objects.get_or_create(
            unit_class=seed_unit_class(class_name),
            month=None,
            defaults={"min_submitted": submitted, "min_adopted": adopted},
        )


def seed_units():
    """Five more schools; a liaison officer and a leader in charge for them and the town school; every
    demo unit's annual targets for last year and this year. Returns the demo units by name."""
    office = Unit.objects.get(name_en=OFFICE, parent=None)
    for name, (chinese, class_name, order) in MORE_UNITS.items():
        Unit.objects.get_or_create(
            name_en=name,
            parent=office,
            defaults={**names(name, chinese), "unit_class": seed_unit_class(class_name), "order": order},
        )
    units = {unit.name_en: unit for unit in Unit.objects.filter(parent=office, name_en__in=HISTORY)}
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
    for name, (chinese, level, _weight) in HAND_OUTLETS.items():
        outlets[name], _ = Outlet.objects.get_or_create(
            name_en=name,
            defaults={**names(name, chinese), "kind": Outlet.Kind.ATOM, "level": level, "preselected": False},
        )
    outlets.update({o.name_en: o for o in Outlet.objects.filter(name_en=CAMPUS_FEED)})
    return outlets


# --- History ------------------------------------------------------------------------------------

# One topic per two lines: "months it fits (* for any) | category | title", then the body.
TOPICS = """
* | Activity | {unit}召开道路交通安全主题班会
班主任带领学生梳理上学路线，逐一讲解需要注意的路口。
* | News | {unit}教师开放课堂互相听课
本周共有十二位教师上了公开课，课后各学科组分别开展了评课研讨。
* | Activity | {unit}开展全校消防疏散演练
全校学生在三分钟内安全撤离，消防员现场演示了灭火器的使用方法。
* | News | {unit}举办家长开放日，家长走进课堂
三百余名家长走进教室听课，并与老师交流孩子的学习情况。
* | News | {unit}学生在全区书法比赛中获奖
五名学生获得一、二等奖，获奖作品将在区图书馆展出。
* | Activity | 心理健康周：心理老师走进每个班级
心理老师围绕考前压力开展团体辅导，并开设了“心灵信箱”。
* | News | 青年教师教学技能大赛举行
十八名35岁以下的教师各上了一节15分钟的课，由区学科教研员评分。
* | Activity | {unit}成立课后足球社团
四至八年级的四十名学生每周训练两次，由区体校教练指导。
* | News | 教师走访留守儿童家庭
每位班主任至少走访三户家庭，了解学生的学习、健康和居家安全情况。
* | Notice | 新阅览室开放时间
阅览室上学日7:30至17:30开放，每个班每周安排一节阅读课。
* | Policy & research | 课题组发布八年级作业量调查报告
对420名学生的调查显示，实施新方案后每日作业时间降至82分钟。
* | Policy & research | {unit}研究落实全区减负方案
教职工大会商定了各年级作业时长上限，由年级组长每周检查。
* | News | 学校食堂开展食品安全检查
检查组查看了食材储存、留样和从业人员健康证，各项均符合要求。
* | Activity | {unit}志愿者清理河岸垃圾
周六，师生沿大渡河两公里河岸捡拾垃圾。
* | Activity | {unit}举办科技活动周
学生动手制作水火箭和净水器，科研人员讲述了嫦娥探月的故事。
* | Activity | 七至九年级英语演讲比赛举行
二十四名学生以“我的家乡”为题演讲，优胜者将参加全区决赛。
* | Notice | 期中考试安排
期中考试为期两天，请家长督促学生注意休息。
9 | News | {unit}举行新生开学典礼
校长勉励新生多读书、勤锻炼、互相关爱。
9 | Activity | 教师节：学生感恩老师
各班制作了贺卡，学校表彰了八位从教三十年的教师。
10 | Activity | 国庆节：学生歌唱祖国
节前升旗仪式上，各年级合唱了两首歌曲。
10 11 | News | {unit}举行秋季运动会
一千多名学生参加了为期两天、共28个项目的比赛。
11 | Activity | 消防安全月：消防员走进{unit}
消防员讲解了家庭火灾的成因，并让学生体验了灭火毯的使用。
12 1 | Activity | {unit}举行元旦文艺汇演
各年级带来舞蹈、合唱和短剧，度过了假期前的一个下午。
1 2 | Notice | 寒假安全致家长的一封信
信中提醒家长注意烟花爆竹、交通安全，并督促孩子每天阅读。
2 3 | News | 春季开学前全面排查校舍安全
开学前，学校逐一检查了教室、线路和消防通道。
3 | Activity | 学雷锋：学生走进社区做志愿服务
学生到镇敬老院帮忙，并清扫了学校周边的街道。
3 | Activity | 植树节：学生在校园里种树
每个班种下一棵树并为它取名，毕业前由本班负责养护。
4 | Activity | 清明节：学生缅怀革命先烈
学生到烈士陵园献花，聆听老战士讲述革命故事。
4 | Activity | 世界读书日：{unit}读书周活动
各班交换图书，家长走进课堂为低年级学生朗读。
5 | News | 五四青年节：新团员入团宣誓
三十六名学生在学校礼堂举行的仪式上光荣加入共青团。
5 6 | Activity | 劳动教育：学生打理学校菜园
每个班在自己的地块上种菜，并坚持写劳动日记。
6 | Activity | {unit}欢庆六一儿童节
学生表演节目、参加游戏，学校表彰了优秀少先队员。
6 | Activity | 端午节：学生学包粽子
爷爷奶奶们教学生包粽子，并讲述屈原的故事。
5 6 7 | Notice | 预防溺水：致每个家庭的一封信
请家长看护好孩子，没有大人陪同不要到江河、池塘边玩耍。
7 | News | {unit}举行毕业典礼
毕业生感谢老师的培养，并种下一棵毕业树。
7 8 | News | {unit}教师参加暑期培训
教师们用一周时间学习课堂教学实践和新课程标准。
"""
RETURN_REASONS = [
    "请补充参加活动的学生人数。",
    "请写明负责老师的姓名，并补充日期。",
    "第二段与第一段重复，请精简。",
]
REJECT_REASONS = [
    "属于内部事务，不宜对外报送。",
    "同一活动上周已经报送过。",
]
INSTRUCTIONS = {
    Level.COUNTY: ("区教育局局长", "经验做法很好，请在全区学校推广。"),
    Level.CITY: ("分管教育副市长", "做得好，全市学校要学习借鉴。"),
    Level.PROVINCE: ("省教育厅", "值得在全省推广的典型。"),
    Level.NATIONAL: ("教育部", "减轻学生负担的生动实践。"),
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
    with transaction.atomic(), translation.override("zh-hans"):  # the timeline's notes in Chinese
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
    office = Unit.objects.get(name_en=OFFICE, parent=None)

    def holder(role, unit):
        return holders.get((role, unit.pk)) or holders.get((role, office.pk))

    return Cast(
        units=units,
        officers={u.pk: holder(Role.LIAISON_OFFICER, u) for u in units.values()},
        reviewers=[{u.pk: holder(s.reviewer_role, u) for u in units.values()} for s in stages],
        stages=stages,
        chain=chain,
        director=holder(Role.OFFICE_DIRECTOR, office),
        categories={c.name_en: c for c in Category.objects.all()},
        outlets=list(outlets.values()),
        weights=[HAND_OUTLETS.get(name, (None, None, CAMPUS_FEED_WEIGHT))[2] for name in outlets],
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
        title=topic.title.format(unit=unit.name_zh_hans or unit.name),
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
        if outlet.name_en in NEWSPAPERS:
            adoption.issue = f"{adopted_on:%Y-%m-%d}，第{rng.randint(1, 8)}版"
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
            step.unit_id = story.article.unit_id
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
