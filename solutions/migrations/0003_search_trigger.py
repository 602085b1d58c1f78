"""The catalogue's search vector, kept by the database itself (PostgreSQL only; SQLite searches
with the portable fallback of `solutions.search` and needs nothing here).

A trigger fills `search_vector` before every insert, and before every update that writes a
searched column, so every path that writes a solution keeps it right: the services, the
factories, bulk_create, a raw UPDATE. Updates of other columns (adoption_count with F()) do not
fire it. Each text is indexed twice, with Dutch and with English stemming, and weighted:

    A  the name
    B  the short descriptions (nl, en)
    C  the long descriptions and the features (nl, en)

Existing rows are indexed at the end of the migration.
"""

from django.db import migrations

# The trigger fires on the searched columns, and on search_vector itself so that nothing can
# write a vector of its own (a save() writes back the one it read).
CREATE = """
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
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS solutions_solution_search_vector_update ON solutions_solution;
CREATE TRIGGER solutions_solution_search_vector_update
    BEFORE INSERT OR UPDATE OF
        name, short_description_nl, short_description_en, long_description_nl,
        long_description_en, features_nl, features_en, search_vector
    ON solutions_solution
    FOR EACH ROW EXECUTE FUNCTION solutions_solution_search_vector();

UPDATE solutions_solution SET name = name;
"""

DROP = """
DROP TRIGGER IF EXISTS solutions_solution_search_vector_update ON solutions_solution;
DROP FUNCTION IF EXISTS solutions_solution_search_vector();
UPDATE solutions_solution SET search_vector = NULL;
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("solutions", "0002_search_index")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
