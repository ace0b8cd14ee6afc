"""Row versions for optimistic locking and a change history kept by the database itself.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

- Every layer table gets `version integer NOT NULL DEFAULT 1`. A BEFORE trigger owns it:
  an UPDATE that changes something sets `OLD.version + 1`, an UPDATE that changes
  nothing keeps the version, an INSERT continues the numbering of that id's history
  (a deleted and re-inserted id never reuses a version number). Clients cannot set it.
- `history` gets one row per real change (insert, update, delete), written by an AFTER
  trigger: what (layer, id, before and after as jsonb, geometry as hex EWKB), when
  (the transaction's start time, so one import shares one time), by whom (the database
  session user, and the application user from the `gelsennet.user` setting) and the
  transaction id. The rows already in the tables get a `baseline` row each, so that
  reading "as of" a time works for data older than this revision.
- The trigger functions are SECURITY DEFINER with a fixed search_path, and only their owner may
  EXECUTE them: an editor role may change the layers without any right to write `history`
  directly, and cannot attach the functions to a table of its own to forge history rows.
- TRUNCATE of a layer table is refused: it would bypass the row triggers.

Frozen copy of the schema as of this revision: later changes get their own revision.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KEYS = {
    "nodes": "node_id",
    "routes": "route_id",
    "sites": "site_id",
    "site_areas": "site_id",
    "districts": "district_id",
}
ACTIONS = ("insert", "update", "delete", "baseline")

# Every value as jsonb except the version; the geometry as hex EWKB (exact, with its SRID),
# not through PostGIS's GeoJSON cast, which rounds coordinates.
HISTORY_DOC = """
CREATE FUNCTION history_doc(rin anyelement) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
    r record;
    g geometry;
BEGIN
    r := rin;
    g := r.geom;
    r.geom := NULL;
    RETURN (to_jsonb(r) - 'version' - 'geom') || jsonb_build_object('geom', encode(ST_AsEWKB(g), 'hex'));
END
$$
"""

HISTORY_VERSION = """
CREATE FUNCTION history_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = {path} AS $$
DECLARE
    key_field text := TG_ARGV[0];
    old_doc jsonb;
    new_doc jsonb := history_doc(NEW);
    last_version integer;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        old_doc := history_doc(OLD);
        IF old_doc = new_doc THEN  -- nothing changed: same version, and no history row
            NEW.version := OLD.version;
            RETURN NEW;
        END IF;
        IF old_doc ->> key_field = new_doc ->> key_field THEN
            NEW.version := OLD.version + 1;
            RETURN NEW;
        END IF;
    END IF;
    -- a new element, or one under a new id: continue the numbering of that id's history
    SELECT max(h.version) INTO last_version FROM history h
     -- TG_TABLE_NAME is of type name (collation "C"): as text in the default collation the index applies
     WHERE h.layer = (TG_TABLE_NAME::text COLLATE "default") AND h.element_id = new_doc ->> key_field;
    NEW.version := greatest(coalesce(last_version, 0), CASE WHEN TG_OP = 'UPDATE' THEN OLD.version ELSE 0 END) + 1;
    RETURN NEW;
END
$$
"""

HISTORY_RECORD = """
CREATE FUNCTION history_record() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = {path} AS $$
DECLARE
    key_field text := TG_ARGV[0];
    old_doc jsonb;
    new_doc jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        new_doc := history_doc(NEW);
        INSERT INTO history (layer, element_id, action, version, after)
        VALUES (TG_TABLE_NAME, new_doc ->> key_field, 'insert', NEW.version, new_doc);
    ELSIF TG_OP = 'DELETE' THEN
        old_doc := history_doc(OLD);
        INSERT INTO history (layer, element_id, action, version, before)
        VALUES (TG_TABLE_NAME, old_doc ->> key_field, 'delete', OLD.version, old_doc);
    ELSIF NEW.version IS DISTINCT FROM OLD.version THEN  -- the BEFORE trigger saw a real change
        old_doc := history_doc(OLD);
        new_doc := history_doc(NEW);
        IF old_doc ->> key_field = new_doc ->> key_field THEN
            INSERT INTO history (layer, element_id, action, version, before, after)
            VALUES (TG_TABLE_NAME, new_doc ->> key_field, 'update', NEW.version, old_doc, new_doc);
        ELSE  -- the id itself changed: the old id ends here, the new one begins
            INSERT INTO history (layer, element_id, action, version, before)
            VALUES (TG_TABLE_NAME, old_doc ->> key_field, 'delete', OLD.version, old_doc);
            INSERT INTO history (layer, element_id, action, version, after)
            VALUES (TG_TABLE_NAME, new_doc ->> key_field, 'insert', NEW.version, new_doc);
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""

