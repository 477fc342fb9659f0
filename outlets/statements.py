"""The SQL a delivery attempt runs on its way (claim and settle), written out once per process from the
models' metadata and executed as it is: building these statements through the ORM on every attempt
cost more time than running them. What they are for is told in outlets/actions.py.

PostgreSQL and SQLite (3.35+, for RETURNING)."""

import weakref
from contextlib import nullcontext
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from submissions.models import Article, Photo

from .adapters import resend_safe_kinds
from .models import Delivery, Outlet

# What a send reads, fetched with the claim (as select_related paths).
SENT_WITH = ("outlet", "revision", "article", "article__unit", "article__author", "article__category")
SENDING, WAITING = Delivery.State.SENDING, (Delivery.State.QUEUED, Delivery.State.RETRYING)
# Sends under way are counted with the state written out, not as a parameter: so that the plan of a
# prepared statement can use the index of sending deliveries (delivery_sending), whatever the size
# of the outlet's history. Looked up through the outlet's other indexes, a count read every delivery
# the outlet ever had (a millisecond per thousand, at every claim and settle).
BUSY = f"'{SENDING}'"


class Names:
    """Quoted names of a model for SQL text: `{d}` is its table (with the alias, if any), `{d.state}`
    the column of its field "state" (qualified by the alias, if any)."""

    def __init__(self, model, alias=None):
        self._model, self._alias = model, alias

    def __str__(self):
        table = connection.ops.quote_name(self._model._meta.db_table)
        return f"{table} {connection.ops.quote_name(self._alias)}" if self._alias else table

    def __getattr__(self, name):
        field = self._model._meta.pk if name == "pk" else self._model._meta.get_field(name)
        quoted = connection.ops.quote_name(field.column)
        return f"{connection.ops.quote_name(self._alias)}.{quoted}" if self._alias else quoted


def prep(name, value, db=connection):
    """A value for a Delivery column, as the ORM would send it to `db`."""
    return Delivery._meta.get_field(name).get_db_prep_value(value, db)


def _db():
    """This thread's default connection: looked up once per statement, not at every use of the
    `connection` proxy (a statement used it some forty times)."""
    return connections[DEFAULT_DB_ALIAS]


class Joined:
    """One model in the claim's read: its alias, its columns, and how to rebuild its instance."""

    def __init__(self, model, alias, *, field=None, nullable=False):
        self.model, self.alias, self.field, self.nullable = model, alias, field, nullable
        self.fields = model._meta.concrete_fields
        self.names = [f.attname for f in self.fields]
        self.pk_index = self.fields.index(model._meta.pk)
        self.converters = []
        for i, f in enumerate(self.fields):
            col = f.get_col(alias)
            if found := [*connection.ops.get_db_converters(col), *f.get_db_converters(connection)]:
                self.converters.append((i, found, col))

    def columns(self):
        names = Names(self.model, self.alias)
        return [getattr(names, f.name) for f in self.fields]

    def build(self, values, db):
        """The instance, as the ORM builds it from a row; None for the empty side of an outer join."""
        if self.nullable and values[self.pk_index] is None:
            return None
        values = list(values)
        for i, converters, col in self.converters:
            for convert in converters:
                values[i] = convert(values[i], col, db)
        return self.model.from_db(db.alias, self.names, values)


