"""Message catalogues with a fallback: a string the chosen language's catalogue lacks is shown
in Indonesian, the language every resident reads, never in the English of the source."""

from __future__ import annotations

from functools import cached_property

from babel.support import NullTranslations, Translations
from flask_babel import Babel, Domain

FALLBACK = "id"
"""The language a missing translation falls back to: the one every resident reads."""


class FallbackDomain(Domain):
    """Flask-Babel's domain, with the Indonesian catalogue behind every other one but English."""

    def get_translations(self) -> Translations | NullTranslations:
        from flask_babel import get_locale

        translations = super().get_translations()
        language = str(get_locale() or FALLBACK).split("_")[0]
        if language not in (FALLBACK, "en") and not getattr(translations, "falls_back", False):
            # Cached per locale by Flask-Babel, so this runs once per language and process.
            for directory in self.translation_directories:
                translations.add_fallback(Translations.load(directory, [FALLBACK], self.domain[0]))
            translations.falls_back = True  # type: ignore[union-attr]
        return translations


class SurveyBabel(Babel):
    """Flask-Babel with the Indonesian fallback as its default domain."""

    @cached_property
    def domain_instance(self) -> Domain:
        return FallbackDomain(domain=self.domain)
