-- The databases besides POSTGRES_DB (rasa: Rasa's tracker store), as scripts/scaled.py creates them:
-- catalog (the catalogue service) and events (Rasa's event broker; its table is also named `events`).
CREATE DATABASE catalog;
CREATE DATABASE events;
