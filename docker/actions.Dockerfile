# The action server: the rasa-sdk image plus our thin actions package (no Rasa, no model, no business logic).
FROM python:3.10-slim AS builder
RUN pip wheel --wheel-dir /wheels "aiohttp>=3.9,<4"

FROM rasa/rasa-sdk:3.6.2
USER root
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels aiohttp && rm -rf /wheels
COPY actions/ /app/actions/
ENV CATALOG_URL=http://catalogue:8080
USER 1001
EXPOSE 5055
CMD ["start", "--actions", "actions", "--port", "5055"]
