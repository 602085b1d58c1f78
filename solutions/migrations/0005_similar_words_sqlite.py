"""The words of every solution in an FTS5 index, for similar solutions on SQLite (the embedded
mode); PostgreSQL has its search vector (0003) and needs nothing here.

`solutions_solutionwords` holds, under the solution's id, its name and all its other searched
texts (short and long descriptions and features, nl and en). Triggers keep it as the solutions
change, so every path that writes one keeps it right: the services, bulk_create, a raw UPDATE.
Its unicode61 tokenizer folds case and accents, so "Financiën" is found by "financien" too.

SQLite drops a table's triggers when Django's schema editor rebuilds the table: a later
migration that alters solutions_solution must run CREATE_TRIGGERS again (and REFILL).
Existing rows are indexed at the end of the migration.
"""

from django.db import migrations

FEATURES = (
    "COALESCE((SELECT group_concat(value, ' ') FROM json_each({row}.{column})), '')"
)
TEXTS = " || ' ' || ".join(
    [
        "COALESCE({row}.short_description_nl, '')",
        "COALESCE({row}.short_description_en, '')",
        "COALESCE({row}.long_description_nl, '')",
        "COALESCE({row}.long_description_en, '')",
        FEATURES.replace("{column}", "features_nl"),
        FEATURES.replace("{column}", "features_en"),
    ]
)
SEARCHED = "name, short_description_nl, short_description_en, long_description_nl, " \
    "long_description_en, features_nl, features_en"

CREATE_TABLE = "CREATE VIRTUAL TABLE IF NOT EXISTS solutions_solutionwords USING fts5(name, texts)"
CREATE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS solutions_solutionwords_insert
    AFTER INSERT ON solutions_solution BEGIN
        INSERT INTO solutions_solutionwords(rowid, name, texts)
        VALUES (NEW.id, NEW.name, {TEXTS.format(row="NEW")});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS solutions_solutionwords_update
    AFTER UPDATE OF {SEARCHED} ON solutions_solution BEGIN
        DELETE FROM solutions_solutionwords WHERE rowid = OLD.id;
        INSERT INTO solutions_solutionwords(rowid, name, texts)
        VALUES (NEW.id, NEW.name, {TEXTS.format(row="NEW")});
    END""",
    """CREATE TRIGGER IF NOT EXISTS solutions_solutionwords_delete
    AFTER DELETE ON solutions_solution BEGIN
        DELETE FROM solutions_solutionwords WHERE rowid = OLD.id;
    END""",
]
REFILL = [
    "DELETE FROM solutions_solutionwords",
    "INSERT INTO solutions_solutionwords(rowid, name, texts) "
    f"SELECT s.id, s.name, {TEXTS.format(row='s')} FROM solutions_solution s",
]
DROP = [
    "DROP TRIGGER IF EXISTS solutions_solutionwords_insert",
    "DROP TRIGGER IF EXISTS solutions_solutionwords_update",
    "DROP TRIGGER IF EXISTS solutions_solutionwords_delete",
    "DROP TABLE IF EXISTS solutions_solutionwords",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create(apps, schema_editor):
    _run(schema_editor, [CREATE_TABLE, *CREATE_TRIGGERS, *REFILL])


def drop(apps, schema_editor):
    _run(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [("solutions", "0004_publiccode_categories")]

    operations = [migrations.RunPython(create, drop)]
