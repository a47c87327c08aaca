"""Peers: opting in and out, who is working on a priority, natural questions, introductions."""

from __future__ import annotations

from datetime import timedelta

from adapters.slack.blocks import to_mrkdwn
from bot.kernel.markup import fill_mentions, to_plain
from bot.kernel.model import Action, Conversation, Reply, User
from bot.kernel.scheduler import next_wake, run_due
from tests.conftest import DTL, ORGANISER, press, say
from tests.fakes.polls import RecordingSender, form_values, in_channel, submit

IDS = ["telephony", "front-door", "websites", "it-systems", "workflows", "bi",
       "data-quality", "inclusion"]
ALI = User("console", "ali", name="Ali")
BEA = User("console", "bea", name="Bea")
CAL = User("console", "cal", name="Cal")


def shown(reply: Reply, platform: str = "console") -> str:
    """The reply's text as the console shows it (mentions as names)."""
    return fill_mentions(reply.text, reply.mentions, platform)


async def vote(bot, user, order=IDS, progress=None, pcn=""):
    """Vote in the open poll through the ballot form, as `user`."""
    (opened,) = await press(bot, Action("ballot.open", value=str(open_poll_id(bot))), user)
    form = opened.form
    (saved,) = await press(bot, submit(form, form_values(form, order, progress=progress,
                                                         pcn=pcn)), user)
    assert "saved" in saved.text
    return saved


def open_poll_id(bot) -> int:
    return bot.db.execute("select id from polls where status = 'open'").fetchone()[0]


async def opt_in(bot, user):
    (reply,) = await say(bot, "peers on confirm", user)
    assert reply.text.startswith("Done")


async def a_poll_with_votes(bot):
    """Ali has telephony embedded, Bea in progress, Cal planning; all but Cal opted in."""
    await in_channel(bot, "poll start Spring 2027", ORGANISER)
    await vote(bot, ALI, progress={"telephony": "embedded", "front-door": "in-progress"},
               pcn="Oldham East PCN")
    await vote(bot, BEA, progress={"telephony": "in-progress"}, pcn="Bury North")
    await vote(bot, CAL, progress={"telephony": "embedded"}, pcn="Cal's PCN")
    for user in (ALI, BEA):
        await opt_in(bot, user)


# Opting in and out


async def test_peers_on_shows_what_would_be_shared_and_asks_to_confirm(bot):
    await in_channel(bot, "poll start Spring 2027", ORGANISER)
    await vote(bot, DTL, order=list(reversed(IDS)), progress={"bi": "embedded"}, pcn="Salford")
    (reply,) = await say(bot, "peers on")
    assert "Dana" in reply.text and "Salford" in reply.text
    assert "- Business intelligence: embedded" in reply.text
    assert "Never your ranking" in reply.text
    assert "`peers on confirm`" in reply.text
    assert [b.label for b in reply.buttons] == ["Share my progress", "Not now"]
    assert bot.db["peers"].count == 0
    (done,) = await press(bot, reply.buttons[0].action)
    assert done.text.startswith("Done")
    row = bot.db["peers"].get(bot.pseudonym(DTL))
    assert row["name"] == "Dana" and row["consented_at"] == bot.now_iso()


async def test_not_now_shares_nothing(bot):
    (reply,) = await say(bot, "peers on")
    (cancelled,) = await press(bot, reply.buttons[1].action)
    assert "nothing is shared" in cancelled.text
    assert bot.db["peers"].count == 0


async def test_peers_on_twice_says_you_already_share_since_the_date(bot, clock):
    await opt_in(bot, DTL)
    clock.advance(days=3)
    (again,) = await say(bot, "peers on")
    assert "already share" in again.text and "2026-11-24" in again.text
    (confirmed,) = await say(bot, "peers on confirm")
    assert "already share" in confirmed.text
    assert bot.db["peers"].get(bot.pseudonym(DTL))["consented_at"].startswith("2026-11-24")


async def test_opting_in_with_no_ballot_says_what_will_show_once_you_vote(bot):
    (preview,) = await say(bot, "peers on")
    assert "not voted in a poll yet" in preview.text
    (done,) = await say(bot, "peers on confirm")
    assert "once you vote" in done.text


async def test_peers_off_removes_you_at_once(bot):
    await a_poll_with_votes(bot)
    (before,) = await say(bot, "peers telephony")
    assert "Ali" in shown(before)
    (off,) = await say(bot, "peers off", ALI)
    assert off.text.startswith("Done")
    (after,) = await say(bot, "peers telephony")
    assert "Ali" not in shown(after) and "Bea" in shown(after)
    (twice,) = await say(bot, "peers off", ALI)
    assert "not sharing" in twice.text


