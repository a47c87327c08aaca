"""The web chat in a real browser: headless Chromium on the page a real `dtlbot serve` serves."""

import asyncio
import json
import shutil
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
from aiohttp import web

from bot.features.polls import store as polls
from bot.kernel.model import ChoiceField, Conversation, File, Form, Image, Option, Reply, TextField
from bot.server import create_app
from tests.fakes.served import dtlbot_serve, free_port

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python not installed")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and shutil.which("chromium") is None,
    reason="no Chromium installed (apt-get install -y chromium); .ci/run installs it",
)
expect = sync_api.expect


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with dtlbot_serve(tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


def start_chat(page, served, name="Dana Smith"):
    page.goto(served.url)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your name").press("Enter")
    expect(page.get_by_text("Hello, I'm the DTL Forum Bot")).to_be_visible()


def send(page, text):
    box = page.get_by_label("Message to the bot")
    box.fill(text)
    box.press("Enter")


def test_a_person_asks_a_question_and_follows_a_related_topic(page, served):
    start_chat(page, served)
    expect(page.get_by_text("Demo mode:")).to_be_visible()
    expect(page.locator("#who-name")).to_have_text("Dana Smith")
    page.get_by_label("Message to the bot").fill("how often does the forum meet")
    page.get_by_label("Message to the bot").press("Enter")
    answer = page.locator(".msg.bot").filter(has_text="online every two months")
    expect(answer).to_be_visible()
    # Bold from the Markdown subset is bold, not asterisks.
    expect(answer.locator("strong").first).to_have_text("How often the DTL forum meets")
    answer.get_by_role("button", name="How to join the DTL forum").click()
    follow_up = page.locator(".msg.bot").last
    expect(follow_up.locator("strong").first).to_have_text("How to join the DTL forum")
    # The name is remembered: a reload goes straight back to the chat.
    page.reload()
    expect(page.locator("#who-name")).to_have_text("Dana Smith")
    expect(page.get_by_label("Message to the bot")).to_be_focused()


def pixel_png() -> bytes:
    """A valid 1x1 PNG, made here rather than shipped."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x5e\xb8")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(
        b"IEND", b"")


def reply_json(*replies: Reply) -> str:
    return json.dumps({"replies": [r.to_json() for r in replies]})


BALLOT = Form(
    "ballot", "Rank the priorities", submit_label="Cast my ballot",
    fields=(
        ChoiceField("first", "Ranked first", (Option("cyber", "Cyber security"),
                                              Option("data", "Data quality"))),
        TextField("lead", "Who is leading it"),
    ),
)


def test_forms_images_files_render_and_a_rejected_form_is_shown_again_in_place(page, served):
    rejected = Form(
        BALLOT.id, BALLOT.title, submit_label=BALLOT.submit_label,
        error="Please fix the ballot.",
        fields=(BALLOT.fields[0], TextField("lead", "Who is leading it", error="Say who leads it")),
    )
    answers = {
        "ballot please": reply_json(Reply("Here is the ballot.", form=BALLOT)),
        "chart please": reply_json(Reply(
            "Results <img src=x onerror=alert(1)> [click](javascript:alert(1))",
            image=Image(pixel_png(), alt="Bar chart of the results"),
            file=File(b"rank,item\n1,cyber\n", "results.csv", mime="text/csv"),
        )),
    }
    submissions = []

    def answer(route):
        body = route.request.post_data_json
        if "action" in body:
            submissions.append(body["action"]["values"])
            done = len(submissions) > 1
            replies = reply_json(Reply("Ballot saved.")) if done else reply_json(
                Reply("", form=rejected))
            return route.fulfill(status=200, content_type="application/json", body=replies)
        return route.fulfill(status=200, content_type="application/json",
                             body=answers[body["text"]])

    page.route("**/chat/api/messages", answer)
    start_chat(page, served, "Olu")
    box = page.get_by_label("Message to the bot")
    box.fill("ballot please")
    box.press("Enter")
    form = page.locator("form.botform")
    expect(form.get_by_role("group", name="Rank the priorities")).to_be_visible()
    form.get_by_label("Ranked first").select_option("data")
    form.get_by_role("button", name="Cast my ballot").click()
    # Replaced in place, with the errors and the person's choice kept.
    expect(page.get_by_text("Please fix the ballot.")).to_be_visible()
    expect(page.locator("form.botform")).to_have_count(1)
    expect(page.get_by_label("Ranked first")).to_have_value("data")
    expect(page.get_by_text("Say who leads it")).to_be_visible()
    lead = page.get_by_label("Who is leading it")
    expect(lead).to_have_attribute("aria-invalid", "true")
    expect(lead).to_be_focused()
    lead.fill("Sam")
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_text("Ballot saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Cast my ballot")).to_be_disabled()
    assert submissions == [{"first": "data", "lead": ""}, {"first": "data", "lead": "Sam"}]

    box.fill("chart please")
    box.press("Enter")
    chart = page.get_by_role("img", name="Bar chart of the results")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") == 1  # decoded, not a broken image
    message = page.locator(".msg.bot").last
    # Markup in replies is shown as text, never run; unsafe links are not links.
    expect(message).to_contain_text("<img src=x onerror=alert(1)>")
    assert message.locator("a[href^='javascript']").count() == 0
    download = page.get_by_role("link", name="Download results.csv")
    with page.expect_download() as started:
        download.click()
    path = started.value.path()
    assert Path(path).read_bytes() == b"rank,item\n1,cyber\n"


def test_the_page_reads_well_on_a_phone(browser, served):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    start_chat(page, served, "Sam")
    page.get_by_label("Message to the bot").fill("what is ARRS")
    page.get_by_label("Message to the bot").press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text("Additional Roles Reimbursement")
    # Nothing wider than the screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


@pytest.fixture
def in_process(bot):
    """The real application on a loopback port, in a thread, with the bot reachable from here."""
    # Playwright's sync API runs a loop in this thread, so the server gets a thread of its own.
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(bot, start_scheduler=False))
    port = free_port()
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)

    def call(coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(10)

    yield f"http://127.0.0.1:{port}/", call
    call(runner.cleanup())
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def test_a_reminder_the_bot_sends_on_its_own_appears_without_a_reload(page, bot, in_process):
    url, call = in_process
    page.goto(url)
    page.get_by_label("Your name").fill("Dana")
    page.get_by_role("button", name="Start chatting").click()
    expect(page.get_by_text("Hello, I'm the DTL Forum Bot")).to_be_visible()
    # The stream opens with the token that the name's first message brings.
    send(page, "help")
    expect(page.locator(".msg.bot").last).to_contain_text("Ask me")
    wait_for_stream(call, bot)
    call(bot.send(Conversation("webchat", "dana"), [Reply("**Reminder**: the forum meets soon.")]))
    reminder = page.locator(".msg.proactive")
    expect(reminder).to_contain_text("Message from the bot")
    expect(reminder.locator("strong")).to_have_text("Reminder")
    # A reload shows it once, from the page's own history, not delivered again.
    page.reload()
    expect(page.get_by_text("Hello, I'm the DTL Forum Bot")).to_be_visible()
    wait_for_stream(call, bot)
    expect(page.locator(".msg.proactive")).to_have_count(1)


def wait_for_stream(call, bot, timeout: float = 10.0) -> None:
    """Block until Dana's page has its event stream open."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bot.senders["webchat"].__self__.outbox.streams("dana"):
            return
        time.sleep(0.05)
    raise AssertionError("the page never opened its event stream")


def test_the_ballot_on_a_phone_is_reordered_by_moving_grouped_and_shows_its_first_error(
    browser, served
):
    context = browser.new_context(viewport={"width": 390, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    start_chat(page, served, "Olu")
    box = page.get_by_label("Message to the bot")
    box.fill("poll start Phone ballot")
    box.press("Enter")
    expect(page.get_by_text("Priority poll: Phone ballot")).to_be_visible()
    page.locator(".msg.bot").last.get_by_role("button", name="Rank your priorities").click()
    form = page.locator("form.botform").last
    # The form opens at its top, not scrolled to its last field.
    expect(form.locator("legend").first).to_be_in_viewport()
    # Each priority's lead and progress sit together under its name.
    group = form.get_by_role("group", name="Cloud-based telephony (#1)")
    expect(group.get_by_label("Who is leading it (optional)")).to_be_visible()
    # Priorities are put in order by moving them: a button, then the keyboard.
    order = form.locator(".order-item")
    expect(order.first).to_contain_text("1.Cloud-based telephony (#1)")
    form.get_by_role("button", name="Move Digital front door (#2) up").click()
    expect(order.first).to_contain_text("Digital front door")
    expect(form.locator(".order-status")).to_have_text("Digital front door (#2) is now number 1.")
    third = order.nth(2)
    expect(third).to_contain_text("Websites and social media")
    third.focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(order.nth(3)).to_contain_text("Websites and social media")
    expect(order.nth(3)).to_be_focused()
    # And by dragging: the last one onto the fourth place.
    order.last.drag_to(order.nth(3))
    expect(order.nth(3)).to_contain_text("Digital inclusion")
    expect(order.nth(4)).to_contain_text("Websites and social media")
    group.get_by_label("How far along (optional)").select_option("planning")
    form.get_by_role("button", name="Submit ballot").click()
    saved = page.locator(".msg.bot").filter(has_text="is saved").last
    places = saved.locator("li")
    expect(places.nth(0)).to_contain_text("Digital front door (#2)")
    expect(places.nth(3)).to_contain_text("Digital inclusion (#8)")
    expect(places.nth(4)).to_contain_text("Websites and social media (#3)")

    # Sent again after the poll closed: refused, with the message in view and focused.
    page.locator(".msg.bot").filter(has_text="is saved").last.get_by_role(
        "button", name="Rank your priorities").click()
    again = page.locator("form.botform").last
    box.fill("poll close")
    box.press("Enter")
    expect(page.get_by_text("Results: Phone ballot")).to_be_visible()
    again.get_by_role("button", name="Submit ballot").click()
    refused = page.locator("form.botform").last.locator(".form-error")
    expect(refused).to_contain_text("closed")
    expect(refused).to_be_focused()
    expect(refused).to_be_in_viewport()
    page.locator("form.botform").last.get_by_role("button", name="Submit ballot").click()
    expect(page.locator("form.botform").last.locator(".form-error")).to_be_focused()
    # One "Submit ballot" bubble per form (two forms here), however often each was sent.
    expect(page.locator(".msg.me").filter(has_text="Submit ballot")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_the_conversation_survives_a_reload_and_change_name_clears_it(page, served):
    start_chat(page, served, "Hana Reload")
    send(page, "what is ARRS")
    expect(page.locator(".msg.bot").last).to_contain_text("Additional Roles Reimbursement")
    page.reload()
    expect(page.locator(".msg.me")).to_have_text(["what is ARRS"])
    expect(page.locator(".msg.bot").last).to_contain_text("Additional Roles Reimbursement")
    page.get_by_role("button", name="Change name").click()
    page.get_by_label("Your name").fill("Hana Reload")
    page.get_by_label("Your name").press("Enter")
    # The same name comes back (this browser keeps its key), without the old conversation.
    expect(page.get_by_text("Hello, I'm the DTL Forum Bot")).to_be_visible()
    expect(page.locator(".msg.me")).to_have_count(0)
    send(page, "help")
    expect(page.locator(".msg.bot").last).to_contain_text("Ask me a question")


def test_forget_me_clears_what_the_browser_kept(page, served):
    start_chat(page, served, "Ivo Forget")
    send(page, "what is ARRS")
    expect(page.locator(".msg.bot").last).to_contain_text("Additional Roles Reimbursement")
    send(page, "forget me confirm")
    expect(page.locator(".msg.bot").last).to_contain_text("Freed your web chat name")
    # Scrolling afterwards (the position is saved 200 ms later) keeps nothing either.
    page.locator("main").evaluate("main => main.dispatchEvent(new Event('scroll'))")
    page.wait_for_timeout(400)
    kept = page.evaluate("Object.keys(localStorage)")
    assert not [k for k in kept if k.endswith("ivo forget")], kept
    page.reload()
    expect(page.get_by_label("Your name")).to_be_visible()


def test_a_second_browser_is_told_the_name_is_in_use_and_how_to_free_it(browser, page, served):
    start_chat(page, served, "Jo Twice")
    send(page, "help")
    expect(page.locator(".msg.bot").last).to_contain_text("Ask me a question")
    other = browser.new_context()
    second = other.new_page()
    second.goto(served.url)
    # Different spacing (a tab, a no-break space) and case are the same name.
    second.get_by_label("Your name").fill("jo\u00a0 TWICE")
    second.get_by_label("Your name").press("Enter")
    problem = second.locator("#name-error")
    expect(problem).to_contain_text("is in use in another browser")
    expect(problem).to_contain_text("webchat reset jo TWICE")
    expect(second.get_by_label("Your name")).to_have_attribute("aria-invalid", "true")
    other.close()


def test_a_rate_limited_message_stays_in_the_box_with_when_to_retry(page, served):
    def limited(route):
        return route.fulfill(status=429, content_type="application/json", headers={
            "Retry-After": "7"}, body=json.dumps({
                "error": "Too many messages at once: please wait 7 seconds and try again.",
                "retry_after": 7}))

    start_chat(page, served, "Kit Limited")
    page.route("**/chat/api/messages", limited)
    send(page, "when is the next forum")
    expect(page.get_by_role("status")).to_have_text(
        "Too many messages at once: please wait 7 seconds and try again.")
    expect(page.get_by_label("Message to the bot")).to_have_value("when is the next forum")
    expect(page.locator(".msg.me").last).to_contain_text("Not sent")


def test_feedback_buttons_have_text_labels_and_a_row_of_their_own(page, served):
    start_chat(page, served, "Lee Buttons")
    send(page, "how often does the forum meet")
    answer = page.locator(".msg.bot").filter(has_text="online every two months")
    rows = answer.locator(".buttons")
    expect(rows).to_have_count(2)
    expect(rows.first.get_by_role("button", name="How to join the DTL forum")).to_be_visible()
    feedback = rows.last.get_by_role("button")
    expect(feedback).to_have_text(["Helpful", "Not helpful"])
    # Drawn with shipped icons, not emoji (a browser without an emoji font shows boxes).
    assert rows.last.locator("img.icon").count() == 2
    assert rows.last.locator("img.icon").first.evaluate("i => i.naturalWidth") > 0


def test_numbered_lists_show_their_numbers_once(page, served):
    start_chat(page, served, "Mo Numbers")
    page.route("**/chat/api/messages", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=reply_json(Reply("Results:\n- 1. Cyber security\n- 2. Data quality\n- plain"))))
    send(page, "poll results")
    message = page.locator(".msg.bot").last
    expect(message.locator("ol > li")).to_have_text(["Cyber security", "Data quality"])
    expect(message.locator("ul > li")).to_have_text(["plain"])


def test_on_a_phone_the_header_is_compact_and_the_demo_notice_can_be_hidden(browser, served):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    start_chat(page, served, "Nia Phone With A Rather Long Name")
    expect(page.get_by_text("Demo mode:")).to_be_visible()
    top = page.evaluate("document.getElementById('main').getBoundingClientRect().top")
    assert top <= 90, f"header and notice take {top}px"
    page.get_by_role("button", name="Hide this notice").click()
    expect(page.get_by_text("Demo mode:")).to_be_hidden()
    page.reload()
    expect(page.locator("#who-name")).to_have_text("Nia Phone With A Rather Long Name")
    expect(page.get_by_text("Demo mode:")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_an_image_opens_full_size_and_closes_with_escape(page, served):
    start_chat(page, served, "Ola Image")
    page.route("**/chat/api/messages", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=reply_json(Reply("Chart", image=Image(pixel_png(), alt="Bar chart")))))
    send(page, "poll results")
    page.locator(".msg.bot").last.get_by_role("button", name="Bar chart").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("img", name="Bar chart")).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def assert_accessible(page, where: str) -> None:
    """axe-core's WCAG 2.2 A and AA rules find nothing on the page as it is now."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright",
                              reason="axe-playwright-python not installed").Axe()
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert not problems, f"{where}: " + "; ".join(problems)


def open_page(browser, url, viewport):
    context = browser.new_context(viewport=viewport, is_mobile=viewport["width"] < 500)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(url)
    return context, page


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                      {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_the_chat_the_ballot_with_errors_and_the_results_pass_wcag_22_aa(browser, served,
                                                                         viewport):
    context, page = open_page(browser, served.url, viewport)
    expect(page.get_by_label("Your name")).to_be_visible()
    assert_accessible(page, "the name step")
    page.get_by_label("Your name").fill(f"Axe {viewport['width']}")
    page.get_by_label("Your name").press("Enter")
    expect(page.get_by_text("Hello, I'm the DTL Forum Bot")).to_be_visible()
    send(page, "how often does the forum meet")
    expect(page.get_by_role("button", name="Not helpful")).to_be_visible()
    assert_accessible(page, "the chat")

    title = f"Spring {viewport['width']}"
    send(page, "poll close")  # the other viewport's poll, if it is still open
    expect(page.locator(".typing")).to_have_count(0)
    send(page, f"poll start {title}")
    announced = page.locator(".msg.bot").filter(has_text=f"Priority poll: {title}").last
    announced.get_by_role("button", name="Rank your priorities").click()
    form = page.locator("form.botform").last
    expect(form.get_by_role("button", name="Submit ballot")).to_be_visible()
    # The ranks come from the order shown, so the error a ballot can meet is its poll closing.
    send(page, "poll close")
    expect(page.get_by_text(f"Results: {title}").first).to_be_visible()
    form.get_by_role("button", name="Submit ballot").click()
    expect(page.locator(".form-error")).to_be_visible()
    assert_accessible(page, "the ballot with its errors shown")

    send(page, f"poll start {title} again")
    announced = page.locator(".msg.bot").filter(has_text=f"Priority poll: {title} again").last
    announced.get_by_role("button", name="Rank your priorities").click()
    form = page.locator("form.botform").last
    form.get_by_role("button", name="Move Digital front door (#2) up").click()
    form.get_by_role("button", name="Submit ballot").click()
    expect(form.locator(".done")).to_be_visible()
    send(page, "poll results")
    expect(page.locator(".msg.bot img").last).to_be_visible()
    assert_accessible(page, "the results with the chart")
    page.locator(".msg.bot .image-open").last.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert_accessible(page, "the chart opened full size")
    context.close()


def test_a_whole_poll_round_works_from_the_keyboard_alone(browser, bot, in_process):
    url, _ = in_process
    context, page = open_page(browser, url, {"width": 1280, "height": 800})
    keys = page.keyboard
    expect(page.get_by_label("Your name")).to_be_focused()
    keys.type("Olu")
    keys.press("Enter")
    message = page.get_by_label("Message to the bot")
    expect(message).to_be_focused()
    keys.type("poll start Keyboard round")
    keys.press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text("Keyboard round")
    keys.type("ballot")
    keys.press("Enter")
    # The ballot the person asked for takes the focus, on the first priority of its order;
    # Alt+Down moves that priority down a place.
    form = page.locator("form.botform").last
    order = form.locator(".order-item")
    expect(order.first).to_be_focused()
    expect(order.first).to_contain_text("Cloud-based telephony")
    keys.press("Alt+ArrowDown")
    expect(order.nth(1)).to_contain_text("Cloud-based telephony")
    expect(order.nth(1)).to_be_focused()
    pcn = form.get_by_label("Your PCN's name (remembered for next time)")
    for _ in range(80):  # on through the order's buttons and each priority's two choices
        if pcn.evaluate("e => e === document.activeElement"):
            break
        keys.press("Tab")
    expect(pcn).to_be_focused()
    keys.type("North PCN")
    keys.press("Enter")
    expect(form.locator(".done")).to_be_visible()
    expect(message).to_be_focused()
    keys.type("poll close")
    keys.press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text("closed")
    keys.type("poll results")
    keys.press("Enter")
    expect(page.locator(".msg.bot img").last).to_be_visible()
    # The chart opens full size from the keyboard and closes with Escape.
    for _ in range(12):  # back from the message box to the chart
        if page.evaluate("document.activeElement.classList.contains('image-open')"):
            break
        keys.press("Shift+Tab")
    keys.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    keys.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    poll = polls.find_poll(bot, "Keyboard round")
    results = polls.compute(bot, poll)
    assert results.responses == 1
    assert [line.priority.title for line in results.lines][:2] == [
        "Digital front door", "Cloud-based telephony"]
    context.close()


def test_a_reload_comes_back_to_where_the_person_had_scrolled(browser, served):
    context, page = open_page(browser, served.url, {"width": 390, "height": 844})
    page.get_by_label("Your name").fill("Pia Scroll")
    page.get_by_label("Your name").press("Enter")
    for question in ("how often does the forum meet", "what is ARRS", "what is the DFPC toolkit"):
        send(page, question)
        expect(page.locator(".typing")).to_have_count(0)
    main = page.locator("#main")
    assert main.evaluate("m => m.scrollHeight - m.clientHeight") > 300
    main.evaluate("m => { m.scrollTop = 120; }")
    page.wait_for_timeout(400)
    page.reload()
    expect(page.locator(".msg.me")).to_have_count(3)
    assert abs(main.evaluate("m => m.scrollTop") - 120) < 5
    context.close()
