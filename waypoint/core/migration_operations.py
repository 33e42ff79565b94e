"""Migration operations shared by apps: a column that becomes an `EncryptedTextField`."""

from django.db import migrations

from waypoint.core import crypto


def encrypt_existing_values(app_label: str, model_name: str, field_name: str) -> migrations.RunPython:
    """Encrypts, with raw SQL, the plain text a column held before it became encrypted (the field
    now decrypts what it reads, so the ORM cannot read those rows); reversing decrypts them."""

    def rewrite(apps, schema_editor, change) -> None:
        connection = schema_editor.connection
        model = apps.get_model(app_label, model_name)
        table, column = model._meta.db_table, model._meta.get_field(field_name).column
        quote = connection.ops.quote_name
        key = quote(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {key}, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")  # noqa: S608 (names from the model, quoted)
            for pk, value in cursor.fetchall():
                new = change(value)
                if new != value:
                    cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {key} = %s", [new, pk])  # noqa: S608

    def forwards(apps, schema_editor) -> None:
        rewrite(apps, schema_editor, lambda v: v if v.startswith(crypto.PREFIX) else crypto.encrypt(v))

    def backwards(apps, schema_editor) -> None:
        rewrite(apps, schema_editor, lambda v: crypto.decrypt(v) if v.startswith(crypto.PREFIX) else v)

    return migrations.RunPython(forwards, backwards)
