from django.db import migrations

from inspections.reference import read_regions


def seed_regions(apps, schema_editor):
    Region = apps.get_model("inspections", "Region")
    ProbationDeliveryUnit = apps.get_model("inspections", "ProbationDeliveryUnit")
    for name, code, pdus in read_regions():
        region, _ = Region.objects.update_or_create(code=code, defaults={"name": name})
        for pdu in pdus:
            ProbationDeliveryUnit.objects.get_or_create(region=region, name=pdu)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(seed_regions, migrations.RunPython.noop)]
