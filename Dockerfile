# e-port hub image: `docker build -t eport-hub .`; `docker compose up -d` runs it beside RabbitMQ.
# The image runs `hub`; its default command is the runtime (`hub serve`), e.g.
#   docker run --rm -e HUB_AMQP_URL=amqp://user:pass@broker:5672/%2F eport-hub serve --workers 2
#   docker run --rm eport-hub tour        # offline: validate and convert the sample traffic
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY adapters ./adapters
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# lxml ships manylinux wheels with libxml2/libxslt inside: no system packages needed.
RUN useradd --system --uid 10001 --home-dir /app hub \
 && mkdir -p /var/lib/hub && chown hub /var/lib/hub
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY schemas ./schemas
COPY examples ./examples
COPY routes.yaml ./
ENV HUB_SCHEMA_DIR=/app/schemas \
    HUB_ROUTES=/app/routes.yaml \
    HUB_EXAMPLES_DIR=/app/examples \
    HUB_STORE_URL=sqlite:////var/lib/hub/store.sqlite3 \
    HUB_LOG_JSON=true \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
VOLUME ["/var/lib/hub"]
USER hub
# `hub demo` writes its own store under ./var: run it from a writable directory
WORKDIR /var/lib/hub
ENTRYPOINT ["hub"]
CMD ["serve", "--workers", "2"]
