# e-port hub image: `docker build -t eport-hub .` then `docker run --rm eport-hub formats`.
# The image runs `hub`; its default command plays the sample traffic (`hub demo`).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY adapters ./adapters
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# lxml ships manylinux wheels with libxml2/libxslt inside: no system packages needed.
RUN useradd --system --uid 10001 --home-dir /app hub
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY schemas ./schemas
COPY examples ./examples
COPY routes.yaml ./
ENV HUB_SCHEMA_DIR=/app/schemas \
    HUB_ROUTES=/app/routes.yaml \
    HUB_LOG_JSON=true \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER hub
ENTRYPOINT ["hub"]
CMD ["demo", "--traffic", "/app/examples/traffic.yaml", "--out", "/tmp/demo"]
