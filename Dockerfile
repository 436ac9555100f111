# One image for every worker pool, beat, flower and the CLI; the command picks the role.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 ingest
COPY pyproject.toml README.md ./
COPY workers ./workers
COPY config ./config
RUN pip install . flower && mkdir -p /data/warc && chown ingest /data/warc

USER ingest
# Settings come from the environment (see config/.env.example); nothing secret is baked in.
ENV INGEST_CONFIG_DIR=/app/config \
    INGEST_SOURCES=/app/config/sources.yaml \
    INGEST_SITE_RULES=/app/config/site_rules.yaml
CMD ["ingest", "--help"]
