"""The rule catalogue (govstats.checks.rules) is the one list: every rule a check reports is in it,
each has a Chinese title and a description, and the help and the generator take it from there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govstats import cli, synth
from govstats.checks import rules

CHECKS_DIR = Path(rules.__file__).parent


def test_every_rule_has_a_code_a_chinese_title_a_description_and_a_known_kind():
    for code, rule in rules.RULES.items():
        assert rule.code == code
        assert rule.kind in rules.KINDS, code
        assert re.search(r"[\u4e00-\u9fff]", rule.title), code
        assert rule.description.strip(), code
        assert rule.per in ("column", "item", "cell", "report"), code


def test_the_checks_name_only_catalogued_rules():
    # every rule code a check module writes (the first argument of add/_rel, rule=...) is in the
    # catalogue
    found = set()
    for path in CHECKS_DIR.glob("*.py"):
        if path.name == "rules.py":
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'(?:self\.add|self\._rel)\(\s*"(\w+)"', text))
        found |= set(re.findall(r'\brule="(\w+)"', text))
    assert found, "no rule codes found: the pattern no longer matches the check modules"
    assert found <= set(rules.RULES), sorted(found - set(rules.RULES))
    assert set(rules.REVIEW_RULES.values()) <= set(rules.RULES)


def test_an_unknown_code_is_a_clear_error():
    with pytest.raises(KeyError, match="no rule 'R9'"):
        rules.rule("R9")


def test_check_help_lists_every_rule(capsys):
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    out = capsys.readouterr().out
    for rule in rules.RULES.values():
        assert rule.code in out and rule.title in out


def test_the_generator_plants_catalogued_breaches():
    assert set(synth.BREACH_RULES) <= {r.code for r in rules.of_kind("breach")}


def test_the_docs_table_is_the_catalogue():
    docs = Path(__file__).parents[2] / "docs" / "checks.md"
    rows = re.findall(r"^\| `?(\w+)`? \| ([^|]+) \| (\w+) \|", docs.read_text("utf-8"), re.M)
    table = {code: (title.strip(), kind) for code, title, kind in rows if code != "code"}
    assert table == {code: (r.title, r.kind) for code, r in rules.RULES.items()}
