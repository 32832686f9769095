"""The FastAPI application factory every service uses: one shape, one set of conventions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import text
from starlette.responses import HTMLResponse, JSONResponse, Response
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from shared import migrations
from shared.clock import Clock, FileClock, SystemClock
from shared.db import create_engine, create_pool, raw_connection, resolve_database_url
from shared.eventstore.projections import (
    Projection,
    ProjectionSubscriber,
    describe_stale,
    ensure_projection,
    stale_projections,
)
from shared.eventstore.subscriptions import Subscriber, SubscriptionRunner
from shared.http import examples
from shared.http.deps import CurrentPrincipal
from shared.http.examples import returns
from shared.http.middleware import (
    BodyLimitMiddleware,
    DatabaseDownMiddleware,
    IdempotencyMiddleware,
    PersonalDataRevealMiddleware,
    RequestContextMiddleware,
    StreamingUploadMiddleware,
)
from shared.http.platform import Platform, build_platform
from shared.http.problems import install_problem_handlers, problem_responses
from shared.logging import configure_logging, get_logger
from shared.settings import Settings

log = get_logger(__name__)
SWAGGER_UI_ASSETS = "/docs/assets"
SWAGGER_UI_PARAMETERS = {"persistAuthorization": True, "displayRequestDuration": True}


def operation_id(route: APIRoute) -> str:
    """Stable SDK method names: `{tag}-{name}`, e.g. `complaints-register`."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


@dataclass
class ServiceSpec:
    name: str
    title: str
    description: str
    routers: Sequence[APIRouter]
    tags: list[dict[str, str]]
    projections: Sequence[Projection] = ()
    subscribers: Sequence[Subscriber] = ()
    extra_startup: Sequence[Callable[[Platform], Any]] = field(default_factory=list)
    background: Sequence[Callable[[Platform], Coroutine[Any, Any, None]]] = field(default_factory=list)
    """Long-running tasks (e.g. the deadline watcher), started after the subscriptions, cancelled at shutdown."""
    process_managers: Sequence[Callable[[Platform], Subscriber]] = field(default_factory=list)
    """Subscribers that issue commands (e.g. final report upheld -> fee assessed), built once the platform is."""
    extra_shutdown: Sequence[Callable[[Platform], Coroutine[Any, Any, None]]] = field(default_factory=list)
    streaming_uploads: Sequence[tuple[str, str]] = ()
    """(method, path regex) of routes whose body is streamed, not buffered: up to `EVIDENCE_MAX_BYTES`, and the
    route handles `Idempotency-Key` itself once it has hashed the content."""


class Readiness(BaseModel):
    status: str = Field(examples=["ready"], description="`ready` or `not ready`")
    checks: dict[str, str] = Field(examples=[{"database": "ok", "migrations": "ok", "projections": "ok"}])


class Principal(BaseModel):
    subject: str
    organisation_id: str
    organisation_kind: str
    roles: list[str]


def _ops_router(service: str, projections: Sequence[Projection]) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get(
        "/healthz",
        summary="Liveness",
        description="The process is up. Never touches the database, so a database outage never restarts the "
        "process; requests retried meanwhile (R63) wait for readiness.",
        responses=returns({**examples.HEALTHZ, "service": service}),
    )
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get(
        "/readyz",
        summary="Readiness",
        description="Ready when the database answers, its schema is at the migrations' head and the service's read "
        "models are the version its code writes (a stale one is rebuilt by the migrations job). "
        "Not ready: 503 with the same body and `Retry-After` (R63: readiness lets a load balancer retry elsewhere).",
        response_model=Readiness,
        responses={**returns(examples.READYZ), 503: {"model": Readiness, "description": "Not ready"}},
    )
    async def readyz(request: Request) -> Response:
        platform: Platform = request.app.state.platform
        checks: dict[str, str] = {}
        try:
            async with platform.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
            current = await migrations.current_revision(platform.engine)
            checks["migrations"] = "ok" if current == migrations.head_revision() else f"at {current}"
            if projections:
                async with raw_connection(platform.pool) as raw:
                    stale = await stale_projections(raw, projections)
                # Only an older live generation: a newer one is the next release's, swapped in by its migrations job
                # while this release's pods still serve (reads of an added column's table go on working).
                behind = {name: (live, code) for name, (live, code) in stale.items() if live < code}
                checks["projections"] = describe_stale(behind) if behind else "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        headers = {} if ready else {"Retry-After": "1"}
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
            headers=headers,
        )

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        description="Request counts and latency by route and status, and each subscription's lag, in the Prometheus "
        "text format: alert on error rates, and on a read model (R52) falling behind the log.",
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}, "example": examples.METRICS}}}},
    )
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @router.get(
        "/me",
        summary="Who am I",
        description="The verified principal of your bearer token: use it to check a token in Swagger UI (R61).",
        response_model=Principal,
        responses={**problem_responses(), **returns(examples.ME)},
    )
    async def me(principal: CurrentPrincipal) -> Principal:
        return Principal(
            subject=principal.subject,
            organisation_id=principal.organisation_id,
            organisation_kind=principal.organisation_kind.value,
            roles=sorted(r.value for r in principal.roles),
        )

    return router


