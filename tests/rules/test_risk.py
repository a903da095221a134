"""PR risks need their sense: idioms stay quiet, indirect wording of a real risk escalates
(family 5). The bench set of the team's own posts is checked against the issue's targets."""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from rules.context import MemoryContext
from rules.decision import Action, Priority
from rules.engine import Engine
from rules.playbook import Risk, load_playbook
from rules.risk import RiskReader
from tests.builders import NOON, mention

SOON = NOON + timedelta(minutes=2)
BENCH = Path(__file__).resolve().parents[2] / "bench/risk_wording.py"


def decide(engine: Engine, text: str):  # type: ignore[no-untyped-def]
    return engine.decide(mention(text=f"@acme {text}"), MemoryContext(), SOON)


@pytest.mark.parametrize(
    "text",
    [
        "won't play on fire tv",
        "if I recall you promised me a refund",
        "the weapon workshop update is brilliant",
        "to add insult to injury they charged me twice",
        "my data was used up by day ten, what plans do you have?",
        "I'm sick of waiting on hold",
        "people like me who travel weekly deserve a better loyalty scheme",
        "the reporter tool in your app crashes every time",
        "this pizza should be illegal it's so good",
        "I've been in hospital so I missed the delivery, can you rebook it?",
    ],
)
def test_risk_words_without_their_sense_do_not_escalate(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is not Action.ESCALATE_PR and d.priority is not Priority.P1


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("my son came out in hives after your snack", "health"),
        ("your agent said people like me aren't welcome", "discrimination"),
        ("a reporter asked me about this", "media"),
        ("an employee told me the data was never encrypted", "data_privacy"),
        ("the charger got really hot and started smoking next to my bed", "safety"),
        ("your security guard punched my husband in the face", "safety"),
        ("my solicitor will be in touch about the damaged car", "legal"),
    ],
)
def test_indirect_wording_of_a_real_risk_escalates(engine: Engine, text: str, risk: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.ESCALATE_PR and d.topic == risk


def test_harmless_phrases_are_blanked_for_every_category() -> None:
    reader = RiskReader(
        {
            "safety": Risk(label="safety", phrases=["injury"], harmless=["insult to injury"]),
            "legal": Risk(label="legal", phrases=["court"]),
        }
    )

    assert reader.risks("to add insult to injury") == {}
    assert reader.risks("an injury on your stairs") == {"safety": "injury"}
    assert reader.risks("insult to injury, see you in court") == {"legal": "court"}


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("risk_wording_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_risk_wording_set_meets_the_targets_in_both_directions() -> None:
    bench = _bench()
    examples = bench.read_examples(bench.DEFAULT_DATA)
    categories = {ex.category for ex in examples}

    result, wrong = bench.score(examples, load_playbook())

    assert len(examples) >= 100 and result.risks >= 100
    assert categories >= {"safety", "discrimination", "media", "legal", "data", "violence"}
    assert "self-harm" in categories
    assert result.escalated_share >= bench.TARGET_ESCALATED, wrong
    assert result.quiet_share >= bench.TARGET_HARMLESS, wrong
