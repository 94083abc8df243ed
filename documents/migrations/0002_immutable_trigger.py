"""PostgreSQL refuses any change to an issued document at the database: no DELETE, and
an UPDATE only by the render step (render fields only, once, before the PDF is stored).
SQLite has no equivalent worth its cost; the model and queryset refuse there too."""

from django.db import migrations

CREATE = """
CREATE FUNCTION documents_issueddocument_immutable() RETURNS trigger AS $$
DECLARE
    render_fields text[] := ARRAY['pdf', 'sha256', 'render_status', 'rendered_at', 'render_error'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'issued document % cannot be deleted', OLD.number USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.render_status = 'rendered'
       OR (to_jsonb(NEW) - render_fields) IS DISTINCT FROM (to_jsonb(OLD) - render_fields) THEN
        RAISE EXCEPTION 'issued document % cannot be changed', OLD.number USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER documents_issueddocument_immutable
    BEFORE UPDATE OR DELETE ON documents_issueddocument
    FOR EACH ROW EXECUTE FUNCTION documents_issueddocument_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS documents_issueddocument_immutable ON documents_issueddocument;
DROP FUNCTION IF EXISTS documents_issueddocument_immutable();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no parameters: the % in RAISE stays as is
            cursor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
