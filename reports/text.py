"""Every fixed text of a village report, in Bahasa Indonesia and English.

The report language is a parameter: one code path looks up ``MESSAGES[key][lang]``. Texts
are written for FKPM members, not statisticians: short sentences, no jargon without an
explanation beside it.
"""

from __future__ import annotations

LANGUAGES = ("id", "en")
"""Languages of the reports' own wording. A report may be built in any language its
questionnaire has: questions and answers in that language, this wording in Indonesian."""
DEFAULT_LANGUAGE = "id"

MESSAGES: dict[str, dict[str, str]] = {
    # sheet names (at most 31 characters)
    "sheet_summary": {"id": "Ringkasan", "en": "Summary"},
    "sheet_trend": {"id": "Tren", "en": "Trend"},
    "sheet_comparison": {"id": "Perbandingan", "en": "Comparison"},
    "sheet_method": {"id": "Metode", "en": "Method"},
    "sheet_free_text": {"id": "Jawaban terbuka", "en": "Free text"},
    # summary
    "sheet_glance": {"id": "Sekilas", "en": "At a glance"},
    "glance_title": {"id": "Sekilas: {village}", "en": "At a glance: {village}"},
    "glance_where": {"id": "{round} · {responses} jawaban · Kecamatan {district}, {regency}",
                     "en": "{round} · {responses} responses · {district} district, {regency}"},
    "glance_range": {"id": "rentang 95%: {low}–{high} · n = {n}", "en": "95% range: {low}–{high} · n = {n}"},
    "glance_base": {"id": "n = {n}", "en": "n = {n}"},
    "glance_change": {"id": "{direction}: {points} poin sejak {round}",
                      "en": "{direction}: {points} points since {round}"},
    "glance_reading": {
        "id": "Angka besar: indeks 0–100 putaran ini (makin tinggi makin baik). Panah: ▲ naik atau ▼ turun bila "
        "rentang 95% perubahan tidak mencakup nol, ● bila perubahannya belum jelas. Angka dengan kurang dari {min_n} "
        "jawaban tidak ditampilkan. Rincian ada di lembar berikutnya.",
        "en": "Large numbers: this round's indices, 0–100 (higher is better). Arrows: ▲ up or ▼ down when the 95% "
        "range of the change leaves out zero, ● when the change is not clear. Figures with fewer than {min_n} answers "
        "are not shown. The details follow on the next sheets.",
    },
    "report_title": {"id": "Laporan desa/kelurahan: {village}", "en": "Village report: {village}"},
    "village": {"id": "Desa/kelurahan", "en": "Village"},
    "district": {"id": "Kecamatan", "en": "District"},
    "regency": {"id": "Kabupaten/kota", "en": "Regency/city"},
    "province": {"id": "Provinsi", "en": "Province"},
    "code": {"id": "Kode", "en": "Code"},
    "rounds_heading": {"id": "Putaran survei dalam laporan ini", "en": "Survey rounds in this report"},
    "round": {"id": "Putaran", "en": "Round"},
    "opens_on": {"id": "Dibuka", "en": "Opened"},
    "closes_on": {"id": "Ditutup", "en": "Closed"},
    "questionnaire": {"id": "Kuesioner", "en": "Questionnaire"},
    "responses": {"id": "Jumlah jawaban", "en": "Responses"},
    "mode_web": {"id": "Lewat HP/web", "en": "Web"},
    "mode_paper": {"id": "Kertas", "en": "Paper"},
    "headline_heading": {"id": "Hasil utama", "en": "Main results"},
    "measure": {"id": "Ukuran", "en": "Measure"},
    "counted_as": {"id": "Dihitung sebagai", "en": "Counted as"},
    "value": {"id": "Nilai", "en": "Value"},
    "ci": {"id": "Rentang 95%", "en": "95% range"},
    "n": {"id": "n", "en": "n"},
    "flag": {"id": "Catatan", "en": "Note"},
    "last_change": {"id": "Perubahan terakhir", "en": "Latest change"},
    "change": {"id": "Perubahan", "en": "Change"},
    "direction": {"id": "Arah", "en": "Direction"},
    "indices_heading": {"id": "Indeks (0–100)", "en": "Indices (0–100)"},
    "items_heading": {
        "id": "Butir pertanyaan: % jawaban positif (jawaban mana, lihat 'Dihitung sebagai')",
        "en": "Questions: % favourable answers (which ones: see 'Counted as')",
    },
    "index_scale": {"id": "Skor rata-rata 0–100", "en": "Average score 0–100"},
    "up": {"id": "▲ naik", "en": "▲ up"},
    "down": {"id": "▼ turun", "en": "▼ down"},
    "none": {"id": "● tidak ada perubahan jelas", "en": "● no clear change"},
    "change_suppressed": {"id": "n<{min_n}: tidak dihitung", "en": "n<{min_n}: not computed"},
    "change_not_comparable": {"id": "tidak dapat dibandingkan", "en": "not comparable"},
    "change_first": {"id": "belum ada pembanding", "en": "nothing to compare with yet"},
    "change_not_asked": {"id": "tidak ditanyakan", "en": "not asked"},
    "suppressed": {"id": "n<{min_n}: terlalu sedikit", "en": "n<{min_n}: too few"},
    "count_of": {"id": "{count} dari {n}", "en": "{count} of {n}"},
    "mode_mix": {"id": "Campuran HP/kertas", "en": "Web/paper mix"},
    "goals_heading": {"id": "Sasaran antara", "en": "Intermediate goals"},
    "goal_target": {"id": "Sasaran", "en": "Goal"},
    "goal_area": {"id": "Wilayah", "en": "Area"},
    "goal_figure": {"id": "Hasil (rentang 95%)", "en": "Result (95% range)"},
    "goal_status": {"id": "Status", "en": "Status"},
    "goal_level": {"id": "paling sedikit {target}", "en": "at least {target}"},
    "goal_change": {"id": "naik {target} poin", "en": "up {target} points"},
    "goal_change_from": {"id": "naik {target} poin sejak {round}", "en": "up {target} points since {round}"},
    "goal_figure_value": {"id": "{value} ({low}–{high}), n = {n}", "en": "{value} ({low}–{high}), n = {n}"},
    "goal_figure_none": {"id": "n = {n}, di bawah {min_n}", "en": "n = {n}, under {min_n}"},
    "goal_reached": {"id": "tercapai", "en": "reached"},
    "goal_not_yet": {"id": "belum", "en": "not yet"},
    "goal_missed": {"id": "tidak tercapai", "en": "missed"},
    "goal_too_few": {"id": "jawaban terlalu sedikit", "en": "too few answers"},
    "goal_not_comparable": {"id": "tidak dapat dinilai: deret terputus", "en": "cannot be judged: the series breaks"},
    "goal_reading": {
        "id": "Sasaran dinilai dengan rentang 95%: tercapai bila seluruh rentang di atas sasaran; tidak tercapai bila "
        "seluruhnya di bawah sasaran setelah putaran selesai; selain itu belum. Indeks dalam poin 0–100, butir dalam "
        "% jawaban positif; sasaran kenaikan dinilai pada perubahan sejak putaran yang disebut, atau sejak putaran "
        "sebelumnya yang dapat dibandingkan. "
        "Setiap desa dinilai sendiri: bila banyak desa dinilai sekaligus, kira-kira 1 dari 20 bisa tampak tercapai "
        "atau tidak tercapai karena kebetulan (koreksi Benjamini–Hochberg tidak diterapkan di sini).",
        "en": "Goals are judged by the 95% range: reached when the whole range lies above the goal; missed when it "
        "lies entirely below it once the round is over; otherwise not yet. Indices are in points 0–100, items in % "
        "favourable; a goal of a rise is judged on the change since the round it names, or else since the previous "
        "comparable round. Each village is "
        "judged on its own: when many villages are judged at once, about 1 in 20 may look reached or missed by "
        "chance (no Benjamini–Hochberg correction is applied here).",
    },
    "ci_plus": {"id": "{round}: ke batas atas 95%", "en": "{round}: to the 95% upper bound"},
    "ci_minus": {"id": "{round}: ke batas bawah 95%", "en": "{round}: to the 95% lower bound"},
    "sheet_data": {"id": "Data angka", "en": "Data"},
    "col_data_kind": {"id": "Jenis", "en": "Kind"},
    "col_data_id": {"id": "Kode", "en": "Id"},
    "col_measure": {"id": "Ukuran", "en": "Measure"},
    "col_round": {"id": "Putaran", "en": "Round"},
    "col_value": {"id": "Nilai", "en": "Value"},
    "col_ci_low": {"id": "Batas bawah 95%", "en": "95% lower bound"},
    "col_ci_high": {"id": "Batas atas 95%", "en": "95% upper bound"},
    "col_n": {"id": "n", "en": "n"},
    "col_flag": {"id": "Catatan basis", "en": "Base flag"},
    "col_change": {"id": "Perubahan", "en": "Change"},
    "col_change_low": {"id": "Perubahan: batas bawah 95%", "en": "Change: 95% lower bound"},
    "col_change_high": {"id": "Perubahan: batas atas 95%", "en": "Change: 95% upper bound"},
    "col_change_status": {"id": "Status perubahan", "en": "Change status"},
    "col_n_eff": {"id": "n efektif (Kish)", "en": "Effective n (Kish)"},
    "web_share": {"id": "% lewat HP/web", "en": "% web"},
    "without_consent": {"id": "Tanpa persetujuan tercatat", "en": "Without recorded consent"},
    "without_consent_note": {
        "id": "'Tanpa persetujuan tercatat': jawaban yang diberikan sebelum persetujuan ditanyakan (lewat HP "
        "atau kertas). Jawaban itu tetap dihitung dalam angka laporan.",
        "en": "'Without recorded consent': answers given before consent was asked (on a phone or on paper). They "
        "are still counted in the report's figures.",
    },
    "note_retained": {
        "id": "Jawaban perorangan putaran {round} dihapus pada {day} karena masa simpannya berakhir. Angkanya "
        "dihitung dari ringkasan yang disimpan saat itu; jawaban teks bebas tidak ada lagi.",
        "en": "The individual answers of {round} were deleted on {day} when their retention period ended. Its "
        "figures come from the summaries kept then; its free-text answers are gone.",
    },
    "note_retained_unweighted": {
        "id": "Angka {round} tidak dibobot: bobot memerlukan kelompok umur dan jenis kelamin tiap responden, "
        "yang dihapus bersama jawaban perorangan.",
        "en": "The figures of {round} are not weighted: weights need each respondent's age band and sex, "
        "which were deleted with the individual answers.",
    },
    "note_retained_recoded": {
        "id": "{label}: putaran {round} tidak ditampilkan. Butirnya diberi kode baru pada versi kuesioner "
        "berikutnya, dan skornya hanya disimpan dengan kode lama saat jawaban perorangan dihapus.",
        "en": "{label}: {round} is not shown. Its items were recoded in a later questionnaire version, and "
        "its scores were kept only in the old coding when the individual answers were deleted.",
    },
    "mode_shift": {
        "id": "Hati-hati: porsi jawaban lewat HP berubah {points} poin; perubahan ini bisa karena orang yang "
        "menjawab berbeda, bukan pendapat.",
        "en": "Caution: the share answering on the web moved {points} points; this change may be who answered, "
        "not opinion.",
    },
    "sheet_companions": {"id": "Periode sama", "en": "Same period"},
    "companions_title": {"id": "{village}: kuesioner lain pada periode yang sama",
                         "en": "{village}: other questionnaires in the same period"},
    "companions_intro": {
        "id": "Putaran kuesioner lain yang berlangsung bersamaan dengan {round} (misalnya kuesioner mitra di "
        "samping kuesioner warga), masing-masing dengan aturannya sendiri. Orang yang menjawab berbeda, jadi "
        "angka-angka ini dibaca berdampingan, bukan dibandingkan.",
        "en": "Rounds of other questionnaires held at the same time as {round} (for example the partners' "
        "questionnaire beside the residents'), each under its own rules. Different people answered, so read "
        "these figures side by side, not as a comparison.",
    },
    "companions_responses": {"id": "Jumlah jawaban di desa ini: {n}", "en": "Responses in this village: {n}"},
    "note_counts": {
        "id": "Kuesioner ini diisi oleh mitra (anggota forum, Bhabinkamtibmas, aparat desa), yang jumlahnya "
        "sedikit. Bila jawaban kurang dari {min_n}, laporan tidak menghitung persen atau selang, tetapi "
        "menampilkan jumlah: \"3 dari 7\" berarti 3 dari 7 orang yang menjawab memilih jawaban yang baik. "
        "Jumlah sekecil itu tidak dapat dibandingkan antarputaran.",
        "en": "This questionnaire is answered by partners (forum members, the village officer, village "
        "officials), who are few. Where fewer than {min_n} answered, the report gives no percentage or "
        "interval but a count: \"3 of 7\" means 3 of the 7 who answered chose a favourable answer. Counts "
        "this small cannot be compared between rounds.",
    },
    "caution": {"id": "hati-hati", "en": "caution"},
    "not_asked": {"id": "–", "en": "–"},
    "notes_heading": {"id": "Catatan perbandingan antarputaran", "en": "Notes on comparing rounds"},
    "summary_reading": {
        "id": "Cara membaca: 'Rentang 95%' menunjukkan ketidakpastian karena hanya sebagian warga yang menjawab. "
        "Perubahan disebut naik atau turun hanya kalau rentangnya tidak mencakup nol. "
        "'hati-hati': jumlah jawaban {min_n}–{caution_top}, baca dengan hati-hati.",
        "en": "How to read: the '95% range' shows the uncertainty that comes from asking only some residents. "
        "A change is called up or down only when its range does not include zero. "
        "'caution': {min_n}–{caution_top} answers, interpret with caution.",
    },
    # trend
    "trend_title": {"id": "Tren dari putaran ke putaran", "en": "Trend from round to round"},
    "trend_blank_cells": {
        "id": "Sel kosong: tidak ditanyakan, jumlah jawaban terlalu sedikit, atau tidak dapat dibandingkan "
        "(garis terputus).",
        "en": "Blank cells: not asked, too few answers, or not comparable (the line breaks).",
    },
    "trend_chart_indices": {"id": "Indeks (0–100)", "en": "Indices (0–100)"},
    "trend_chart_items": {"id": "{section}: % jawaban positif", "en": "{section}: % favourable"},
    "segment_until": {"id": "{label} (sampai {round})", "en": "{label} (until {round})"},
    # sections
    "option": {"id": "Pilihan jawaban", "en": "Answer"},
    "count": {"id": "Jumlah", "en": "Count"},
    "percent": {"id": "%", "en": "%"},
    "missing_row": {"id": "Tidak dijawab / tidak ditanyakan", "en": "Not answered / not asked"},
    "total_row": {"id": "Jumlah responden", "en": "Respondents"},
    "valid_row": {"id": "Jawaban sah (n)", "en": "Valid answers (n)"},
    "top2_row": {"id": "% jawaban positif", "en": "% favourable"},
    "mean_row": {"id": "Rata-rata skor (1–{k})", "en": "Mean score (1–{k})"},
    "number_mean_row": {"id": "Rata-rata", "en": "Mean"},
    "change_row": {"id": "Perubahan (poin persen)", "en": "Change (percentage points)"},
    "special_suffix": {"id": "(tidak dihitung)", "en": "(not counted)"},
    "block_versions": {"id": "Kuesioner {versions}", "en": "Questionnaire {versions}"},
    "section_chart": {
        "id": "% jawaban positif: {latest} dibanding {previous}",
        "en": "% favourable: {latest} against {previous}",
    },
    "section_chart_single": {"id": "% jawaban positif: {latest}", "en": "% favourable: {latest}"},
    "section_chart_multiple": {
        "id": "% responden yang memilih: {latest} dibanding {previous}",
        "en": "% of respondents choosing: {latest} against {previous}",
    },
    "multiple_note": {
        "id": "Boleh memilih lebih dari satu; persentase dari seluruh responden.",
        "en": "More than one answer allowed; percentages of all respondents.",
    },
    # comparison
    "comparison_title": {
        "id": "Desa/kelurahan dibanding kecamatan dan kabupaten/kota: {round}",
        "en": "Village against district and regency/city: {round}",
    },
    "comparison_note": {
        "id": "Angka kecamatan dan kabupaten/kota mencakup semua jawaban di wilayah itu, termasuk desa ini.",
        "en": "District and regency/city figures include every answer in that area, this village included.",
    },
    "comparison_stale": {
        "id": "Angka kecamatan, kabupaten/kota dan alpha belum memuat jawaban terbaru sebagian desa/kelurahan "
        "({n}); jawaban itu ditambahkan pada penyegaran ringkasan berikutnya. Angka desa ini sendiri sudah "
        "lengkap.",
        "en": "District, regency/city and alpha figures do not yet include the newest answers of some villages "
        "({n}); they are added at the next refresh of the summaries. This village's own figures are complete.",
    },
    "comparison_missing": {
        "id": "Angka wilayah tidak tersedia untuk laporan ini.",
        "en": "Area figures are not available for this report.",
    },
    # method
    "method_title": {"id": "Cara angka-angka ini dihitung", "en": "How these figures are computed"},
    "method_term": {"id": "Istilah", "en": "Term"},
    "method_explanation": {"id": "Penjelasan", "en": "Explanation"},
    "m_top2": {
        "id": "Bagian warga yang memilih jawaban yang baik: biasanya dua jawaban paling positif (misalnya 'Setuju' "
        "dan 'Sangat setuju'); kolom 'Dihitung sebagai' menyebut jawaban mana untuk setiap pertanyaan. "
        "Untuk pertanyaan tentang rasa khawatir, jawaban positif adalah 'Tidak setuju' dan 'Sangat tidak setuju'. "
        "Jawaban 'Tidak tahu', 'Tidak mau menjawab' dan pertanyaan yang tidak dijawab tidak dihitung.",
        "en": "The share of residents choosing the favourable answers: usually the two most favourable (for "
        "example 'Agree' and 'Strongly agree'); the 'Counted as' column names them for each question. For "
        "questions about worry, the favourable answers are 'Disagree' and 'Strongly disagree'. 'Don't know', "
        "'Refused' and unanswered questions are not counted.",
    },
    "m_ci": {
        "id": "Rentang 95% (metode skor Wilson): kalau survei diulang dengan warga lain dari desa yang sama, "
        "nilai sebenarnya kemungkinan besar ada di rentang ini.",
        "en": "95% range (Wilson score method): if the survey were repeated with other residents of the same "
        "village, the true value would very likely lie in this range.",
    },
    "m_mean": {
        "id": "Rata-rata posisi jawaban pada skala (1 = pilihan pertama), dengan rentang 95% (distribusi t).",
        "en": "Average position of the answers on the scale (1 = first choice), with a 95% range (t distribution).",
    },
    "m_index": {
        "id": "Indeks 0–100: setiap jawaban diubah ke 0–100 (pertanyaan tentang rasa khawatir dibalik), lalu "
        "dirata-rata per warga. Warga dihitung kalau menjawab setidaknya separuh pertanyaan indeks. "
        "Ditampilkan rata-rata semua warga dengan rentang 95%.",
        "en": "Index 0–100: each answer is rescaled to 0–100 (questions about worry are reversed) and averaged "
        "per resident. A resident counts when they answered at least half of the index's questions. "
        "The report shows the average over residents with a 95% range.",
    },
    "m_alpha": {
        "id": "Alfa Cronbach: seberapa kompak pertanyaan dalam satu indeks. 0,70 atau lebih berarti cukup baik. "
        "Dihitung per putaran dari semua desa, dan untuk desa ini kalau n ≥ {min_n}.",
        "en": "Cronbach's alpha: how well the questions of an index hang together. 0.70 or more is acceptable. "
        "Computed per round over all villages, and for this village when n ≥ {min_n}.",
    },
    "m_change": {
        "id": "Perubahan = putaran ini dikurangi putaran sebelumnya yang dapat dibandingkan. Untuk persentase "
        "dalam poin persen dengan rentang 95% Newcombe (skor hibrida); untuk indeks dalam poin indeks dengan "
        "rentang 95% Welch. Disebut naik atau turun hanya kalau rentangnya tidak mencakup nol. "
        "Dengan sekitar 100 jawaban per putaran, hanya perubahan sekitar 14 poin yang dapat dibedakan dari "
        "kebetulan; dengan 30 jawaban, sekitar 25 poin.",
        "en": "Change = this round minus the previous comparable round. For percentages in percentage points "
        "with Newcombe's hybrid score 95% range; for indices in index points with Welch's 95% range. "
        "A change is called up or down only when its range does not include zero. With about 100 answers "
        "per round only changes of about 14 points can be told from chance; with 30 answers, about 25 points.",
    },
    "m_min_n": {
        "id": "Jumlah minimum: angka dengan kurang dari {min_n} jawaban tidak ditampilkan ('n<{min_n}'). "
        "Angka dengan {min_n}–{caution_top} jawaban ditandai 'hati-hati'.",
        "en": "Minimum base: figures on fewer than {min_n} answers are not shown ('n<{min_n}'). "
        "Figures on {min_n}–{caution_top} answers are marked 'caution'.",
    },
    "m_distribution": {
        "id": "Sebaran jawaban: jumlah dan persentase setiap pilihan, termasuk 'Tidak tahu' dan "
        "'Tidak mau menjawab', dari seluruh responden putaran itu.",
        "en": "Distribution: count and percentage of every answer, 'Don't know' and 'Refused' included, "
        "out of all respondents of the round.",
    },
    "m_many_villages": {
        "id": "Laporan ini menguji satu desa. Kalau banyak desa diuji sekaligus, sekitar 1 dari 20 akan tampak "
        "berubah hanya karena kebetulan; laporan ini tidak mengoreksi hal itu (lihat tabel ikhtisar wilayah).",
        "en": "This report tests one village. When many villages are tested at once, about 1 in 20 appears "
        "to change by chance alone; this report does not correct for that (see the area overview).",
    },
    "m_mode": {
        "id": "Cara pengisian (HP/web atau kertas) dicatat karena dapat memengaruhi jawaban. Bila porsi jawaban "
        "lewat HP di desa ini berubah lebih dari 20 poin antara dua putaran yang dibandingkan, setiap perubahan "
        "di antaranya diberi tanda hati-hati.",
        "en": "The way answers were collected (web or paper) is recorded because it can change how people answer. "
        "Where this village's share of web answers moved more than 20 points between two rounds compared, every "
        "change between them carries a caution.",
    },
    "m_privacy": {
        "id": "Jawaban bersifat anonim. Jawaban terbuka tidak dimuat dalam laporan desa kecuali diminta admin.",
        "en": "Answers are anonymous. Free-text answers are left out of village reports unless an admin asks.",
    },
    "m_comparability": {
        "id": "Tren hanya menyambung putaran yang pertanyaannya sama atau dinyatakan dapat dibandingkan; "
        "kode jawaban lama dikodekan ulang ke skala baru sebelum dibandingkan. Bila panjang skala berubah atau "
        "pilihan tengah ditambahkan, seri hanya dapat dibandingkan dengan hati-hati: garis tren diputus dan "
        "catatan menjelaskannya.",
        "en": "A trend only joins rounds where the question is the same or declared comparable; old answer "
        "codes are recoded onto the new scale before comparing. Where a scale changed length or gained a "
        "middle category, the series is comparable only with caution: the trend line breaks, and a note says "
        "why.",
    },
    "term_top2": {"id": "% jawaban positif", "en": "% favourable"},
    "term_ci": {"id": "Rentang 95%", "en": "95% range"},
    "term_mean": {"id": "Rata-rata skor", "en": "Mean score"},
    "term_index": {"id": "Indeks", "en": "Index"},
    "term_alpha": {"id": "Alfa Cronbach", "en": "Cronbach's alpha"},
    "term_change": {"id": "Perubahan", "en": "Change"},
    "term_min_n": {"id": "Jumlah minimum", "en": "Minimum base"},
    "term_distribution": {"id": "Sebaran jawaban", "en": "Distribution"},
    "term_many_villages": {"id": "Banyak desa", "en": "Many villages"},
    "term_mode": {"id": "Cara pengisian", "en": "Collection mode"},
    "term_weights": {"id": "Bobot", "en": "Weights"},
    "m_weights_on": {
        "id": "Angka desa ini DITIMBANG: jawaban tiap putaran diberi bobot agar susunan umur x jenis kelamin "
        "sama dengan penduduk desa (atau kecamatan bila desa tidak punya data). Bila setiap sel punya paling "
        "sedikit {min_cell} penjawab dipakai post-stratifikasi; bila tidak, raking pada umur dan jenis kelamin "
        "dengan kelompok tipis digabung. Bobot dipotong pada {cap} kali rata-rata. 'n ef.' adalah n efektif "
        "(Kish): banyaknya jawaban tanpa bobot yang sama tepatnya. Batas minimal n dan selang 95% memakai n "
        "efektif. Sebaran jawaban di lembar bagian adalah jumlah jawaban apa adanya; alpha, kolom kecamatan dan "
        "kabupaten, dan angka gelap kejahatan tidak ditimbang.",
        "en": "This village's figures are WEIGHTED: each round's answers are weighted so that age band x sex "
        "match the village's population (or its district's where the village has none). Post-stratification "
        "when every cell has at least {min_cell} respondents; otherwise raking on age and sex with thin groups "
        "merged. Weights are trimmed at {cap} times the mean. 'n eff.' is Kish's effective n: the number of "
        "unweighted answers that would be as precise. The minimum base and the 95% intervals go by the "
        "effective n. Answer distributions on the section sheets are counts as given; alpha, the district and "
        "regency columns and the crime dark figure are not weighted.",
    },
    "m_weights_off": {
        "id": "Angka tidak ditimbang: setiap jawaban dihitung sama. Bila yang menjawab (umur, jenis kelamin) "
        "berbeda dari penduduk, atau berubah antarputaran, perubahan bisa karena susunan penjawab.",
        "en": "Figures are unweighted: every answer counts the same. Where those who answered (age, sex) differ "
        "from the population, or change between rounds, a change can come from who answered.",
    },
    "weighting": {"id": "Bobot", "en": "Weighting"},
    "weighting_poststratified": {"id": "post-stratifikasi, n ef. {n_eff}", "en": "post-stratified, n eff. {n_eff}"},
    "weighting_raked": {"id": "raking, n ef. {n_eff}", "en": "raked, n eff. {n_eff}"},
    "weighting_unweighted": {"id": "tanpa bobot (tidak ada data penduduk)", "en": "unweighted (no population data)"},
    "weighting_collapsed": {"id": "digabung: {groups}", "en": "merged: {groups}"},
    "weighting_trimmed": {"id": "{count} bobot dipotong", "en": "{count} weights trimmed"},
    "collapsed_sex": {"id": "tanpa jenis kelamin", "en": "sex left out"},
    "effective_n": {"id": "n ef. {n_eff}", "en": "n eff. {n_eff}"},
    "figures_weighted": {
        "id": "Angka ditimbang menurut umur x jenis kelamin penduduk (lihat Metode: Bobot).",
        "en": "Figures weighted to the population by age x sex (see Method: Weights).",
    },
    "figures_unweighted": {"id": "Angka tidak ditimbang.", "en": "Figures are unweighted."},
    "overview_weighted": {
        "id": "Angka tiap desa ditimbang menurut umur x jenis kelamin penduduknya; n adalah jumlah jawaban, batas "
        "minimal memakai n efektif. Angka gelap wilayah tidak ditimbang.",
        "en": "Each village's figures are weighted to its population by age x sex; n is the number of answers, "
        "the minimum base goes by the effective n. The area's dark figure is unweighted.",
    },
    "note_weighted_areas": {
        "id": "Angka desa ditimbang; angka kecamatan dan kabupaten di lembar Perbandingan tidak ditimbang.",
        "en": "The village's figures are weighted; the district and regency figures on the Comparison sheet "
        "are not.",
    },
    "term_privacy": {"id": "Privasi", "en": "Privacy"},
    "term_comparability": {"id": "Perbandingan antarversi", "en": "Comparing versions"},
    "versions_heading": {"id": "Versi kuesioner", "en": "Questionnaire versions"},
    "amendments_heading": {
        "id": "Keputusan perbandingan setelah terbit",
        "en": "Comparability decided after publication",
    },
    "amendment": {
        "id": "{ref}, '{question}': {kind} (diputuskan {decided}). {reason}",
        "en": "{ref}, '{question}': {kind} (decided {decided}). {reason}",
    },
    "amended_caution": {"id": "dapat dibandingkan dengan hati-hati", "en": "comparable with caution"},
    "amended_not_comparable": {"id": "tidak dapat dibandingkan", "en": "not comparable"},
    "alpha_heading": {"id": "Alfa Cronbach per putaran", "en": "Cronbach's alpha per round"},
    "alpha_all": {"id": "Semua desa", "en": "All villages"},
    "alpha_village": {"id": "Desa ini", "en": "This village"},
    "generated_at": {"id": "Dibuat pada", "en": "Generated on"},
    "data_cutoff": {"id": "Jawaban terakhir yang dimuat", "en": "Latest answer included"},
    "no_notes": {
        "id": "Tidak ada perubahan kuesioner yang memutus tren.",
        "en": "No questionnaire change breaks a trend.",
    },
    # comparability notes
    "note_recoded": {
        "id": "'{label}': skala jawaban berubah antara {before} dan {after}; jawaban {before} dikodekan ulang "
        "ke skala baru sebelum dibandingkan.",
        "en": "'{label}': the answer scale changed between {before} and {after}; the answers of {before} were "
        "recoded onto the new scale before comparing.",
    },
    "note_changed": {
        "id": "'{label}': pertanyaan diubah pada kuesioner v{version} sehingga {after} tidak dapat dibandingkan "
        "dengan {before}; garis tren terputus.",
        "en": "'{label}': the question changed in questionnaire v{version}, so {after} cannot be compared with "
        "{before}; the trend line breaks.",
    },
    "note_caution": {
        "id": "'{label}': skala jawaban berubah pada kuesioner v{version} (misalnya panjang skala atau pilihan "
        "tengah). Hanya dapat dibandingkan dengan hati-hati, jadi garis tren diputus antara {before} dan {after} "
        "dan perubahan tidak diuji melewati putusnya.",
        "en": "'{label}': the answer scale changed in questionnaire v{version} (for example its length or a "
        "middle category). It is comparable only with caution, so the trend line breaks between {before} and "
        "{after} and no change is tested across the break.",
    },
    "note_not_asked_in": {
        "id": "'{label}': tidak ditanyakan pada kuesioner v{version}; garis tren terputus antara {before} dan {after}.",
        "en": "'{label}': not asked in questionnaire v{version}; the trend line breaks between {before} and {after}.",
    },
    "note_readded": {
        "id": "'{label}': ditanyakan lagi mulai kuesioner v{version} dan tidak dibandingkan dengan {before}.",
        "en": "'{label}': asked again from questionnaire v{version} and not compared with {before}.",
    },
    "note_other_questionnaire": {
        "id": "'{label}': {after} memakai kuesioner lain dari {before}; tidak dibandingkan.",
        "en": "'{label}': {after} used a different questionnaire from {before}; not compared.",
    },
    "note_index_items_changed": {
        "id": "'{label}': isi indeks berubah pada kuesioner v{version}; {after} tidak dibandingkan dengan {before}.",
        "en": "'{label}': the index's questions changed in questionnaire v{version}; {after} is not compared "
        "with {before}.",
    },
    "note_index_item_not_comparable": {
        "id": "'{label}': salah satu pertanyaan indeks diubah pada kuesioner v{version}; {after} tidak "
        "dibandingkan dengan {before}.",
        "en": "'{label}': one of the index's questions changed in questionnaire v{version}; {after} is not "
        "compared with {before}.",
    },
    "note_index_item_caution": {
        "id": "'{label}': skala jawaban salah satu pertanyaan indeks berubah pada kuesioner v{version}; {after} "
        "tidak dibandingkan dengan {before}.",
        "en": "'{label}': the answer scale of one of the index's questions changed in questionnaire v{version}; "
        "{after} is not compared with {before}.",
    },
    "note_added": {
        "id": "'{label}': pertanyaan baru, ditanyakan mulai {round}.",
        "en": "'{label}': a new question, asked from {round}.",
    },
    "note_dropped": {
        "id": "'{label}': tidak ditanyakan lagi mulai {round}; tren berhenti.",
        "en": "'{label}': no longer asked from {round}; the trend stops.",
    },
    # area overview (reports.overview)
    "sheet_overview": {"id": "Ikhtisar", "en": "Overview"},
    "sheet_print_view": {"id": "Untuk dicetak", "en": "Print view"},
    "direction_short": {"id": "Arah", "en": "Dir."},
    "print_view_note": {
        "id": "Lembar untuk dicetak: indeks setiap desa, perubahannya sejak {previous} dan arahnya (▲ naik, ▼ turun "
        "bila rentang 95% perubahan tidak mencakup nol; ● tidak ada perubahan jelas), dan apakah perubahan itu tetap "
        "signifikan setelah koreksi Benjamini–Hochberg. '–': perubahan tidak dihitung (putaran pertama, deret terputus "
        "atau jawaban terlalu sedikit). Rentang, butir pertanyaan dan nilai q ada di lembar Ikhtisar.",
        "en": "The sheet to print: each village's indices, their change since {previous} and its direction (▲ up, "
        "▼ down when the 95% range of the change leaves out zero; ● no clear change), and whether the change stays "
        "significant after the Benjamini–Hochberg correction. '–': no change computed (first round, a series break or "
        "too few answers). Ranges, items and q-values are on the Overview sheet.",
    },
    "sheet_crime": {"id": "Kejahatan tercatat", "en": "Recorded crime"},
    "crime_title": {"id": "Kejahatan tercatat polisi dan persepsi: {village}",
                    "en": "Police-recorded crime and perception: {village}"},
    "crime_reading": {
        "id": "Cara membaca: kejadian tercatat adalah laporan yang masuk ke polisi, bukan semua kejadian. Angka ini "
        "sering naik ketika kepercayaan naik, karena warga lebih mau melapor; kenaikan belum tentu berarti keadaan "
        "memburuk. Setiap putaran memakai 12 bulan yang berakhir pada bulan terakhir putaran, sama dengan pertanyaan "
        "'dalam 12 bulan terakhir'. Bulan tanpa data tidak dihitung sebagai nol: angka per tahun diperkirakan dari "
        "bulan yang ada.",
        "en": "How to read this: recorded incidents are what reached the police, not everything that happened. "
        "They often rise when trust rises, because residents report more; a rise does not by itself mean things got "
        "worse. Each round uses the 12 months that end with the round's last month, as the 'in the last 12 months' "
        "questions do. Months without data are not counted as zero: the yearly figure is scaled from the months "
        "that are there.",
    },
    "crime_none": {"id": "Belum ada data kejahatan tercatat untuk desa/kelurahan ini atau kecamatannya.",
                   "en": "No police-recorded crime has been imported for this village or its district."},
    "crime_source": {"id": "Data polisi: {name} ({code}), {level}.", "en": "Police data: {name} ({code}), {level}."},
    "crime_level_village": {"id": "data desa/kelurahan ini", "en": "this village's own data"},
    "crime_level_district": {"id": "data tingkat kecamatan (desa ini tidak punya data sendiri)",
                             "en": "district-level data (this village has none of its own)"},
    "crime_population": {"id": "Penduduk: {n} jiwa (tabel penduduk).", "en": "Residents: {n} (population table)."},
    "crime_no_population": {"id": "Jumlah penduduk belum diimpor: angka per 1.000 penduduk tidak dihitung.",
                            "en": "No population imported: the rate per 1,000 residents is not computed."},
    "crime_trend_note": {
        "id": "Kejadian tercatat sering naik ketika kepercayaan naik, karena warga lebih mau melapor. Lihat lembar "
        "Kejahatan tercatat.",
        "en": "Recorded crime often rises when trust rises, because residents report more. See the Recorded crime "
        "sheet.",
    },
    "crime_period": {"id": "Periode (12 bulan)", "en": "Period (12 months)"},
    "crime_months": {"id": "Bulan dengan data", "en": "Months with data"},
    "crime_category": {"id": "Kejadian tercatat: {category}", "en": "Recorded incidents: {category}"},
    "crime_total": {"id": "Jumlah kejadian tercatat", "en": "Recorded incidents, all categories"},
    "crime_rate": {"id": "Kejadian tercatat per 1.000 penduduk per tahun",
                   "en": "Recorded incidents per 1,000 residents per year"},
    "crime_beside": {"id": "Persepsi warga pada putaran yang sama", "en": "Residents' perception in the same rounds"},
    "dark_heading": {"id": "Kejadian yang tidak dilaporkan ke polisi (angka gelap)",
                     "en": "Incidents not reported to the police (the dark figure)"},
    "dark_share": {"id": "% korban yang kejadian terakhirnya tidak dilaporkan",
                   "en": "% of victims whose latest incident was not reported"},
    "dark_base": {"id": "n (korban yang menjawab ya/tidak)", "en": "n (victims who answered yes or no)"},
    "dark_reading": {
        "id": "Apa artinya: dari warga yang mengalami kejadian dalam 12 bulan terakhir dan menjawab apakah kejadian "
        "terakhirnya dilaporkan, bagian yang menjawab 'tidak', dengan rentang 95% (Wilson). Yang tidak bisa: ini "
        "menghitung orang, bukan kejadian (yang mengalami dua kali dihitung sekali); hanya kejadian terakhir yang "
        "ditanyakan; bergantung pada ingatan dan pada siapa yang menjawab survei; jadi tidak bisa dipakai untuk "
        "menghitung jumlah kejadian sebenarnya dari angka tercatat. 'Tidak tahu' tidak dihitung.",
        "en": "What it means: of residents who had an incident in the last 12 months and said whether the latest one "
        "was reported, the share who said 'no', with its 95% range (Wilson). What it cannot mean: it counts "
        "people, not incidents (someone hit twice counts once); only the latest incident is asked about; it "
        "depends on memory and on who answered the survey; so it cannot turn the recorded count into a true count "
        "of incidents. 'Don't know' is left out.",
    },
    "overview_dark": {
        "id": "Angka gelap wilayah ini: {value}% korban mengatakan kejadian terakhirnya tidak dilaporkan ke polisi "
        "(rentang 95% {low}–{high}%, n = {n} korban). Ini menghitung orang, bukan kejadian; lihat lembar Kejahatan "
        "tercatat di laporan desa.",
        "en": "This area's dark figure: {value}% of victims said their latest incident was not reported to the police "
        "(95% range {low}–{high}%, n = {n} victims). It counts people, not incidents; see the Recorded crime sheet "
        "of the village reports.",
    },
    "overview_dark_none": {
        "id": "Angka gelap wilayah ini: terlalu sedikit korban yang menjawab (n = {n}, di bawah {min_n}).",
        "en": "This area's dark figure: too few victims answered (n = {n}, under {min_n}).",
    },
    "overview_goals_title": {"id": "Sasaran antara: {area}, {round}", "en": "Intermediate goals: {area}, {round}"},
    "goal_villages": {"id": "Desa dinilai", "en": "Villages judged"},
    "overview_goals_caveat": {
        "id": "Setiap desa dinilai sendiri dengan rentang 95%-nya, seperti di laporan desanya. Bila {villages} desa "
        "dinilai sekaligus, beberapa bisa tampak 'tercapai' atau 'tidak tercapai' hanya karena kebetulan: desa yang "
        "nilai sebenarnya tepat di sasaran tampak tercapai kira-kira 1 dari 40 kali. Jumlah ini tidak dikoreksi untuk "
        "banyaknya penilaian (koreksi Benjamini–Hochberg tidak diterapkan pada status sasaran); bacalah jumlah yang "
        "kecil dengan hati-hati.",
        "en": "Each village is judged on its own 95% range, as in its village report. When {villages} villages are "
        "judged at once, some may look 'reached' or 'missed' by chance alone: a village whose true figure sits "
        "exactly at the goal looks reached about 1 time in 40. These counts are not corrected for the number of "
        "judgements (no Benjamini–Hochberg correction is applied to goal statuses); read small counts with care.",
    },
    "overview_title": {
        "id": "Ikhtisar desa/kelurahan: {area}, {round}",
        "en": "Village overview: {area}, {round}",
    },
    "overview_previous": {
        "id": "Perubahan dibanding putaran sebelumnya yang dapat dibandingkan ({previous}).",
        "en": "Change against the previous comparable round ({previous}).",
    },
    "overview_fdr": {
        "id": "Mengapa dua kolom signifikansi? Kalau {tests} desa diuji sekaligus, sekitar 1 dari 20 tampak "
        "berubah hanya karena kebetulan. 'Tanpa koreksi' sama dengan laporan desa: rentang 95% perubahan "
        "tidak mencakup nol. 'Setelah koreksi BH' memakai metode Benjamini–Hochberg per ukuran atas semua "
        "desa dalam tabel ini, sehingga paling banyak sekitar 5% dari perubahan yang ditandai adalah kebetulan. "
        "Perubahan yang ditandai di kedua kolom paling dapat dipercaya.",
        "en": "Why two significance columns? When {tests} villages are tested at once, about 1 in 20 appears to "
        "change by chance alone. 'Unadjusted' is the village report's own rule: the change's 95% range does "
        "not include zero. 'After BH correction' applies Benjamini–Hochberg per measure across all villages "
        "in this table, so that at most about 5% of the changes it flags are expected to be chance. Changes "
        "flagged in both columns are the ones to trust most.",
    },
    "overview_min_n": {
        "id": "Angka dengan kurang dari {min_n} jawaban tidak ditampilkan; {min_n}–{caution_top} jawaban: "
        "hati-hati. Filter dan urutkan dengan tombol di baris judul kolom.",
        "en": "Figures on fewer than {min_n} answers are not shown; {min_n}–{caution_top} answers: caution. "
        "Filter and sort with the buttons in the column header row.",
    },
    "unadjusted": {"id": "Tanpa koreksi", "en": "Unadjusted"},
    "q_value": {"id": "p terkoreksi (BH)", "en": "Adjusted p (BH)"},
    "bh_flag": {"id": "Setelah koreksi BH", "en": "After BH correction"},
    "bh_yes": {"id": "signifikan", "en": "significant"},
    "bh_no": {"id": "tidak", "en": "no"},
}


def t(key: str, lang: str, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in; KeyError for an unknown key."""
    texts = MESSAGES[key]
    return texts.get(lang, texts[DEFAULT_LANGUAGE]).format(**params)  # no wording in ``lang``: Indonesian
