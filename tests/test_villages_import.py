"""``flask villages import``: both layouts, re-imports, and every refusal naming row and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Area, AuditEvent, Village

DATA = Path(__file__).parent / "data" / "villages"
FLAT = DATA / "flat.csv"
FLAT_RENAMED = DATA / "flat-renamed.csv"
OFFICIAL = DATA / "official"
FLAT_HEADER = "code,name,district,regency,province,target"


def run_import(runner, path: Path):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["villages", "import", str(path)])


def write(tmp_path: Path, text: str, name: str = "villages.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def flat_file(tmp_path: Path, *rows: str, header: str = FLAT_HEADER) -> Path:
    return write(tmp_path, "\n".join([header, *rows]) + "\n")


def official_copy(tmp_path: Path, **files: str) -> Path:
    """The four-file fixture with some files replaced, e.g. ``villages="code,..."``."""
    folder = tmp_path / "official"
    shutil.copytree(OFFICIAL, folder)
    for stem, text in files.items():
        (folder / f"{stem}.csv").write_text(text, encoding="utf-8")
    return folder


def snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    """Everything an import may touch: both tables in full, and the audit trail's length."""
    db.session.expire_all()
    areas = (
        db.session.execute(sa.select(Area.code, Area.level, Area.name, Area.parent_code).order_by(Area.code))
        .tuples()
        .all()
    )
    villages = (
        db.session.execute(
            sa.select(Village.id, Village.code, Village.name, Village.district_code, Village.target_n).order_by(
                Village.code
            )
        )
        .tuples()
        .all()
    )
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0
    return list(areas), list(villages), events


def refused(result, *messages: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    assert "Nothing was imported" in result.output
    for message in messages:
        assert message in result.output


# --- success --------------------------------------------------------------------------------


def test_flat_csv_creates_areas_from_the_village_codes(runner):
    result = run_import(runner, FLAT)

    assert result.exit_code == 0, result.output
    assert "Imported flat.csv (flat CSV): provinces 2 added" in result.output
    assert "villages 5 added, 0 updated, 0 unchanged" in result.output
    areas, villages, _ = snapshot()
    assert [(code, level.value, name, parent) for code, level, name, parent in areas] == [
        ("32", "province", "Jawa Barat", None),
        ("32.73", "regency", "Kota Bandung", "32"),
        ("32.73.01", "district", "Sukasari", "32.73"),
        ("32.73.02", "district", "Coblong", "32.73"),
        ("36", "province", "Banten", None),
        ("36.71", "regency", "Kota Tangerang", "36"),
        ("36.71.01", "district", "Tangerang", "36.71"),
    ]
    assert [row[1:] for row in villages] == [
        ("32.73.01.1001", "Sukarasa", "32.73.01", 100),
        ("32.73.01.1002", "Gegerkalong", "32.73.01", None),
        ("32.73.02.1001", "Cipaganti", "32.73.02", 80),
        ("32.73.02.1002", "Lebak Gede", "32.73.02", None),
        ("36.71.01.1001", "Sukarasa", "36.71.01", 60),
    ]


def test_official_folder_layout(runner):
    result = run_import(runner, OFFICIAL)

    assert result.exit_code == 0, result.output
    assert (
        "provinces 2 added, 0 updated, 0 unchanged; regencies 2 added, 0 updated, 0 unchanged; "
        "districts 3 added, 0 updated, 0 unchanged; villages 6 added"
    ) in result.output
    village = db.session.scalar(sa.select(Village).where(Village.code == "12.07.28.1007"))
    assert village is not None
    assert (village.name, village.district_code, village.target_n) == ("Lubuk Pakam I,II", "12.07.28", None)
    assert village.district.parent is not None and village.district.parent.name == "Kabupaten Deli Serdang"


def test_import_records_an_audit_event(runner):
    run_import(runner, FLAT)

    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "villages.imported"))
    assert event is not None
    assert event.actor == "cli"
    assert event.details["source"] == "flat.csv"
    assert event.details["counts"]["village"] == {"added": 5, "updated": 0, "unchanged": 0}


@pytest.mark.parametrize("path", [FLAT, OFFICIAL], ids=["flat", "folder"])
def test_importing_twice_changes_nothing(runner, path):
    assert run_import(runner, path).exit_code == 0
    areas, villages, _ = snapshot()

    again = run_import(runner, path)

    assert again.exit_code == 0, again.output
    assert " added, " in again.output and "1 added" not in again.output
    assert again.output.count("0 added, 0 updated") == 4
    assert snapshot()[:2] == (areas, villages)


