# Rasa Open Source 3.6 with the trained model (train with `make train` before building).
FROM rasa/rasa:3.6.21
WORKDIR /app
USER root
RUN pip install --no-cache-dir jieba==0.42.1
COPY bot/ /app/bot/
COPY models/ /app/models/
USER 1001
EXPOSE 5005
CMD ["run", "--enable-api", "--port", "5005", "--credentials", "bot/credentials.yml", "--endpoints", "bot/endpoints-scaled.yml", "--model", "models"]