@cache
def _claim_read(vendor):
    """(sql, joined, photo): the delivery with its outlet, revision, article, the article's unit,
    author and category, whether the article credits other units, and one row per photo of the
    article (one row without a photo if it has none); the outlet's row locked (one claimer per
    outlet at a time). One parameter: the delivery's id."""
    joined = {"": Joined(Delivery, "d")}
    joins = []
    for n, path in enumerate(SENT_WITH):
        parent_path, _, name = path.rpartition("__")
        parent = joined[parent_path]
        field = parent.model._meta.get_field(name)
        nullable = field.null or parent.nullable
        child = joined[path] = Joined(field.related_model, f"j{n}", field=field, nullable=nullable)
        this, other = Names(child.model, child.alias), Names(parent.model, parent.alias)
        kind = "LEFT OUTER JOIN" if nullable else "INNER JOIN"
        joins.append(f"{kind} {this} ON {getattr(this, field.target_field.name)} = {getattr(other, name)}")
    photo = Joined(Photo, "p", nullable=True)
    names = {
        "d": Names(Delivery, "d"),
        "a": Names(Article, joined["article"].alias),
        "o": joined["outlet"].alias,
        "p": Names(Photo, "p"),
        "credit": Names(Article.co_units.through, "credit"),
    }
    sql = (
        "SELECT {columns}, EXISTS (SELECT 1 FROM {credit} WHERE {credit.article} = {a.pk}) "
        "FROM {d} {joins} LEFT OUTER JOIN {p} ON {p.article} = {a.pk} "
        "WHERE {d.pk} = %s ORDER BY {p.order}, {p.pk}"
    ).format(
        columns=", ".join(c for j in [*joined.values(), photo] for c in j.columns()),
        joins=" ".join(joins),
        **names,
    )
    if vendor == "postgresql":  # claimed in one round trip: the outlet is locked first (take_at_once)
        sql += " FOR UPDATE OF d"
    elif connection.features.has_select_for_update_of:
        sql += f" FOR UPDATE OF {connection.ops.quote_name(names['o'])}"
    elif connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql, list(joined.items()), photo


def read_for_claim(delivery_id):
    """The delivery as a send reads it, with `has_co_units` and `photos` (the article's, in their
    order) set; or None."""
    db = _db()
    sql, joined, photo = _claim_read(db.vendor)
    with db.cursor() as cursor:
        cursor.execute(sql, [delivery_id])
        return _built(cursor.fetchall(), joined, photo, db)


def _built(rows, joined, photo, db):
    if not rows:
        return None
    row, built, start = rows[0], {}, 0
    for path, model in joined:
        built[path] = model.build(row[start : start + len(model.fields)], db)
        start += len(model.fields)
        parent = built[path.rpartition("__")[0]] if path else None
        if parent is not None:
            setattr(parent, model.field.name, built[path])
    delivery = built[""]
    delivery.has_co_units = bool(row[-1])
    delivery.photos = [p for p in (photo.build(r[start:-1], db) for r in rows) if p is not None]
    return delivery


@cache
def _claim(vendor):
    """Three statements sent at once (the simple query protocol runs them as one transaction, which
    commits at the end): lock the outlet (one claimer per outlet at a time); read the delivery as a
    send needs it, locking its row; take it if it is due, its outlet active and below its cap. Each
    statement sees what was committed before it began: the count of busy sends is taken with the
    outlet locked. Parameters: see take_at_once.

    The commit waits for the disk only if it took a delivery whose outlet cannot recognise a repeat
    (see claim() in actions.py): the lock turns synchronous_commit off for the transaction, the take
    turns it back on (set by the statements themselves: no round trip of their own)."""
    # Every column qualified: inside a subquery an unqualified name is the innermost table's.
    table, d, o, busy = Names(Delivery), Names(Delivery, "d"), Names(Outlet, "o"), Names(Delivery, "busy")
    lock = (
        "SELECT set_config('synchronous_commit', 'off', true) FROM {o} "
        "WHERE {o.pk} = (SELECT {d.outlet} FROM {d} WHERE {d.pk} = %s) FOR UPDATE OF o"
    )
    safe = ", ".join(f"'{kind}'" for kind in resend_safe_kinds()) or "NULL"
    durable = (
        "set_config('synchronous_commit', CASE WHEN (SELECT {o.kind} FROM {o} WHERE {o.pk} = {d.outlet}) "
        f"IN ({safe}) THEN 'off' ELSE 'on' END, true)"
    )
    take = (
        "UPDATE {d} SET {t.state} = %s, {t.lease_until} = %s, {t.attempts} = {d.attempts} + 1, "
        "{t.maybe_sent} = ({d.maybe_sent} OR {d.state} = %s) "
        "WHERE {d.pk} = %s AND (({d.state} IN (%s, %s) AND {d.next_attempt_at} <= %s) "
        "OR ({d.state} = %s AND {d.lease_until} < %s)) "
        "AND EXISTS (SELECT 1 FROM {o} WHERE {o.pk} = {d.outlet} AND {o.is_active} "
        "AND {o.max_concurrency} > (SELECT COUNT(*) FROM {busy} WHERE {busy.outlet} = {o.pk} "
        f"AND {{busy.state}} = {BUSY} AND {{busy.lease_until}} >= %s)) "
        "RETURNING {d.attempts}, {d.maybe_sent}, " + durable
    )
    read = _claim_read(vendor)[0]
    return "; ".join([lock.format(o=o, d=d), read, take.format(t=table, d=d, o=o, busy=busy)])


