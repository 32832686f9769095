"""The event store: events, subscription checkpoints, idempotency keys, data-subject keys.

Revision ID: 20261122_0001
Revises:
Create Date: 2026-11-22
"""

from alembic import op

revision = "20261122_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE events (
            position        bigint GENERATED ALWAYS AS IDENTITY,
            tx_id           bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
            event_id        uuid NOT NULL,
            stream_id       text NOT NULL,
            stream_type     text NOT NULL,
            version         integer NOT NULL CHECK (version > 0),
            event_type      text NOT NULL,
            schema_version  integer NOT NULL CHECK (schema_version > 0),
            data            jsonb NOT NULL,
            metadata        jsonb NOT NULL,
            recorded_at     timestamptz NOT NULL,
            -- The global order is the key: one index serves both uniqueness and read_all.
            CONSTRAINT events_pkey PRIMARY KEY (tx_id, position),
            CONSTRAINT events_stream_version_key UNIQUE (stream_id, version),
            CONSTRAINT events_event_id_key UNIQUE (event_id)
        )
        """
    )
    # The log is append-only: refuse UPDATE and DELETE at the database, whoever asks (R60).
    op.execute(
        """
        CREATE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the event log is append-only (R60): % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_are_immutable()"
    )
    op.execute(
        "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
        "FOR EACH STATEMENT EXECUTE FUNCTION events_are_immutable()"
    )
    op.execute(
        """
        CREATE TABLE subscription_checkpoints (
            name        text PRIMARY KEY,
            tx_id       bigint NOT NULL DEFAULT 0,
            position    bigint NOT NULL DEFAULT 0,
            updated_at  timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    # Projections are rebuilt into a new generation of tables beside the live one; readers query
    # a view per table, which the swap repoints in one transaction.
    op.execute(
        """
        CREATE TABLE projections (
            name        text PRIMARY KEY,
            generation  integer NOT NULL,
            swapped_at  timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE idempotency_keys (
            scope         text NOT NULL,
            key           text NOT NULL,
            request_hash  text NOT NULL,
            status_code   integer,
            headers       jsonb,
            body          bytea,
            locked_until  timestamptz,
            created_at    timestamptz NOT NULL,
            expires_at    timestamptz NOT NULL,
            PRIMARY KEY (scope, key)
        )
        """
    )
    op.execute("CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at)")
    op.execute(
        """
        CREATE TABLE data_subject_keys (
            subject_id   uuid PRIMARY KEY,
            wrapped_key  bytea,
            created_at   timestamptz NOT NULL,
            erased_at    timestamptz,
            CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE data_subject_keys")
    op.execute("DROP TABLE idempotency_keys")
    op.execute("DROP TABLE projections")
    op.execute("DROP TABLE subscription_checkpoints")
    op.execute("DROP TABLE events")
    op.execute("DROP FUNCTION events_are_immutable()")
