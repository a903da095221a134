"""The small pure signals, each on its own."""

from __future__ import annotations

from datetime import timedelta

from rules.complaint import ComplaintReader, is_request, looking_back, reservation
from rules.mention import Author, Metrics, Reference, RefType
from rules.origin import is_own, is_retweet, summoned
from rules.personal_data import personal_data
from rules.playbook import Risk, Topic
from rules.reach import reach
from rules.risk import RiskReader
from rules.sentiment import analyzer, has_praise_idiom, might_score, praise_words, sentiment, tone
from rules.spam import SpamReader
from rules.spread import blast_radius, spread
from rules.topic import TopicReader
from rules.toxicity import toxicity
from tests.builders import NOON, mention

COMPLAINTS = ComplaintReader()


def is_complaint(text: str, sentiment: float, praise: int = 0) -> bool:
    return COMPLAINTS.read(text, sentiment, praise).complaint


def problem_cues(text: str) -> list[str]:
    return list(COMPLAINTS.cues(text).problems)


def test_sentiment_is_negative_for_an_angry_post_and_positive_for_praise() -> None:
    assert sentiment("this is awful, I hate it") < -0.5
    assert sentiment("wonderful service, thank you!") > 0.5


def test_sentiment_asks_vader_only_when_vader_could_score_something() -> None:
    texts = [
        "@acme where is the parcel I ordered on Monday",
        "@acme where is the parcel? GREAT, just great!!!",
        "(terrible) service",
        "no. just no.",
        "kind of ok",
        "thanks 🙏",
        "😡😡",
        "arrived :)",
        "the order is not bad",
        "",
    ]
    vader = analyzer()
    for text in texts:
        assert sentiment(text) == vader.polarity_scores(text)["compound"], text
    assert not might_score(vader, "@acme where is the parcel I ordered on Monday")
    assert might_score(vader, "(terrible) service") and might_score(vader, "😡😡")


def test_tone_reads_praise_that_vader_reads_backwards_and_is_vader_otherwise() -> None:
    for text in ("couldn't be happier", "I can't thank you enough", "the cake is to die for"):
        assert sentiment(text) < 0.05 < tone(text), text
        assert has_praise_idiom(text.lower())
    for text in ("couldn't be more disappointed", "never fails to disappoint", "the app died"):
        assert tone(text) == sentiment(text) and not has_praise_idiom(text.lower()), text


def test_a_double_exclamation_is_exasperation_only_in_a_post_that_reads_negative() -> None:
    assert not COMPLAINTS.cues("on my way to Vegas!!", sentiment=0.0).exasperation
    assert COMPLAINTS.cues("my bag is gone!!", sentiment=-0.4).exasperation
    assert COMPLAINTS.cues("where is it??", sentiment=0.3).exasperation


def test_a_failure_in_plain_words_is_a_concrete_problem() -> None:
    assert "keeps logging" in problem_cues("the app keeps logging me out")
    assert problem_cues("the seat doesn't recline") == ["doesn't recline"]
    assert problem_cues("ordered a blue one and got pink") == ["ordered a blue one and got"]
    assert problem_cues("the box reboots itself every night") == ["reboots itself"]
    assert problem_cues("keep up the good work, I keep coming back") == []
    assert problem_cues("never disappoints, can't fault it") == []


def test_praise_words_include_thanks_and_emoji() -> None:
    assert praise_words("thank you, love it 😍") == ["thank you", "love", "😍"]


def test_a_stated_problem_is_a_complaint_even_in_neutral_words() -> None:
    assert is_complaint("where is my refund, still waiting since Monday", sentiment=0.0)
    assert "still waiting" in problem_cues("where is my refund, still waiting since Monday")


def test_no_problem_is_not_a_problem() -> None:
    assert problem_cues("no problem at all, thanks") == []


def test_praise_without_a_problem_is_not_a_complaint() -> None:
    assert not is_complaint("great flight, lovely crew", sentiment=0.8, praise=1)


def test_sarcastic_praise_beside_a_failure_is_a_complaint() -> None:
    text = "really appreciate the great service, your agent just hung up on me"
    assert is_complaint(text, sentiment=0.8, praise=2)


def test_questions_and_requests_are_recognised() -> None:
    assert is_request("do you ship to Canada?")
    assert is_request("please can someone help me")
    assert not is_request("watching the game tonight")


def test_insults_are_abusive_and_mild_swearing_is_only_rude() -> None:
    assert toxicity("you idiots, go to hell").abusive
    rude = toxicity("damn, my flight is delayed")
    assert rude.score > 0 and not rude.abusive


def test_shouting_adds_a_little_rudeness_and_needs_enough_capitals() -> None:
    assert toxicity("WHY IS NOTHING WORKING TODAY").score == 0.5
    assert toxicity("Why is nothing WORKING today").score == 0
    assert toxicity("WHY NOT").score == 0


def test_masked_profanity_is_still_seen() -> None:
    assert "f*ck" in toxicity("f*ck this").words