def take_at_once(delivery_id, *, lease_until, now):
    """PostgreSQL: read the delivery as read_for_claim() does and, in the same round trip and
    transaction, take it for an attempt (state sending, lease until `lease_until`, one more attempt,
    `maybe_sent` if an expired send is taken over) if it is due at `now`, its outlet active and
    below its cap. (the delivery as read, before the take, and (attempts, maybe_sent) as taken; or
    (None, None) if not taken: its row is then not made into instances)."""
    db = _db()
    now, lease_until = prep("lease_until", now, db), prep("lease_until", lease_until, db)
    params = [
        delivery_id,
        delivery_id,
        *(SENDING, lease_until, SENDING, delivery_id, *WAITING, now, SENDING, now, now),
    ]
    _, joined, photo = _claim_read(db.vendor)
    with db.cursor() as cursor:
        cursor.execute(_prepared(cursor, _claim(db.vendor)), params)
        cursor.nextset()
        rows = cursor.fetchall()
        cursor.nextset()
        taken = cursor.fetchone()
        if taken is None:
            return None, None
        return _built(rows, joined, photo, db), taken[:2]


_names = {}  # statement -> its name in PREPARE
_prepared_on = weakref.WeakKeyDictionary()  # database connection -> the names prepared on it


def _prepared(cursor, statements):
    """The SQL that runs `statements` ("; "-separated, %s parameters) as statements prepared on this
    connection: parsing and planning the claim's statements took longer than running them. Each is
    prepared the first time the connection runs it (PREPARE lasts as long as the session, whatever
    becomes of the transaction). PostgreSQL; not through a pooler in transaction mode."""
    done = _prepared_on.setdefault(cursor.db.connection, set())
    run, prepare = [], []
    for statement in statements.split("; "):
        name = _names.setdefault(statement, f"publicity_{len(_names)}")
        count = statement.count("%s")
        if name not in done:
            pieces = statement.split("%s")
            numbered = pieces[0] + "".join(f"${n}{piece}" for n, piece in enumerate(pieces[1:], 1))
            prepare.append(f"PREPARE {name} AS {numbered}")
        run.append(f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}")
    if prepare:
        cursor.execute("; ".join(prepare))
        done.update(_names[statement] for statement in statements.split("; "))
    return "; ".join(run)


@cache
def _take(vendor, lease_was_null):
    return (
        "UPDATE {d} SET {d.state} = %s, {d.lease_until} = %s, {d.attempts} = %s, {d.maybe_sent} = %s "
        "WHERE {d.pk} = %s AND {d.state} = %s AND {d.attempts} = %s AND {d.maybe_sent} = %s "
        "AND {d.next_attempt_at} = %s AND {d.remote_id} = %s AND {d.lease_until} {lease} "
        "AND %s > (SELECT COUNT(*) FROM {busy} "
        "WHERE {busy.outlet} = %s AND {busy.state} = %s AND {busy.lease_until} >= %s)"
    ).format(d=Names(Delivery), busy=Names(Delivery, "busy"), lease="IS NULL" if lease_was_null else "= %s")


def take(delivery, taken, *, max_concurrency, now):
    """Set `taken` (state, lease_until, attempts, maybe_sent) on the delivery if its row still has the
    values read (the attempt count being the fencing token) and its outlet has fewer than
    `max_concurrency` sends whose lease runs. Whether it was taken."""
    d = delivery
    lease = [] if d.lease_until is None else [prep("lease_until", d.lease_until)]
    params = [
        *(prep(name, taken[name]) for name in ("state", "lease_until", "attempts", "maybe_sent")),
        *(d.pk, d.state, d.attempts, d.maybe_sent, prep("next_attempt_at", d.next_attempt_at), d.remote_id),
        *lease,
        *(max_concurrency, d.outlet_id, SENDING, prep("lease_until", now)),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_take(connection.vendor, d.lease_until is None), params)
        return cursor.rowcount == 1


