"""Check a built HTML site: every internal link, anchor and image resolves.

Usage: python tools/check_site.py build/book/html

External links (http:, https:, mailto:, ...) are not followed: the site must not depend on
the network to be checked. Internal ones must point at a file of the site and, when they
carry a #fragment, at an element with that id on the target page.
"""
from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# (tag, attribute) pairs whose value is a URL the page needs or offers
URL_ATTRIBUTES = {("a", "href"), ("img", "src"), ("link", "href"), ("script", "src"), ("source", "src"),
                  ("iframe", "src"), ("image", "href")}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for t, attribute in URL_ATTRIBUTES:
            if tag == t and attrs.get(attribute):
                self.urls.append((tag, attrs[attribute]))


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) or url.startswith("//")


def check(site) -> list[str]:
    """Every broken internal link or image of ``site`` as 'page: tag -> url (why)'."""
    site = Path(site)
    if not (site / "index.html").is_file():
        return [f"{site}: no index.html (was the site built?)"]
    pages = {path: parse(path) for path in sorted(site.rglob("*.html"))}
    problems = []
    for path, page in pages.items():
        if path.relative_to(site).parts[0] == "_static":  # the theme's template fragments, not pages
            continue
        for tag, url in page.urls:
            if is_external(url) or url.startswith("javascript:"):
                continue
            parts = urlsplit(url)
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(site)}: <{tag}> -> {url}"
            if not target.is_file():
                problems.append(f"{where} (no such file)")
            elif site.resolve() not in target.resolve().parents and target.resolve() != site.resolve():
                problems.append(f"{where} (outside the site)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{where} (no element with id {parts.fragment!r} on that page)")
    return problems


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    site = Path(argv[0]) if argv else Path("build/book/html")
    problems = check(site)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} broken internal links or images in {site}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
