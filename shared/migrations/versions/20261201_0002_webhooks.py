"""Webhooks: the subscriptions' read model, the deliveries queue and the delivery log.

Subscriptions themselves are events (`webhook-{id}` streams); `webhook_subscriptions` is their read model, kept
by the registering request and by the delivery subscriber (idempotently, from the same events). Deliveries
and their attempts are operational state, not facts of the complaints process: a queue, not a log.

Revision ID: 20261201_0002
Revises: 20261122_0001
Create Date: 2026-12-01
"""

from alembic import op

revision = "20261201_0002"
down_revision = "20261122_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE webhook_subscriptions (
            subscription_id    uuid PRIMARY KEY,
            organisation_id    text NOT NULL,
            organisation_kind  text NOT NULL,
            roles              text[] NOT NULL,
            registered_by      text NOT NULL,
            url                text NOT NULL,
            event_types        text[] NOT NULL,
            filters            jsonb NOT NULL,
            secret             jsonb NOT NULL,
            registered_at      timestamptz NOT NULL,
            registered_tx      bigint NOT NULL,
            registered_pos     bigint NOT NULL,
            deleted_at         timestamptz,
            deleted_tx         bigint,
            deleted_pos        bigint
        )
        """
    )
    op.execute("CREATE INDEX webhook_subscriptions_by_org ON webhook_subscriptions (organisation_id, registered_at)")
    op.execute(
        """
        CREATE TABLE webhook_deliveries (
            delivery_id      uuid PRIMARY KEY,
            subscription_id  uuid NOT NULL REFERENCES webhook_subscriptions (subscription_id),
            event_id         uuid NOT NULL,
            event_type       text NOT NULL,
            tx_id            bigint NOT NULL,
            position         bigint NOT NULL,
            body             text NOT NULL,
            status           text NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
            attempts         integer NOT NULL DEFAULT 0,
            next_attempt_at  timestamptz,
            lease_token      uuid,
            created_at       timestamptz NOT NULL,
            finished_at      timestamptz,
            CONSTRAINT webhook_deliveries_once UNIQUE (subscription_id, event_id)
        )
        """
    )
    op.execute(
        "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at NULLS FIRST) "
        "WHERE status = 'pending'"
    )
    op.execute("CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, created_at)")
    op.execute(
        """
        CREATE TABLE webhook_attempts (
            delivery_id      uuid NOT NULL REFERENCES webhook_deliveries (delivery_id) ON DELETE CASCADE,
            attempt          integer NOT NULL,
            attempted_at     timestamptz NOT NULL,
            finished_at      timestamptz,
            status_code      integer,
            error            text,
            next_attempt_at  timestamptz,
            PRIMARY KEY (delivery_id, attempt)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE webhook_attempts")
    op.execute("DROP TABLE webhook_deliveries")
    op.execute("DROP TABLE webhook_subscriptions")
