"""English messages for rejected answers, kept as plain constants in one place.

The web layer shows these to residents and volunteers; keeping them here as templates
(``str.format`` placeholders) lets it translate them later without touching the engine.
"""

REQUIRED = "This answer is required."
INVALID_OPTION = "'{code}' is not a valid option."
ONE_ANSWER_ONLY = "Choose only one answer."
SPECIAL_ALONE = "'{code}' cannot be combined with other answers."
WHOLE_NUMBER = "Must be a whole number."
AT_LEAST = "Must be at least {min}."
AT_MOST = "Must be at most {max}."
TOO_LONG = "Must be at most {max_length} characters."
NOT_TEXT = "Must be text."
DATE = "Write a date as day-month-year, for example 31-12-2026."
NOT_BEFORE = "The date cannot be before {date}."
NOT_AFTER = "The date cannot be after {date}."
CONSTRAINT = "{message}"
"""A cross-question constraint failed: its message is the questionnaire's own text, so the
web layer shows it in the page's language (params: ``message`` in the default language,
``texts`` in every language)."""
