# Rasa Open Source 3.6 with the trained model (train with `make train` before building).
FROM rasa/rasa:3.6.21
WORKDIR /app
USER root
RUN pip install --no-cache-dir jieba==0.42.1
COPY bot/ /app/bot/
# bot/stores.py masks personal data with the project's one masking module (pure standard library).
COPY service_catalog/__init__.py service_catalog/privacy.py /app/service_catalog/
COPY models/ /app/models/
USER 1001
EXPOSE 5005
ENV RASA_TELEMETRY_ENABLED=false
# The API needs RASA_AUTH_TOKEN (docs/security.md); no --cors: no web page may call it.
ENTRYPOINT []
CMD ["sh", "-c", "exec rasa run --enable-api --auth-token \"$RASA_AUTH_TOKEN\" --port 5005 --credentials bot/credentials.yml --endpoints bot/endpoints-scaled.yml --model models"]
