import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_units(apps, schema_editor):
    ReviewStep = apps.get_model("reviews", "ReviewStep")
    Article = apps.get_model("submissions", "Article")
    unit = Article.objects.filter(pk=OuterRef("article_id")).values("unit_id")[:1]
    ReviewStep.objects.update(unit_id=Subquery(unit))


# The new column is filled here and made required in 0005: PostgreSQL refuses to alter a table with
# foreign-key checks of this transaction pending.
class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("reviews", "0003_delegation"),
        ("submissions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewstep",
            name="unit",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.unit",
                verbose_name="unit",
            ),
        ),
        migrations.RunPython(fill_units, migrations.RunPython.noop, elidable=True),
    ]