def test_reimport_updates_names_and_targets(runner):
    run_import(runner, FLAT)
    before = {row[1]: row for row in snapshot()[1]}

    result = run_import(runner, FLAT_RENAMED)

    assert result.exit_code == 0, result.output
    assert "provinces 0 added, 1 updated, 1 unchanged" in result.output
    assert "villages 0 added, 2 updated, 3 unchanged" in result.output
    areas, villages, _ = snapshot()
    after = {row[1]: row for row in villages}
    assert after["32.73.01.1001"][2] == "Sukarasa Baru"
    assert after["32.73.02.1001"][4] == 120
    assert after["32.73.01.1001"][0] == before["32.73.01.1001"][0], "an update keeps the village id"
    assert ("36", "Provinsi Banten") in [(code, name) for code, _, name, _ in areas]


def test_folder_import_keeps_targets_and_villages_it_does_not_list(runner):
    run_import(runner, FLAT)

    result = run_import(runner, OFFICIAL)

    assert result.exit_code == 0, result.output
    villages = {code: (name, target) for _, code, name, _, target in snapshot()[1]}
    assert villages["32.73.01.1001"] == ("Sukarasa", 100)
    assert villages["32.73.02.1001"] == ("Cipaganti", 80)
    assert villages["36.71.01.1001"] == ("Sukarasa", 60), "villages missing from the file are kept"
    assert villages["32.73.01.1003"] == ("Isola", None)


def test_an_empty_target_keeps_the_current_one(runner, tmp_path):
    run_import(runner, FLAT)

    result = run_import(runner, flat_file(tmp_path, "32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat,"))

    assert result.exit_code == 0, result.output
    assert "villages 0 added, 0 updated, 1 unchanged" in result.output
    assert db.session.scalar(sa.select(Village.target_n).where(Village.code == "32.73.01.1001")) == 100


def test_parents_may_already_be_in_the_database(runner, tmp_path):
    run_import(runner, OFFICIAL)
    folder = official_copy(
        tmp_path,
        provinces="code,name\n",
        regencies="code,province_code,name\n",
        districts="code,regency_code,name\n",
        villages="code,district_code,name\n32.73.02.1006,32.73.02,Lebak Siliwangi\n",
    )

    result = run_import(runner, folder)

    assert result.exit_code == 0, result.output
    assert "villages 1 added, 0 updated, 0 unchanged" in result.output


def test_utf8_bom_and_header_case_are_accepted(runner, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbfCode,Name,District,Regency,Province\r\n"
        b"32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat\r\n"
    )

    result = run_import(runner, path)

    assert result.exit_code == 0, result.output
    assert "villages 1 added" in result.output


def test_semicolon_separated_csv_from_excel_is_accepted(runner, tmp_path):
    path = write(
        tmp_path,
        "code;name;district;regency;province;target\n32.73.01.1001;Sukarasa;Sukasari;Kota Bandung;Jawa Barat;40\n",
    )

    result = run_import(runner, path)

    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Village.target_n).where(Village.code == "32.73.01.1001")) == 40


# --- refusals -----------------------------------------------------------------------------


def test_duplicate_codes_name_both_rows(runner, tmp_path):
    path = flat_file(
        tmp_path,
        "32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat,",
        "32.73.01.1002,Gegerkalong,Sukasari,Kota Bandung,Jawa Barat,",
        "32.73.01.1001,Sukarasa Lagi,Sukasari,Kota Bandung,Jawa Barat,",
    )

    refused(run_import(runner, path), "villages.csv, row 4, column code: village 32.73.01.1001 is also on row 2")


def test_duplicates_are_found_even_when_the_first_row_has_other_problems(runner, tmp_path):
    path = flat_file(
        tmp_path,
        "32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat,many",
        "32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat,",
    )

    refused(
        run_import(runner, path),
        "villages.csv, row 2, column target: 'many' is not a whole number",
        "villages.csv, row 3, column code: village 32.73.01.1001 is also on row 2",
    )


