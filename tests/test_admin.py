import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Mode, Response, Role
from tests.factories import login, make_round, make_user, make_villages


def test_console_lists_rounds_with_counts_by_mode(client):
    village = make_villages()[0]
    round_ = make_round("Putaran Uji", opened=True)
    for n, mode in enumerate([Mode.WEB, Mode.WEB, Mode.PAPER]):
        db.session.add(Response(submission_key=f"k{n}", round_id=round_.id, village_id=village.id,
                                questionnaire_key="trust-safety", questionnaire_version=1, mode=mode,
                                answers={}, answers_digest="0" * 64))
    db.session.commit()
    login(client, make_user(Role.ADMIN).email)
    html = client.get("/admin/").get_data(as_text=True)
    row = html[html.index("Putaran Uji"):]
    row = row[: row.index("</tr>")]
    cells = [cell.split("</td>")[0].strip() for cell in row.split('<td class="num">')[1:]]
    assert cells == ["2", "1", "3"]
    assert "dibuka" in row  # status shown in Indonesian


def test_console_says_when_there_are_no_rounds(client):
    login(client, make_user(Role.VIEWER).email)
    assert "Belum ada putaran." in client.get("/admin/").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0
