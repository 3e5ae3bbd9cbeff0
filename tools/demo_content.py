"""The demo library's threads: original text written for tui-reader's demo.

``tools/make_demo.py`` serves these through the test fakes and records what the sources
answer; the demo then replays those recordings through the real stack.
"""

from __future__ import annotations

PUNCHED_CARDS = [
    "How punched cards counted a nation: the 1890 census, a thread 🧵",
    "The 1880 count took almost eight years to tabulate by hand. With the population growing, "
    "the next one risked being out of date before it was finished.",
    "Herman Hollerith's idea: record each person as holes in a card, one position per answer. "
    "Age, sex, birthplace, occupation — all as holes.",
    "A clerk placed the card in a press. Spring-loaded pins came down; where a hole let a pin "
    "through into a cup of mercury, a circuit closed and a dial advanced by one.",
    "Clerks could do thousands of cards a day. The headline total was ready in weeks, and the "
    "detailed tables years sooner than before. More here: census.example.org/history/1890-tab…",
    "The cards were sized like the paper money of the day, so existing trays and cabinets fit "
    "them. Good engineering is often about boring compatibility.",
    "Hollerith's company merged with others in 1911 and was later renamed. Punched cards ran "
    "payrolls and inventories for the better part of a century.",
    'Next time a form asks you to fill in a box "completely, in dark ink": that\'s the same '
    "idea, holes replaced by marks. End of thread.",
]

CARD_CATALOGUE = [
    "Small thread on library card catalogues, because someone asked why the drawers had rods.",
    "Each card had a hole near the bottom edge. A brass rod went through every card in the "
    "drawer, so a dropped drawer did not scramble ten thousand cards.",
    "Author, title and subject cards meant three cards per book. Catalogue cabinets grew like "
    "coral.",
    "Many libraries scanned theirs before recycling them. Some sell the old cabinets; people "
    "keep seeds and screws in them now.",
]

SOURDOUGH = [
    "Sourdough hydration, explained without maths anxiety 🍞",
    "Hydration is water divided by flour, by weight. 700 g water to 1000 g flour is 70%.",
    "Higher hydration: more open crumb, stickier dough, harder shaping. Start around 68–70% "
    "and go up 2% at a time.",
    "Whole-wheat flour drinks more water than white. If you swap a third of the flour for "
    "whole-wheat, add a few percent of water.",
    "The starter counts too: a 100% starter is half flour, half water. I wrote a calculator "
    "for all of this: bread.example.net/hydration",
]

TIDES = [
    "Reading a tide table for the first time: a short guide for new sailors",
    "Each day lists two high and two low waters (usually), with times and heights above chart "
    "datum — roughly the lowest tide you will normally see.",
    "Heights between the listed times are not a straight line. The rule of twelfths says the "
    "water moves 1/12, 2/12, 3/12, 3/12, 2/12, 1/12 of the range in each hour.",
    "Spring tides (big range) come near full and new moon; neaps (small range) near the "
    "quarters. Nothing to do with the season.",
    "Weather changes it: strong onshore wind and low pressure can add tens of centimetres.",
    "And a personal note: I learned this the hard way on a falling tide, in a bay that "
    "turned into a beach around us.",
]

TIDES_WARNING = {4: "seasickness, mild peril"}

BIKE_YEAR = [
    f"A year of bike commuting, week by week — {n}/40: " + line
    for n, line in enumerate(
        [
            "I started because the bus was late three days running.",
            "Bought a used bike with mudguards. Best decision of the year.",
            "Learned that rain is fine and wind is the real enemy.",
            "Found a route along the canal that adds four minutes and removes all the lorries.",
            "First puncture. Fixed it in the rain, badly.",
            "Lights: front, back, and one on the helmet. Being seen beats seeing.",
            "Started counting other bike commuters at the lights. Seven today.",
            "A colleague asked about my route; now there are two of us.",
            "Winter gloves are worth whatever they cost.",
            "Ice on the bridge. Walked it. No shame.",
            "Bought panniers; my back thanks me.",
            "Rode home under a sky that was pink from end to end.",
            "The café at the halfway point knows my order.",
            "Chain maintenance is boring and makes everything quieter.",
            "Spring: the canal path smells of wild garlic.",
            "Timed it: door to desk, 27 minutes. The bus took 41.",
            "A fox crossed in front of me at 7am and did not care at all.",
            "Rode in a heat wave. Left earlier, arrived less melted.",
            "Got a new saddle. Life changed.",
            "Counted eighteen bikes at the lights.",
            "The council painted a cycle lane where I asked for one. Probably coincidence.",
            "Headwind both ways. Physics is wrong.",
            "Lent my spare bike to a neighbour; she kept it.",
            "First ride with my kid on the tag-along.",
            "Stopped checking the weather forecast. I just go.",
            "Autumn leaves on the path are slippery. Slowed down.",
            "Replaced brake pads myself. Watched one video, twice.",
            "Met another commuter with the same bike, same colour. Nodded solemnly.",
            "Arrived drenched; kept a towel at work since.",
            "Tallied the year's costs: less than two months of bus passes.",
            "The café closed. Mourned.",
            "A new café opened. Recovered.",
            "Rode through the first snow; everything was silent.",
            "Fixed a stranger's chain at the lights.",
            "Counted twenty-five bikes at the lights.",
            "Did the maths: about 3,000 km this year.",
            "Feel fitter, sleep better, spend less. Obvious, but true.",
            "Things I'd tell my first-week self: mudguards, lights, gloves, patience.",
            "The bus is on time now, apparently. Don't care.",
            "That's the year. Thanks for riding along. 🚲",
        ],
        start=1,
    )
]

OLD_MAPS = [
    "1/ Why old town maps show buildings that never existed: a thread on planned-but-unbuilt "
    "streets.",
    "2/ Surveyors often drew the streets a council had approved, not the ones yet built. Here "
    "is a sheet where half a square is wishful thinking:",
    "3/ The archive's note on this sheet is here: maps.example.org/sheets/1904-north and "
    "@town_archive dug out the council minute behind it:",
    "4/ So if a map and a street disagree, check the date of the map & the date of the "
    "plan. Maps are promises as often as records. Ends.",
]

#: A saved Thread Reader App page, as a browser copies it: the thread, then "More from".
COPIED_PAGE = """The strange history of the semicolon in legal drafting; a short thread.
Early statutes were read aloud, so punctuation mattered less than breath. Clerks added marks for readers, not listeners.
By the 19th century, a misplaced semicolon could decide a case: courts argued over whether a clause qualified the one before it.
Modern drafting guides mostly say: avoid them in lists that carry obligations. Use numbered items instead.
The semicolon survives, but on probation.

• • •

Missing some Tweet in this thread? You can try to force a refresh

Keep Current with Priya Natarajan

Priya Natarajan Profile picture

Stay in touch and get notified when new unrolls are available from this author!

Read all threads

This Thread may be Removed Anytime!

More from @priya_maps

3 Mar
Why so many old roads bend for no reason: field boundaries, streams that moved, and one very stubborn farmer.
Read 7 tweets
18 Feb
Parish boundaries were walked every year by children, who were sometimes bumped against the boundary stones so they would remember.
Read 5 tweets

Did Thread Reader help you today?

Support us! We are indie developers!
"""
