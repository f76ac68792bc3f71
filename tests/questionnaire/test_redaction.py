"""Redaction of personal data in free-text answers, held to a corpus of realistic Indonesian
answers: phone numbers, NIK numbers, e-mail addresses and plates in the forms residents write
them, and the numbers they write every day (years, prices, dates, times, RT/RW, house
numbers) that must be left alone."""

from __future__ import annotations

import pytest

from survey_app.questionnaire.redaction import MARKERS, redact, redact_answers

FOUND = [
    # (answer, what must disappear, kinds found)
    ("Hubungi saya di 081234567890 kalau ada info", "081234567890", {"phone": 1}),
    ("no hp 0812-3456-7890", "0812-3456-7890", {"phone": 1}),
    ("WA: 0812 3456 7890", "0812 3456 7890", {"phone": 1}),
    ("telp +62 812 3456 7890 (pak RT)", "+62 812 3456 7890", {"phone": 1}),
    ("+6281234567890", "+6281234567890", {"phone": 1}),
    ("nomor saya 6281298765432", "6281298765432", {"phone": 1}),
    ("bisa sms ke 0857.1234.5678", "0857.1234.5678", {"phone": 1}),
    ("0896-1122-3344 ini nomor anak saya", "0896-1122-3344", {"phone": 1}),
    ("Pak Bhabin bisa dihubungi 0813 1111 2222", "0813 1111 2222", {"phone": 1}),
    ("lapor ke 08111234567 saja", "08111234567", {"phone": 1}),
    ("kantor desa (022) 250-1234", "(022) 250-1234", {"phone": 1}),
    ("telepon rumah 021 5551234", "021 5551234", {"phone": 1}),
    ("0274-512345 nomor polsek", "0274-512345", {"phone": 1}),
    ("hp saya 0821-9876-5432 dan istri 0822 1234 5678", "0821-9876-5432", {"phone": 2}),
    ("no.hp:085712345678", "085712345678", {"phone": 1}),
    ("call 0838 8888 9999 ya", "0838 8888 9999", {"phone": 1}),
    ("Hub. 0812.9999.0000", "0812.9999.0000", {"phone": 1}),
    ("+62-812-7777-6666", "+62-812-7777-6666", {"phone": 1}),
    ("nomer wa 0819 2345 678", "0819 2345 678", {"phone": 1}),
    ("tlp 0361 234567 (Bali)", "0361 234567", {"phone": 1}),
    ("NIK saya 3273010101010001", "3273010101010001", {"nik": 1}),
    ("nik 3273 0101 0101 0001", "3273 0101 0101 0001", {"nik": 1}),
    ("KTP: 3171.0123.4567.8901", "3171.0123.4567.8901", {"nik": 1}),
    ("no ktp 1101012345670003 tolong dicek", "1101012345670003", {"nik": 1}),
    ("nik anak 5201-1402-9500-0001", "5201-1402-9500-0001", {"nik": 1}),
    ("3578012309870002", "3578012309870002", {"nik": 1}),
    ("NIK: 9471021507880004.", "9471021507880004", {"nik": 1}),
    ("pelakunya punya KTP 6471 0520 1190 0003", "6471 0520 1190 0003", {"nik": 1}),
    ("email saya budi.santoso@gmail.com", "budi.santoso@gmail.com", {"email": 1}),
    ("kirim ke siti_aminah88@yahoo.co.id", "siti_aminah88@yahoo.co.id", {"email": 1}),
    ("lapor lewat polsek.coblong@polri.go.id", "polsek.coblong@polri.go.id", {"email": 1}),
    ("Email: RT05.RW03@desa-sukarasa.id", "RT05.RW03@desa-sukarasa.id", {"email": 1}),
    ("kontak a.rahman+lapor@outlook.com terima kasih", "a.rahman+lapor@outlook.com", {"email": 1}),
    ("motor pelaku B 1234 XYZ warna hitam", "B 1234 XYZ", {"plate": 1}),
    ("mobil D 1234 AB sering parkir di gang", "D 1234 AB", {"plate": 1}),
    ("plat AB 5678 CD", "AB 5678 CD", {"plate": 1}),
    ("nopol F1234GH kabur", "F1234GH", {"plate": 1}),
    ("yang nabrak b 1234 xyz", "b 1234 xyz", {"plate": 1}),
    ("Avanza putih DK 1021 FA", "DK 1021 FA", {"plate": 1}),
    ("truk BK 8899 UJ parkir sembarangan", "BK 8899 UJ", {"plate": 1}),
    ("motor curian L 4321 MN", "L 4321 MN", {"plate": 1}),
    ("KT 12 A ngebut tiap malam", "KT 12 A", {"plate": 1}),
    ("plat nomor dk 1234 abc", "dk 1234 abc", {"plate": 1}),
    ("E 5 XY", "E 5 XY", {"plate": 1}),
    ("H 9988 QW dan H 7766 QE", "H 9988 QW", {"plate": 2}),
    ("lapor ke 081234567890 atau budi@mail.com", "081234567890", {"phone": 1, "email": 1}),
    ("NIK 3273010101010001 hp 081298765432", "3273010101010001", {"nik": 1, "phone": 1}),
    ("pelaku naik B 3456 KLM, hp-nya 0812-0000-1111", "B 3456 KLM", {"plate": 1, "phone": 1}),
    ("hubungi pak Joko 0813-2222-3333 atau joko@desa.id", "0813-2222-3333", {"phone": 1, "email": 1}),
    ("0812345678901 (nomor lama)", "0812345678901", {"phone": 1}),
    ("nomor 0812 34567890", "0812 34567890", {"phone": 1}),
    ("telp. 031-7654321", "031-7654321", {"phone": 1}),
    ("(0361) 765432", "(0361) 765432", {"phone": 1}),
    ("+62 21 5551234", "+62 21 5551234", {"phone": 1}),
    ("saksi: 085600001111", "085600001111", {"phone": 1}),
    ("ktp 3204 1234 5678 0009 hilang", "3204 1234 5678 0009", {"nik": 1}),
]

