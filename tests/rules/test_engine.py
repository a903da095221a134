"""The engine: each row of the playbook's table, and the order of precedence between them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rules.context import MemoryContext
from rules.decision import Action, Priority
from rules.engine import Engine
from rules.mention import Metrics
from rules.playbook import load_playbook
from rules.review import reviewed
from tests.builders import NOON, SOON, decide, mention


def test_a_question_gets_a_normal_answer(engine: Engine) -> None:
    d = decide(engine, "@acme do you ship to Canada?")
    assert (d.action, d.priority, d.template) == (Action.RESPOND, Priority.P3, "answer")
    assert d.due == NOON + timedelta(minutes=30) and not d.late


def test_a_question_about_refunds_gets_an_answer_not_an_apology(engine: Engine) -> None:
    d = decide(engine, "@acme how long does a refund usually take?")

    assert (d.action, d.template) == (Action.RESPOND, "answer")
    assert d.reasons[0] == "question or request about refund"


def test_a_question_that_states_a_failure_is_still_a_complaint(engine: Engine) -> None:
    d = decide(engine, "@acme why was I charged twice for one order?")

    assert d.template in ("ownership", "take_private")
    assert d.reasons[0].startswith("complaint: ")


def test_a_complaint_about_our_mistake_gets_the_ownership_template(engine: Engine) -> None:
    d = decide(engine, "@acme the blender broke after two uses, really disappointed")
    assert d.action is Action.RESPOND and d.template == "ownership"
    assert d.reasons[0].startswith("complaint: ")


def test_a_complaint_from_a_big_account_is_priority_with_the_figure(engine: Engine) -> None:
    d = decide(engine, "@acme my order is still missing", followers=2_400_000)
    assert d.action is Action.PRIORITY and d.priority is Priority.P2
    assert "2.4M followers" in d.reasons


def test_a_post_spreading_fast_is_priority(engine: Engine) -> None:
    d = decide(
        engine,
        "@acme my order is still missing",
        metrics=Metrics(reposts=140),
        now=NOON + timedelta(minutes=12),
    )
    assert d.action is Action.PRIORITY and "140 reposts in 12 min" in d.reasons


def test_risk_outranks_reach(engine: Engine) -> None:
    d = decide(engine, "@acme my lawyer will hear about this", followers=2_400_000)
    assert d.action is Action.ESCALATE_PR and d.priority is Priority.P1
    assert d.reasons[0].startswith("legal threat")
    assert d.due == NOON + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("@acme the charger caught fire on my desk", "safety"),
        ("@acme your staff were racist to my family", "discrimination"),
        ("@acme I can see someone else's account when I log in", "data/privacy"),
        ("@acme got food poisoning from your sandwich", "health"),
    ],
)
def test_every_risk_category_goes_to_pr(engine: Engine, text: str, label: str) -> None:
    d = decide(engine, text)
    assert d.action is Action.ESCALATE_PR and d.reasons[0].startswith(label)


def test_abuse_without_substance_from_nobody_is_ignored_with_a_reason(engine: Engine) -> None:
    d = decide(engine, "@acme you idiots", followers=30)
    assert d.action is Action.IGNORE and d.priority is None and d.due is None
    assert "no substance" in d.reasons[0]


def test_abuse_with_a_real_problem_is_a_complaint(engine: Engine) -> None:
    d = decide(engine, "@acme you idiots charged me twice and nobody answers")
    assert d.action is Action.RESPOND
    assert "rude, but states a real problem" in d.reasons[0]


def test_repeated_abuse_from_one_account_becomes_harassment(engine: Engine) -> None:
    context = MemoryContext()
    posts = [
        mention(
            id=str(i),
            text="@acme you morons",
            username="troll",
            created_at=NOON + timedelta(hours=i),
        )
        for i in range(3)
    ]
    decisions = engine.decide_many(posts, context, NOON + timedelta(hours=3))
    assert [d.action for d in decisions] == [Action.IGNORE, Action.IGNORE, Action.HARASSMENT]
    assert decisions[2].template == "harassment_stop"
    assert "3 abusive posts" in decisions[2].reasons[0]


def test_repeat_abuse_is_remembered_across_batches(engine: Engine) -> None:
    context = MemoryContext()
    for i in range(2):
        engine.decide(
            mention(
                id=str(i),
                text="@acme you morons",
                username="troll",
                created_at=NOON + timedelta(minutes=i),
            ),
            context,
            SOON,
        )
    third = engine.decide(
        mention(id="9", text="@acme clowns", username="troll", created_at=SOON), context, SOON
    )
    assert third.action is Action.HARASSMENT


def test_praise_is_thanked_on_a_relaxed_target(engine: Engine) -> None:
    d = decide(engine, "@acme thank you, great service!")
    assert (d.action, d.priority, d.template) == (Action.THANK, Priority.P4, "thanks")
    assert d.due == NOON + timedelta(hours=4)


def test_spam_own_posts_and_retweets_are_dropped(engine: Engine) -> None:
    assert decide(engine, "@acme crypto giveaway, double your bitcoin").action is Action.DROP
    assert decide(engine, "Sale starts today", username="acmehelp").action is Action.DROP
    assert decide(engine, "RT @acme: Sale starts today").action is Action.DROP


def test_a_mention_found_late_gets_the_late_reply_template(engine: Engine) -> None:
    d = decide(engine, "@acme my parcel never arrived", now=NOON + timedelta(hours=13))
    assert d.late and d.template == "late_reply" and d.action is Action.RESPOND
    assert any(r.startswith("found late: 13 h") for r in d.reasons)


def test_beyond_the_max_age_a_mention_is_recorded_but_not_chased(engine: Engine) -> None:
    d = decide(engine, "@acme my parcel never arrived", now=NOON + timedelta(days=4))
    assert d.action is Action.IGNORE and d.due is None
    assert d.reasons[0] == "older than 3 days: recorded, not chased"
    assert d.signals["would_have_been"] == "respond"


def test_personal_data_in_the_post_means_take_it_private(engine: Engine) -> None:
    d = decide(engine, "@acme refund still missing, email me at jo@example.com")
    assert d.template == "take_private" and d.signals["personal_data"] == ["email"]
    assert any("take it private" in r for r in d.reasons)


def test_a_post_that_does_not_mention_us_says_so(engine: Engine) -> None:
    d = decide(engine, "acme lost my parcel again", mentioned=())
    assert d.action is Action.RESPOND and d.summoned is False
    assert any("does not @mention us" in r for r in d.reasons)


def test_a_spike_of_complaints_on_one_topic_becomes_a_crisis(engine: Engine) -> None:
    posts = [
        mention(
            id=str(i),
            text="@acme the app is down",
            username=f"user{i}",
            created_at=NOON + timedelta(seconds=10 * i),
        )
        for i in range(20)
    ]
    decisions = engine.decide_many(posts, MemoryContext(), NOON + timedelta(minutes=4))
    crisis = [d for d in decisions if d.action is Action.CRISIS]
    assert len(crisis) == 6  # from the 15th (the overwhelming count) on
    assert {d.topic for d in crisis} == {"outage"}
    assert all(d.template == "crisis_statement" for d in crisis)
    assert sum(1 for d in crisis if d.spike_opened) == 1


def test_decisions_come_back_in_input_order_though_decided_in_time_order(engine: Engine) -> None:
    later = mention(id="b", text="@acme you morons", username="t", created_at=NOON)
    earlier = [
        mention(
            id=f"a{i}",
            text="@acme you morons",
            username="t",
            created_at=NOON - timedelta(minutes=5 - i),
        )
        for i in range(2)
    ]
    decisions = engine.decide_many([later, *earlier], MemoryContext(), SOON)
    assert [d.mention_id for d in decisions] == ["b", "a0", "a1"]
    assert decisions[0].action is Action.HARASSMENT


def test_signals_are_json_and_reasons_are_short_strings(engine: Engine) -> None:
    import json

    d = decide(engine, "@acme where is my refund?", followers=50_000)
    json.dumps(d.as_line())
    assert all(isinstance(r, str) and len(r) < 160 for r in d.reasons)


# -- the audit against PLAYBOOK.md: one test per behaviour that was missing --------------------


def test_a_threat_to_go_to_the_press_goes_to_pr(engine: Engine) -> None:
    d = decide(engine, "@acme refund me by Friday or I'm going to the press with this")
    assert d.action is Action.ESCALATE_PR and d.template == "pr_holding"
    assert d.topic == "media" and d.reasons[0].startswith("press or media")


def test_a_journalist_asking_for_comment_goes_to_pr_not_to_the_queue(engine: Engine) -> None:
    d = decide(
        engine,
        "@acme I'm a reporter covering late deliveries this winter, could your team comment?",
        followers=8_000,
    )
    assert d.action is Action.ESCALATE_PR and d.priority is Priority.P1


def test_an_escalation_names_the_risk_pr_pages_for_not_the_subject(engine: Engine) -> None:
    d = decide(engine, "@acme you charged me twice, my lawyer will be in touch")
    assert d.action is Action.ESCALATE_PR
    assert d.topic == "legal" and d.signals["topic"] == "billing"
    assert "PR pages the crisis contacts for legal" in d.reasons
    assert set(d.as_line()) == {
        "id", "action", "priority", "topic", "late", "template", "reasons", "signals"
    }  # fmt: skip


def test_a_spike_keeps_its_topic_even_when_a_risk_is_named(engine: Engine) -> None:
    posts = [
        mention(
            id=str(i),
            text="@acme the app is down" + (", this is dangerous" if i == 19 else ""),
            username=f"user{i}",
            created_at=NOON + timedelta(seconds=10 * i),
        )
        for i in range(20)
    ]
    last = engine.decide_many(posts, MemoryContext(), NOON + timedelta(minutes=4))[-1]
    assert last.action is Action.CRISIS and last.topic == "outage"


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("@acme the kettle plug sparked when I switched it on", "safety"),
        ("@acme my toddler nearly swallowed a part that came off the toy", "safety"),
        ("@acme my son had a reaction to the bar, nuts were not on the label", "health"),
        ("@acme I threw up all night after your chicken wrap", "health"),
        ("@acme your cashier mocked my accent in front of everyone", "discrimination"),
        ("@acme your email to me had another customer's name and address in it", "data_privacy"),
        ("@acme the app is showing me other people's orders", "data_privacy"),
    ],
)
def test_risks_phrased_mildly_still_go_to_pr(engine: Engine, text: str, risk: str) -> None:
    d = decide(engine, text)
    assert d.action is Action.ESCALATE_PR and d.topic == risk


def test_a_routine_data_request_does_not_page_pr(engine: Engine) -> None:
    d = decide(engine, "@acme please delete my account data under GDPR")
    assert d.action is Action.RESPOND and d.risks == ()


def test_a_controversial_question_gets_a_reviewed_reply_that_takes_no_side(
    engine: Engine,
) -> None:
    d = decide(engine, "@acme why are you sponsoring a pride parade? boycott")
    assert d.action is Action.PRIORITY and d.priority is Priority.P2
    assert d.template == "considered" and d.review and d.controversial
    assert d.reasons[0].startswith('controversial topic ("pride parade")')


def test_praise_on_a_controversial_topic_is_not_simply_thanked(engine: Engine) -> None:
    d = decide(engine, "@acme thank you for hiring refugees, proud to shop here")
    assert d.action is Action.PRIORITY and d.template == "considered"


def test_a_real_problem_on_a_controversial_topic_keeps_its_ownership_but_is_reviewed(
    engine: Engine,
) -> None:
    d = decide(engine, "@acme my order never arrived, too busy with politics to deliver parcels?")
    assert d.action is Action.PRIORITY and d.review
    assert d.template == "take_private"  # delivery needs the order's details


def test_controversial_abuse_with_no_substance_from_nobody_is_still_ignored(
    engine: Engine,
) -> None:
    d = decide(engine, "@acme boycott these idiots", followers=40)
    assert d.action is Action.IGNORE and not d.review


def test_a_pr_risk_is_reviewed_and_names_its_risk(engine: Engine) -> None:
    d = decide(engine, "@acme my lawyer will call")
    assert d.action is Action.ESCALATE_PR and d.review and d.risks == ("legal",)


def test_a_big_account_is_reviewed_and_an_ordinary_one_is_not(engine: Engine) -> None:
    assert decide(engine, "@acme where is my order?", followers=50_000).review
    assert not decide(engine, "@acme where is my order?").review


def test_a_verified_author_is_reviewed_however_few_followers(engine: Engine) -> None:
    m = mention(text="@acme where is my order?", followers=300)
    verified = m.model_copy(update={"author": m.author.model_copy(update={"verified": True})})
    d = engine.decide(verified, MemoryContext(), SOON)
    assert d.influential and d.review


def test_a_post_spreading_fast_is_reviewed(engine: Engine) -> None:
    busy = Metrics(reposts=140, replies=30)
    d = decide(
        engine, "@acme my order is still missing", metrics=busy, now=NOON + timedelta(minutes=12)
    )
    assert d.spreading and d.review


def test_a_thank_you_from_a_big_unverified_account_is_fast_and_reviewed(engine: Engine) -> None:
    d = decide(engine, "@acme thank you, great service!", followers=50_000)
    assert (d.action, d.priority) == (Action.THANK, Priority.P2)
    assert d.review and d.signals["review"] is True


def test_a_private_request_to_stop_harassing_is_not_a_public_reply_to_review(
    engine: Engine,
) -> None:
    posts = [
        mention(
            id=str(i),
            text="@acme you morons",
            username="t",
            followers=50_000,
            created_at=NOON + timedelta(minutes=i),
        )
        for i in range(4)
    ]
    decisions = engine.decide_many(posts, MemoryContext(), NOON + timedelta(minutes=5))
    assert decisions[-1].action is Action.HARASSMENT and not decisions[-1].review


def test_every_decision_is_reviewed_exactly_when_the_rule_says_from_its_own_fields(
    engine: Engine,
) -> None:
    for followers in (50, 50_000):
        for text in ("@acme thanks!", "@acme my order is late", "@acme you morons", "buy now"):
            d = decide(engine, text, followers=followers)
            rule = reviewed(
                d.action,
                influential=d.influential,
                spreading=d.spreading,
                controversial=d.controversial,
            )
            assert d.review is rule


def test_a_celebrity_gets_a_fast_thanks_but_the_same_one(engine: Engine) -> None:
    normal = decide(engine, "@acme thank you, great service!")
    celebrity = decide(engine, "@acme thank you, great service!", followers=3_000_000)
    assert celebrity.action is Action.THANK and celebrity.template == normal.template
    assert (normal.priority, celebrity.priority) == (Priority.P4, Priority.P2)
    assert celebrity.due is not None and normal.due is not None and celebrity.due < normal.due


def test_a_celebrity_question_is_faster_but_gets_the_same_template(engine: Engine) -> None:
    normal = decide(engine, "@acme do you ship to Canada?")
    celebrity = decide(engine, "@acme do you ship to Canada?", followers=3_000_000)
    assert celebrity.priority is Priority.P2 and celebrity.template == normal.template == "answer"


def test_abuse_from_a_big_account_is_not_offered_the_question_template(engine: Engine) -> None:
    d = decide(engine, "@acme you are all idiots", followers=250_000)
    assert d.action is Action.PRIORITY and d.template == "considered"


def _troll_posts(days: int) -> list:  # type: ignore[type-arg]
    return [
        mention(
            id=str(i),
            text="@acme you morons",
            username="troll",
            created_at=NOON + timedelta(days=i),
        )
        for i in range(days)
    ]


def test_harassment_that_goes_on_after_the_stop_request_is_reported(engine: Engine) -> None:
    decisions = engine.decide_many(_troll_posts(5), MemoryContext(), NOON + timedelta(days=5))
    stop, report = decisions[2], decisions[3]
    assert stop.action is report.action is Action.HARASSMENT
    assert stop.template == "harassment_stop" and stop.signals["report"] is False
    assert stop.reasons[1] == "first a private message asking them to stop"
    assert report.template is None and report.signals["report"] is True
    assert "report the account to the platform" in report.reasons[1]
    assert decisions[4].signals["report"] is True


def test_harassment_that_resumes_long_after_starts_with_a_stop_request_again(
    engine: Engine,
) -> None:
    posts = _troll_posts(3) + [
        mention(
            id=f"later{i}",
            text="@acme you morons",
            username="troll",
            created_at=NOON + timedelta(days=30 + i),
        )
        for i in range(3)
    ]
    decisions = engine.decide_many(posts, MemoryContext(), NOON + timedelta(days=33))
    assert decisions[-1].template == "harassment_stop"


def test_a_complaint_about_a_trip_a_week_ago_asks_to_go_beyond_the_fix(engine: Engine) -> None:
    d = decide(engine, "@acme a week ago my flight was cancelled and still no refund")
    assert d.action is Action.RESPOND and d.signals["looking_back"] == "a week ago"
    assert any(r.startswith("about something a week ago") for r in d.reasons)


def test_praise_with_a_small_complaint_says_to_answer_the_complaint(engine: Engine) -> None:
    d = decide(engine, "@acme love the new app, but the dark mode is a bit buggy")
    assert d.action is Action.THANK
    assert '"the dark mode is a bit buggy"' in d.reasons[0]


def test_an_angry_emoji_alone_is_a_complaint_not_silence(engine: Engine) -> None:
    d = decide(engine, "@acme 😡😡😡")
    assert d.action is Action.RESPOND and d.signals["complaint"] is True


def test_a_customer_posting_their_own_number_is_taken_private(engine: Engine) -> None:
    d = decide(engine, "@acme my order is wrong, call me back on 07700 900123")
    assert d.template == "take_private"
    assert any("suggest deleting the post" in r for r in d.reasons)


def test_a_theft_by_staff_is_a_complaint(engine: Engine) -> None:
    d = decide(engine, "@acme your driver stole my parcel, it's on my doorbell camera")
    assert d.action is Action.RESPOND and "stole" in d.signals["problems"]


def test_an_old_risk_is_recorded_not_chased_and_keeps_what_it_would_have_been(
    engine: Engine,
) -> None:
    d = decide(engine, "@acme my lawyer will call", now=NOON + timedelta(days=4))
    assert d.action is Action.IGNORE and d.signals["would_have_been"] == "escalate_pr"
    assert not d.review


@pytest.fixture(scope="module")
def rivalled() -> Engine:
    book = load_playbook().model_copy(update={"competitors": ["globex", "globexhelp"]})
    return Engine(book, brand_handles=("acme", "acmehelp"))


@pytest.mark.parametrize(
    "text",
    [
        "@acme way better than @globex, they lost my parcel twice",
        "@acme at least you're not like Globex who cancelled my order",
        "switched to @acme after @globex charged me twice",
    ],
)
def test_a_complaint_about_a_competitor_is_not_ours_to_apologise_for(
    engine: Engine, rivalled: Engine, text: str
) -> None:
    d = decide(rivalled, text)

    assert (d.action, d.template) == (Action.RESPOND, "answer")
    assert d.reasons == ("complaint about a competitor (globex): not ours",)
    assert d.signals["competitor"] == "globex" and d.signals["complaint"] is False
    before = decide(engine, text)  # the shipped playbook names no competitor: as before
    assert before.template in ("ownership", "take_private") and "competitor" not in before.signals


@pytest.mark.parametrize(
    "text",
    [
        "@acme you lost my parcel, @globex never did",
        "@acme better than globex but you lost my parcel",
        "@acme switching to @globex, your app crashed again",
    ],
)
def test_our_own_failure_stays_ours_even_beside_a_competitor(rivalled: Engine, text: str) -> None:
    d = decide(rivalled, text)

    assert d.template in ("ownership", "take_private")
    assert d.reasons[0].startswith("complaint: ") and "competitor" not in d.signals


def test_praise_for_us_beside_a_competitor_complaint_is_thanked(rivalled: Engine) -> None:
    d = decide(rivalled, "@acme you are amazing, unlike globex who lost my parcel")

    assert (d.action, d.template) == (Action.THANK, "thanks")
    assert d.reasons[:2] == ("praise", "complaint about a competitor (globex): not ours")


def test_praise_for_the_competitor_is_not_praise_for_us(rivalled: Engine) -> None:
    d = decide(rivalled, "@acme globex is the best at losing parcels, they lost mine twice")

    assert (d.action, d.template) == (Action.RESPOND, "answer")


def test_a_loud_competitor_complaint_is_watched_but_not_apologised_for(rivalled: Engine) -> None:
    d = decide(rivalled, "@acme way better than @globex, they lost my parcel", followers=50_000)

    assert (d.action, d.template) == (Action.PRIORITY, "answer")
    assert d.reasons[0] == "complaint about a competitor (globex): not ours"


def test_a_competitor_complaint_found_late_gets_the_late_reply(rivalled: Engine) -> None:
    d = decide(rivalled, "@acme unlike globex, who lost my parcel", now=NOON + timedelta(hours=2))

    assert d.late and d.template == "late_reply" and d.signals["competitor"] == "globex"


def test_competitor_complaints_do_not_count_toward_our_spikes(rivalled: Engine) -> None:
    def burst(text: str) -> list[Action]:
        posts = [
            mention(
                id=str(i), text=text, username=f"u{i}", created_at=NOON + timedelta(seconds=10 * i)
            )
            for i in range(20)
        ]
        decided = rivalled.decide_many(posts, MemoryContext(), NOON + timedelta(minutes=4))
        return [d.action for d in decided if "spike" in d.signals or d.action is Action.CRISIS]

    assert burst("@acme unlike @globex, their app is down") == []
    assert Action.CRISIS in burst("@acme your app is down")


@pytest.mark.parametrize(
    "text",
    [
        "@acme your stupid site won't let me log in, how do I reset it?",
        "@acme you useless idiots, my parcel never arrived",
        "@acme I'd rather die than call your line again, my order is two weeks late",
    ],
)
def test_rudeness_with_a_real_problem_is_a_complaint_not_ignored_abuse(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.priority is Priority.P3
    assert d.template in ("ownership", "take_private")


@pytest.mark.parametrize(
    "text", ["@acme you idiots", "@acme why are you such clowns?", "@acme go die in a fire"]
)
def test_abuse_with_no_substance_is_still_ignored(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.IGNORE and "no substance" in d.reasons[0]


@pytest.mark.parametrize(
    "text",
    [
        "@acme I won a car in the casino but never got it",
        "@acme I work from home and your wifi drops every hour",
        "@acme please DM me, my order is missing",
        "@acme saw the giveaway post but my order never arrived, click here to see the tracking",
    ],
)
def test_a_customer_with_one_promotional_word_is_not_dropped_as_spam(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action is not Action.DROP and d.action.needs_person


@pytest.mark.parametrize(
    "text",
    [
        "@acme crypto giveaway, double your bitcoin",
        "@acme make money from home, click here",
        "@acme free followers at http://spam.example",
    ],
)
def test_several_promotional_signs_and_no_customer_substance_are_dropped(
    engine: Engine, text: str
) -> None:
    assert decide(engine, text).action is Action.DROP


@pytest.mark.parametrize(
    "text",
    [
        "@acme my lost parcel finally came, thanks!",
        "@acme the refund finally came through, thank you so much",
        "@acme thanks for fixing my wifi, works fine now",
    ],
)
def test_thanks_for_a_fixed_problem_is_thanked_not_apologised_for(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert (d.action, d.template) == (Action.THANK, "thanks_fixed")
    assert not d.signals["complaint"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme thanks in advance, I still can't log in, any help?",
        "@acme thanks, the app is fixed but my parcel is still missing",
        "@acme my parcel finally came but it was damaged, thanks",
    ],
)
def test_polite_thanks_does_not_hide_a_request_or_a_problem_still_open(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.template != "thanks"


@pytest.mark.parametrize(
    "text",
    [
        "@acme thanks for rebooking me so quickly after my flight was cancelled",
        "@acme appreciate the apology and the refund for the broken heater",
        "@acme shout out to the gate agent who rebooked my whole family after the cancellation",
        "@acme thanks for handling my delayed luggage so well, it was at my hotel by noon",
        "@acme thanks for sending a technician the same day the internet went down",
    ],
)
def test_thanks_for_what_we_did_to_put_a_problem_right_is_thanked(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert (d.action, d.template) == (Action.THANK, "thanks_fixed")
    assert d.reasons[0].startswith("thanks for a problem now put right")


def test_a_playbook_without_the_fixed_thanks_template_thanks_plainly() -> None:
    playbook = load_playbook()
    older = playbook.model_copy(
        update={"templates": {k: v for k, v in playbook.templates.items() if k != "thanks_fixed"}}
    )
    d = decide(Engine(older, brand_handles=("acme",)), "@acme thanks for the refund, very fair")

    assert (d.action, d.template) == (Action.THANK, "thanks")


@pytest.mark.parametrize(
    "text",
    [
        "@acme thanks for replacing it, the replacement is broken too",
        "@acme thanks for the compensation offer, it doesn't even cover the taxi",
        "@acme thanks for the callback, nobody has fixed the billing error",
        "@acme thanks for the help earlier, my bag has not turned up yet",
        "@acme thanks for the reply, but no refund for the cancelled flight",
        "@acme thanks for the upgrade but my bag never made it to Denver",
        "@acme thanks, appreciate it but I'm still having issues with the export",
    ],
)
def test_thanks_beside_a_problem_that_is_not_over_is_a_complaint(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.signals["complaint"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme I want to thank the crew of flight 22 for looking after my nan",
        "@acme I'd like to thank the team in Manchester for the warm welcome",
        "@acme can I just say your staff in Leeds are the nicest people",
        "@acme you have no idea how much that meant to us, thank you",
        "@acme what's not to love about free snacks and wifi",
        "@acme thanks for the lovely flight, is it normal to enjoy a red-eye this much",
        "@acme the pilot let my son see the cockpit, which made his whole year",
        "@acme wondering why I ever flew with anyone else, you lot are great",
    ],
)
def test_praise_said_with_the_words_of_a_request_is_not_a_request(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action is Action.THANK and not d.signals["question"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme I want to change my seat on tomorrow's flight",
        "@acme I'd like to move my flight to Friday if there's space",
        "@acme which terminal do you fly from at Heathrow",
        "@acme how much is the fee for a second bag",
        "@acme how long does a refund usually take",
        "@acme I just want to say thank you, can you help me with my refund",
        "@acme love your service, how do I add my frequent flyer number to a booking",
    ],
)
def test_a_request_beside_the_same_words_still_reaches_a_person(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.signals["question"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme no delays, no lost bags, friendly crew. perfect trip",
        "@acme nothing went wrong all week, impressive",
        "@acme never a problem with you guys, always on time",
        "@acme the crew handled the drunk passenger really well",
        "@acme the delay was worth it for that sunset landing",
        "@acme the issue with my booking got fixed straight away, top service",
        "@acme the storm delayed us but the captain kept us posted, really appreciated",
    ],
)
def test_praise_that_names_a_problem_only_to_say_it_did_not_happen_or_was_handled_is_light(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action in (Action.THANK, Action.IGNORE) and not d.signals["complaint"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme nothing works on your app today",
        "@acme the pilot handled the landing badly, we bounced twice",
        "@acme the issue with my booking was never fixed",
        "@acme the delay was not worth it, missed my sister's wedding",
        "@acme zero updates about my lost bag in three days",
    ],
)
def test_the_same_words_beside_a_real_problem_are_a_complaint(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.signals["complaint"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme booking was hassle free",
        "@acme never had issues with you in ten years",
        "@acme 👍🔥",
    ],
)
def test_a_negated_problem_or_applause_in_emoji_is_not_a_complaint(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert not d.signals["complaint"]


@pytest.mark.parametrize(
    "text",
    ["@acme your agent was less than helpful", "@acme 😡😡", "@acme why is my order late again?"],
)
def test_real_dissatisfaction_is_still_a_complaint(engine: Engine, text: str) -> None:
    assert decide(engine, text).signals["complaint"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme my order number is 4471 and it still says processing since monday",
        "@acme flight 212 from Leeds, seat 14C",
        "@acme got my card out and the reader just beeps",
    ],
)
def test_a_post_written_to_us_with_no_listed_word_still_reaches_a_person(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.priority is Priority.P3
    assert d.reasons[0].startswith("written to us, not praise, spam or abuse")


@pytest.mark.parametrize(
    "text",
    [
        "@acme excited for my trip tomorrow!",
        "@acme booking was hassle free",
        "@acme never had issues with you in ten years",
        "@acme can't wait to fly with you again",
        "@acme ok",
        "@acme 👍",
    ],
)
def test_warm_words_applause_and_a_bare_nod_do_not_take_a_persons_time(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action in (Action.THANK, Action.IGNORE) and not d.signals["complaint"]


def test_a_post_about_us_that_does_not_write_to_us_is_not_pushed_at_anyone(
    engine: Engine,
) -> None:
    d = decide(engine, "saw an acme van on the high street today", mentioned=())

    assert d.action is Action.IGNORE


@pytest.mark.parametrize(
    "text",
    [
        "@acme great job losing my bag again",
        "@acme thanks for cancelling my flight without telling me",
        "@acme love how the app crashes every time I pay",
        "@acme nice, another delay",
        "@acme wonderful, two hours on hold and counting",
    ],
)
def test_praise_aimed_at_a_failure_is_a_complaint_not_a_thank_you(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.signals["complaint"] and not d.signals["praise"]
    assert d.template in ("ownership", "take_private")


@pytest.mark.parametrize(
    "text",
    [
        "@acme great job fixing my wifi so fast",
        "@acme thanks for getting my bag back to me",
        "@acme love how easy the new app is",
        "@acme nice crew on my flight today",
    ],
)
def test_sincere_praise_is_still_thanked(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.THANK and not d.signals["complaint"]


@pytest.mark.parametrize(
    "text",
    ["@acme why would anyone do that", "@acme I can't find the settings page", "@acme really"],
)
def test_one_weak_sign_in_a_calm_post_is_never_called_a_negative_tone(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert not d.signals["complaint"]
    assert not any("negative tone" in r for r in d.reasons)


def test_negative_tone_is_named_only_for_a_post_that_reads_negative(engine: Engine) -> None:
    d = decide(engine, "@acme this makes me sad")

    assert d.signals["complaint"] and d.sentiment < 0
    assert d.reasons[0].startswith("complaint: negative tone (-")


def test_several_weak_signs_in_a_calm_post_are_named_as_such(engine: Engine) -> None:
    d = decide(engine, "@acme the same thing again, every time")

    assert d.signals["complaint"]
    assert d.reasons[0].startswith("complaint: several weak signs (")


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("@acme los voy a demandar, mi abogado ya tiene todo", "legal"),
        ("@acme el cargador se incendió en mi mesa", "safety"),
        ("@acme mi hijo se enfermó después de comer su producto", "health"),
        ("@acme el guardia fue racista con mi familia", "discrimination"),
        ("@acme mon colis n'est jamais arrivé, je vais porter plainte", "legal"),
    ],
)
def test_a_risk_in_a_language_the_playbook_lists_goes_to_pr(
    engine: Engine, text: str, risk: str
) -> None:
    d = decide(engine, text)

    assert d.action is Action.ESCALATE_PR and d.topic == risk
    assert any(r.startswith("written in") for r in d.reasons)
    assert d.signals["lang_detected"] is True


def test_someone_in_danger_in_spanish_reaches_a_lead_at_once(engine: Engine) -> None:
    d = decide(engine, "@acme ya no quiero vivir, nada tiene sentido")

    assert (d.action, d.priority, d.template) == (Action.PRIORITY, Priority.P1, "someone_in_danger")


@pytest.mark.parametrize(
    ("text", "lang", "reason"),
    [
        ("@acme mi pedido nunca llegó y nadie contesta", None, "written in Spanish: the rules"),
        ("@acme mein Paket ist nie angekommen", "de", "written in German, which the rules do"),
        ("@acme 私の荷物が届きません", None, "written in Japanese, which the rules do not"),
    ],
)
def test_a_post_the_rules_cannot_read_goes_to_a_person_with_the_reason(
    engine: Engine, text: str, lang: str | None, reason: str
) -> None:
    d = decide(engine, text, lang=lang)

    assert d.action is Action.RESPOND and d.reasons[0].startswith(reason)


def test_a_post_in_another_language_is_never_dropped_as_spam(engine: Engine) -> None:
    d = decide(engine, "@acme crypto giveaway, double your bitcoin http://x.example/1", lang="es")

    assert d.action is Action.RESPOND and "spam_signs_overruled" in d.signals


@pytest.mark.parametrize(
    "text",
    [
        "@acme el pedido llegó tarde, qué pena",
        "@acme gracias, todo perfecto con el envío",
        "@acme la película de fuego en la tele estuvo genial",
    ],
)
def test_everyday_spanish_is_not_a_pr_risk(engine: Engine, text: str) -> None:
    d = decide(engine, text, lang="es")

    assert d.action is Action.RESPOND and not d.risks


def test_a_question_about_a_legal_claim_goes_to_pr(engine: Engine) -> None:
    d = decide(engine, "@acme who can I speak to regarding a legal claim against your company?")

    assert d.action is Action.ESCALATE_PR and d.topic == "legal"


@pytest.mark.parametrize(
    "text", ["@acme when do I receive my bonus", "@acme where can I find the invoice"]
)
def test_a_question_without_a_question_mark_is_still_a_question(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.signals["question"]


def test_a_thing_that_is_now_gone_is_a_problem_but_a_problem_gone_is_not(engine: Engine) -> None:
    assert decide(engine, "@acme I won the car yesterday and now its gone").signals["complaint"]
    assert decide(engine, "@acme the problem is gone, thanks").action is Action.THANK


@pytest.mark.parametrize(
    "text",
    [
        "@acme great crew and a smooth landing despite the two hour delay, thank you",
        "@acme even though my flight was cancelled, your agent was great and got me home, thanks!",
    ],
)
def test_thanks_that_concede_a_problem_are_thanked_and_the_problem_named(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action is Action.THANK and d.reasons[0].startswith("praise, with a small complaint")


@pytest.mark.parametrize(
    "text",
    [
        "@acme despite the great crew, the two hour delay ruined my day",
        "@acme love you guys but even though I paid, my bag was lost",
        "@acme great service despite the delay, but when will my bag arrive?",
    ],
)
def test_a_concession_does_not_hide_a_grievance_a_failure_or_a_question(
    engine: Engine, text: str
) -> None:
    assert decide(engine, text).action is Action.RESPOND


# Issue 11, positive posts handled lightly: praise in any of its shapes is thanked, an everyday
# post is left, and a failure said in plain words still reaches a person as a complaint.


@pytest.mark.parametrize(
    "text",
    [
        "@acme you never disappoint!",
        "@acme couldn't be happier with my new phone",
        "@acme can't thank you enough for sorting my order so fast",
        "@acme can't complain, the delivery was early",
        "@acme the croissants are to die for",
        "@acme wouldn't fly with anyone else",
        "@acme nothing but love for your staff in Leeds",
    ],
)
def test_praise_said_through_a_negation_or_a_dark_word_is_thanked(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action is Action.THANK and not d.signals["complaint"] and d.sentiment > 0


@pytest.mark.parametrize(
    "text",
    [
        "@acme you disappoint me every time",
        "@acme couldn't be more disappointed with my order",
        "@acme never fails to disappoint, late again",
        "@acme I couldn't ask for a refund, nobody answers the phone",
    ],
)
def test_a_negation_beside_a_real_grievance_is_still_a_complaint(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.signals["complaint"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme how awesome is that? free upgrade on my birthday!",
        "@acme who knew a bank could be this easy?",
        "@acme please pass my thanks on to the driver, he was a star",
        "@acme please thank the crew on the 6am to Denver, they were fantastic",
        "@acme please never change your cookie recipe 😍",
        "@acme could you guys be any more helpful? seriously the best",
    ],
)
def test_a_question_or_request_that_only_praises_is_thanked(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action in (Action.THANK, Action.IGNORE) and not d.signals["question"]
    assert not d.signals["complaint"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme love your app but how do I change my password?",
        "@acme how awesome is that? and when does the new route open?",
        "@acme please pass my thanks on to the driver. also, where is my receipt?",
        "@acme thanks! what time does the store open on Sunday",
    ],
)
def test_a_real_question_beside_praise_still_reaches_a_person(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.signals["question"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme are you down rn",
        "@acme is the lounge open during the renovation",
        "@acme hey how many shows can I record at the same time",
        "@acme I just have a question about my account",
        "@acme need the key I bought from your website.",
    ],
)
def test_a_question_without_its_question_mark_reaches_a_person(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.signals["question"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme will definitely be flying with you again",
        "@acme what a fantastic crew on flight 202 tonight",
        "@acme will do when I get home",
    ],
)
def test_a_statement_that_opens_like_a_question_is_not_one(engine: Engine, text: str) -> None:
    assert not decide(engine, text).signals["question"]


@pytest.mark.parametrize(
    "text",
    ["@acme flying to Boston today ✈️", "@acme see you in Chicago tonight"],
)
def test_an_everyday_post_written_to_us_reaches_a_person_but_is_no_complaint(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and not d.signals["complaint"]
    assert d.reasons[0].startswith("written to us, not praise, spam or abuse")


def test_excitement_in_a_warm_post_is_not_read_as_exasperation(engine: Engine) -> None:
    d = decide(engine, "@acme so excited to finally see the sea with you guys!!")

    assert d.action in (Action.THANK, Action.IGNORE) and not d.signals["complaint"]


@pytest.mark.parametrize(
    "text",
    [
        "@acme your app keeps logging me out",
        "@acme made about 30 calls and you keep telling me to call back later",
        "@acme the seat doesn't recline and the tray is sticky",
        "@acme ordered a blue one and got pink",
        "@acme I was promised a call back yesterday",
        "@acme you moved my flight to 6am without telling me",
        "@acme the lid cracked the first time I used it",
        "@acme my package says delivered but it's not here",
        "@acme the connection is so slow I can't stream anything",
        "@acme I expected better from you",
        "@acme thanks a lot for losing my suitcase",
    ],
)
def test_a_failure_said_in_plain_words_is_a_complaint(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.RESPOND and d.signals["complaint"]
    assert d.reasons[0].startswith("complaint: ")


@pytest.mark.parametrize(
    "text",
    [
        "@acme keep up the good work",
        "@acme I keep coming back because you're the best",
        "@acme it keeps getting better, love the update",
        "@acme not a single problem all trip, you keep getting better",
    ],
)
def test_praise_that_borrows_a_failure_s_words_is_not_a_complaint(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action in (Action.THANK, Action.IGNORE) and not d.signals["complaint"]


def test_thanks_for_finding_what_was_lost_is_thanked(engine: Engine) -> None:
    d = decide(engine, "@acme went above and beyond to find my lost ring, thank you!")

    assert d.action is Action.THANK and not d.signals["complaint"]


def test_thanks_beside_a_loss_still_unfound_is_a_complaint(engine: Engine) -> None:
    d = decide(engine, "@acme thanks, but you still haven't found my lost bag")

    assert d.action is Action.RESPOND and d.signals["complaint"]
