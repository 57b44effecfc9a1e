from django.db import migrations

from recommendations.reference import THEMES


def seed_themes(apps, schema_editor):
    Theme = apps.get_model("recommendations", "Theme")
    for name, keywords in THEMES.items():
        Theme.objects.update_or_create(name=name, defaults={"keywords": keywords})


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0001_initial")]
    operations = [migrations.RunPython(seed_themes, migrations.RunPython.noop)]