def test_duplicate_codes_in_the_folder_layout(runner, tmp_path):
    folder = official_copy(
        tmp_path,
        districts=(
            "code,regency_code,name\n12.07.28,12.07,Lubuk Pakam\n32.73.01,32.73,Sukasari\n"
            "32.73.02,32.73,Coblong\n32.73.01,32.73,Sukasari Lagi\n"
        ),
    )

    refused(run_import(runner, folder), "districts.csv, row 5, column code: district 32.73.01 is also on row 3")


def test_one_area_code_needs_one_name_in_a_flat_csv(runner, tmp_path):
    path = flat_file(
        tmp_path,
        "32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat,",
        "32.73.01.1002,Gegerkalong,Sukasary,Kota Bandung,Jawa Barat,",
    )

    refused(
        run_import(runner, path),
        "villages.csv, row 3, column district: district 32.73.01 is named 'Sukasary' here but 'Sukasari' on row 2",
    )


def test_unknown_parent_in_the_folder_layout(runner, tmp_path):
    folder = official_copy(
        tmp_path,
        villages=("code,district_code,name\n32.73.01.1001,32.73.01,Sukarasa\n32.73.09.1001,32.73.09,Nowhere\n"),
    )

    refused(
        run_import(runner, folder),
        "villages.csv, row 3, column district_code: district 32.73.09 is neither in districts.csv nor in the database",
    )
    assert snapshot()[:2] == ([], [])


def test_parent_column_must_match_the_code(runner, tmp_path):
    folder = official_copy(tmp_path, villages=("code,district_code,name\n32.73.01.1001,32.73.02,Sukarasa\n"))

    refused(
        run_import(runner, folder),
        "villages.csv, row 2, column district_code: '32.73.02' does not match the code "
        "32.73.01.1001, which lies in district 32.73.01",
    )


def test_a_bad_district_does_not_also_orphan_its_villages(runner, tmp_path):
    folder = official_copy(
        tmp_path,
        districts=("code,regency_code,name\n12.07.28,12.07,Lubuk Pakam\n32.73.01,32.73,\n32.73.02,32.73,Coblong\n"),
    )

    result = run_import(runner, folder)

    refused(result, "districts.csv, row 3, column name: is empty")
    assert "1 problem found" in result.output


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("32.73.1.1001", "'32.73.1.1001' is not a village code; expected NN.NN.NN.NNNN, for example 32.73.01.1001"),
        ("3273011001", "'3273011001' is not a village code"),
        ("32.73.01.10011", "'32.73.01.10011' is not a village code"),
        ("32.73.01", "'32.73.01' is not a village code"),
        ("", "is empty; a village code looks like 32.73.01.1001"),
    ],
)
def test_bad_code_format(runner, tmp_path, code, message):
    path = flat_file(tmp_path, f"{code},Sukarasa,Sukasari,Kota Bandung,Jawa Barat,")

    refused(run_import(runner, path), f"villages.csv, row 2, column code: {message}")


def test_bad_area_code_in_the_folder_layout(runner, tmp_path):
    folder = official_copy(tmp_path, provinces="code,name\n12,Sumatera Utara\n32,Jawa Barat\n3,Typo\n")

    refused(
        run_import(runner, folder),
        "provinces.csv, row 4, column code: '3' is not a province code; expected NN, for example 32",
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("abc", "'abc' is not a whole number"),
        ("2.5", "'2.5' is not a whole number"),
        ("-3", "'-3' is not a whole number"),
        ("0", "0 is out of range; a target is between 1 and 100000"),
        ("5000000", "5000000 is out of range"),
    ],
)
def test_bad_target(runner, tmp_path, target, message):
    path = flat_file(tmp_path, f"32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat,{target}")

    refused(run_import(runner, path), f"villages.csv, row 2, column target: {message}")


def test_bad_names(runner, tmp_path):
    path = flat_file(
        tmp_path,
        "32.73.01.1001,   ,Sukasari,Kota Bandung,Jawa Barat,",
        f"32.73.01.1002,{'x' * 121},Sukasari,Kota Bandung,Jawa Barat,",
        "32.73.01.1003,Isola,Sukasari,,Jawa Barat,",
    )

    refused(
        run_import(runner, path),
        "villages.csv, row 2, column name: is empty",
        "villages.csv, row 3, column name: the name has 121 characters; at most 120",
        "villages.csv, row 4, column regency: is empty",
    )


