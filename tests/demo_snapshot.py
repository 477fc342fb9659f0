"""The demo office for tests, seeded once and copied back for every later test that asks for it.

`seed_demo` writes a year of history (a few thousand rows, counted and scored) and takes seconds;
some sixty tests start from it, most of them browser tests whose database is emptied after each
test. The first such test seeds for real; the rows it leaves (and the photos in MEDIA_ROOT) are
kept and written back, table by table, for the next test that starts from the same state: the
same database, day, language and time zone, the same row counts before seeding, and the same kind
of test (one inside a transaction sees no after-commit work; one that commits does). The seeding
itself is tested on its own (tests/test_demo.py and tests/*/test_demo.py call the command).
"""

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

# Written by migrate and flush, never by the demo: left as they are (and checked to stay so).
UNTOUCHED = {"django_migrations", "django_content_type", "auth_permission"}

_snapshots = {}


def seed():
    names = connection.introspection.django_table_names(only_existing=True, include_views=False)
    tables = sorted(set(names) - UNTOUCHED)
    before = _counts(tables)
    untouched = _counts(sorted(UNTOUCHED))
    key = (
        connection.vendor,
        connection.settings_dict["NAME"],
        connection.in_atomic_block,
        timezone.localdate(),
        settings.LANGUAGE_CODE,
        settings.TIME_ZONE,
        tuple(sorted(before.items())),
    )
    snapshot = _snapshots.get(key)
    if snapshot is not None:
        snapshot.restore(tables)
        return
    call_command("seed_demo", verbosity=0)
    if _counts(sorted(UNTOUCHED)) == untouched:
        _snapshots[key] = Snapshot.take(tables)


def _counts(tables):
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@dataclass
class Snapshot:
    rows: dict  # table -> COPY text (PostgreSQL) or (columns, rows)
    media: Path | None

    @classmethod
    def take(cls, tables):
        rows = {}
        with connection.cursor() as cursor:
            for table in tables:
                name = connection.ops.quote_name(table)
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {name} TO STDOUT") as copy:
                        data = b"".join(bytes(block) for block in copy)
                    if data:
                        rows[table] = data
                else:
                    cursor.execute(f"SELECT * FROM {name}")
                    found = cursor.fetchall()
                    if found:
                        rows[table] = ([c[0] for c in cursor.description], found)
        media = None
        if Path(settings.MEDIA_ROOT).is_dir():
            media = Path(tempfile.mkdtemp(prefix="demo-media-"))
            shutil.copytree(settings.MEDIA_ROOT, media, dirs_exist_ok=True)
        return cls(rows, media)

    def restore(self, tables):
        with transaction.atomic(), connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            for table, data in self.rows.items():
                name = connection.ops.quote_name(table)
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy:
                        copy.write(data)
                else:
                    columns, found = data
                    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", found)
            models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in self.rows]
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        ContentType.objects.clear_cache()
        if self.media is not None:
            shutil.copytree(self.media, settings.MEDIA_ROOT, dirs_exist_ok=True)