LEFT_ALONE = [
    "Pencurian motor sering terjadi sejak 2024",
    "Tahun 2023 ada 3 kasus, tahun 2025 lebih banyak",
    "Harga parkir Rp 5.000 terlalu mahal",
    "Pungli Rp 50.000 tiap bulan",
    "denda Rp1.500.000 tidak masuk akal",
    "kerugian sekitar 1,5 juta",
    "hilang uang 2.000.000 rupiah",
    "Rp 12.500.000 dibawa kabur",
    "rapat tanggal 17-08-2024 jam 19.00",
    "kejadian 12/03/2025 sekitar pukul 23.30",
    "ronda mulai 22.00 sampai 04.00",
    "RT 03/RW 05 sering ada balap liar",
    "di RT 3 RW 5 lampu jalan mati",
    "Rt.04 Rw.02 Kelurahan Sukarasa",
    "rumah no 12 dibobol",
    "Jl. Merdeka No. 45 rawan",
    "Gang 7 gelap sekali",
    "blok C no 15",
    "ada 10 orang yang mabuk",
    "sudah 3 kali lapor tapi tidak ada tanggapan",
    "polisi datang setelah 2 jam",
    "umur pelaku sekitar 17 tahun",
    "Putaran 1 2026 lebih baik",
    "kode pos 40132",
    "km 12 jalan provinsi rawan begal",
    "lebih dari 100 motor hilang setahun",
    "NIK saya tidak mau saya berikan",
    "saya tidak punya hp",
    "nomor telepon polsek tidak aktif",
    "tolong tambah patroli malam",
    "Bhabinkamtibmas jarang datang",
    "FKPM sudah lama tidak rapat",
    "narkoba di sekitar sekolah SD 2",
    "SMP 1 dan SMA 3 sering tawuran",
    "sekitar jam 8 malam",
    "ada 2-3 orang asing tiap minggu",
    "kejadian tahun 1998 masih diingat",
    "1-2 kali seminggu",
    "tinggi 170 cm, berat 65 kg",
    "Rp 150 ribu per bulan untuk keamanan",
    "iuran 20rb per KK",
    "150 KK di RW kami",
    "dana desa 2025 Rp 1,2 miliar",
    "skor 4 dari 5",
    "di pos ronda no. 3",
    "ada 25 CCTV di desa",
    "covid 19 dulu sepi",
    "angka 0 untuk rasa aman malam hari",
    "jarak 500 m dari polsek",
    "ketinggian 1.200 mdpl",
    "pada 1 Januari 2025 terjadi kebakaran",
    "pukul 02.15 dini hari",
    "rumah saya no 7A",
    "saya ke polres 3 kali, lapor 2 kali",
    "harga 25.000 per liter",
    "No 1 dan no 2 aman",
    "A 1 ya, itu jawaban saya",
    "dan 500 rb hilang",
    "jalan 2 jalur",
]


@pytest.mark.parametrize(("text", "secret", "kinds"), FOUND)
def test_personal_data_is_replaced_by_a_marker(text, secret, kinds):
    result = redact(text)
    assert secret not in result.text
    assert dict(result.found) == kinds
    for kind, count in kinds.items():
        assert result.text.count(MARKERS[kind]) == count
    if list(kinds.values()) == [1]:  # exactly the secret is replaced, nothing around it
        assert result.text == text.replace(secret, MARKERS[next(iter(kinds))])
    # What surrounds it stays.
    first_word = text.split()[0]
    if first_word not in secret and not any(ch.isdigit() for ch in first_word):
        assert result.text.startswith(first_word)


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_everyday_numbers_are_left_alone(text):
    result = redact(text)
    assert result.text == text
    assert not result.changed


def test_the_corpus_is_large_enough():
    assert len(FOUND) + len(LEFT_ALONE) >= 100
    assert len(LEFT_ALONE) >= 50  # traps as many as finds


def test_only_free_text_answers_are_redacted():
    answers = {"comment": "hp 081234567890", "age_band": "3", "other": "hp 081234567890"}
    cleaned, originals = redact_answers(answers, frozenset({"comment"}))
    assert cleaned == {"comment": f"hp {MARKERS['phone']}", "age_band": "3", "other": "hp 081234567890"}
    assert {qid: (r.text, dict(r.found)) for qid, r in originals.items()} == {
        "comment": ("hp 081234567890", {"phone": 1})}
    assert answers["comment"] == "hp 081234567890"  # the caller's mapping is not changed
