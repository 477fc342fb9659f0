import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0004_step_unit"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reviewstep",
            name="unit",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.unit",
                verbose_name="unit",
            ),
        ),
        migrations.AddIndex(
            model_name="reviewstep",
            index=models.Index(
                condition=models.Q(("decision", "pending")),
                fields=["unit", "created_at", "id"],
                name="review_step_unit_queue",
            ),
        ),
    ]
