"""The SQL a delivery attempt runs on its way (claim, settle, the photos it sends), written out once per
process from the models' metadata and executed as it is. Building these statements through the ORM
on every attempt cost more time than running them; what they do is spelled out in outlets/actions.py.

Works on PostgreSQL and SQLite (3.35+, for RETURNING)."""

from functools import cache

from django.db import connection

from submissions.models import Article, Photo

from .models import Delivery, Outlet

# What a send reads, fetched with the claim (select_related paths).
SENT_WITH = ("outlet", "revision", "article", "article__unit", "article__author", "article__category")
SENDING, WAITING = Delivery.State.SENDING, (Delivery.State.QUEUED, Delivery.State.RETRYING)


def q(name):
    return connection.ops.quote_name(name)


def column(model, name):
    return model._meta.get_field(name).column


def prep(model, name, value):
    return model._meta.get_field(name).get_db_prep_value(value, connection)


class Joined:
    """One model of the claim's read: its alias, its columns, and how to rebuild its instance."""

    def __init__(self, model, alias, parent=None, field=None):
        self.model, self.alias, self.parent, self.field = model, alias, parent, field
        self.fields = model._meta.concrete_fields
        self.nullable = field is not None and (field.null or parent.nullable)
        self.pk_index = self.fields.index(model._meta.pk)
        self.converters = [
            (i, [*connection.ops.get_db_converters(col), *f.get_db_converters(connection)], col)
            for i, f in enumerate(self.fields)
            for col in [f.get_col(alias)]
        ]
        self.converters = [(i, found, col) for i, found, col in self.converters if found]

    def columns(self):
        return [f"{q(self.alias)}.{q(f.column)}" for f in self.fields]

    def build(self, values):
        values = list(values)
        if self.nullable and values[self.pk_index] is None:
            return None
        for i, converters, col in self.converters:
            for convert in converters:
                values[i] = convert(values[i], col, connection)
        return self.model.from_db(connection.alias, [f.attname for f in self.fields], values)


@cache
def _claim_read(vendor):
    """(sql, joined): the delivery with its outlet, revision, article, the article's unit, author and
    category, and whether the article credits other units; the outlet row locked (one claimer per
    outlet at a time). One parameter: the delivery's id."""
    joined = {"": Joined(Delivery, "d")}
    joins = []
    for n, path in enumerate(SENT_WITH):
        parent_path, _, name = path.rpartition("__")
        parent = joined[parent_path]
        field = parent.model._meta.get_field(name)
        child = joined[path] = Joined(field.related_model, f"j{n}", parent, field)
        kind = "LEFT OUTER JOIN" if child.nullable else "INNER JOIN"
        target = q(field.related_model._meta.db_table)
        on = f"{q(child.alias)}.{q(field.target_field.column)} = {q(parent.alias)}.{q(field.column)}"
        joins.append(f"{kind} {target} {q(child.alias)} ON {on}")
    through = Article.co_units.through._meta
    credits = (
        f"EXISTS (SELECT 1 FROM {q(through.db_table)} WHERE "
        f"{q(through.get_field('article').column)} = {q(joined['article'].alias)}.{q('id')})"
    )
    sql = (
        f"SELECT {', '.join(c for j in joined.values() for c in j.columns())}, {credits} "
        f"FROM {q(Delivery._meta.db_table)} {q('d')} {' '.join(joins)} WHERE {q('d')}.{q('id')} = %s"
    )
    if connection.features.has_select_for_update_of:
        sql += f" FOR UPDATE OF {q(joined['outlet'].alias)}"
    elif connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql, list(joined.items())


def read_for_claim(delivery_id):
    """The delivery as a send reads it, with `has_co_units` set, or None."""
    sql, joined = _claim_read(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [delivery_id])
        row = cursor.fetchone()
    if row is None:
        return None
    built, start = {}, 0
    for path, model in joined:
        end = start + len(model.fields)
        built[path] = model.build(row[start:end])
        start = end
        if path:
            parent_path = path.rpartition("__")[0]
            if built[parent_path] is not None:
                setattr(built[parent_path], model.field.name, built[path])
    delivery = built[""]
    delivery.has_co_units = bool(row[-1])
    return delivery


