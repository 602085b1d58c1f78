"""The catalogue's searched text, stored lowercased, with the trigram index on it (PostgreSQL
only; SQLite reads its rows).

Migration 0008 indexed an expression (the texts concatenated and lowercased); PostgreSQL found
the candidates in the index in a millisecond, then computed the expression again for every
candidate to check it: 300 ms for 2,000 matches at 10,000 solutions. Now the trigger of 0003
also writes the distinct words of those texts, lowercased, into `search_text`, a column of the
table that Django's model does not list (nothing but the trigger and `solutions.search` needs
it), and the index is on the column.

The trigger function is the one of 0003 with `search_text` added; it fires on the same columns
and on `search_text` itself, so nothing can write a text of its own. Existing rows are filled.
"""

from importlib import import_module

from django.db import migrations

# Each distinct word once (the 'simple' configuration: lowercased, no stemming), not the texts
# themselves: a form is always found inside one word, and a row's words are a third of its text,
# so checking the candidates the index gives costs a third.
TEXT = """array_to_string(tsvector_to_array(to_tsvector('pg_catalog.simple',
        coalesce(NEW.name, '') || ' ' || coalesce(NEW.short_description_nl, '') || ' ' ||
        coalesce(NEW.short_description_en, '') || ' ' || coalesce(NEW.long_description_nl, '')
        || ' ' || coalesce(NEW.long_description_en, '') || ' ' || features_text
    )), ' ')"""

FUNCTION = """
CREATE OR REPLACE FUNCTION solutions_solution_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    short_text text := concat_ws(' ', NEW.short_description_nl, NEW.short_description_en);
    features_text text := concat_ws(
        ' ',
        CASE WHEN jsonb_typeof(NEW.features_nl) = 'array' THEN
            (SELECT string_agg(value, ' ') FROM jsonb_array_elements_text(NEW.features_nl))
        END,
        CASE WHEN jsonb_typeof(NEW.features_en) = 'array' THEN
            (SELECT string_agg(value, ' ') FROM jsonb_array_elements_text(NEW.features_en))
        END
    );
    rest_text text := concat_ws(
        ' ', NEW.long_description_nl, NEW.long_description_en, features_text
    );
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('pg_catalog.dutch', coalesce(NEW.name, '')), 'A')
        || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.name, '')), 'A')
        || setweight(to_tsvector('pg_catalog.dutch', short_text), 'B')
        || setweight(to_tsvector('pg_catalog.english', short_text), 'B')
        || setweight(to_tsvector('pg_catalog.dutch', rest_text), 'C')
        || setweight(to_tsvector('pg_catalog.english', rest_text), 'C');
    NEW.search_text := SEARCH_TEXT;
    RETURN NEW;
END
$$;
""".replace("SEARCH_TEXT", TEXT)

TRIGGER = """
DROP TRIGGER IF EXISTS solutions_solution_search_vector_update ON solutions_solution;
CREATE TRIGGER solutions_solution_search_vector_update
    BEFORE INSERT OR UPDATE OF
        name, short_description_nl, short_description_en, long_description_nl,
        long_description_en, features_nl, features_en, search_vector, search_text
    ON solutions_solution
    FOR EACH ROW EXECUTE FUNCTION solutions_solution_search_vector();
"""

CREATE = [
    "ALTER TABLE solutions_solution ADD COLUMN IF NOT EXISTS search_text text",
    FUNCTION,
    TRIGGER,
    "UPDATE solutions_solution SET name = name",
    "DROP INDEX IF EXISTS solution_search_text_trgm",
    "CREATE INDEX IF NOT EXISTS solution_search_text_trgm ON solutions_solution "
    "USING gin (search_text gin_trgm_ops)",
]

# Back to 0008: the expression index, the trigger of 0003 (its function without search_text).
DROP = [
    "DROP INDEX IF EXISTS solution_search_text_trgm",
    FUNCTION.replace(f"    NEW.search_text := {TEXT};\n", ""),
    TRIGGER.replace(", search_vector, search_text", ", search_vector"),
    "ALTER TABLE solutions_solution DROP COLUMN IF EXISTS search_text",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        trigram = import_module("solutions.migrations.0008_search_trigram")
        for statement in [*DROP, *trigram.CREATE]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("solutions", "0010_catalogue_name_order")]

    operations = [migrations.RunPython(create, drop)]
