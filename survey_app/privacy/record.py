"""The record of processing activities a data protection officer signs (UU 27/2022, Art. 31),
as Markdown. Everything in it is read from the privacy settings, the questionnaires, the
routes' own access rules and the code's constants, so it cannot drift from what runs."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask

from survey_app.access import PUBLIC
from survey_app.models import Role
from survey_app.privacy.facts import QuestionnaireFacts
from survey_app.privacy.settings import Party, PrivacySettings, text
from survey_app.questionnaire.redaction import KIND_NAMES

FILE_SUFFIXES = (".csv", ".xlsx", ".zip", ".pdf", ".html")

SECURITY_MEASURES = (
    "Staff passwords are stored only as Argon2id hashes; guessable passwords are refused (zxcvbn).",
    "Every form carries a CSRF token (Flask-WTF); every non-public route checks the user's role, "
    "and a test walks every route to keep it so.",
    "In production: HTTPS with HSTS and security headers (Flask-Talisman); the app refuses to start "
    "with a development secret key.",
    "Sign-ins and resident submissions are rate limited; the counters are never joined to an answer.",
    "Residents' answers carry no name, phone number or internet address.",
    "Free-text answers are cleared of {kinds} before storage and again before any export or report.",
    "Village figures below the minimum base (MIN_N = {min_n}) are not published.",
    "Text written to Excel or CSV can never run as a formula.",
    "Every download is written to the audit log with who took it and from where; the log cannot "
    "be edited, and lists downloads of individual-level data for a breach report.",
    "Backups are whole-database dumps with a SHA-256 checksum checked before a restore.",
)


def file_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(URL, roles, what) of every route that hands out a file, from the routes' own access
    declarations; free text is for admins only whatever the route (checked in the view)."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        access = getattr(view, "access", None)
        if access is None or access == PUBLIC or not (rule.endpoint.startswith("downloads.")
                                                       or rule.rule.endswith(FILE_SUFFIXES)):
            continue
        if rule.endpoint.startswith("downloads.") and "GET" not in (rule.methods or ()):
            continue
        roles = ", ".join(role.value for role in Role if role in access)
        what = " ".join((view.__doc__ or rule.endpoint).strip().split("\n\n")[0].split())
        found.append((rule.rule, roles, what))
    return found


RETENTION_MEASURES = (
    "Each round keeps free-text answers and individual responses for a set number of months after it "
    "stops taking answers (by default 12 and 36); an administrator can change them per round.",
    "When a period ends, an administrator reviews what would be deleted and confirms it in the console; "
    "the daily `flask retention apply` then hard-deletes it, soft-deleted rows, paper keyings, corrections "
    "and the answer values in the audit trail included, records the counts in the audit trail and "
    "reclaims the space in the database file.",
    "Before a round's responses are deleted, each village's answers are reduced to counts and score "
    "distributions with nothing else about the respondents, so reports keep the round in their trends.",
    "Backups hold deleted data until they expire: keep them no longer than the shortest period "
    "(docs/privacy.md).",
)


def render_record(app: Flask, privacy: PrivacySettings, questionnaires: Iterable[QuestionnaireFacts],
                  rounds: Iterable[tuple[str, str, str, int, int, str, str]] = ()) -> str:
    """The record, in English (the DPO's working language is the installation's choice; the
    controller's texts appear in Indonesian and English where the settings give both)."""
    lines = ["# Record of processing activities", ""]
    if privacy.example:
        lines += ["> **This record is built from the shipped EXAMPLE privacy settings.** Set PRIVACY_FILE "
                  "to the installation's own before a DPO signs it.", ""]
    lines += ["## 1. Controller", "", *_party(privacy.controller)]
    if privacy.dpo is not None:
        lines += ["", "## 2. Data protection officer", "", *_party(privacy.dpo)]
    lines += ["", "## 3. Purposes", ""]
    lines += [f"- {text(p, 'id')}" + (f" / {p['en']}" if "en" in p else "") for p in privacy.purposes]
    lines += ["", "## 4. Legal basis", "", _both(privacy.legal_basis),
              "", "Consent is asked before the questions of every questionnaire with a `consent.yaml`; "
              "on paper the interviewer reads it and ticks a box, and a form without the box ticked is "
              "not keyed. Answers without recorded consent (given before it was asked) are counted apart "
              "in the reports."]
    lines += ["", "## 5. Data subjects and categories of data", "",
              "**Residents who answer** (anonymous by design): with each response the village, round, "
              "questionnaire version, mode (web or paper), submission time, time taken, the order "
              "questions were shown and the hash of the consent text agreed to (the texts are kept by "
              "hash); the answers. No name, phone number or IP address.", ""]
    for q in questionnaires:
        lines.append(f"- `{q.ref}` {q.title}: {', '.join(q.sections)}.")
        if q.free_text:
            lines.append(f"  - Free text (redacted before storage; a round set to `review` keeps the original of "
                         f"a redacted answer apart for administrators until one reviews it): {'; '.join(q.free_text)}")
    lines += ["", "**Staff** (administrators, coordinators, volunteers, viewers): e-mail address, role, "
              "area scope, password hash, sign-in times, and the audit trail of their actions and downloads "
              "(with the address each download went to).", "",
              "**Volunteers' paper forms**: each keying is kept with the volunteer's account, for double-entry "
              "checks and corrections (with their reasons).", ""]
    lines += ["## 6. Retention", "", _both(privacy.retention), "", *(f"- {m}" for m in RETENTION_MEASURES), ""]
    listed = list(rounds)
    if listed:
        lines += ["| round | status | personal data in free text | free text (months) | responses (months) "
                  "| free text | responses |", "|---|---|---|---|---|---|---|",
                  *(f"| {' | '.join(map(str, row))} |" for row in listed), ""]
    lines += ["## 7. Recipients: who can download what", "",
              "Inside the controller only; nothing is sent to third parties or abroad by the platform. "
              "Free-text answers are given to administrators only.", "",
              "| route | roles | what |", "|---|---|---|"]
    lines += [f"| `{rule}` | {roles} | {what} |" for rule, roles, what in file_routes(app)]
    lines += ["", "## 8. Security measures", ""]
    kinds = ", ".join(KIND_NAMES.values())
    lines += [f"- {m.format(kinds=kinds, min_n=app.config['MIN_N'])}" for m in SECURITY_MEASURES]
    return "\n".join(lines) + "\n"


def _party(party: Party) -> list[str]:
    found = [f"- Name: {_both(party.name)}", f"- E-mail: {party.email}"]
    if party.address:
        found.append(f"- Address: {party.address}")
    if party.phone:
        found.append(f"- Phone: {party.phone}")
    return found


def _both(value: dict[str, str]) -> str:
    return value["id"] + (f" / {value['en']}" if value.get("en") and value["en"] != value["id"] else "")
