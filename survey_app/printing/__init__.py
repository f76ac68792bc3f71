"""Printed questionnaires: PDF forms drawn from the questionnaire engine (no Flask)."""
