from django.db import migrations


def count(apps, schema_editor):
    # the live module, not historical models: the count is `reports.figures`' own, as of this release
    from reports import tallies

    tallies.rebuild()


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_tallies")]

    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