HISTORY_NO_TRUNCATE = """
CREATE FUNCTION history_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'TRUNCATE % would bypass the change history', TG_TABLE_NAME
        USING HINT = 'delete the rows with DELETE (or replace the layer with gelsennet import), which is recorded';
END
$$
"""


def _search_path() -> str:
    """This schema, then PostGIS's schema, then pg_temp last (the safe order for SECURITY DEFINER)."""
    here, postgis = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT quote_ident(current_schema()), "
                "(SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'postgis')"
            )
        )
        .one()
    )
    return ", ".join(dict.fromkeys(s for s in (here, postgis, "pg_temp") if s))


def upgrade() -> None:
    for table in KEYS:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
    op.create_table(
        "history",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("layer", sa.Text(), nullable=False),
        sa.Column("element_id", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.text("transaction_timestamp()"), nullable=False
        ),
        sa.Column("db_user", sa.Text(), server_default=sa.text("session_user"), nullable=False),
        sa.Column("app_user", sa.Text(), server_default=sa.text("nullif(current_setting('gelsennet.user', true), '')")),
        sa.Column("txid", sa.BigInteger(), server_default=sa.text("txid_current()"), nullable=False),
        sa.Column("before", postgresql.JSONB()),
        sa.Column("after", postgresql.JSONB()),
        sa.PrimaryKeyConstraint("id", name="pk_history"),
        sa.CheckConstraint("action IN ('insert', 'update', 'delete', 'baseline')", name="action"),
    )
    op.create_index("ix_history_layer_element_id", "history", ["layer", "element_id", "id"])
    op.create_index("ix_history_changed_at", "history", ["changed_at"])

    path = _search_path()
    op.execute(HISTORY_DOC)
    op.execute(HISTORY_VERSION.format(path=path))
    op.execute(HISTORY_RECORD.format(path=path))
    op.execute(HISTORY_NO_TRUNCATE)
    # Nobody else may hang the definer functions on a table of their own to forge history rows;
    # the triggers below keep firing (EXECUTE is checked when a trigger is created, not when it fires).
    op.execute("REVOKE EXECUTE ON FUNCTION history_version(), history_record() FROM PUBLIC")
    for table, key in KEYS.items():
        op.execute(
            f"INSERT INTO history (layer, element_id, action, version, after) "
            f"SELECT '{table}', doc ->> '{key}', 'baseline', version, doc "
            f"FROM (SELECT version, history_doc(t) AS doc FROM {table} t ORDER BY {key}) AS rows"
        )
        op.execute(
            f"CREATE TRIGGER history_version BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION history_version('{key}')"
        )
        op.execute(
            f"CREATE TRIGGER history_record AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION history_record('{key}')"
        )
        op.execute(
            f"CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION history_no_truncate()"
        )


def downgrade() -> None:
    for table in KEYS:
        for trigger in ("history_no_truncate", "history_record", "history_version"):
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
        op.drop_column(table, "version")
    for function in ("history_no_truncate()", "history_record()", "history_version()", "history_doc(anyelement)"):
        op.execute(f"DROP FUNCTION {function}")
    op.drop_index("ix_history_changed_at", table_name="history")
    op.drop_index("ix_history_layer_element_id", table_name="history")
    op.drop_table("history")
