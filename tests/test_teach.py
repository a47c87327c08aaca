"""Teaching the bot from chat: unanswered, answer, dismiss, askers told, bad input refused."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from adapters.console import Console
from bot.kernel.model import Action, Conversation, Reply, User
from tests.conftest import DTL, ORGANISER, REPO, press, say

UNKNOWN = "How do I set up GP Connect for our practices?"
ANSWER = "Ask your ICB's digital team: they hold the GP Connect agreements for the area."
SAM = User("console", "sam", name="Sam")


def sent_to(bot):
    """Record what the bot posts on its own, per conversation key."""
    posted: dict[str, list[Reply]] = {}

    async def sender(conversation: Conversation, replies: list[Reply]) -> None:
        posted.setdefault(conversation.key, []).extend(replies)

    bot.attach("console", sender)
    return posted


async def listed(bot) -> Reply:
    (reply,) = await say(bot, "unanswered", ORGANISER)
    return reply


async def test_unanswered_is_numbered_most_asked_first_with_similar_questions_grouped(bot):
    await say(bot, "Where do I park at the venue?")
    await say(bot, UNKNOWN)
    await say(bot, "how do i set up gp connect for our practices", SAM)
    await say(bot, "setting up GP Connect in practices?")
    reply = await listed(bot)
    lines = reply.text.splitlines()
    assert lines[1].startswith('1. "how do i set up gp connect for our practices" (asked 3 times)')
    assert 'also asked as "setting up gp connect in practices"' in lines[2]
    assert lines[3].startswith('2. "where do i park at the venue" (asked once)')
    labels = [b.label for b in reply.buttons]
    assert labels == ["Answer 1", "Dismiss 1", "Answer 2", "Dismiss 2"]


async def test_answer_n_text_publishes_at_once_for_every_asker_and_is_audited(bot):
    posted = sent_to(bot)
    await say(bot, UNKNOWN)
    await say(bot, "setting up GP Connect for our practices", SAM)
    await listed(bot)
    (reply,) = await say(bot, f"answer 1: {ANSWER}", ORGANISER)
    assert reply.text.startswith("Published **How do I set up GP Connect for our practices**")
    assert "I told 2 person(s)" in reply.text
    (answered,) = await say(bot, "how do I set up GP Connect for the practices")
    assert ANSWER in answered.text
    assert "DTL forum organisers, 24 November 2026" in answered.text
    (notice,) = posted["console:dana"]
    assert notice.text.startswith(
        'On 24 November 2026 you asked "How do I set up GP Connect for our practices?". '
        "The organisers have added an answer:")
    assert ANSWER in notice.text and "Reviewed November 2026" in notice.text
    assert len(posted["console:sam"]) == 1
    assert bot.db["teach_askers"].count == 0  # told: where they asked is deleted
    (trail,) = await say(bot, "audit", ORGANISER)
    assert "answer" in trail.text
    assert "No unanswered questions" in (await listed(bot)).text


async def test_the_answer_form_is_prefilled_and_publishes_with_its_fields(bot):
    await say(bot, UNKNOWN)
    await say(bot, "setting up GP Connect for our practices", SAM)
    reply = await listed(bot)
    (form_reply,) = await press(bot, reply.buttons[0].action, ORGANISER)
    form = form_reply.form
    fields = {f.id: f for f in form.fields}
    assert fields["title"].initial == "How do I set up GP Connect for our practices"
    assert "setting up gp connect for our practices" in fields["phrasings"].initial
    assert fields["review_by"].initial == "2027-11-24"
    assert fields["source"].required
    values = {"title": "Setting up GP Connect", "body": ANSWER,
              "source": "DTL forum meeting, 12 November 2026",
              "phrasings": "gp connect setup; connecting to gp connect",
              "related1": "dtl-role", "review_by": "2027-06-01"}
    (done,) = await press(bot, Action(form.id, values=values), ORGANISER)
    assert done.text.startswith("Published **Setting up GP Connect**")
    entry = bot.content.entries["set-gp-connect-practices"]
    assert entry.source == "DTL forum meeting, 12 November 2026"
    assert entry.related == ("dtl-role",) and entry.review_by == "2027-06-01"
    assert entry.origin == "chat"
    (answered,) = await say(bot, "connecting to gp connect")
    assert ANSWER in answered.text


async def test_a_form_with_no_source_or_no_answer_is_kept_open_with_errors(bot):
    await say(bot, UNKNOWN)
    reply = await listed(bot)
    (form_reply,) = await press(bot, reply.buttons[0].action, ORGANISER)
    form_id = form_reply.form.id
    (again,) = await press(bot, Action(form_id, values={"title": "GP Connect", "body": ANSWER,
                                                        "source": ""}), ORGANISER)
    assert again.form is not None and again.form.has_errors
    errors = {f.id: f.error for f in again.form.fields if f.error}
    assert "source" in errors and "required" in errors["source"]
    (again,) = await press(bot, Action(form_id, values={"title": "GP Connect", "body": "  ",
                                                        "source": "forum"}), ORGANISER)
    assert "cannot be empty" in {f.id: f.error for f in again.form.fields}["body"]
    assert bot.db["taught_entries"].count == 0
    assert len(bot.content.entries) == len(bot.content.files)


async def test_bad_typed_answers_get_a_clear_message_and_store_nothing(bot):
    await say(bot, UNKNOWN)
    await listed(bot)
    cases = {
        "answer 99: something": "There is no item 99",
        "answer 1:": "cannot be empty",
        "answer 1: " + "x" * 20_000: "Keep the answer to 3,000 characters",
        "answer 1: see [this](javascript:alert(1))": "Links may only go to https://",
        "answer 1: see [this](JavaScript:alert(1))": "Links may only go to https://",
        "answer one": "Type `answer N`",
    }
    for text, expected in cases.items():
        (reply,) = await say(bot, text, ORGANISER)
        assert expected in reply.text, (text, reply.text)
    assert bot.db["taught_entries"].count == 0
    assert bot.db.execute("select count(*) from questions where resolved is not null"
                          ).fetchone()[0] == 0


async def test_answer_before_unanswered_asks_for_the_list_first(bot):
    await say(bot, UNKNOWN)
    (reply,) = await say(bot, "answer 1: text", ORGANISER)
    assert "Type `unanswered` first" in reply.text


async def test_non_organisers_cannot_answer_or_dismiss_by_word_or_button(bot):
    await say(bot, UNKNOWN)
    reply = await listed(bot)
    for text in ("answer 1: no", "dismiss 1", "unanswered"):
        (refused,) = await say(bot, text, SAM)
        assert refused.text.startswith("Only forum organisers"), text
    for button in reply.buttons:
        (refused,) = await press(bot, button.action, SAM)
        assert refused.text == "Only forum organisers can do that."
    (refused,) = await press(bot, Action("teach.answer:1", values={
        "title": "x", "body": "y", "source": "z"}), SAM)
    assert refused.text == "Only forum organisers can do that."
    assert bot.db["taught_entries"].count == 0


async def test_dismiss_removes_the_item_and_where_its_askers_asked(bot):
    posted = sent_to(bot)
    await say(bot, "asdf qwerty")
    await say(bot, UNKNOWN)
    await listed(bot)
    assert bot.db["teach_askers"].count == 2
    (reply,) = await say(bot, "dismiss 2", ORGANISER)
    assert reply.text.startswith('Dismissed "asdf qwerty"')
    assert bot.db["teach_askers"].count == 1
    text = (await listed(bot)).text
    assert "asdf" not in text and "gp connect" in text
    (reply,) = await say(bot, "dismiss 5", ORGANISER)
    assert "There is no item 5" in reply.text
    assert posted == {}


async def test_clinical_questions_are_never_offered_for_answering_nor_kept(bot):
    await say(bot, "what dose of amoxicillin for a child")
    assert "No unanswered questions" in (await listed(bot)).text
    assert bot.db["teach_askers"].count == 0


async def test_forget_me_before_the_answer_means_no_notice_and_nothing_kept(bot):
    posted = sent_to(bot)
    await say(bot, UNKNOWN)
    (mine,) = await say(bot, "my data")
    assert "Where you asked questions I could not answer yet" in mine.text
    assert "GP Connect" in mine.text
    await say(bot, "forget me confirm")
    assert bot.db["teach_askers"].count == 0
    await listed(bot)
    (reply,) = await say(bot, f"answer 1: {ANSWER}", ORGANISER)
    assert reply.text.startswith("Published")
    assert posted == {}


async def test_a_notice_that_cannot_be_sent_now_is_sent_later_by_the_task(bot, clock):
    from bot.kernel.scheduler import run_due

    await say(bot, UNKNOWN)
    await listed(bot)
    (reply,) = await say(bot, f"answer 1: {ANSWER}", ORGANISER)
    assert "I will tell 1 more" in reply.text
    posted = sent_to(bot)
    clock.advance(minutes=11)
    await run_due(bot)
    assert ANSWER in posted["console:dana"][0].text
    assert bot.db["teach_askers"].count == 0


async def test_an_open_askers_conversation_goes_when_retention_ends(bot, clock):
    from bot.kernel.scheduler import run_due

    await say(bot, UNKNOWN)
    clock.advance(days=bot.config.privacy.question_retention_days + 1)
    await run_due(bot)
    assert bot.db["teach_askers"].count == 0


async def test_typed_questions_are_shown_back_literally(bot):
    await say(bot, "what is [click](javascript:alert(1)) <!channel> **x**")
    text = (await listed(bot)).text
    assert '"what is \\[click\\](javascript:alert(1)) \\<!channel> \\*\\*x\\*\\*"' in text


async def test_console_shows_the_notice_in_the_askers_open_terminal(bot):
    out = io.StringIO()
    console = Console(bot, DTL, out)
    from adapters.console import run_console

    await run_console(bot, DTL, io.StringIO(UNKNOWN + "\n"), out)
    await listed(bot)
    await say(bot, f"answer 1: {ANSWER}", ORGANISER)
    assert "The organisers have added an answer" in out.getvalue()
    assert ANSWER in out.getvalue()
    assert console is not None


def test_dtlbot_ask_reads_taught_entries_read_only(tmp_path):
    config = tmp_path / "bot.toml"
    db_path = tmp_path / "bot.db"
    config.write_text(f'[storage]\npath = "{db_path}"\n')
    dtlbot = [sys.executable, "-m", "bot"]

    def run(args, stdin=""):
        result = subprocess.run(dtlbot + args, input=stdin, capture_output=True, text=True,
                                cwd=REPO, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run(["chat", "--config", str(config), "--as", "dana"], UNKNOWN + "\n")
    run(["chat", "--config", str(config), "--as", "olu", "--organiser"],
        f"unanswered\nanswer 1: {ANSWER}\n")
    before = db_path.stat().st_mtime_ns
    out = json.loads(run(["ask", "--config", str(config), "--json",
                          "how do i set up gp connect for our practices"]))
    assert out["answered"] and ANSWER in out["text"]
    assert out["topic"] == "set-gp-connect-practices"
    assert db_path.stat().st_mtime_ns == before


# --- ask the forum ---------------------------------------------------------------------------

CHANNEL = Conversation("console", "forum-channel", is_direct=False)
PEER = User("console", "pat", name="Pat")


async def in_channel(bot, text, user):
    from bot.kernel.model import Incoming

    return await bot.handle(Incoming(user, CHANNEL, text=text))


async def test_ask_the_forum_end_to_end_peer_answer_approved_and_asker_told(bot):
    posted = sent_to(bot)
    (on,) = await in_channel(bot, "questions here on", ORGANISER)
    assert "will be posted here" in on.text
    (refusal,) = await say(bot, UNKNOWN)
    ask = next(b for b in refusal.buttons if b.label == "Ask the forum")
    assert "`ask forum`" in refusal.text
    (confirm,) = await press(bot, ask.action)
    assert "without your name" in confirm.text
    (done,) = await press(bot, confirm.buttons[0].action)
    assert done.text.startswith("Posted to the forum (#1), without your name")
    (question,) = posted["console:forum-channel"]
    assert "A DTL asks" in question.text and "Dana" not in question.text
    (form_reply,) = await press(bot, question.buttons[0].action, PEER)
    form = form_reply.form
    (thanks,) = await press(bot, Action(form.id, values={
        "body": ANSWER, "source": "https://digital.nhs.uk/services/gp-connect",
        "name": "Pat from Oldham"}), PEER)
    assert "goes to the organisers for review" in thanks.text
    (refused,) = await say(bot, "review", PEER)
    assert refused.text.startswith("Only forum organisers")
    (queue,) = await say(bot, "review", ORGANISER)
    assert '"Pat from Oldham" answered' in queue.text
    assert [b.label for b in queue.buttons] == ["Approve 1", "Edit 1", "Reject 1"]
    (refused,) = await press(bot, queue.buttons[0].action, PEER)
    assert refused.text == "Only forum organisers can do that."
    (approved,) = await press(bot, queue.buttons[0].action, ORGANISER)
    assert approved.text.startswith("Published")
    (answered,) = await say(bot, "how do i set up gp connect for our practices", SAM)
    assert ANSWER in answered.text
    assert "Pat from Oldham, DTL forum, 24 November 2026" in answered.text
    (notice,) = posted["console:dana"]
    assert "A DTL in the forum answered it" in notice.text and ANSWER in notice.text
    assert "No answers from the forum" in (await say(bot, "review", ORGANISER))[0].text


async def test_typed_ask_forum_named_and_reply_words_and_reject(bot):
    posted = sent_to(bot)
    await in_channel(bot, "questions here on", ORGANISER)
    await say(bot, UNKNOWN)
    (confirm,) = await say(bot, "ask forum")
    assert "`ask forum confirm`" in confirm.text
    (done,) = await say(bot, "ask forum named")
    assert "with your name" in done.text
    assert '"Dana" asks' in posted["console:forum-channel"][0].text
    (again,) = await say(bot, "ask forum confirm")
    assert "already with the forum (#1)" in again.text
    (bad,) = await say(bot, "reply 1: see [x](javascript:alert(1))", PEER)
    assert "Not sent" in bad.text
    (bad,) = await say(bot, "reply 1: " + "x" * 20_000, PEER)
    assert "Keep the answer to 3,000 characters" in bad.text
    (bad,) = await say(bot, "reply 1:", PEER)
    assert "cannot be empty" in bad.text
    (bad,) = await say(bot, "reply 7: hello", PEER)
    assert "no open forum question #7" in bad.text
    (ok,) = await say(bot, f"reply 1: {ANSWER}", PEER)
    assert "review" in ok.text
    assert bot.db["peer_answers"].count == 1
    (rejected,) = await say(bot, "review reject 1", ORGANISER)
    assert "Rejected answer 1" in rejected.text
    assert bot.db["taught_entries"].count == 0
    (mine,) = await say(bot, "my data")
    assert "Questions you asked the forum" in mine.text
    await say(bot, "forget me confirm")
    row = next(bot.db["forum_posts"].rows)
    assert row["asker"] is None and row["asker_name"] is None


async def test_no_forum_conversation_means_no_ask_the_forum_button(bot):
    (refusal,) = await say(bot, UNKNOWN)
    assert ASK_LABEL not in [b.label for b in refusal.buttons]
    (reply,) = await say(bot, "ask forum")
    assert "No forum conversation takes questions yet" in reply.text


ASK_LABEL = "Ask the forum"


async def test_questions_here_is_for_organisers_and_can_be_turned_off(bot):
    (refused,) = await in_channel(bot, "questions here on", PEER)
    assert refused.text.startswith("Only forum organisers")
    await in_channel(bot, "questions here on", ORGANISER)
    (off,) = await in_channel(bot, "questions here off", ORGANISER)
    assert "no longer" in off.text
    assert bot.db["forum_channels"].count == 0


# --- content kept current from chat ----------------------------------------------------------

async def taught(bot):
    await say(bot, UNKNOWN)
    await listed(bot)
    await say(bot, f"answer 1: {ANSWER}", ORGANISER)
    return "set-gp-connect-practices"


async def test_content_list_shows_origin_review_by_and_feedback(bot):
    entry_id = await taught(bot)
    await press(bot, Action("feedback", value="down:forum-meetings"))
    (reply,) = await say(bot, "content list", ORGANISER)
    assert f"`{entry_id}` How do I set up GP Connect for our practices (taught in chat; " \
        "review by 2027-11-24)" in reply.text
    assert "`forum-meetings` How often the DTL forum meets (shipped file; no review-by date; " \
        "👍 0 👎 1)" in reply.text
    (refused,) = await say(bot, "content list")
    assert refused.text.startswith("Only forum organisers")


async def test_content_edit_of_a_file_entry_is_a_layer_shown_as_such_and_restorable(bot):
    (form_reply,) = await say(bot, "content edit forum-meetings", ORGANISER)
    form = form_reply.form
    assert {f.id: f.initial for f in form.fields}["title"] == "How often the DTL forum meets"
    values = {f.id: f.initial or "" for f in form.fields}
    values["body"] = "The forum meets online every two months, on Thursdays."
    (saved,) = await press(bot, Action(form.id, values=values), ORGANISER)
    assert saved.text.startswith("Saved `forum-meetings`")
    (answer,) = await say(bot, "how often does the forum meet")
    assert "on Thursdays" in answer.text and "Reviewed November 2026" in answer.text
    (shown,) = await say(bot, "content show forum-meetings", ORGANISER)
    assert "file, edited in chat" in shown.text
    assert "The shipped file's version" in shown.text
    (back,) = await say(bot, "content restore forum-meetings", ORGANISER)
    assert "back to its shipped file's version" in back.text
    (answer,) = await say(bot, "how often does the forum meet")
    assert "on Thursdays" not in answer.text
    (trail,) = await say(bot, "audit", ORGANISER)
    assert "content edit" in trail.text and "content restore" in trail.text


async def test_content_edit_in_words_and_bad_edits_store_nothing(bot):
    (saved,) = await say(bot, "content edit forum-meetings source: DTL forum meeting, "
                              "12 November 2026", ORGANISER)
    assert saved.text.startswith("Saved")
    assert bot.content.entries["forum-meetings"].source == "DTL forum meeting, 12 November 2026"
    before = dict(next(bot.db["taught_entries"].rows))
    for text, expected in {
        "content edit forum-meetings source:": "Say where the answer comes from",
        "content edit forum-meetings: [x](javascript:alert(1))": "Links may only go",
        "content edit forum-meetings review_by: 2020-01-01": "must be in the future",
        "content edit nothing-here: x": "There is no entry `nothing-here`",
    }.items():
        (reply,) = await say(bot, text, ORGANISER)
        assert expected in reply.text, (text, reply.text)
    assert dict(next(bot.db["taught_entries"].rows)) == before


async def test_retire_and_restore_a_taught_entry(bot):
    entry_id = await taught(bot)
    (retired,) = await say(bot, f"content retire {entry_id}", ORGANISER)
    assert retired.text.startswith(f"Retired `{entry_id}`")
    (answer,) = await say(bot, "how do i set up gp connect for our practices", SAM)
    assert ANSWER not in answer.text
    (listing,) = await say(bot, "content list", ORGANISER)
    assert "taught in chat, retired" in listing.text
    (restored,) = await say(bot, f"content restore {entry_id}", ORGANISER)
    assert "live again" in restored.text
    (answer,) = await say(bot, "how do i set up gp connect for our practices", SAM)
    assert ANSWER in answer.text


async def test_retiring_a_file_entry_drops_links_to_it(bot):
    (retired,) = await say(bot, "content retire forum-join", ORGANISER)
    assert "no longer offered as related to" in retired.text
    assert "forum-join" not in bot.content.entries
    assert all("forum-join" not in e.related for e in bot.content.entries.values())
    await say(bot, "content restore forum-join", ORGANISER)
    assert "forum-join" in bot.content.entries
    assert bot.db["taught_entries"].count == 0


async def test_content_stale_and_the_monthly_nudge(bot, clock, config):
    from bot.kernel.scheduler import run_due

    posted = sent_to(bot)
    config.teach.nudge_channels = ["console:organisers"]
    entry_id = await taught(bot)
    (reply,) = await say(bot, "content stale", ORGANISER)
    assert "No entry is past its review-by date" in reply.text
    assert "have no review-by date" in reply.text
    clock.advance(days=400)
    (reply,) = await say(bot, "content stale", ORGANISER)
    assert f"`{entry_id}`" in reply.text and "past the review-by date" in reply.text
    await run_due(bot)
    (nudge,) = posted["console:organisers"]
    assert f"`{entry_id}`" in nudge.text
    await run_due(bot)
    assert len(posted["console:organisers"]) == 1  # once a month
    clock.advance(days=31)
    await run_due(bot)
    assert len(posted["console:organisers"]) == 2


async def test_a_reload_that_finds_a_file_changed_under_a_chat_edit_says_so(bot, config,
                                                                           tmp_path):
    import shutil

    folder = tmp_path / "content"
    shutil.copytree(REPO / "content", folder)
    config.content.path = str(folder)
    assert bot.reload_content() == []
    await say(bot, "content edit forum-meetings: The forum meets every two months.", ORGANISER)
    path = folder / "entries" / "forum-meetings.md"
    path.write_text(path.read_text().replace("every two months", "every second month"))
    (reply,) = await say(bot, "content reload", ORGANISER)
    assert "The file for `forum-meetings` changed since it was edited in chat" in reply.text


def test_export_round_trip_check_and_same_answers(tmp_path):
    config = tmp_path / "bot.toml"
    db_path = tmp_path / "bot.db"
    config.write_text(f'[storage]\npath = "{db_path}"\n')
    dtlbot = [sys.executable, "-m", "bot"]

    def run(args, stdin="", check=True):
        result = subprocess.run(dtlbot + args, input=stdin, capture_output=True, text=True,
                                cwd=REPO, timeout=60)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    run(["chat", "--config", str(config), "--as", "dana"], UNKNOWN + "\n")
    run(["chat", "--config", str(config), "--as", "olu", "--organiser"],
        f"unanswered\nanswer 1: {ANSWER}\ncontent retire forum-join\n"
        "content edit forum-meetings: The forum meets **online** every two months.\n")
    out = tmp_path / "export"
    result = run(["content", "export", "--config", str(config), str(out)])
    assert "2 taught or edited in chat, 1 retired left out" in result.stdout
    assert (out / "entries" / "set-gp-connect-practices.md").is_file()
    assert not (out / "entries" / "forum-join.md").exists()
    assert run(["content", "export", "--config", str(config), str(out)],
               check=False).returncode != 0  # not empty: needs --force
    exported = tmp_path / "exported.toml"
    exported.write_text(f'[storage]\npath = "{tmp_path / "fresh.db"}"\n'
                        f'[content]\npath = "{out}"\n')
    assert "content ok" in run(["content", "check", "--config", str(exported)]).stdout
    questions = "\n".join(["how do i set up gp connect for our practices",
                           "how often does the forum meet", "what is the toolkit",
                           "how do i join the forum"]) + "\n"
    before = run(["ask", "--config", str(config), "--json", "-"], questions).stdout
    after = run(["ask", "--config", str(exported), "--json", "-"], questions).stdout
    assert before == after
    assert ANSWER in before


# --- feedback that says what was wrong -------------------------------------------------------

async def test_thumbs_down_asks_what_was_wrong_and_feedback_lists_it(bot):
    (answer,) = await say(bot, "how often does the forum meet")
    down = next(b for b in answer.buttons if b.label.startswith("👎"))
    (ask,) = await press(bot, down.action)
    assert "What was wrong with it?" in ask.text
    labels = [b.label for b in ask.buttons]
    assert labels == ["It answered a different question", "It is out of date",
                      "Not enough detail", "Something else", "Tell us more"]
    (thanks,) = await press(bot, ask.buttons[1].action)
    assert "the organisers will see" in thanks.text
    await press(bot, down.action, SAM)
    (form_reply,) = await press(bot, Action("teach.why-form",
                                            value=str(bot.db["feedback"].count)), SAM)
    (thanks,) = await press(bot, Action(form_reply.form.id, values={
        "reason": "not-enough", "text": "Which day of the week? <!channel>"}), SAM)
    assert "Thank you" in thanks.text
    (forged,) = await press(bot, Action(form_reply.form.id, values={"reason": "other"}))
    assert forged.text == "I could not record that."  # not Dana's vote
    (listing,) = await say(bot, "feedback", ORGANISER)
    assert "1. `forum-meetings` How often the DTL forum meets: 👎 2, 👍 0" in listing.text
    assert "it is out of date 1" in listing.text and "not enough detail 1" in listing.text
    assert '"Which day of the week? \\<!channel>"' in listing.text
    assert listing.buttons[0].action == Action("teach.edit", value="forum-meetings")
    (refused,) = await say(bot, "feedback")
    assert refused.text.startswith("Only forum organisers")
    (mine,) = await say(bot, "my data", SAM)
    assert "What you said was wrong with answers" in mine.text
    await say(bot, "forget me confirm", SAM)
    assert [r["text"] for r in bot.db["feedback_reasons"].rows] == [None, None]


async def test_typed_not_helpful_words_attach_to_the_last_thumbs_down(bot):
    (reply,) = await say(bot, "not helpful it is wrong")
    assert "Press 👎 under an answer first" in reply.text
    await press(bot, Action("feedback", value="down:forum-meetings"))
    (reply,) = await say(bot, "not helpful the dates changed")
    assert "Thank you" in reply.text
    assert next(bot.db["feedback_reasons"].rows)["text"] == "the dates changed"


# --- the eight priorities --------------------------------------------------------------------

async def test_priorities_set_changes_the_next_poll_but_not_an_open_one(bot):
    (shown,) = await say(bot, "priorities")
    assert shown.text.startswith("The forum's eight priorities:\n1. **Cloud-based telephony**")
    assert "reconstruction" in shown.text
    await say(bot, "poll start Spring 2027", ORGANISER)
    (saved,) = await say(bot, "priorities set 3 Cyber security: Keeping practices' systems "
                              "and data safe.", ORGANISER)
    assert saved.text.startswith("Saved")
    assert "3. **Cyber security**: Keeping practices' systems and data safe." in saved.text
    ids = [p.id for p in bot.content.priorities]
    assert ids[2] == "cyber-security" and ids[0] == "telephony"  # unchanged ids kept
    open_poll = next(bot.db["polls"].rows)
    assert "Cyber security" not in open_poll["priorities"]
    await say(bot, "poll close", ORGANISER)
    await say(bot, "poll start Autumn 2027", ORGANISER)
    newest = list(bot.db["polls"].rows_where(order_by="id desc"))[0]
    assert "Cyber security" in newest["priorities"]
    (trail,) = await say(bot, "audit", ORGANISER)
    assert "priorities set" in trail.text


async def test_bad_priorities_are_refused_and_nothing_changes(bot):
    before = list(bot.content.priorities)
    for text, expected in {
        "priorities set 9 X: y": "1 to 8",
        "priorities set 2 Cloud-based telephony: same title twice": "same title as another",
        "priorities set 2 Websites:": "needs a description",
        "priorities set two": "Type `priorities set N TITLE: DESCRIPTION`",
    }.items():
        (reply,) = await say(bot, text, ORGANISER)
        assert expected in reply.text, (text, reply.text)
    (refused,) = await say(bot, "priorities edit", SAM)
    assert refused.text.startswith("Only forum organisers")
    (refused,) = await say(bot, "priorities set 1 A: b", SAM)
    assert refused.text.startswith("Only forum organisers")
    (refused,) = await press(bot, Action("teach.priorities", values={}), SAM)
    assert refused.text == "Only forum organisers can do that."
    assert bot.content.priorities == before
    assert bot.db["taught_priorities"].count == 0


async def test_the_priorities_form_saves_eight_and_shows_errors_on_fields(bot):
    (reply,) = await say(bot, "priorities edit", ORGANISER)
    form = reply.form
    values = {f.id: f.initial for f in form.fields}
    assert len(values) == 16 and values["title1"] == "Cloud-based telephony"
    values["description8"] = ""
    (again,) = await press(bot, Action(form.id, values=values), ORGANISER)
    assert {f.id: f.error for f in again.form.fields}["description8"]
    values["description8"] = "Making sure every patient can use digital services."
    (saved,) = await press(bot, Action(form.id, values=values), ORGANISER)
    assert saved.text.startswith("Saved")
    assert bot.db["taught_priorities"].count == 8
    assert bot.content.priorities[7].description.startswith("Making sure every patient")


async def test_review_edit_opens_the_form_and_publishes_the_edited_answer(bot):
    posted = sent_to(bot)
    await in_channel(bot, "questions here on", ORGANISER)
    (refusal,) = await say(bot, UNKNOWN)
    assert "I'll tell you here" in refusal.text
    await say(bot, "ask forum confirm")
    await say(bot, "reply 1 as Pat: Ask the ICB.", PEER)
    (form_reply,) = await say(bot, "review edit 1", ORGANISER)
    form = form_reply.form
    values = {f.id: f.initial or "" for f in form.fields}
    assert values["source"] == "Pat, DTL forum, 24 November 2026"
    values["body"] = ANSWER
    (done,) = await press(bot, Action(form.id, values=values), ORGANISER)
    assert done.text.startswith("Published")
    assert ANSWER in posted["console:dana"][0].text
    (again,) = await say(bot, "review approve 1", ORGANISER)
    assert "no answer 1 waiting" in again.text


async def test_taught_entries_survive_a_restart(bot, config, clock):
    from bot.app import create_bot

    await taught(bot)
    await say(bot, "priorities set 3 Cyber security: Keeping systems safe.", ORGANISER)
    again = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "test-secret"})
    try:
        assert "set-gp-connect-practices" in again.content.entries
        assert again.content.priorities[2].title == "Cyber security"
    finally:
        again.close()


async def test_a_message_with_nothing_to_answer_gets_no_promise(bot):
    (reply,) = await say(bot, "ok thanks")
    assert "I'll tell you here" not in reply.text
    assert bot.db["teach_askers"].count == 0


async def test_an_answer_given_in_another_process_is_sent_by_the_server(bot, config, clock):
    from bot.app import create_bot
    from bot.kernel.scheduler import run_due

    server = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "test-secret"})
    try:
        posted = sent_to(server)
        await say(server, UNKNOWN)
        # The organiser answers from a `dtlbot chat` process, which cannot reach the asker.
        await listed(bot)
        (reply,) = await say(bot, f"answer 1: {ANSWER}", ORGANISER)
        assert "I will tell 1 more" in reply.text
        clock.advance(minutes=2)
        await run_due(server)
        assert ANSWER in posted["console:dana"][0].text
    finally:
        server.close()


async def test_a_title_made_from_a_question_carries_no_markup_or_link(bot):
    await say(bot, "what is [click](javascript:alert(1)) <!channel> **gp connect**?")
    await listed(bot)
    (reply,) = await say(bot, f"answer 1: {ANSWER}", ORGANISER)
    assert reply.text.startswith("Published")
    (entry,) = [e for e in bot.content.entries.values() if e.origin == "chat"]
    assert entry.title == "What is click ( alert(1)) !channel gp connect"


async def test_taught_content_survives_a_backup_and_restore(bot, config, clock, tmp_path):
    from bot.app import create_bot
    from bot.features import ops

    entry_id = await taught(bot)
    await say(bot, "content retire forum-join", ORGANISER)
    copy = ops.backup(config.storage.path, tmp_path / "backup.db")
    config.storage.path = str(copy)
    restored = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "test-secret"})
    try:
        assert entry_id in restored.content.entries
        assert "forum-join" not in restored.content.entries
        (answer,) = await say(restored, "how do i set up gp connect for our practices", SAM)
        assert ANSWER in answer.text
    finally:
        restored.close()


async def test_export_into_a_copy_of_content_changes_only_what_chat_changed(bot, tmp_path):
    import filecmp
    import shutil

    from bot.features.teach.export import write_content

    folder = tmp_path / "content"
    shutil.copytree(REPO / "content", folder)
    await say(bot, "content edit forum-meetings: The forum meets online every two months.",
              ORGANISER)
    write_content(bot.content, bot.config.content.path, folder)
    changed = [name for name in sorted(p.name for p in (REPO / "content" / "entries").iterdir())
               if not filecmp.cmp(REPO / "content" / "entries" / name,
                                  folder / "entries" / name, shallow=False)]
    assert changed == ["forum-meetings.md"]
    text = (folder / "entries" / "forum-meetings.md").read_text()
    assert "reviewed: 2026-11-24" in text and "review_by: 2027-11-24" in text


async def test_priorities_followed_by_other_words_is_a_question(bot):
    (reply,) = await say(bot, "priorities of the forum agreed at the first meeting")
    assert not reply.text.startswith("The forum's eight priorities:")
