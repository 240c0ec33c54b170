# The catalogue service (aiohttp, Python 3.11): catalogue, search, eligibility, handoff, widget assets.
# Installed as `make setup` installs .venv: torch (CPU) first, then requirements/app.txt with its lock,
# then the project. Multi-stage: the builder makes wheels; the runtime installs them --no-index.
FROM python:3.11-slim AS builder
WORKDIR /src
COPY requirements/ requirements/
RUN pip wheel --wheel-dir /wheels "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu \
 && pip wheel --wheel-dir /wheels -r requirements/app.txt -c requirements/app.lock
COPY pyproject.toml README.md ./
COPY service_catalog/ service_catalog/
COPY actions/ actions/
COPY common/ common/
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false \
    CATALOG_HOST=0.0.0.0 CATALOG_PORT=8080 CATALOG_DATA_DIR=/var/lib/catalog
COPY --from=builder /wheels /wheels
COPY requirements/ /tmp/requirements/
RUN pip install --no-cache-dir --no-index --find-links /wheels "torch==2.13.0" -r /tmp/requirements/app.txt -c /tmp/requirements/app.lock \
 && pip install --no-cache-dir --no-index --no-deps --find-links /wheels citizen-service-assistant \
 && rm -rf /wheels /tmp/requirements && useradd --uid 1001 --create-home app && mkdir -p /var/lib/catalog && chown 1001 /var/lib/catalog
USER 1001
EXPOSE 8080
# Build the search index at start (reused from the volume when the catalogue is unchanged), then the
# command scripts/scaled.py runs for each catalogue replica (catalogue_argv).
CMD ["sh", "-c", "python -m service_catalog index build && exec python -m service_catalog serve --port 8080"]
