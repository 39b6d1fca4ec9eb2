"""Bar 1: the demo page in a real browser (Debian's headless chromium,
driven by Playwright) against the real server. The test types texts,
switches engines and standards, and reads the words off the page: they
must equal ``/v1/cut``'s for every setting, and the highlighted words
must be exactly those that the other setting cuts differently."""

from __future__ import annotations

import pytest
from playwright import sync_api as playwright  # a test dependency: never skipped

from serve.support import cut

TEXTS = [
    "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
    "他说：“自然语言处理很有意思！”  我来到北京清华大学。\n第二行 with English 2024",
]
# (engine, standard) of panel A; panel B is learned with the standard after
SETTINGS = [
    (("jieba", None), "pku"),
    (("learned", "pku"), "msr"),
    (("learned", "msr"), "ctb"),
    (("learned", "weibo"), "pku"),
]


def label(engine, standard):
    return f"{engine}:{standard}" if standard else engine


@pytest.fixture(scope="module")
def page(server, chromium_path):
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path)
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        pg = context.new_page()
        requested: list[str] = []
        pg.on("request", lambda req: requested.append(req.url))
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.goto(server.url + "/")
        pg.wait_for_selector("#panel-b[data-state=ready]")
        yield pg
        assert not errors, errors
        # the page loads nothing from anywhere but the server
        assert requested and all(u.startswith(server.url + "/") for u in requested), requested
        browser.close()


def choose(pg, panel: str, engine: str, standard: str | None) -> None:
    pg.select_option(f"#panel-{panel} .engine", engine)
    if standard is not None:
        pg.select_option(f"#panel-{panel} .standard", standard)


def page_words(pg, panel: str, text: str, setting: str) -> list[dict]:
    """The words panel ``panel`` shows once it shows ``text`` cut by ``setting``."""
    pg.wait_for_function(
        """([panel, text, setting]) => {
            const root = document.getElementById('panel-' + panel);
            const words = [...root.querySelectorAll('.words .w')].map(w => w.dataset.word);
            return root.dataset.state === 'ready' && root.dataset.setting === setting
                && words.join('') === text;
        }""",
        arg=[panel, text, setting],
    )
    return pg.eval_on_selector_all(
        f"#panel-{panel} .words .w",
        """els => els.map(w => ({word: w.dataset.word, start: +w.dataset.start,
            end: +w.dataset.end, tag: w.dataset.tag || null, diff: w.classList.contains('diff')}))""",
    )


def test_page_words_equal_the_api(page, client):
    for (engine, standard), other in SETTINGS:
        choose(page, "a", engine, standard)
        choose(page, "b", "learned", other)
        for text in TEXTS:
            page.fill("#text", text)
            shown_a = page_words(page, "a", text, label(engine, standard))
            shown_b = page_words(page, "b", text, label("learned", other))
            api_a = cut(client, text=text, engine=engine, standard=standard, offsets=True)
            api_b = cut(client, text=text, engine="learned", standard=other, offsets=True)
            assert [w["word"] for w in shown_a] == [w["word"] for w in api_a]
            assert [w["word"] for w in shown_b] == [w["word"] for w in api_b]
            # highlighted: the words whose span the other side does not have
            spans_b = {(w["start"], w["end"]) for w in api_b}
            spans_a = {(w["start"], w["end"]) for w in api_a}
            assert [w["diff"] for w in shown_a] == [
                (w["start"], w["end"]) not in spans_b for w in api_a
            ]
            assert [w["diff"] for w in shown_b] == [
                (w["start"], w["end"]) not in spans_a for w in api_b
            ]


def test_pos_tags_and_keywords(page, client):
    text = TEXTS[0]
    choose(page, "a", "jieba", None)
    choose(page, "b", "learned", "pku")
    page.fill("#text", text)
    page.check("#pos")
    page.check("#keywords")
    page.wait_for_function(
        "() => document.querySelector('#panel-a .words .w[data-tag]') !== null"
        " && document.querySelector('#panel-a .kw .k') !== null"
    )
    shown = page_words(page, "a", text, "jieba")
    api = cut(client, text=text, pos=True)
    assert [(w["word"], w["tag"]) for w in shown] == [(w["word"], w["tag"]) for w in api]
    # coloured by tag class, and the tags are visible
    assert page.eval_on_selector("#panel-a .w[data-tag^=n]", "w => w.className").count("pos-n")
    assert page.is_visible("#panel-a .w[data-tag] .tag") and page.is_visible("#legend")
    # the learned side explains why it has no tags (the API's message)
    page_words(page, "b", text, "learned:pku")
    assert "jieba" in page.inner_text("#panel-b .note")
    keywords = client.post("/v1/keywords", json={"text": text, "top_k": 8}).json()["keywords"]
    shown_kw = page.eval_on_selector_all(
        "#panel-a .kw .k", "ks => ks.map(k => k.firstChild.textContent)"
    )
    assert shown_kw == [k["word"] for k in keywords]
    page.uncheck("#pos")
    page.uncheck("#keywords")
    page.wait_for_function("() => document.querySelector('#panel-a .w[data-tag]') === null")
    assert not page.is_visible("#legend")


def test_single_setting_and_phone_width(page):
    page.uncheck("#compare")
    page.wait_for_function("() => document.querySelector('#panel-a').dataset.state === 'ready'")
    assert not page.is_visible("#panel-b")
    assert page.eval_on_selector_all("#panel-a .w.diff", "ws => ws.length") == 0
    page.check("#compare")
    page.set_viewport_size({"width": 390, "height": 800})
    a = page.locator("#panel-a").bounding_box()
    b = page.locator("#panel-b").bounding_box()
    assert b["y"] >= a["y"] + a["height"]  # stacked, not side by side
    assert a["width"] <= 390
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1200, "height": 800})
