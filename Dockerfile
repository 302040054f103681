# syntax=docker/dockerfile:1
# One image, three roles, chosen by the command (the stack in deploy/stack.yml sets it):
#   serve                          the API (GraphQL, web, Discord door); migrates first, under a lock
#   worker                         background jobs from RabbitMQ
#   periodic --job NAME=EVERY:ARGS our own commands on a schedule (backups), one leader at a time
# PostgreSQL's client tools are those of the stack's server (postgres:17): pg_dump of the same
# major version. Debian trixie, the base image's release, ships them.

ARG PYTHON_IMAGE=python:3.11.14-slim-trixie

FROM ${PYTHON_IMAGE} AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
# The dependencies first (a layer that changes only with the lock file), then the project.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY README.md ./
COPY src ./src
RUN uv sync --frozen --no-dev --no-editable

FROM ${PYTHON_IMAGE} AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        postgresql-client-17 \
        fonts-dejavu-core \
        fonts-noto-core \
        fonts-noto-cjk \
        ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 sprocket \
    && useradd --system --uid 10001 --gid sprocket --home-dir /app --no-create-home sprocket \
    && mkdir -p /data \
    && chown sprocket:sprocket /data
COPY --from=build --chown=root:root /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SPROCKET_HOST=0.0.0.0 \
    SPROCKET_PORT=8000 \
    SPROCKET_DATA_DIR=/data \
    SPROCKET_LOG_FORMAT=json
WORKDIR /data
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8000 9100
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "sprocket.healthcheck"]
ENTRYPOINT ["sprocket"]
CMD ["serve"]