def test_personal_data_finds_email_phone_card_and_booking_reference() -> None:
    assert personal_data("mail me at jo@example.com") == ["email"]
    assert personal_data("call me on +44 7700 900123") == ["phone"]
    assert personal_data("card 4111 1111 1111 1111 was charged") == ["card"]
    assert personal_data("booking ref XK42PQ") == ["booking_ref"]
    assert personal_data("I waited 45 minutes") == []


def test_reach_names_followers_verified_and_vip() -> None:
    big = reach(
        Author(id="1", username="star", followers=2_400_000), frozenset(), 10_000, 1_000_000
    )
    assert big.level == "high" and big.reasons == ("2.4M followers",)
    vip = reach(
        Author(id="2", username="writer", followers=50), frozenset({"writer"}), 10_000, 10**6
    )
    assert vip.influential and "on the VIP list" in vip.reasons
    small = reach(Author(id="3", username="dana", followers=120), frozenset(), 10_000, 10**6)
    assert not small.influential


def test_spread_counts_engagement_per_minute_of_age() -> None:
    post = mention(metrics=Metrics(reposts=140, replies=10))
    fast = spread(post, NOON + timedelta(minutes=12), per_minute=1.0, minimum=20)
    assert fast.spreading and fast.reason == "140 reposts, 10 replies in 12 min"
    slow = spread(post, NOON + timedelta(days=2), per_minute=1.0, minimum=20)
    assert not slow.spreading


def test_blast_radius_grows_with_reach_spread_and_negativity() -> None:
    quiet = blast_radius(100, 0.0, 0.0)
    loud = blast_radius(2_000_000, 10.0, -0.9)
    assert loud > quiet + 5


def test_own_posts_retweets_and_summons() -> None:
    brand = frozenset({"acme", "acmehelp"})
    assert is_own(mention(username="AcmeHelp"), brand)
    retweet = mention(references=(Reference(type=RefType.RETWEETED, id="9"),))
    assert is_retweet(retweet)
    assert is_retweet(mention(text="RT @acme: sale today"))
    assert summoned(mention(text="hey @acme help"), brand)
    assert not summoned(mention(text="acme is slow", mentioned=()), brand)
    quoting = mention(text="look", mentioned=(), urls=("https://x.com/acme/status/1",))
    assert summoned(quoting, brand)


def test_spam_needs_two_signs_and_one_promotional_phrase_is_not_enough() -> None:
    reader = SpamReader()
    assert reader.read(mention(text="crypto giveaway, click here"), 1, 30).spam
    assert reader.read(mention(text="crypto giveaway http://x.example"), 1, 30).spam
    assert not reader.read(mention(text="@acme I work from home and your wifi drops"), 1, 30).spam
    assert not reader.read(mention(text="@acme where is my order?"), 1, 30).spam
    assert reader.read(mention(text="@acme hello"), 40, 30).spam


def test_topic_is_the_best_scoring_one_and_the_first_listed_on_a_tie() -> None:
    reader = TopicReader(
        [
            Topic(name="billing", phrases=["charged twice"], keywords=["refund*", "card"]),
            Topic(name="delivery", phrases=["never arrived"], keywords=["parcel", "order"]),
        ]
    )
    assert reader.scores("charged twice for a parcel that never arrived") == {
        "billing": 2,
        "delivery": 3,
    }
    assert reader.topic("charged twice for a parcel that never arrived") == "delivery"
    assert reader.topic("refund my card for the parcel order") == "billing"
    assert reader.topic("nice weather") is None


def test_risks_name_each_category_with_the_phrase_that_raised_it() -> None:
    reader = RiskReader(
        {
            "legal": Risk(label="legal threat", phrases=["lawyer", "sue"]),
            "safety": Risk(label="safety", phrases=["caught fire", "unsafe"]),
        }
    )
    assert reader.risks("My LAWYER says it is unsafe, it caught   fire") == {
        "legal": "lawyer",
        "safety": "unsafe",
    }
    assert reader.risks("a lawsuit-free day") == {}


def test_a_small_complaint_inside_praise_is_found() -> None:
    assert reservation("love it, but the lid leaks. Thanks!") == "the lid leaks"
    assert reservation("great service, just wish delivery was faster") == "delivery was faster"
    assert reservation("great service, thank you!") is None


def test_a_post_about_something_long_ago_says_how_long() -> None:
    assert looking_back("A week ago my flight was cancelled") == "a week ago"
    assert looking_back("last month you lost my bag") == "last month"
    assert looking_back("3 days ago") == "3 days ago"
    assert looking_back("my flight today was cancelled") is None


def test_angry_emoji_are_a_grievance_and_a_theft_a_problem() -> None:
    assert is_complaint("@acme 😡😡", sentiment=0.0)
    assert not is_complaint("@acme 😍", sentiment=0.0)
    assert "stole" in problem_cues("the courier stole my parcel")


def test_lovely_is_a_word_of_praise() -> None:
    assert praise_words("the new app is lovely") == ["lovely"]