async def test_organisers_see_the_count_never_the_names(bot):
    await a_poll_with_votes(bot)
    (count,) = await say(bot, "peers count", ORGANISER)
    assert "2 DTLs share" in count.text
    assert "Ali" not in count.text and not count.mentions
    (overview,) = await say(bot, "peers", ORGANISER)
    assert "2 DTLs share" in overview.text
    (refused,) = await say(bot, "peers count", DTL)
    assert "Only forum organisers" in refused.text
    (mine,) = await say(bot, "peers", DTL)
    assert "DTLs share" not in mine.text


async def test_my_data_shows_the_consent_its_date_and_what_is_shared(bot):
    await opt_in(bot, DTL)
    (data,) = await say(bot, "my data")
    assert "Sharing your progress with other DTLs" in data.text
    assert "You agreed on 2026-11-24" in data.text and "Dana" in data.text


async def test_the_privacy_notice_says_what_is_shared_with_whom(bot):
    (notice,) = await say(bot, "privacy")
    assert "Sharing your progress with other DTLs" in notice.text  # the kind, in plain words
    assert "never your ranking" in notice.text
    assert "organisers see only how many" in notice.text
    assert "`peers off` stops sharing" in notice.text and "`peers on`" in notice.text


# Who is working on a priority


async def test_peers_lists_only_opted_in_people_furthest_along_first(bot):
    await a_poll_with_votes(bot)
    (reply,) = await say(bot, "peers 1")
    text = shown(reply)
    assert "Cloud-based telephony" in text
    assert "Cal" not in text  # embedded too, but never agreed to be shown
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert lines == ["- Ali, Oldham East PCN: embedded", "- Bea, Bury North: in progress"]


async def test_a_priority_can_be_named_by_number_id_or_words(bot):
    await a_poll_with_votes(bot)
    for words in ("1", "telephony", "cloud phones", "Cloud-based telephony", "phone systems"):
        (reply,) = await say(bot, f"peers {words}")
        assert "Who is working on Cloud-based telephony" in reply.text, words
    (website,) = await say(bot, "peers our website")
    assert "Websites and social media" in website.text


async def test_words_follow_an_edited_priority_list_without_code(bot):
    from dataclasses import replace

    from bot.kernel.content import Priority

    bot.content = replace(bot.content, priorities=[
        Priority("telephony", "Switchboards", "Replacing analogue phone lines."),
        *bot.content.priorities[1:]])
    await a_poll_with_votes(bot)
    (reply,) = await say(bot, "peers analogue lines")
    assert "Who is working on Switchboards" in reply.text


async def test_natural_questions_get_the_same_answer_and_never_reach_the_ballot(bot):
    await a_poll_with_votes(bot)
    for question in ("who else is working on cloud telephony?",
                     "Who's working on telephony", "has anyone done cloud phones?",
                     "Is anyone doing telephony yet?"):
        (reply,) = await say(bot, question)
        assert "Who is working on Cloud-based telephony" in reply.text, question
    (front,) = await say(bot, "has anyone done the digital front door?")
    assert "Who is working on Digital front door" in front.text
    assert "Ali" in shown(front)
    # Answered by peers: not logged as a question the bot could not answer.
    assert bot.db["questions"].count == 0
    # and the ballot is untouched
    assert bot.db.execute("select count(*) from ballots").fetchone()[0] == 3


async def test_other_questions_still_reach_the_answerer(bot):
    (reply,) = await say(bot, "What is the ARRS?")
    assert "ARRS" in reply.text
    assert bot.db["questions"].count == 1


async def test_an_empty_list_says_so_and_suggests_asking_the_forum(bot):
    await a_poll_with_votes(bot)
    (reply,) = await say(bot, "peers inclusion")
    assert "Nobody who shares their progress" in reply.text
    assert "`ask forum`" in reply.text


async def test_an_unknown_priority_lists_the_priorities(bot):
    (reply,) = await say(bot, "peers quantum blockchain")
    assert "I don't know which priority “quantum blockchain” is" in reply.text
    assert "- 1. Cloud-based telephony (`telephony`)" in reply.text
    (number,) = await say(bot, "peers 12")
    assert "I don't know which priority “12” is" in number.text
    (vague,) = await say(bot, "peers digital")
    assert "more than one priority" in vague.text and "Digital front door" in vague.text


async def test_typed_words_are_shown_back_without_markup(bot):
    (reply,) = await say(bot, "peers *<@U123>* [x](http://evil.example)")
    slack = to_mrkdwn(reply.text)
    assert "<@U123>" not in slack and "<http://evil.example" not in slack
    assert "[x](http://evil.example)" in to_plain(reply.text)  # shown as typed


