"""Insights for the people who run the service: feedback, conversation figures, unmet needs.

See README.md in this folder for the modules and docs/insights.md for every definition.
"""

from .events import Event, EventLog, parse_event
from .figures import Session, sessions_of, summary
from .store import FEEDBACK_REASONS, Feedback, InsightsStore, Mark, TicketTiming
from .unmet import Question, Topic, cluster_topics, topic_key

__all__ = [
    "FEEDBACK_REASONS",
    "Event",
    "EventLog",
    "Feedback",
    "InsightsStore",
    "Mark",
    "Question",
    "Session",
    "TicketTiming",
    "Topic",
    "cluster_topics",
    "parse_event",
    "sessions_of",
    "summary",
    "topic_key",
]