def test_missing_column_in_the_header(runner, tmp_path):
    path = flat_file(tmp_path, "32.73.01.1001,Sukarasa,Sukasari,Kota Bandung", header="code,name,district,regency")

    refused(
        run_import(runner, path),
        "villages.csv, row 1, column province: is missing from the header; the header must be "
        "code,name,district,regency,province[,target]",
    )


def test_rows_with_missing_or_extra_values(runner, tmp_path):
    path = flat_file(
        tmp_path,
        "32.73.01.1001,Sukarasa,Sukasari,Kota Bandung",
        "32.73.01.1002,Gegerkalong,Sukasari,Kota Bandung,Jawa Barat,50,oops",
        "32.73.01.1003,Isola,Sukasari,Kota Bandung,Jawa Barat,,",
    )

    result = run_import(runner, path)

    refused(
        result,
        "villages.csv, row 2, column province: has no value: the row has 4 value(s) but the header has 6",
        "villages.csv, row 3, column 7: extra value 'oops' beyond the header's 6 columns",
    )
    assert "row 4" not in result.output, "an empty trailing cell is not an extra value"


def test_wrong_header(runner, tmp_path):
    path = flat_file(
        tmp_path,
        "32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat",
        header="kode,nama,kecamatan,kabupaten,provinsi",
    )

    result = run_import(runner, path)

    refused(
        result,
        "villages.csv, row 1, column kode: is not a known column",
        "villages.csv, row 1, column code: is missing from the header",
    )
    assert "row 2" not in result.output, "rows are not read under a header we do not understand"


def test_header_is_required(runner, tmp_path):
    path = write(tmp_path, "32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat\n")

    refused(run_import(runner, path), "villages.csv, row 1, column 32.73.01.1001: is not a known column")


@pytest.mark.parametrize(
    "text", ["", "\n\n", "   \r\n", ",,,\n"], ids=["zero-bytes", "blank-lines", "spaces", "commas"]
)
def test_empty_file(runner, tmp_path, text):
    path = write(tmp_path, text)

    refused(
        run_import(runner, path),
        "villages.csv, row 1: the file is empty; its first row must be the header "
        "code,name,district,regency,province[,target]",
    )


def test_a_blank_first_row_is_not_a_header(runner, tmp_path):
    path = write(tmp_path, "\n" + FLAT_HEADER + "\n32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat,\n")

    refused(run_import(runner, path), "villages.csv, row 1, column code: is missing from the header")


def test_header_without_villages(runner, tmp_path):
    refused(
        run_import(runner, flat_file(tmp_path)), "villages.csv, row 2: the file has a header but no villages below it"
    )


def test_folder_needs_all_four_files(runner, tmp_path):
    folder = official_copy(tmp_path)
    (folder / "regencies.csv").unlink()

    refused(run_import(runner, folder), "official: the folder has no regencies.csv")


def test_non_utf8_bytes(runner, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (FLAT_HEADER + "\n32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat,\n").encode()
        + "32.73.01.1002,Gegerkalong,Sukasari,Kota Bandung,Jawa Barat Caf\u00e9,\n".encode("latin-1")
    )

    refused(
        run_import(runner, path),
        'latin1.csv, row 3, column province: byte 0xE9 is not UTF-8 text; save the file as "CSV UTF-8"',
    )


def test_missing_path_is_refused_by_click(runner, tmp_path):
    result = run_import(runner, tmp_path / "nothing.csv")

    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_long_problem_lists_are_cut_short(runner, tmp_path):
    rows = [f"32.73.01.{n:04d},Desa {n},Sukasari,Kota Bandung,Jawa Barat,zero" for n in range(1, 61)]

    result = run_import(runner, flat_file(tmp_path, *rows))

    refused(result, "60 problems found", "... and 10 more.")
    assert "row 51, column target" in result.output
    assert "row 52, column target" not in result.output


def test_a_failed_import_leaves_the_database_as_it_was(runner, tmp_path):
    assert run_import(runner, FLAT).exit_code == 0
    before = snapshot()
    path = flat_file(
        tmp_path,
        "32.73.01.1001,Sukarasa Baru,Sukasari,Kota Bandung,Jawa Barat,150",  # a valid update
        "32.73.03.1001,Cihapit,Bandung Wetan,Kota Bandung,Jawa Barat,",  # a valid new district
        "32.73.01.1009,Bad Target,Sukasari,Kota Bandung,Jawa Barat,many",
    )

    refused(run_import(runner, path), "villages.csv, row 4, column target")

    assert snapshot() == before
