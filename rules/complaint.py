"""Complaints (a real problem stated, or plain dissatisfaction) and questions or requests."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rules import remedy
from rules.phrases import found, pattern_finder, phrase_finder
from rules.sentiment import PRAISE_IDIOMS, has_praise_idiom

# A concrete problem: something failed, is missing, wrong, or costs the customer. Weight 2.
# General English; no brand, product or industry names beyond everyday words.
PROBLEM_PHRASES = (
    # waiting and not being answered
    "still waiting",
    "been waiting",
    "waited",
    "on hold",
    "no answer",
    "no response",
    "no reply",
    "nobody answers",
    "nobody answered",
    "no one answers",
    "no one answered",
    "no one is answering",
    "nobody is answering",
    "never answered",
    "not answering",
    "not responding",
    "never heard back",
    "not heard back",
    "haven't heard",
    "have not heard",
    "no callback",
    "no call back",
    "never called back",
    "hung up",
    "disconnected",
    "can't get through",
    "cannot get through",
    "couldn't get through",
    "can't reach",
    "cannot reach",
    "couldn't reach",
    "unable to reach",
    "no way to contact",
    "no update",
    "no updates",
    "no info",
    "no information",
    "no help",
    "no one helped",
    "nobody helped",
    "not helpful",
    "unhelpful",
    "won't help",
    "wouldn't help",
    "refused",
    "refuse to",
    "refuses to",
    "ignored",
    "ignoring",
    "still no",
    "still not",
    "still haven't",
    "still hasn't",
    "still don't",
    "still can't",
    "yet to",
    "long line",
    "long lines",
    "long queue",
    "still sitting",
    "stuck on board",
    "still no sign",
    "nobody got back",
    "no one got back",
    "never got back to me",
    "took my money",
    "not what i ordered",
    "wasting my time",
    "waste of time",
    # things that failed or went missing
    "stuck",
    "stranded",
    "lost",
    "never arrived",
    "never received",
    "never got",
    "never came",
    "nothing works",
    "nothing is working",
    "nothing's working",
    "nothing loads",
    "never made it",
    "didn't arrive",
    "did not arrive",
    "hasn't arrived",
    "has not arrived",
    "haven't received",
    "have not received",
    "didn't receive",
    "not received",
    "wrong",
    "broken",
    "broke",
    "damaged",
    "defective",
    "faulty",
    "not working",
    "doesn't work",
    "does not work",
    "didn't work",
    "won't work",
    "stopped working",
    "isn't working",
    "not loading",
    "won't load",
    "can't log in",
    "can't log into",
    "can't sign in",
    "cannot sign in",
    "won't let me",
    "wont let me",
    "doesn't let me",
    "will not let me",
    "can't access",
    "cannot access",
    "unable to access",
    "can't get into",
    "cannot get into",
    "hacked",
    "hours late",
    "days late",
    "day late",
    "weeks late",
    "week late",
    "months late",
    "keeps dropping",
    "keeps disconnecting",
    "drops out",
    "drops every",
    "cuts out",
    "keeps cutting out",
    "cannot log in",
    "can't login",
    "locked out",
    "is down",
    "are down",
    "was down",
    "went down",
    "been down",
    "still down",
    "down again",
    "outage",
    "app down",
    "site down",
    "website down",
    "service down",
    "system down",
    "servers down",
    "down for me",
    "down for anyone",
    "down here",
    "won't open",
    "can't connect",
    "cannot connect",
    "crash",
    "crashed",
    "crashes",
    "crashing",
    "glitch",
    "failed",
    "fails",
    "failing",
    "failure",
    "overbooked",
    "bumped",
    "downgraded",
    "dirty",
    "filthy",
    "gross",
    "smell*",
    "cold food",
    "no food",
    "no wifi",
    "no power",
    "seat broken",
    "mold",
    "expired",
    "stolen",
    "stole",
    "incorrect",
    "mistake",
    "mix up",
    "mixup",
    "messed up",
    "screwed up",
    "was late",
    "is late",
    "so late",
    "very late",
    "running late",
    "arrived late",
    "late again",
    "too late",
    "delayed again",
    "cancelled again",
    "missed my",
    "miss my",
    "might miss",
    "charged twice",
    "double charged",
    "overcharged",
    "money back",
    "rip off",
    "ripoff",
    "ripped off",
    "waste of money",
    "understaff*",
    "negligen*",
    "forfeit*",
    "disappeared",
    "is gone",
    "it's gone",
    "its gone",
    "now gone",
    # plain words for a failure, with no word of complaint
    "was promised",
    "were promised",
    "you promised",
    "promised me",
    "promised us",
    "without telling",
    "without notice",
    "without warning",
    "without asking",
    "no notice",
    "no warning",
    "left without",
    "gave away my",
    "gave my seat away",
    "nobody at",
    "no one at",
    "nobody can",
    "no one can",
    "nobody could",
    "no one could",
    "nobody knows",
    "no one knows",
    "nobody seems",
    "no one seems",
    "not here",
    "isn't here",
    "says delivered",
    "marked as delivered",
    "shows delivered",
    "shows as delivered",
    "declined",
    "timing out",
    "times out",
    "timed out",
    "logging me out",
    "logs me out",
    "logged me out",
    "kicked me out",
    "kicks me out",
    "cracked",
    "snapped",
    "shattered",
    "dented",
    "scratched",
    "ripped",
    "torn",
    "so slow",
    "too slow",
    "very slow",
    "painfully slow",
    "really slow",
    "hold music",
    "on the phone for",
    "been on the phone",
    "on the line for",
    "been trying",
    "was short",
    "been short",
    "came short",
    "short changed",
    "shortchanged",
    "on the tarmac",
    "back to the gate",
    "nobody told",
    "no one told",
    "nobody warned",
    "no one warned",
    "nobody informed",
    "wasn't told",
    "weren't told",
    "were not told",
    "was not told",
    "something i returned",
    "already returned",
    "already paid",
    "didn't order",
    "did not order",
    "never ordered",
    "came and went",
    "covered in",
    "has dropped",
    "dropped again",
    "dropped out",
    "dropped my call",
    "call dropped",
    "connection dropped",
    "phishing",
    "scam",
    "scammed",
    "scammer*",
    "fraud*",
)

# Problem topics that also appear in neutral questions ("any delays tomorrow?"). Weight 1.
TOPICAL_PHRASES = (
    "cancelled",
    "canceled",
    "cancellation",
    "cancellations",
    "cancel*",
    "delayed",
    "delay",
    "delays",
    "missed",
    "waiting",
    "wait time",
    "hold time",
    "refund",
    "refunds",
    "charged",
    "charge me",
    "fee",
    "fees",
    "compensation",
    "compensate",
    "reimburse*",
    "voucher",
    "rebook*",
    "reschedul*",
    "diverted",
    "error",
    "errors",
    "bug",
    "buggy",
    "problem",
    "problems",
    "issue",
    "issues",
    "trouble",
    "complaint",
    "complain",
    "missing",
    "leak*",
    "paid for",
    "warning",
    "warnings",
    "in line for",
    "queue for",
)

# Dissatisfaction stated strongly, without saying what failed. Weight 2.
GRIEVANCE_PHRASES = (
    "worst",
    "terrible",
    "horrible",
    "awful",
    "disappoint*",
    "frustrat*",
    "ridiculous",
    "unacceptable",
    "not acceptable",
    "pathetic",
    "poor",
    "bad",
    "rude",
    "incompetent",
    "fed up",
    "sick of",
    "tired of",
    "never again",
    "never fly*",
    "never use",
    "never buy",
    "shame",
    "shameful",
    "disgrace*",
    "disgust*",
    "a joke",
    "nightmare",
    "mess",
    "fiasco",
    "hassle",
    "annoy*",
    "upset",
    "angry",
    "furious",
    "pissed",
    "livid",
    "sucks",
    "suck",
    "lousy",
    "doesn't care",
    "don't care",
    "dont care",
    "not happy",
    "unhappy",
    "not impressed",
    "hate",
    "thanks for nothing",
    "no thanks to",
    "losing customers",
    "lost a customer",
    "lied",
    "lying",
    "misleading",
    "inconvenien*",
    "ruin*",
    "fix this",
    "do better",
    "no excuse",
    "sorry doesn't",
    "sorry does not",
    "not ok",
    "not okay",
    "wtf",
    "smh",
    "ugh",
    "fail",
    "epic fail",
    "horrendous",
    "atrocious",
    "appalling",
    "abysmal",
    "dreadful",
    "shocking",
    "insult*",
    "absurd",
    "nonsense",
    "rubbish",
    "garbage",
    "trash",
    "crap*",
    "lame",
    "stressful",
    "uncomfortable",
    "care less",
    "to be desired",
    "get it together",
    "you've got to be kidding",
    "are you kidding",
    "unreal",
    "seriously",
    "stranded",
    "what a way",
    "got nowhere",
    "joke",
    "discourteous",
    "impolite",
    "unprofessional",
    "sloppy",
    "shoddy",
    "subpar",
    "not worth",
    "less than helpful",
    "less than ideal",
    "less than impressed",
    "expected better",
    "expect better",
    "expected more",
    "how is this acceptable",
    "how is that acceptable",
    "how is this ok",
    "how is this okay",
    "how is that ok",
    "how is this fair",
    "how is that fair",
    "what's the point",
    "what is the point",
    "couldn't be worse",
    "could not be worse",
    "can't get any worse",
    "never fails",
    "fool",
    "fooled",
    "misinformed",
    "misled",
    # anger said with emoji alone (a post of nothing else is still someone upset with us)
    "😡",
    "😠",
    "🤬",
    "👎",
    "🤮",
)

# Weak signs of dissatisfaction, telling only alongside others. Weight 1.
WEAK_PHRASES = (
    "why",
    "really",
    "again",
    "still",
    "hours",
    "days",
    "weeks",
    "every time",
    "always",
    "last time",
    "zero",
    "excuse",
    "excuses",
    "how hard",
    "come on",
    "what happened to",
    "what is going on",
    "supposed to",
    "should have",
    "should've",
    "would think",
    "second time",
    "third time",
    "only one",
    "pity",
    "crazy",
    "switching to",
    "apology",
    "apologize",
    "fix it",
    "kidding",
    "wasting",
    "waste",
    "sitting at",
    "sitting on",
    "still at",
    "finally",
    "forever",
    "an hour",
    "half an hour",
    "half hour",
    "hour and a half",
    "apparently",
    "nope",
    "anyone there",
    "how long",
    "hoping",
    "if only",
    "all i want",
    "you need to",
    "should be",
    "cost me",
    "desperate*",
    "concern*",
    "actually",
    "constantly",
    "instead",
    "expected",
    "no longer",
    "anymore",
    "at least",
    "even though",
    "yet",
    "excuse me",
)

_NEGATION = pattern_finder(  # every match starts in a word: its twin finds them all
    r"(?:can'?t|cannot|couldn'?t|won'?t|wouldn'?t|didn'?t|haven'?t|hasn'?t|wasn'?t|"
    r"weren'?t|isn'?t|aren'?t|doesn'?t|don'?t|not|no one|nobody|never|nothing|unable|no)(?!\w)",
    every=True,
)
_SPAN = re.compile(
    r"(?=[\dtfn])(?<!\w)(?:\d+|ten|fifteen|twenty|thirty|forty|fifty|ninety|forty[- ]five)\s*"
    r"(?:hours?|hrs?|minutes?|mins?|days?)(?!\w)"
)
# A failure said in plain words: "keeps logging me out", "the seat doesn't recline", "ordered a
# blue one and got pink". Weighs as a concrete problem; `_NEGATED` has blanked praise first.
_PLAIN_FAILURE = re.compile(  # the lookahead names every first letter: a faster scan
    r"(?=[acdhiklnorstwy])(?<!\w)"
    r"(?:(?:keeps|(?:you|it|they|i) keep) (?:on )?(?:logging|crashing|freezing|"
    r"erroring|failing|dropping|disconnecting|cancel+ing|charging|asking|telling|sending|saying|"
    r"kicking|timing|buffering|loading|restarting|rebooting|declining|rejecting|losing|"
    r"delaying|changing|moving|bumping|hanging|glitching|lagging|breaking|showing|popping|"
    r"billing|calling|texting|spamming|signing|shutting|turning|beeping|stopping|happening|"
    r"redirecting|closing|resetting|deleting|removing|ignoring|transferring|promising|"
    r"getting (?:an? |the )?(?:error|message|charged|logged|kicked|declined|rejected|"
    r"billed|cut off))|"
    r"(?:doesn'?t|does not|don'?t|won'?t|will not|didn'?t|did not|isn'?t|is not|aren'?t|"
    r"can'?t|cannot|couldn'?t|hasn'?t|has not|not) (?:even |ever |properly |actually )?"
    r"(?:work|load|open|start|charge|connect|recline|turn on|switch on|show up|showing|update|"
    r"sync|print|play|stream|send|go through|accept|recogni[sz]e|fit|close|lock|install|"
    r"download|upload|refund|deliver|arrive|ship|cover|turn(?:ed)? up)\w*|"
    r"(?:reboot|restart|reset|turn|switch|shut|log|crash)\w* (?:itself|themselves)|"
    r"ordered (?:a |an |the |my )?[^.!?,]{1,30}? (?:and|but) (?:got|received|they sent|"
    r"you sent|was sent|came))(?!\w)"
)
# "!!" is excitement in a warm post, and exasperation only in one that is not.
_EXCLAIM = re.compile(r"!\s*!")
_EXASPERATION = re.compile(
    r"\?\s*\?|\?!|#\w*(?:fail|worst|sucks|nothappy|notcool|badservice|disappoint|"
    r"frustrat|ripoff|neveragain|unacceptable|fix|help)\w*",
)

# Phrases that contain a cue word but say the opposite; removed before looking.
# Every pattern in this module reads lower-cased text (see rules.phrases.compile_phrases).
_NEGATED = re.compile(  # the lookahead names every first letter: a faster scan
    r"(?=[bcehinopstwz])(?<!\w)"
    r"(?:(?:no|not a(?: single)?|not any|not one|without(?: a| any)?|zero|"
    r"never(?: had)?(?: an?y?)?) (?:problems?|issues?|trouble|complaints?|delays?|hassle|"
    r"lost (?:bags?|luggage|suitcases?)|lines|queues?|waits?|glitch(?:es)?|drama|fuss)|"
    r"nothing (?:went|goes|has gone|ever goes) wrong|"
    r"(?:problem|issue)(?:(?!not|never|n't)[^.!?,]){0,30}? (?:got |was |were |been |is )?"
    r"(?:solved|resolved|fixed|sorted)|"
    r"handled[^.!?,]{0,40}? (?:so |really |very |extremely )?(?:well|brilliantly|perfectly|"
    r"professionally|beautifully|like (?:a )?pros?)|"
    r"(?:problems?|issues?|errors?|bugs?|worr(?:y|ies)|pain) (?:is |are )?(?:now )?gone|"
    r"(?:hassle|trouble|problem|issue|worry|stress)[ -]free|"
    r"no worries|why not|can'?t wait|(?:on|in) time|not bad|"
    r"seriously (?:the best|good|great|impressed|amazing|awesome|love|happy))(?!\w)"
)

# "the delay was worth it": the problem, named as what the good thing cost.
_WORTH_IT = re.compile(r"(?<!\w)(?:the )?\w+ (?:was|were|is) (?:\w+ )?worth (?:it|the wait|every)")

_REQUEST = pattern_finder(  # and any question mark, looked for apart; the lookahead names every
    r"(?=[acdefhilmnopqsw])"
    r"(?:can you|could you|can u|could u|would you|will you|please|pls|plz|help me|"
    r"how do i|how can i|how do you|how to|is there|are there|is it|do you|does anyone|anyone know|"
    r"when will|when does|when is|where is|where's|what is|what's|need help|need to know|"
    r"which (?:\w+ ){1,2}(?:do|does|did|should|can|could|would|will|is|are) (?:i|we|you|u|it|"
    r"they|the|my|better|best|cheaper|faster|quicker|open|closest|nearest)|"
    r"which (?:do|does|should|can|would|will) (?:i|we|you|u)|"
    r"i need|i want to|i'd like to|i would like to|let me know|dm me|dm'd|dmed|sent you a dm|"
    r"any update|any news|any idea|wondering|looking for|"
    r"how long (?:do|does|did|will|would|is|are|should|can|until|till|before|has|have|to|for)|"
    r"how long's|"
    r"(?:when|where|how|who|what) (?:do|can|should|would) (?:i|we)|who do i|who can i|"
    r"(?:a|one|quick|few|some) (?:questions?|query|queries)|question (?:about|for|regarding|on)|"
    r"how many|how much (?:is|are|does|do|will|would|should|to|for|of|extra|money)|"
    r"(?:can|could|may|should|do|shall) (?:i|we)|"
    r"expect (?:an? |some )?(?:\w+ )?(?:answer|reply|response|call ?back|refund)|"
    r"he+l+p+!|he{2,}l+p+|hel{2,}p+|"
    r"what time|what day|any chance)(?!\w)",
    every=False,  # only the first match is asked for
)
# A question without its question mark: a post that opens with an asking word ("are you down
# rn", "is the lounge open today"), after any handles and a greeting; tried at the start only
# (one attempt, no scan). Not "why" (a post that opens with it is a complaint's, read by the
# weak signs) nor "will do" (an answer).
_ASKS = re.compile(
    r"\s*(?:[@#]\w+[\s,:]+)*(?:(?:hey|hi|hello|so|also|btw)[\s,!:]+(?:[@#]\w+\s+)*)?"
    r"(?:(?:is|are|am|was|were|do|does|did|can|could|will|would|should|has|have)\s+"
    r"(?:you|u|i|we|it|this|that|there|the|my|our|your|anyone|someone|they|he|she)|"
    r"(?:when|where|who|which|what|how)(?:'s|\s+(?:is|are|was|were|do|does|did|can|could|will|"
    r"should|would|happened|time|day|long|many|much|come|to))|"
    r"need\s+(?:a|an|the|help|some|my|to\s+know))(?!\w)"
)

# Questions and requests that only praise ("how cool is that?", "who knew it could be this
# easy?", "please pass my thanks on to the driver", "please never change"): blanked out before
# a post is looked at for a real one. Looked for only in posts with a "?" or a request word.
_ONLY_PRAISE = re.compile(  # the lookahead names every first letter: a faster scan
    r"(?=[achijkmnprwydg])(?<!\w)"
    r"(?:how (?:\w+ )?(?:awesome|cool|great|amazing|nice|lucky|sweet|good|fun|lovely|"
    r"brilliant|fantastic|wonderful|easy|fast|quick|cute|beautiful|perfect) (?:is|was|are|were|"
    r"am) (?:that|this|it|they|you|he|she|we|i)(?!\w)[^.!?]*|who knew[^.!?]*|"
    r"(?:isn'?t|aren'?t|wasn'?t) (?:it|that|this|your|the|you|they|he|she)[^.!?]{0,40}?"
    r"(?<!\w)(?:best|greatest|great|amazing|awesome|lovely|brilliant|fantastic|wonderful|"
    r"gorgeous|beautiful|cool|cute)(?!\w)[^.!?]{0,20}|"
    r"(?:could|can) (?:you|it|this|they|things|life|we) (?:guys |all |be |get )*(?:any )?"
    r"(?:more (?:\w+)|better)|what more could (?:i|we|you|anyone) (?:ask for|want|need)|"
    r"where have you been all (?:my|our) li(?:fe|ves)|"
    r"why can'?t (?:everyone|everybody|every \w+|all \w+|others|other \w+)[^.!?]*|"
    r"(?:please|pls|plz|kindly) (?:(?:pass|send|give|extend|say) (?:on |along )?(?:my|our) "
    r"(?:thanks|thank you|gratitude|compliments|appreciation|regards|love)|"
    r"pass (?:it|this|that|them) on|pass (?:my|our) \w+ on|thank (?:the|her|him|them|your|\w+)|"
    r"tell (?:the|her|him|them|your|\w+) [^.!?]{0,30}?(?:thanks|thank you|(?:she|he|they)"
    r"(?:'s|'re| was| were| is| are| did| rock| rocks)(?!\w))|never change|"
    r"don'?t (?:ever )?change|keep (?:it up|up the|doing|being)|"
    r"give (?:her|him|them|\w+) a (?:raise|promotion|medal|pay rise|bonus))"
    r"[^.!?]*|"
    # thanks said as a wish or a request: "I want to thank the crew", "can I just say ..."
    r"(?:i'd like|we'd like|(?:i |we )?(?:just |really |also )?(?:want(?:ed)?|would like|need|"
    r"have|had|must|gotta)) (?:to )?(?:say |give |send |extend )?(?:a )?"
    r"(?:(?:big|huge|quick|special|massive) )?"
    r"(?:thank|thanks|shout ?out|props|kudos|praise|compliment|commend|"
    r"say (?:how|that|what a|a big|thanks|thank you))[^.!?,;]*|"
    r"(?:can|may|could) (?:i|we) (?:just |all )?(?:say|add|talk about|appreciate|take a "
    r"(?:moment|minute|second) to)(?!\w)[^.!?,;]*|"
    # degree said as a question: "you have no idea how much that meant", "what's not to love"
    r"(?:can'?t|cannot|couldn'?t) (?:tell|thank) you (?:enough|how)[^.!?,;]*|"
    r"(?:you(?:'ve| have)? no idea|do you (?:even )?know|you don'?t know|words can'?t "
    r"(?:say|express|describe)) how (?:much|happy|grateful|thankful|glad|good|great|relieved|"
    r"excited)[^.!?,;]*|"
    r"what'?s not to (?:love|like)|would you look at (?:that|this)|"
    r"is it (?:wrong|weird|bad|normal|strange|crazy|odd|just me)(?: that)?(?: (?:i|we))? "
    r"(?:to )?(?:love|enjoy|adore|like|look forward)[^.!?,;]*|"
    r"(?:wonder(?:ing)? )?(?:why|how) (?:would |did |could )?(?:i|we) (?:ever )?(?:fl[yew]+|"
    r"book\w*|go|shop\w*|bank\w*|cho+se|use|used|stay\w*) (?:with|at|anywhere) "
    r"(?:anyone|anybody|any ?one|anywhere|any other|someone)(?: else)?[^.!?,;]*"
    r")[\s!?.]*"
)


# Sarcasm: words of praise aimed at a failure ("great job losing my bag", "thanks for cancelling
# my flight", "love how it crashes"). The praise is the frame; what it praises is the complaint.
# Looked for only in posts with words of praise (rules.sentiment), which every frame here is.
_SARCASM = re.compile(
    r"(?<!\w)(?:(?:great|good|nice|fantastic|awesome|brilliant|excellent|amazing|wonderful|"
    r"stellar|superb|outstanding|terrific|splendid)\s+(?:job|work|going|one|effort)|"
    r"way to go|well done|bravo|kudos|props|"
    r"(?:great|nice|awesome|perfect|lovely|wonderful|fantastic|brilliant)\s*[,.!]+|"
    r"thanks?(?:\s+(?:you|u))?(?:\s+(?:so|very)\s+much|\s+a\s+lot)?(?:\s+again)?\s+for|"
    r"(?:i\s+)?(?:just\s+)?(?:love|loving|adore)\s+(?:how|that|it\s+when|the\s+way|being))"
    r"(?!\w)[^.!?\n]{0,40}?(?<!\w)(?:"
    r"los(?:ing|t)|cancel+(?:ing|ed)|delay(?:ing|ed)|break(?:ing)?|broke|ruin(?:ing|ed)|"
    r"overcharg(?:ing|ed)|charg(?:ing|ed)\s+me|double\s+charg\w*|ignor(?:ing|ed)|"
    r"wast(?:ing|ed)|strand(?:ing|ed)|leav(?:ing|e)\s+(?:me|us)|left\s+(?:me|us)|"
    r"keep(?:ing)?\s+(?:me|us)\s+(?:waiting|on\s+hold)|making\s+(?:me|us)\s+wait|"
    r"(?:never|not)\s+(?:answer|arriv|reply|respond|show|deliver|call|work)\w*|"
    r"forget(?:ting)?|forgot|misplac(?:ing|ed)|damag(?:ing|ed)|crash(?:ing|es|ed)?|"
    r"bump(?:ing|ed)|hang(?:ing)?\s+up|hung\s+up|"
    r"(?:yet\s+)?another\s+(?:delay|cancel\w*|outage|hour|day|week)|"
    r"(?:two|three|four|five|six|\d+)\s+(?:hours?|days?|weeks?)\s+(?:on\s+hold|late|delay\w*|"
    r"waiting|wait|of\s+waiting)|on\s+hold|stuck)(?!\w)"
)

# A small complaint tucked into praise: "love it, but the lid leaks", "just wish it were faster".
_RESERVATION = re.compile(
    r"(?<!\w)(?:but|though|although|however|except|only thing is|just wish|i wish|despite|"
    r"in spite of|even with)(?!\w)"
    r"[\s,:]*([^.!?\n]{3,80})"
)

# A post about something that happened a while ago (§3: low urgency, high impact).
_LOOKING_BACK = re.compile(
    r"(?<!\w)(?:(?:a|one|two|three|four|a few|a couple of|\d+)\s+(?:days?|weeks?|months?)\s+ago|"
    r"last\s+(?:week|weekend|month|year)|the\s+other\s+week)(?!\w)"
)

# How cues add up to a complaint; praise and a kind tone take away. Hand-set, not fitted.
WEIGHTS = {
    "problem": 2.0,
    "topical": 1.25,
    "grievance": 2.5,
    "weak": 0.75,
    "negation": 1.0,
    "exasperation": 1.0,
    "negative_tone": 3.0,  # times -compound
    "positive_tone": 0.75,  # times compound
    "praise": 1.25,  # per word of praise, at most two, unless a failure is stated beside it
    "request": 0.5,
    "sarcasm": 3.0,  # praise aimed at a failure, counted instead of the tone and the praise
}
THRESHOLD = 0.25


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class ComplaintCues:
    problems: tuple[str, ...]  # concrete problems, then problem topics: the substance
    strong: int  # how many of `problems` are concrete problems (not only a topic)
    grievances: tuple[str, ...]  # strong dissatisfaction
    weak: tuple[str, ...]
    negations: int
    exasperation: bool
    sarcasm: str | None = None  # praise aimed at a failure: "great job losing my bag"

    def score(self, sentiment: float, praise: int, request: bool) -> float:
        """Complaint score: at or above THRESHOLD the post is a complaint."""
        w = WEIGHTS
        strong = self.strong
        s = w["problem"] * min(strong, 2) + w["topical"] * min(len(self.problems) - strong, 2)
        s += w["grievance"] * min(len(self.grievances), 2) + w["weak"] * min(len(self.weak), 2)
        s += w["negation"] * min(self.negations, 2) + w["exasperation"] * self.exasperation
        if self.sarcasm is not None:  # the praise is the frame: its warmth counts for nothing
            return s + w["sarcasm"]
        s += w["negative_tone"] * max(0.0, -sentiment) - w["positive_tone"] * max(0.0, sentiment)
        if not strong and not self.grievances:  # praise beside a failure is sarcasm
            s -= w["praise"] * min(praise, 2)
        s -= w["request"] if request else 0.0
        if not self.problems and not self.grievances and sentiment >= 0 and self.weak_signs() < 2:
            return min(s, THRESHOLD - 0.01)  # one weak sign in a calm post is not a complaint
        return s

    def weak_signs(self) -> int:
        """Weak signs of dissatisfaction: weak words, negations, exasperation ("??", "#fail")."""
        return len(self.weak) + self.negations + self.exasperation


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class Complaint:
    complaint: bool
    score: float
    cues: ComplaintCues


def _without_negated(low: str, idiom: bool | None = None) -> str:
    """Lower-cased text with negated problems ("not broken") and praise said through a negation
    ("never disappoints", "can't complain": rules.sentiment) blanked out; `idiom`: whether the
    caller already found such praise (None: look)."""
    low = low.replace("’", "'")
    if idiom is None:
        idiom = has_praise_idiom(low)
    low = _NEGATED.sub(" ", PRAISE_IDIOMS.sub(" ", low) if idiom else low)
    return _WORTH_IT.sub(" ", low) if "worth" in low else low


class ComplaintReader:
    """Finds the cues of a complaint in a post and weighs them."""

    def __init__(self) -> None:
        self._problem = phrase_finder(PROBLEM_PHRASES)
        self._topical = phrase_finder(TOPICAL_PHRASES)
        self._grievance = phrase_finder(GRIEVANCE_PHRASES)
        self._weak = phrase_finder(WEAK_PHRASES)

    def cues(
        self,
        text: str,
        praise_said: Sequence[str] = (),
        sentiment: float = 0.0,
        idiom: bool | None = None,
        low: str | None = None,
    ) -> ComplaintCues:
        """The cues: problems stated (concrete ones first), grievances, weak signs, negations,
        and, given the post's words of praise (`praise_said`), whether they aim at a failure;
        "!!" is exasperation only when the tone (`sentiment`) is below zero; `idiom`: whether
        the post holds praise said through a negation (rules.sentiment; None: look); `low`:
        the text lower-cased, when the caller has it."""
        if low is None:
            low = text.lower()
        clean = _without_negated(low, idiom)
        strong = found(self._problem, clean)
        negations = len(_NEGATION.findall(clean))
        if negations or "keep" in clean or "order" in clean or "self" in clean or "selves" in clean:
            strong += [
                p
                for p in dict.fromkeys(" ".join(m.split()) for m in _PLAIN_FAILURE.findall(clean))
                if p not in strong
            ]
        topical = [t for t in found(self._topical, clean) if t not in strong]
        return ComplaintCues(
            problems=tuple(strong + topical)[:5],
            strong=min(len(strong), 5),
            grievances=tuple(found(self._grievance, clean)),
            weak=tuple(found(self._weak, clean)) + tuple(_SPAN.findall(clean))[:2],
            negations=negations,
            exasperation=(("?" in low or "#" in low) and _EXASPERATION.search(low) is not None)
            or (sentiment < 0 and _EXCLAIM.search(low) is not None),
            sarcasm=sarcasm(low, praise_said) if praise_said else None,
        )

    def stated(self, low: str) -> list[str]:
        """The problems and grievances a lower-cased text states (no weak signs, no tone)."""
        clean = _without_negated(low)
        return (
            found(self._problem, clean)
            + found(self._topical, clean)
            + found(self._grievance, clean)
        )

    def read(
        self,
        text: str,
        sentiment: float,
        praise: int = 0,
        request: bool = False,
        praise_said: Sequence[str] = (),
        idiom: bool | None = None,
        low: str | None = None,
    ) -> Complaint:
        """A problem stated or dissatisfaction voiced, weighed against praise and a kind tone;
        `praise_said`, the words of praise themselves, lets sarcasm be looked for."""
        cues = self.cues(text, praise_said, sentiment, idiom, low)
        score = cues.score(sentiment, praise, request)
        return Complaint(score >= THRESHOLD, round(score, 2), cues)


def sarcasm(low: str, praise_said: Iterable[str]) -> str | None:
    """Praise aimed at a failure in lower-cased text ("great job losing my bag"), or None.

    Every frame begins with a word of praise, so the pattern is tried only where those words
    stand (`praise_said`), not at every character of the post. A frame that names what we did
    to put the failure right is sincere ("thanks for handling my delayed bag so well").
    """
    for word in dict.fromkeys(praise_said):
        at = low.find(word)
        while at >= 0:
            match = _SARCASM.match(low, at)
            if match is not None and not remedy.within(match.group(0)):
                return " ".join(match.group(0).split())
            at = low.find(word, at + 1)
    return None


# A problem conceded beside thanks: "great crew despite the delay", "even though we were late,
# the staff were wonderful". The clause marks the problem as background to the thanks.
_CONCEDED = re.compile(r"(?<!\w)(?:despite|in spite of|even though|even with|although)(?!\w)")


def conceded(low: str) -> bool:
    """Whether lower-cased text concedes a problem ("despite the delay", "even though ...")."""
    return _CONCEDED.search(low) is not None


def reservation(text: str) -> str | None:
    """The small complaint inside praise ("the dark mode is a bit buggy"), or None."""
    match = _RESERVATION.search(text.lower())
    return " ".join(match.group(1).split()) if match else None


def looking_back(text: str) -> str | None:
    """How long ago the post says it happened ("a week ago", "last month"), or None."""
    low = text.lower()
    if "ago" not in low and "last" not in low and "other" not in low:
        return None  # every phrase of `_LOOKING_BACK` holds one of them: no scan needed
    match = _LOOKING_BACK.search(low)
    return " ".join(match.group(0).split()) if match else None


def is_request(text: str, low: str | None = None) -> bool:
    """A question or a request addressed to someone; not one that only praises ("how cool is
    that?", "please pass my thanks on to the crew"); `low`: the text lower-cased, when the
    caller has it."""
    if low is None:
        low = text.lower()
    if not _asks(low):
        return False
    if _ONLY_PRAISE.search(low) is None:
        return True
    return _asks(_ONLY_PRAISE.sub(" ", low))


def _asks(low: str) -> bool:
    return "?" in low or _ASKS.match(low) is not None or _REQUEST.first(low) is not None
