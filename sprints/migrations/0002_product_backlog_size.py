"""Product.backlog_size, kept by triggers on the items on PostgreSQL and on SQLite.

An item is in the backlog while it is in no sprint and not accepted (`selectors.backlog_for`).
The triggers count it in or out whenever it is inserted, deleted, or its sprint or status
changes, so the count is right whoever writes the items: the services, bulk loads, the admin.
On PostgreSQL inserts and deletes are counted once per statement (a bulk insert of 50,000
items updates each product once); updates row by row, only when the item enters or leaves.

SQLite drops a table's triggers when Django's schema editor rebuilds the table: a later
migration that alters sprints_backlogitem on SQLite must create them again (SQLITE_TRIGGERS).
"""

from django.db import migrations, models

IN_BACKLOG = "{row}.sprint_id IS NULL AND {row}.status <> 'accepted'"

POSTGRESQL_TRIGGERS = f"""
CREATE FUNCTION sprints_backlog_size_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sprints_product p SET backlog_size = p.backlog_size + n.count
    FROM (SELECT product_id, COUNT(*) AS count FROM new_rows
          WHERE {IN_BACKLOG.format(row="new_rows")} GROUP BY product_id) n
    WHERE p.id = n.product_id;
    RETURN NULL;
END $$;
CREATE FUNCTION sprints_backlog_size_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sprints_product p SET backlog_size = p.backlog_size - n.count
    FROM (SELECT product_id, COUNT(*) AS count FROM old_rows
          WHERE {IN_BACKLOG.format(row="old_rows")} GROUP BY product_id) n
    WHERE p.id = n.product_id;
    RETURN NULL;
END $$;
CREATE FUNCTION sprints_backlog_size_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sprints_product
    SET backlog_size = backlog_size + CASE WHEN {IN_BACKLOG.format(row="NEW")} THEN 1 ELSE -1 END
    WHERE id = NEW.product_id;
    RETURN NULL;
END $$;
CREATE TRIGGER sprints_backlog_size_inserted AFTER INSERT ON sprints_backlogitem
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION sprints_backlog_size_inserted();
CREATE TRIGGER sprints_backlog_size_deleted AFTER DELETE ON sprints_backlogitem
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION sprints_backlog_size_deleted();
CREATE TRIGGER sprints_backlog_size_updated AFTER UPDATE OF sprint_id, status
    ON sprints_backlogitem FOR EACH ROW
    WHEN (({IN_BACKLOG.format(row="OLD")}) IS DISTINCT FROM ({IN_BACKLOG.format(row="NEW")}))
    EXECUTE FUNCTION sprints_backlog_size_updated();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS sprints_backlog_size_inserted ON sprints_backlogitem;
DROP TRIGGER IF EXISTS sprints_backlog_size_deleted ON sprints_backlogitem;
DROP TRIGGER IF EXISTS sprints_backlog_size_updated ON sprints_backlogitem;
DROP FUNCTION IF EXISTS sprints_backlog_size_inserted();
DROP FUNCTION IF EXISTS sprints_backlog_size_deleted();
DROP FUNCTION IF EXISTS sprints_backlog_size_updated();
"""
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS sprints_backlog_size_inserted
    AFTER INSERT ON sprints_backlogitem WHEN {IN_BACKLOG.format(row="NEW")}
    BEGIN UPDATE sprints_product SET backlog_size = backlog_size + 1 WHERE id = NEW.product_id; END""",
    f"""CREATE TRIGGER IF NOT EXISTS sprints_backlog_size_deleted
    AFTER DELETE ON sprints_backlogitem WHEN {IN_BACKLOG.format(row="OLD")}
    BEGIN UPDATE sprints_product SET backlog_size = backlog_size - 1 WHERE id = OLD.product_id; END""",
    f"""CREATE TRIGGER IF NOT EXISTS sprints_backlog_size_updated
    AFTER UPDATE OF sprint_id, status ON sprints_backlogitem
    WHEN ({IN_BACKLOG.format(row="OLD")}) <> ({IN_BACKLOG.format(row="NEW")})
    BEGIN UPDATE sprints_product
        SET backlog_size = backlog_size + CASE WHEN {IN_BACKLOG.format(row="NEW")} THEN 1 ELSE -1 END
        WHERE id = NEW.product_id; END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS sprints_backlog_size_inserted",
    "DROP TRIGGER IF EXISTS sprints_backlog_size_deleted",
    "DROP TRIGGER IF EXISTS sprints_backlog_size_updated",
]
COUNT = f"""
UPDATE sprints_product SET backlog_size = (
    SELECT COUNT(*) FROM sprints_backlogitem
    WHERE sprints_backlogitem.product_id = sprints_product.id
    AND {IN_BACKLOG.format(row="sprints_backlogitem")}
)
"""


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRESQL_TRIGGERS, COUNT])
    elif vendor == "sqlite":
        _run(schema_editor, [*SQLITE_TRIGGERS, COUNT])
    else:
        raise NotImplementedError(f"No backlog size triggers for {vendor}.")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, [POSTGRESQL_DROP] if vendor == "postgresql" else SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("sprints", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="product",
            name="backlog_size",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
