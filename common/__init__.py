"""Rules shared by the three processes: the catalogue service (Python 3.11), the action server (3.11) and
Rasa (3.10), each with its own environment.

Why a package of its own: the action server may not import ``service_catalog`` and nothing but Rasa imports
``bot/``, so a rule all three apply lives here, once. It imports nothing of the project and nothing outside
the standard library (an import contract in pyproject.toml holds it to that), and runs on Python 3.10.
"""
