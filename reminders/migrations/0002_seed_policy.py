from django.db import migrations


def seed_policy(apps, schema_editor):
    # The defaults of the model fields: 30, 7 and 1 days before; the first day overdue, then weekly; escalation at
    # 28 days overdue to the region's Inspectorate lead; the response due 8 weeks after publication.
    ReminderPolicy = apps.get_model("reminders", "ReminderPolicy")
    ReminderPolicy.objects.get_or_create(singleton=True)


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]
    operations = [migrations.RunPython(seed_policy, migrations.RunPython.noop)]
