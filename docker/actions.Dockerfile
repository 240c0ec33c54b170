# The action server: our thin actions package on rasa-sdk 3.11 (Python 3.11; it speaks Rasa 3.6's action
# protocol, tested), installed as `make setup` installs it: the project's pinned requirements, then the
# project itself. Only what the actions import is installed (no torch, no search stack).
# Multi-stage: the builder makes wheels; the runtime installs them --no-index and has no build tools.
FROM python:3.11-slim AS builder
WORKDIR /src
COPY requirements/ requirements/
RUN pip wheel --wheel-dir /wheels -c requirements/app.lock rasa-sdk==3.11.0 aiohttp prometheus-client rapidfuzz
COPY pyproject.toml README.md ./
COPY service_catalog/ service_catalog/
COPY actions/ actions/
COPY common/ common/
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 ACTION_SERVER_HOST=0.0.0.0 CATALOG_URL=http://catalogue:8080
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels rasa-sdk aiohttp prometheus-client rapidfuzz \
 && pip install --no-cache-dir --no-index --no-deps --find-links /wheels citizen-service-assistant \
 && rm -rf /wheels && useradd --uid 1001 --create-home app
USER 1001
EXPOSE 5055
# The command scripts/scaled.py runs for each action server (actions_argv).
CMD ["python", "-m", "actions.server", "--port", "5055"]