async def test_a_pcn_name_with_markup_is_shown_as_text(bot):
    await in_channel(bot, "poll start Spring 2027", ORGANISER)
    await vote(bot, ALI, progress={"telephony": "embedded"}, pcn="**Big** [PCN](http://x.example)")
    await opt_in(bot, ALI)
    (reply,) = await say(bot, "peers telephony")
    assert "**Big** [PCN](http://x.example)" in to_plain(reply.text)  # as typed, not markup
    slack = to_mrkdwn(reply.text)
    assert "*Big*" not in slack and "<http://x.example" not in slack


async def test_the_asker_is_not_listed_to_themselves(bot):
    await a_poll_with_votes(bot)
    (reply,) = await say(bot, "peers telephony", ALI)
    assert "Ali" not in shown(reply) and "Bea" in shown(reply)


async def test_the_latest_ballot_counts(bot):
    await a_poll_with_votes(bot)
    await in_channel(bot, "poll close", ORGANISER)
    await in_channel(bot, "poll start Autumn 2027", ORGANISER)
    await vote(bot, ALI, progress={"telephony": "planning"}, pcn="Oldham East PCN")
    (reply,) = await say(bot, "peers telephony")
    assert "Ali" not in shown(reply) and "Bea" in shown(reply)


async def test_forget_me_removes_someone_from_later_answers(bot):
    await a_poll_with_votes(bot)
    (done,) = await say(bot, "forget me confirm", BEA)
    assert "no DTL will see you" in done.text
    (reply,) = await say(bot, "peers telephony")
    assert "Bea" not in shown(reply) and "Ali" in shown(reply)
    assert bot.db["peers"].count == 1


# Introductions


async def closed_poll_with_peers(bot, clock):
    """Dana ranks telephony and front door top and has started neither; Ali and Bea are
    further along; everyone shares; the poll then closes on time."""
    await in_channel(bot, "poll start Spring 2027 closes 2026-11-30", ORGANISER)
    await vote(bot, DTL, order=IDS, progress={"telephony": "planning"}, pcn="Salford")
    await vote(bot, ALI, progress={"telephony": "embedded", "front-door": "embedded"},
               pcn="Oldham East PCN")
    await vote(bot, BEA, progress={"telephony": "in-progress"}, pcn="Bury North")
    await vote(bot, CAL, progress={"bi": "embedded"}, pcn="Wigan")
    for user in (DTL, ALI, BEA, CAL):
        await opt_in(bot, user)
    sender = RecordingSender()
    bot.attach("console", sender)
    clock.advance(days=7)
    return sender


def dms_to(sender, user):
    return [replies for conversation, replies in sender.posts
            if conversation.id == user.id and conversation.is_direct]


async def test_after_a_poll_closes_each_opted_in_dtl_gets_one_introduction(bot, clock):
    sender = await closed_poll_with_peers(bot, clock)
    assert next_wake(bot) == clock.now()
    await run_due(bot)
    (dana,) = dms_to(sender, DTL)
    text = shown(dana[0])
    assert "Spring 2027" in text
    assert "- Ali, Oldham East PCN (embedded: Cloud-based telephony; embedded: Digital " \
           "front door)" in text
    assert "- Bea, Bury North (in progress: Cloud-based telephony)" in text
    assert "Cal" not in text  # not further along on Dana's top three
    # Bea is further behind than Ali on telephony: Ali is suggested to her.
    (bea,) = dms_to(sender, BEA)
    assert "Ali" in shown(bea[0])
    # Ali is furthest along on his own top three: nobody to suggest, so no message.
    assert dms_to(sender, ALI) == []
    # Running again sends nothing more.
    await run_due(bot)
    clock.advance(days=1)
    await run_due(bot)
    assert len(dms_to(sender, DTL)) == 1


async def test_nobody_is_suggested_to_the_same_person_twice_within_three_months(bot, clock):
    sender = await closed_poll_with_peers(bot, clock)
    await run_due(bot)
    (suggest,) = await say(bot, "peers suggest")
    assert "no one new to suggest" in suggest.text
    # The next poll closes a month later: still within three months of the introductions.
    await in_channel(bot, "poll start Winter 2027 closes 2027-01-05", ORGANISER)
    await vote(bot, DTL, order=IDS, progress={"telephony": "planning"})
    await vote(bot, ALI, progress={"telephony": "embedded"})
    clock.advance(days=40)
    await run_due(bot)
    assert len(dms_to(sender, DTL)) == 1
    # Three months on, Ali may be suggested again.
    clock.advance(days=60)
    (later,) = await say(bot, "peers suggest")
    assert "Ali" in shown(later)