async def _purge_idempotency_keys(platform: Platform, every_seconds: float = 3600) -> None:
    """Stored responses past their TTL are deleted hourly (a reused expired key is also reset on use)."""
    while True:
        with contextlib.suppress(Exception):
            await platform.idempotency.purge_expired(platform.clock.now())
        await asyncio.sleep(every_seconds)


def create_service_app(spec: ServiceSpec, settings: Settings, clock: Clock | None = None) -> FastAPI:
    if clock is None:
        # The settings refuse TEST_CLOCK_FILE outside APP_ENV=test; checked again here, so production never reads it.
        test_clock = settings.test_clock_file if settings.app_env == "test" else None
        clock = FileClock(test_clock) if test_clock is not None else SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, settings.log_json)
        url = resolve_database_url(settings)
        engine = create_engine(url, settings)
        pool = await create_pool(url, settings)
        platform = build_platform(settings, engine, pool, clock)
        app.state.platform = platform
        tasks: list[asyncio.Task[None]] = []
        try:
            for projection in spec.projections:
                await ensure_projection(engine, projection)
            async with raw_connection(pool) as conn:
                stale = await stale_projections(conn, spec.projections)
            if stale:
                # Their subscriptions wait (ProjectionSubscriber checks each batch) until the migrations job rebuilds them.
                log.error("projections.stale", detail=describe_stale(stale))
            subscribers: list[Subscriber] = []
            if settings.background_work:  # else a worker process of this service leads them
                subscribers += [ProjectionSubscriber(p) for p in spec.projections]
                subscribers += list(spec.subscribers)
                subscribers += [build(platform) for build in spec.process_managers]
            for subscriber in subscribers:
                runner = SubscriptionRunner(
                    engine,
                    platform.store,
                    subscriber,
                    batch_size=settings.subscription_batch_size,
                    poll_seconds=settings.subscription_poll_seconds,
                    leader_retry_seconds=settings.subscription_leader_retry_seconds,
                    min_batch_interval_seconds=settings.subscription_min_batch_interval_seconds,
                    clock=clock,
                )
                platform.runners.append(runner)
                runner.start()
            for hook in spec.extra_startup:
                result = hook(platform)
                if hasattr(result, "__await__"):
                    await result
            if settings.background_work:
                loop = asyncio.get_running_loop()
                tasks.append(loop.create_task(_purge_idempotency_keys(platform)))
                tasks += [loop.create_task(job(platform)) for job in spec.background]
            yield
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks)
            for runner in platform.runners:
                await runner.stop()
            for hook in spec.extra_shutdown:
                await hook(platform)
            await platform.store.close()
            await pool.close()
            await engine.dispose()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version="1.0.0",
        openapi_tags=[
            *spec.tags,
            {"name": "operations", "description": "Health, readiness, metrics, identity"},
        ],
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
        docs_url=None,  # served below from the bundled Swagger UI, not a CDN (no internet in CI or on DWP networks)
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )
    app.mount(SWAGGER_UI_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + app.openapi_url if app.openapi_url else root + "/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{SWAGGER_UI_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{SWAGGER_UI_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{SWAGGER_UI_ASSETS}/favicon-32x32.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    app.state.settings = settings
    install_problem_handlers(app)
    for router in spec.routers:
        app.include_router(router)
    app.include_router(_ops_router(spec.name, spec.projections))
    # Added innermost first: idempotency, reveal, body limit, streaming uploads, request context, database down.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(PersonalDataRevealMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if spec.streaming_uploads:
        app.add_middleware(
            StreamingUploadMiddleware, routes=spec.streaming_uploads, max_bytes=settings.evidence_max_bytes
        )
    app.add_middleware(RequestContextMiddleware, service=spec.name)
    app.add_middleware(DatabaseDownMiddleware)
    return app
