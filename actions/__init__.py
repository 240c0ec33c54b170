"""Custom actions of the citizen service assistant (rasa-sdk), started with ``--actions actions``.

Thin by design: each action asks the catalogue service (``catalogue_client``) and words
the reply; the business logic lives in the catalogue service.
"""

from .eligibility import ActionAskEligAnswer, ActionEligibilityResult, ActionExplainQuestion, ActionHandleInform, ActionStartOver, ValidateEligibilityForm
from .feedback import ActionFeedback
from .followup import ActionAnswerFollowup
from .handoff import ActionApply, ActionConfirmApply, ActionDeclineApply, ActionHandoffHuman
from .search import ActionBrowseEvents, ActionSearchServices, ActionShowService
from .slots import ValidateSlotMappings
from .smalltalk import ActionSwitchLanguage

__all__ = [
    "ActionAnswerFollowup",
    "ActionApply",
    "ActionAskEligAnswer",
    "ActionBrowseEvents",
    "ActionConfirmApply",
    "ActionDeclineApply",
    "ActionEligibilityResult",
    "ActionExplainQuestion",
    "ActionFeedback",
    "ActionHandleInform",
    "ActionHandoffHuman",
    "ActionSearchServices",
    "ActionShowService",
    "ActionStartOver",
    "ActionSwitchLanguage",
    "ValidateEligibilityForm",
    "ValidateSlotMappings",
]