# The fields a claim compares (compare and set: taken only if nothing changed since the read).
UNCHANGED = ("state", "attempts", "maybe_sent", "lease_until", "next_attempt_at", "remote_id")
TAKEN = ("state", "lease_until", "attempts", "maybe_sent")


@cache
def _take(vendor, lease_was_null):
    table, delivery = q(Delivery._meta.db_table), Delivery
    compared = [
        f"{q(column(delivery, name))} IS NULL"
        if name == "lease_until" and lease_was_null
        else f"{q(column(delivery, name))} = %s"
        for name in UNCHANGED
    ]
    busy = (
        f"SELECT COUNT(*) FROM {table} {q('busy')} WHERE {q('busy')}.{q(column(delivery, 'outlet'))} = %s "
        f"AND {q('busy')}.{q(column(delivery, 'state'))} = %s "
        f"AND {q('busy')}.{q(column(delivery, 'lease_until'))} >= %s"
    )
    return (
        f"UPDATE {table} SET {', '.join(f'{q(column(delivery, name))} = %s' for name in TAKEN)} "
        f"WHERE {q('id')} = %s AND {' AND '.join(compared)} AND %s > ({busy})"
    )


def take(delivery, taken, *, max_concurrency, now):
    """Set `taken` on the delivery if its row still has the values read (the attempt count being the
    fencing token) and its outlet has fewer than `max_concurrency` sends whose lease runs. Whether it
    was taken."""
    lease_was_null = delivery.lease_until is None
    unchanged = [
        prep(Delivery, name, getattr(delivery, name))
        for name in UNCHANGED
        if not (name == "lease_until" and lease_was_null)
    ]
    params = [
        *(prep(Delivery, name, taken[name]) for name in TAKEN),
        delivery.pk,
        *unchanged,
        max_concurrency,
        delivery.outlet_id,
        SENDING,
        prep(Delivery, "lease_until", now),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_take(connection.vendor, lease_was_null), params)
        return cursor.rowcount == 1


@cache
def _settle(vendor, names):
    table = q(Delivery._meta.db_table)
    waiting = (
        f"SELECT {q('w')}.{q('id')} FROM {table} {q('w')} "
        f"INNER JOIN {q(Outlet._meta.db_table)} {q('o')} "
        f"ON {q('o')}.{q('id')} = {q('w')}.{q(column(Delivery, 'outlet'))} "
        f"WHERE {q('w')}.{q(column(Delivery, 'outlet'))} = %s "
        f"AND {q('o')}.{q(column(Outlet, 'is_active'))} = %s "
        f"AND {q('w')}.{q(column(Delivery, 'state'))} IN (%s, %s) "
        f"AND {q('w')}.{q(column(Delivery, 'next_attempt_at'))} <= %s AND {q('w')}.{q('id')} <> %s "
        f"ORDER BY {q('w')}.{q(column(Delivery, 'next_attempt_at'))} LIMIT 1"
    )
    return (
        f"UPDATE {table} SET {', '.join(f'{q(column(Delivery, name))} = %s' for name in names)} "
        f"WHERE {q('id')} = %s AND {q(column(Delivery, 'state'))} = %s "
        f"AND {q(column(Delivery, 'attempts'))} = %s RETURNING ({waiting})"
    )


def settle(delivery, fields, *, now):
    """Update the delivery if this attempt still holds it, and name the next delivery waiting for the
    outlet, in one statement. (updated, id of the waiting delivery or None)."""
    params = [
        *(prep(Delivery, name, value) for name, value in fields.items()),
        delivery.pk,
        SENDING,
        delivery.attempts,
        delivery.outlet_id,
        True,
        *WAITING,
        prep(Delivery, "next_attempt_at", now),
        delivery.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_settle(connection.vendor, tuple(fields)), params)
        row = cursor.fetchone()
    return row is not None, row[0] if row else None


@cache
def _photos(vendor):
    photo = Joined(Photo, Photo._meta.db_table)
    order = ", ".join(q(column(Photo, name)) for name in ("order", "id"))
    sql = (
        f"SELECT {', '.join(photo.columns())} FROM {q(Photo._meta.db_table)} "
        f"WHERE {q(column(Photo, 'article'))} = %s ORDER BY {order}"
    )
    return sql, photo


def photos(article_id):
    """The article's photos, in their order."""
    sql, photo = _photos(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [article_id])
        return [photo.build(row) for row in cursor.fetchall()]
