"""PostgreSQL refuses any change to a stored e-invoice: it is written once (file and
SHA-256 together) and never updated or deleted."""

from django.db import migrations

CREATE = """
CREATE FUNCTION documents_issuedeinvoice_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the e-invoice of document % cannot be changed or deleted', OLD.document_id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER documents_issuedeinvoice_immutable
    BEFORE UPDATE OR DELETE ON documents_issuedeinvoice
    FOR EACH ROW EXECUTE FUNCTION documents_issuedeinvoice_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS documents_issuedeinvoice_immutable ON documents_issuedeinvoice;
DROP FUNCTION IF EXISTS documents_issuedeinvoice_immutable();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_issued_einvoice")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
