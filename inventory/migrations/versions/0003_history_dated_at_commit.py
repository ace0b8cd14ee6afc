"""History dated by when a change became visible (its commit), not by its transaction's start.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10

Until 0002 a history row carried its transaction's start time. An editor who held a transaction
open could so date changes back to any moment since it began, and `--as-of T` answered differently
before and after such a transaction committed. PostgreSQL keeps no commit time unless the server
runs with `track_commit_timestamp`, which an inventory cannot assume, so the history stamps itself:

- `history_stamp`, a constraint trigger on `history` that is DEFERRABLE INITIALLY DEFERRED, fires
  when the transaction commits. It takes the row lock of the one row of `history_clock` (so the
  stamp and the commit of one writer at a time: the lock is released only once the commit is
  visible), draws the next `history_commit_seq` and sets `changed_at` (clock_timestamp()) and
  `commit_seq` on every history row of the transaction. So committed transactions are stamped in
  the order they became visible, and a change dated T was visible to everyone from T on (after its
  writer's commit, which the lock lets pass before anyone else stamps).
  A row lock (not an advisory lock): viewers and editors cannot take it (FOR UPDATE needs UPDATE on
  the table), so nobody but the trigger can hold up other writers' commits; and the row is never
  updated, so writers in REPEATABLE READ do not fail on it.
- A transaction that fires the trigger early (SET CONSTRAINTS ALL IMMEDIATE) keeps the lock until
  its commit: other writers wait, and so do readers that call `history_settled()` (below). Later
  changes of that transaction fire the trigger again and restamp all its rows.
- `history_settled()` returns once no writer is between its stamp and its commit (it takes and at
  once releases a share lock on the same row) and gives the server time: every change dated up to
  that time is visible to the statements that follow. A reader of `--as-of T` calls it first.
- Rows from before this revision keep their transaction start time and have no `commit_seq`;
  `history` lists them first, in id order (exact for each element: row locks serialise its changes).

The functions are SECURITY DEFINER with a fixed search_path, and EXECUTE is revoked from PUBLIC like
0002's; `inventory.roles` grants `history_settled()` to the viewer role again.

Frozen copy of the schema as of this revision: later changes get their own revision.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

HISTORY_STAMP = """
CREATE FUNCTION history_stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = {path} AS $$
DECLARE
    seq bigint;
    stamped_at timestamptz;
BEGIN
    IF EXISTS (SELECT 1 FROM history h WHERE h.id = NEW.id AND h.commit_seq IS NOT NULL) THEN
        RETURN NULL;  -- stamped already, with the rest of its transaction
    END IF;
    PERFORM 1 FROM history_clock FOR UPDATE;  -- one writer at a time from here to its commit
    seq := nextval('history_commit_seq');
    stamped_at := clock_timestamp();
    UPDATE history h SET changed_at = stamped_at, commit_seq = seq WHERE h.txid = txid_current();
    RETURN NULL;
END
$$
"""

HISTORY_SETTLED = """
CREATE FUNCTION history_settled() RETURNS timestamptz LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = {path} AS $$
BEGIN
    BEGIN  -- a subtransaction: the share lock waits for a writer between stamp and commit, then goes
        PERFORM 1 FROM history_clock FOR SHARE;
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'history settled';
    EXCEPTION WHEN raise_exception THEN
        NULL;
    END;
    RETURN clock_timestamp();
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
    op.add_column("history", sa.Column("commit_seq", sa.BigInteger()))
    op.create_index("ix_history_txid", "history", ["txid"])
    op.execute("CREATE SEQUENCE history_commit_seq AS bigint")
    op.create_table(
        "history_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_history_clock"),
        sa.CheckConstraint("id = 1", name="one_row"),
    )
    op.execute("INSERT INTO history_clock (id) VALUES (1)")
    path = _search_path()
    op.execute(HISTORY_STAMP.format(path=path))
    op.execute(HISTORY_SETTLED.format(path=path))
    op.execute("REVOKE EXECUTE ON FUNCTION history_stamp(), history_settled() FROM PUBLIC")
    op.execute(
        "CREATE CONSTRAINT TRIGGER history_stamp AFTER INSERT ON history DEFERRABLE INITIALLY DEFERRED "
        "FOR EACH ROW EXECUTE FUNCTION history_stamp()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER history_stamp ON history")
    op.execute("DROP FUNCTION history_settled()")
    op.execute("DROP FUNCTION history_stamp()")
    op.drop_table("history_clock")
    op.execute("DROP SEQUENCE history_commit_seq")
    op.drop_index("ix_history_txid", table_name="history")
    op.drop_column("history", "commit_seq")
