from django.db import migrations

ROLE_GROUPS = ("sales_admin", "sales_rep", "manager")
PLACEHOLDER_COMPANY_NAME = "(未設定)"


def create_roles_and_placeholder(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    CompanyProfile = apps.get_model("backoffice", "CompanyProfile")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    if not CompanyProfile.objects.exists():
        CompanyProfile.objects.create(name=PLACEHOLDER_COMPANY_NAME)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles_and_placeholder, remove_roles)]
