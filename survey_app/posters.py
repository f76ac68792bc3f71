"""Village links and printable QR posters for a round: plain functions, no request needed.

Residents reach a round's form through ``{PUBLIC_BASE_URL}/s/{round}/{village}``, usually by
scanning the QR code on a poster at the village hall. Posters are self-contained HTML (inline
SVG, system fonts, no external requests) so they print from any browser, offline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

import jinja2
import segno
import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from survey_app.extensions import db
from survey_app.models import Area, Round, Village
from survey_app.models.geo import code_in_scope
from survey_app.operations import OperationError
from survey_app.operations.rounds import slugify

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "posters"
# Error level M as asked; segno raises it further when that costs no extra size, which only
# helps a poster that gets creased, faded or photographed at an angle.
QR_ERROR = "m"
QR_BORDER = 4  # the quiet zone the QR standard requires around the symbol

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni",
             "Juli", "Agustus", "September", "Oktober", "November", "Desember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June",
             "July", "August", "September", "October", "November", "December")

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=jinja2.StrictUndefined
)


@dataclass(frozen=True)
class Poster:
    """What one poster shows; ``filename`` is its file inside the round's folder."""

    village_code: str
    village_name: str
    district_name: str
    regency_name: str
    url: str
    filename: str

    @property
    def privacy_url(self) -> str:
        """The privacy notice, at the root of the address the form is under."""
        return self.url.split("/s/", 1)[0] + "/privasi"

    @property
    def display_url(self) -> str:
        # Browsers add https:// themselves; dropping it leaves less to type. http stays spelt out.
        return self.url.removeprefix("https://")

    @property
    def display_url_parts(self) -> list[str]:
        """The address cut after each slash: printed lines break there, never at a hyphen in it."""
        *parts, last = self.display_url.split("/")
        return [part + "/" for part in parts] + ([last] if last else [])

    @property
    def qr_svg(self) -> Markup:
        svg = segno.make(self.url, error=QR_ERROR).svg_inline(
            border=QR_BORDER, omitsize=True, dark="#000", light="#fff", title=self.url, svgclass="qr"
        )
        return Markup(svg)  # noqa: S704 - segno's own SVG; the title inside it is XML-escaped by segno

    @property
    def name_size(self) -> str:
        """A smaller font for long names, so every name stays on one or two lines."""
        n = len(self.village_name)
        return "name-l" if n <= 14 else "name-m" if n <= 24 else "name-s"


def form_url(base_url: str, round_: Round, village: Village) -> str:
    """The public form of ``round_`` for ``village``, as printed on posters and link lists."""
    return f"{base_url.rstrip('/')}/s/{quote(round_.slug, safe='')}/{quote(village.code, safe='')}"


def round_villages_query(round_: Round, *within: list[str]) -> sa.Select[tuple[Village]]:
    """Villages in the round's scope and in every one of the ``within`` lists of area codes
    (an empty list limits nothing), by code, with district and regency loaded."""
    return (
        sa.select(Village)
        .where(code_in_scope(Village.code, round_.scope_prefixes),
               *(code_in_scope(Village.code, prefixes) for prefixes in within))
        .options(joinedload(Village.district).joinedload(Area.parent))
        .order_by(Village.code)
    )


def villages_of_round(round_: Round, village_code: str | None = None) -> list[Village]:
    """Villages in the round's scope, ordered by code, with district and regency loaded.

    With ``village_code``, only that village; ``OperationError`` if it is unknown or outside scope.
    """
    prefixes = round_.scope_prefixes
    query = round_villages_query(round_)
    if village_code is not None:
        village_code = village_code.strip()
        query = query.where(Village.code == village_code)
    villages = list(db.session.scalars(query))
    if village_code is not None and not villages:
        village = db.session.scalar(sa.select(Village).where(Village.code == village_code))
        if village is None:
            raise OperationError(f"No village with code {village_code!r}.")
        raise OperationError(
            f"Village {village.code} ({village.name}) is not in round {round_.name!r}, "
            f"which covers {', '.join(prefixes)}."
        )
    return villages


def poster_filename(village: Village) -> str:
    """``<code>-<slugified name>.html``; the code alone keeps it unique, the name helps people."""
    slug = slugify(village.name)
    return f"{village.code}-{slug}.html" if slug else f"{village.code}.html"


def make_poster(round_: Round, village: Village, url: str, district_name: str, regency_name: str) -> Poster:
    return Poster(village.code, village.name, district_name, regency_name, url, poster_filename(village))


def render_poster(round_: Round, village: Village, url: str, district_name: str, regency_name: str) -> str:
    """One A4 portrait poster as a self-contained HTML page."""
    poster = make_poster(round_, village, url, district_name, regency_name)
    return _render(round_, [poster], index=False)


def render_index(round_: Round, posters: list[Poster]) -> str:
    """Every poster of the round in one page (one per printed sheet), with a list of files on screen."""
    return _render(round_, posters, index=True)


def write_posters(round_: Round, villages: Iterable[Village], base_url: str, out_dir: Path) -> Path:
    """Write ``out_dir/<round slug>/`` with one poster file per village and ``index.html``.

    Returns the round's folder. ``OperationError`` if ``out_dir`` (or that folder) is not a directory.
    """
    folder = out_dir / round_.slug
    for path in (out_dir, folder):
        if path.exists() and not path.is_dir():
            raise OperationError(f"{path} exists and is not a folder; choose another --out.")
    folder.mkdir(parents=True, exist_ok=True)
    posters = []
    for village in villages:
        district = village.district
        regency = district.parent if district is not None else None
        district_name = district.name if district is not None else ""
        regency_name = regency.name if regency is not None else ""
        poster = make_poster(round_, village, form_url(base_url, round_, village), district_name, regency_name)
        (folder / poster.filename).write_text(_render(round_, [poster], index=False), encoding="utf-8")
        posters.append(poster)
    (folder / "index.html").write_text(render_index(round_, posters), encoding="utf-8")
    return folder


def _render(round_: Round, posters: list[Poster], *, index: bool) -> str:
    return _env.get_template("poster.html").render(
        round_name=round_.name,
        dates_id=_dates(round_.opens_on, round_.closes_on, MONTHS_ID, "s.d.", "Sampai", "Mulai"),
        dates_en=_dates(round_.opens_on, round_.closes_on, MONTHS_EN, "to", "Until", "From"),
        posters=posters,
        index=index,
    )


def _dates(opens: date | None, closes: date | None, months: tuple[str, ...],
           to: str, until: str, since: str) -> str:
    def fmt(day: date) -> str:
        return f"{day.day} {months[day.month - 1]} {day.year}"

    if opens and closes:
        return f"{fmt(opens)} {to} {fmt(closes)}"
    if closes:
        return f"{until} {fmt(closes)}"
    if opens:
        return f"{since} {fmt(opens)}"
    return ""
