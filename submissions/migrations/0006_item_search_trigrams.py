"""Search in titles and bodies (the item ledger, My submissions) without reading every row on
PostgreSQL: trigram indexes on the exact expression Django's `icontains` compares,
UPPER(column::text). SQLite has no such index and searches by scanning, as before."""

from django.db import migrations

INDEXES = {
    "article_title_trgm": "title",
    "article_body_trgm": "body",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON submissions_article "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("submissions", "0005_item_ledger_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
