"""Refresh docs/serve.png: the demo page of ``qieci serve`` in headless
Chromium (Debian's ``chromium``; Playwright drives it, no browser download).

    python tools/screenshot_serve.py [--out docs/serve.png] [--width 1200]
        [--chromium /usr/bin/chromium]

It starts the real server on a free port of 127.0.0.1, types a text,
compares jieba with the learned engine's pku standard, turns keywords on,
and writes the screenshot; ``--width 390`` shows the phone layout.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from qieci.serve.child import ServerProcess

TEXT = "小明硕士毕业于中国科学院计算所，后在日本京都大学深造。他说：“自然语言处理很有意思！”"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).parents[1] / "docs" / "serve.png"))
    ap.add_argument("--width", type=int, default=1200)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--pos", action="store_true", help="turn POS tags on")
    args = ap.parse_args()
    with ServerProcess(["--preload", "learned:pku"]) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium)
        page = browser.new_page(viewport={"width": args.width, "height": 700})
        page.goto(server.url + "/")
        page.wait_for_selector("#panel-b[data-state=ready]")
        page.fill("#text", TEXT)
        page.check("#keywords")
        if args.pos:
            page.check("#pos")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.panel')].every(p => p.dataset.state === 'ready'"
            " && p.querySelector('.kw:not([hidden]) .k'))"
        )
        page.screenshot(path=args.out, full_page=True)
        browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