async def test_people_not_opted_in_get_no_introduction_and_are_never_suggested(bot, clock):
    await in_channel(bot, "poll start Spring 2027 closes 2026-11-30", ORGANISER)
    await vote(bot, DTL, order=IDS, progress={"telephony": "planning"})
    await vote(bot, ALI, progress={"telephony": "embedded"})
    await opt_in(bot, DTL)
    sender = RecordingSender()
    bot.attach("console", sender)
    clock.advance(days=7)
    await run_due(bot)
    assert dms_to(sender, DTL) == dms_to(sender, ALI) == []
    await say(bot, "peers off")
    await opt_in(bot, ALI)
    (suggest,) = await say(bot, "peers suggest", ALI)
    assert "no one new" in suggest.text


async def test_peers_suggest_on_demand(bot, clock):
    await closed_poll_with_peers(bot, clock)
    (reply,) = await say(bot, "peers suggest")
    assert "Ali" in shown(reply) and "embedded: Cloud-based telephony" in shown(reply)
    (again,) = await say(bot, "peers suggest")
    assert "no one new to suggest" in again.text


async def test_peers_suggest_with_no_ballot_asks_you_to_vote_first(bot):
    (reply,) = await say(bot, "peers suggest")
    assert "need your ballot first" in reply.text


async def test_introductions_follow_a_poll_closed_by_an_organiser(bot, clock):
    await in_channel(bot, "poll start Spring 2027", ORGANISER)
    await vote(bot, DTL, order=IDS, progress={"telephony": "planning"})
    await vote(bot, ALI, progress={"telephony": "embedded"})
    for user in (DTL, ALI):
        await opt_in(bot, user)
    sender = RecordingSender()
    bot.attach("console", sender)
    assert bot.registry.tasks and next_wake(bot) > clock.now()
    await in_channel(bot, "poll close", ORGANISER)
    await run_due(bot)
    assert len(dms_to(sender, DTL)) == 1


async def test_a_poll_that_closed_long_before_gets_no_introductions(bot, clock):
    await in_channel(bot, "poll start Spring 2027 closes 2026-11-30", ORGANISER)
    await vote(bot, DTL, order=IDS, progress={"telephony": "planning"})
    await vote(bot, ALI, progress={"telephony": "embedded"})
    for user in (DTL, ALI):
        await opt_in(bot, user)
    clock.advance(days=40)
    sender = RecordingSender()
    bot.attach("console", sender)
    await run_due(bot)
    assert dms_to(sender, DTL) == dms_to(sender, ALI) == []
    assert clock.now() - timedelta(days=1) < next_wake(bot)


# Where peers is mentioned


async def test_the_welcome_mentions_peers(bot):
    replies = await bot.introduction(DTL, Conversation("console", "dana"))
    assert "`peers on`" in replies[0].text


async def test_the_ballot_confirmation_mentions_peers_once(bot):
    await in_channel(bot, "poll start Spring 2027", ORGANISER)
    first = await vote(bot, DTL)
    assert "`peers on`" in first.text
    again = await vote(bot, DTL, progress={"bi": "embedded"})
    assert "peers" not in again.text
    (typed,) = await say(bot, "rank 8 7 6 5 4 3 2 1")
    assert "peers" not in typed.text
    (partial,) = await say(bot, "rank 1 2 3 4 5 6 7 8", ALI)
    assert "`peers on`" in partial.text


async def test_a_who_question_about_no_priority_goes_to_the_answerer(bot):
    (reply,) = await say(bot, "Who is doing the toolkit's five steps?")
    assert "Who is working on" not in reply.text and "I don't know which priority" not in reply.text
    (other,) = await say(bot, "who else is working on quantum blockchain?")
    assert "I don't know which priority “quantum blockchain” is" in other.text


async def test_opting_in_from_a_channel_says_introductions_come_in_a_direct_chat(bot):
    (reply,) = await in_channel(bot, "peers on confirm", ALI)
    assert reply.text.startswith("Done") and "direct chat" in reply.text
    (direct,) = await say(bot, "peers on confirm", ALI)
    assert "already share" in direct.text


async def test_introductions_are_deleted_after_three_months(bot, clock):
    await closed_poll_with_peers(bot, clock)
    await run_due(bot)
    assert bot.db["peer_introductions"].count > 0
    from bot.features.peers.suggest import introductions_due

    assert introductions_due(bot) == clock.now() + timedelta(days=91)
    clock.advance(days=92)
    await run_due(bot)
    assert bot.db["peer_introductions"].count == 0
    (data,) = await say(bot, "my data")
    assert "I suggested you talk to" not in data.text
