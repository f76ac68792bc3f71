"""The complete example in docs/questionnaires.md must stay a valid questionnaire."""

from __future__ import annotations

import re
from pathlib import Path

from survey_app.questionnaire import clean_answers, load_file

DOCS = Path(__file__).parents[2] / "docs" / "questionnaires.md"


def test_documented_v1_example_loads(tmp_path: Path) -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    (example,) = [b for b in blocks if b.startswith("key: trust-safety\nversion: 1\n")]
    path = tmp_path / "trust-safety" / "v1.yaml"
    path.parent.mkdir()
    path.write_text(example, encoding="utf-8")
    questionnaire = load_file(path)
    assert questionnaire.ref == "trust-safety@1"
    assert questionnaire.question("worry_theft").score_0_100("1") == 100
    result = clean_answers(
        questionnaire,
        {
            "trust_police": "4",
            "fair_respect": "5",
            "safe_walk_night": "3",
            "worry_theft": "2",
            "problems": ["other", "theft"],
            "problems_other": "  loud music ",
            "years_here": "12",
            "contact_12m": "no",
            "contact_satisfied": "5",
        },
    )
    assert result.errors == {}
    assert result.answers["problems"] == ["theft", "other"]
    assert result.answers["problems_other"] == "loud music"
    assert "contact_satisfied" not in result.answers
