from django.db import migrations


def count(apps, schema_editor):
    # the live module, not historical models: the count is `reports.figures`' own, as of this release
    from reports import tallies

    tallies.rebuild()


class Migration(migrations.Migration):
    # the count reads the live models: every table they read must be as this release has it
    dependencies = [
        ("reports", "0007_year_medians"),
        ("submissions", "0008_translated_names"),
        ("outlets", "0007_delivered_index"),
        ("accounts", "0006_user_named_deputy"),
        ("topics", "0001_initial"),
    ]

    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
