# Rasa Open Source 3.6 with the trained model (train with `make train` before building), installed as
# `make setup` installs .venv-rasa: requirements/rasa.txt with its lock (jieba, wechatpy for the channels).
FROM rasa/rasa:3.6.21
WORKDIR /app
USER root
COPY requirements/rasa.txt requirements/rasa.lock /app/requirements/
RUN pip install --no-cache-dir -r requirements/rasa.txt -c requirements/rasa.lock
COPY bot/ /app/bot/
# The rules all three processes share (who may read /metrics), standard library only.
COPY common/ /app/common/
# bot/stores.py masks personal data with the project's one masking module; scripts/scaled.py writes the
# channel credentials from the environment (pure standard library, as are the modules it imports).
COPY service_catalog/__init__.py service_catalog/privacy.py service_catalog/secrets.py /app/service_catalog/
COPY scripts/scaled.py scripts/stack.py scripts/processes.py scripts/engines.py /app/scripts/
COPY models/ /app/models/
USER 1001
EXPOSE 5005
ENV RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
# The command scripts/scaled.py runs for each Rasa replica (rasa_argv): the API needs RASA_AUTH_TOKEN
# (docs/security.md; no --cors: no web page may call it), the scaled endpoints (PostgreSQL tracker store,
# Redis lock store), and the channel credentials generated from the environment (a messaging channel is
# enabled when its variables are set, docs/channels.md).
ENTRYPOINT []
CMD ["sh", "-c", "python scripts/scaled.py credentials --out /tmp/credentials.yml && exec rasa run --enable-api --auth-token \"$RASA_AUTH_TOKEN\" --port 5005 -i 0.0.0.0 --model models --credentials /tmp/credentials.yml --endpoints bot/endpoints-scaled.yml --logging-config-file bot/logging.yml"]