@cache
def _settle(vendor, names, durable, added):
    d = Names(Delivery)
    update = "UPDATE {d} SET {columns} WHERE {d.pk} = %s AND {d.state} = %s AND {d.attempts} = %s".format(
        d=d, columns=", ".join(f"{getattr(d, name)} = %s" for name in names)
    )
    # The outlet's waiting deliveries are looked through only if it was at its cap (rarely): the
    # subquery after THEN runs only when its CASE gets there, so a settle costs no scan of them.
    waiting = (
        "(CASE WHEN EXISTS (SELECT 1 FROM {o} WHERE {o.pk} = %s AND {o.is_active} = %s "
        "AND {o.max_concurrency} <= 1 + (SELECT COUNT(*) FROM {busy} WHERE {busy.outlet} = %s "
        f"AND {{busy.state}} = {BUSY} AND {{busy.lease_until}} >= %s AND {{busy.pk}} <> %s)) "
        "THEN (SELECT {w.pk} FROM {w} WHERE {w.outlet} = %s AND {w.state} IN (%s, %s) "
        "AND {w.next_attempt_at} <= %s AND {w.pk} <> %s ORDER BY {w.next_attempt_at} LIMIT 1) END)"
    ).format(w=Names(Delivery, "w"), o=Names(Outlet, "o"), busy=Names(Delivery, "busy"))
    if vendor != "postgresql":
        return f"{update} RETURNING {waiting}"
    # One statement that commits on its own: the rows are added only if the delivery was updated, and
    # the commit need not wait for the disk if not `durable` (set by the statement itself, so that it
    # costs no round trip of its own: for the rest of the transaction, and only if it updated).
    inserts = "".join(f", added{n} AS ({_insert(model)} FROM settled)" for n, model in enumerate(added))
    relax = "" if durable else ", set_config('synchronous_commit', 'off', true)"
    return f"WITH settled AS ({update} RETURNING 1){inserts} SELECT {waiting}{relax} FROM settled"


def _insert(model):
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return f"INSERT INTO {Names(model)} ({columns}) SELECT {', '.join(['%s'] * len(fields))}"


def _values(obj, db):
    """What the ORM would insert for `obj`, a new row (no signals are sent: these models have none)."""
    fields = [f for f in obj._meta.concrete_fields if not f.primary_key]
    return [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]


def settle(delivery, fields, *, now, durable=True, added=()):
    """Set `fields` on the delivery if this attempt still holds it, add the new rows `added` (model
    instances) if so, and, if the outlet was at its cap (a claim may have been turned away), name the
    delivery that has waited longest for it. (updated, the waiting one's id or None).

    On PostgreSQL one statement, which commits on its own outside a transaction. Not `durable`: if it
    updated the delivery, its commit returns before its record reaches the disk (it does a moment
    later); a database crash in between loses this transaction, nothing else. On SQLite, in a
    transaction: the update, then the rows."""
    db = _db()
    postgresql = db.vendor == "postgresql"
    models = tuple(type(obj) for obj in added)
    sql = _settle(db.vendor, tuple(fields), durable, models)
    params = [
        *(prep(name, value, db) for name, value in fields.items()),
        *(delivery.pk, SENDING, delivery.attempts),
        *(value for obj in added for value in _values(obj, db) if postgresql),
        *(delivery.outlet_id, True, delivery.outlet_id, prep("lease_until", now, db), delivery.pk),
        *(delivery.outlet_id, *WAITING, prep("next_attempt_at", now, db), delivery.pk),
    ]
    with transaction.atomic(using=db.alias) if not postgresql else nullcontext():
        with db.cursor() as cursor:
            cursor.execute(_prepared(cursor, sql) if postgresql else sql, params)
            row = cursor.fetchone()
        if row is not None and not postgresql:
            for obj in added:
                obj.save()
    return row is not None, row[0] if row else None
