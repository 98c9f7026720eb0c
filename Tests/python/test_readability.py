"""The knowledge base is written for a lay reader: Flesch-Kincaid grade 8 or lower.

Checked over every topic as `crampcare learn --all --format json` prints it, section by section
(sections of 100 words or more) and topic by topic. Glossary terms are explained where they first
appear, so they do not count against the grade: they are replaced by a one-syllable word first.
"""
import json
import re

import pytest
import textstat

from conftest import run

MAX_GRADE = 8.0


@pytest.fixture(scope="module")
def knowledge(cli):
    proc = run(cli, ["learn", "--all", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def without_glossary_terms(text, glossary):
    terms = sorted({t for entry in glossary for t in [entry["term"], *entry["forms"]]}, key=len, reverse=True)
    for term in terms:
        text = re.sub(r"(?i)(?<![\w-])" + re.escape(term) + r"(?![\w-])", "it", text)
    return text


def test_textstat_is_the_offline_version():
    from importlib.metadata import version
    assert version("textstat") == "0.7.3"


def test_every_topic_and_long_section_reads_at_grade_8_or_lower(knowledge):
    glossary = knowledge["glossary"]
    checked, too_hard = 0, []
    for topic in knowledge["topics"]:
        if topic["id"] in ("glossary", "sources"):
            continue
        texts = []
        for section in topic["sections"]:
            # A list is read item by item: each item counts as a sentence of its own.
            items = [item.rstrip(".") + "." for item in section.get("list", [])]
            text = " ".join(section["paragraphs"] + items)
            texts.append(text)
            if len(text.split()) >= 100:
                grade = textstat.flesch_kincaid_grade(without_glossary_terms(text, glossary))
                checked += 1
                if grade > MAX_GRADE:
                    too_hard.append(f"{topic['id']} / {section['heading']}: grade {grade}")
        whole = " ".join(texts)
        grade = textstat.flesch_kincaid_grade(without_glossary_terms(whole, glossary))
        checked += 1
        if grade > MAX_GRADE:
            too_hard.append(f"{topic['id']} (whole topic): grade {grade}")
    assert checked >= 10
    assert not too_hard, "\n".join(too_hard)


def test_every_medical_word_in_the_glossary_is_explained_at_first_use(knowledge):
    for topic in knowledge["topics"]:
        if topic["id"] in ("glossary", "sources"):
            continue
        text = " ".join(p for s in topic["sections"] for p in s["paragraphs"] + s.get("list", []))
        for entry in knowledge["glossary"]:
            forms = [entry["term"], *entry["forms"]]
            matches = (m.start() for f in forms for m in re.finditer(r"(?i)(?<![\w-])" + re.escape(f) + r"(?![\w-])", text))
            # A use inside brackets is part of another explanation or an aside, not a first use.
            first = min((i for i in matches if text[:i].count("(") <= text[:i].count(")")), default=None)
            if first is None:
                continue
            following = text[first:first + 200]
            # Explained by the glossary, or by its own words in brackets right after it.
            own = re.match(r"(?i)[\w' -]+? \(", following)
            assert "(" + entry["plain"] + ")" in following or (own and len(own.group(0)) < 40), \
                f"{topic['id']}: {entry['term']} is not explained where it first appears"
