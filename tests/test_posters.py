import re

import pytest
import segno
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Village
from survey_app.operations.rounds import close_round
from tests.factories import make_round, make_villages

BASE = "https://survei.example.id"


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"PUBLIC_BASE_URL": BASE + "/"}  # the trailing slash must not double up in links


def _qr_matrix_in(html: str) -> list[list[int]]:
    """Read the QR modules back out of segno's inline SVG path (``M x y`` then ``h`` runs and ``m`` moves)."""
    svg = re.search(r'<svg viewBox="0 0 (\d+) (\d+)"[^>]*>.*?</svg>', html, re.S)
    assert svg, "no inline SVG"
    size = int(svg.group(1))
    path = re.search(r'<path class="qrline"[^>]* d="([^"]+)"', svg.group(0))
    assert path
    grid = [[0] * size for _ in range(size)]
    x = y = 0.0
    for op, args in re.findall(r"([Mmh])([-\d. ]+)", path.group(1)):
        numbers = [float(n) for n in args.split()]
        if op == "M":
            x, y = numbers
        elif op == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            for col in range(int(x), int(x + numbers[0])):
                grid[int(y)][col] = 1
            x += numbers[0]
    return grid


def _expected_matrix(url: str) -> list[list[int]]:
    qr = segno.make(url, error="m")
    border = 4  # the quiet zone the standard asks for
    size = len(qr.matrix) + 2 * border
    grid = [[0] * size for _ in range(size)]
    for r, row in enumerate(qr.matrix):
        for c, dark in enumerate(row):
            grid[r + border][c + border] = 1 if dark else 0
    return grid


def test_links_lists_the_villages_of_a_district_round(runner):
    make_villages()
    make_round("Putaran 1", scope=["32.73.01"])
    result = runner.invoke(args=["rounds", "links", "Putaran 1"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"32.73.01.1001\tSukarasa\t{BASE}/s/putaran-1/32.73.01.1001",
        f"32.73.01.1002\tGegerkalong\t{BASE}/s/putaran-1/32.73.01.1002",
        f"32.73.01.1003\tIsola\t{BASE}/s/putaran-1/32.73.01.1003",
    ]


def test_links_for_one_village(runner):
    make_villages()
    make_round("Putaran 1")
    result = runner.invoke(args=["rounds", "links", "putaran-1", "--village", "32.73.02.1002"])
    assert result.exit_code == 0, result.output
    assert result.output == f"32.73.02.1002\tLebak Gede\t{BASE}/s/putaran-1/32.73.02.1002\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Putaran 1", "--village", "11.01.01.2001"], "No village with code '11.01.01.2001'."),
        (["Putaran 1", "--village", "32.73.02.1001"],
         "Village 32.73.02.1001 (Cipaganti) is not in round 'Putaran 1', which covers 32.73.01."),
        (["Putaran 9"], "No round named 'Putaran 9'."),
    ],
)
@pytest.mark.parametrize("command", ["links", "posters"])
def test_links_and_posters_refuse_bad_round_or_village(runner, tmp_path, command, args, message):
    make_villages()
    make_round("Putaran 1", scope=["32.73.01"])
    out = ["--out", str(tmp_path / "out")] if command == "posters" else []
    result = runner.invoke(args=["rounds", command, *args, *out])
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_posters_are_written_with_the_form_address_and_its_qr_code(runner, tmp_path):
    make_villages()
    make_round("Putaran 1", scope=["32.73.01"])
    result = runner.invoke(args=["rounds", "posters", "Putaran 1", "--out", str(tmp_path / "posters")])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "posters" / "putaran-1"
    assert f"Wrote 3 poster(s) to {folder}" in result.output
    assert "is a draft and not open yet" in result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "32.73.01.1001-sukarasa.html", "32.73.01.1002-gegerkalong.html", "32.73.01.1003-isola.html", "index.html",
    ]

    url = f"{BASE}/s/putaran-1/32.73.01.1002"
    html = (folder / "32.73.01.1002-gegerkalong.html").read_text(encoding="utf-8")
    assert ">Gegerkalong</h1>" in html
    assert "Kecamatan Sukasari · Kota Bandung" in html
    assert f'href="{url}"' in html
    assert "survei.example.id/s/putaran-1/32.73.01.1002" in re.sub(r"<[^>]+>", "", html)  # printed, less https://
    assert "Pindai kode QR ini" in html and "Answers are anonymous." in html
    assert "size: A4 portrait" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//(?!survei\.example\.id/s/)""", html), "external request"
    assert html.count("<svg") == 1
    assert _qr_matrix_in(html) == _expected_matrix(url)

    index = (folder / "index.html").read_text(encoding="utf-8")
    assert index.count("<svg") == 3
    assert 'href="32.73.01.1003-isola.html"' in index


def test_posters_for_one_village_into_an_existing_folder(runner, tmp_path):
    make_villages()
    make_round("Putaran 1", opened=True)
    result = runner.invoke(args=["rounds", "posters", "Putaran 1", "--out", str(tmp_path),
                                 "--village", "32.73.02.1003"])
    assert result.exit_code == 0, result.output
    assert "not open yet" not in result.output
    assert sorted(p.name for p in (tmp_path / "putaran-1").iterdir()) == [
        "32.73.02.1003-sadang-serang.html", "index.html",
    ]


def test_hostile_village_names_are_escaped(runner, tmp_path):
    make_villages()
    db.session.add(Village(code="32.73.01.1004", name="<script>alert(1)</script>", district_code="32.73.01"))
    db.session.commit()
    make_round("Putaran 1", scope=["32.73.01.1004"])
    result = runner.invoke(args=["rounds", "posters", "Putaran 1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "putaran-1"
    for name in ("32.73.01.1004-script-alert-1-script.html", "index.html"):
        html = (folder / name).read_text(encoding="utf-8")
        assert "<script" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_closed_round_gets_no_posters(runner, tmp_path):
    make_villages()
    round_ = make_round("Putaran 1", opened=True)
    close_round(round_)
    db.session.commit()
    result = runner.invoke(args=["rounds", "posters", "Putaran 1", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "closed; posters would send residents to a closed form" in result.output
    assert not (tmp_path / "out").exists()


def test_posters_refuse_an_out_path_that_is_a_file(runner, tmp_path):
    make_villages()
    make_round("Putaran 1")
    target = tmp_path / "posters.html"
    target.write_text("keep me", encoding="utf-8")
    result = runner.invoke(args=["rounds", "posters", "Putaran 1", "--out", str(target)])
    assert result.exit_code == 1
    assert "exists and is not a folder" in result.output
    assert target.read_text(encoding="utf-8") == "keep me"


def test_round_without_villages_says_so(runner):
    make_villages()
    make_round("Putaran 1", scope=["32.73.01"])
    db.session.execute(sa.delete(Village))
    db.session.commit()
    result = runner.invoke(args=["rounds", "links", "Putaran 1"])
    assert result.exit_code == 1
    assert "has no villages yet" in result.output
