"""Everything a service needs at run time, built in its lifespan and passed down (no globals)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.auth import TokenVerifier
from shared.clock import Clock
from shared.eventstore.postgres import PostgresEventStore
from shared.eventstore.subscriptions import SubscriptionRunner
from shared.idempotency import IdempotencyStore
from shared.personal_data import PersonalDataVault
from shared.settings import Settings


@dataclass
class Platform:
    settings: Settings
    engine: AsyncEngine
    """SQLAlchemy: migrations, readiness, subscription leader sessions."""
    pool: asyncpg.Pool
    """asyncpg: every hot-path statement (appends, reads, vault, idempotency)."""
    store: PostgresEventStore
    vault: PersonalDataVault
    verifier: TokenVerifier
    clock: Clock
    idempotency: IdempotencyStore
    fingerprint_secret: bytes
    runners: list[SubscriptionRunner] = field(default_factory=list)
    resources: dict[str, Any] = field(default_factory=dict)
    """What one service alone needs (e.g. the ICE gateway's blob store), set by its startup hooks."""

    def runner(self, name: str) -> SubscriptionRunner:
        for runner in self.runners:
            if runner.name == name:
                return runner
        raise KeyError(name)


def build_platform(settings: Settings, engine: AsyncEngine, pool: asyncpg.Pool, clock: Clock) -> Platform:
    # A separate key for request fingerprints, derived so the master key itself is never used twice.
    fingerprint_secret = hmac.new(settings.master_key_bytes, b"idempotency-fingerprint", hashlib.sha256).digest()
    return Platform(
        settings=settings,
        engine=engine,
        pool=pool,
        store=PostgresEventStore(pool, clock=clock),
        vault=PersonalDataVault(pool, settings.master_key_bytes),
        verifier=TokenVerifier(settings),
        clock=clock,
        idempotency=IdempotencyStore(
            pool,
            ttl=timedelta(hours=settings.idempotency_ttl_hours),
            lease=timedelta(seconds=settings.idempotency_lease_seconds),
        ),
        fingerprint_secret=fingerprint_secret,
    )
