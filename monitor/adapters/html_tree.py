"""A light tree for pages read in bulk (detail pages), built by the same parse as
`BeautifulSoup(markup, "lxml")` (pure).

bs4's "lxml" builder is an lxml parser target. `_Target` has the same callbacks (a
`doctype` one included: it keeps the DTD out of libxml2's document, which decides which
blanks libxml2 drops), so the parser sends it the same events, and it keeps them as plain
nodes the way bs4 nests them: strings merged between tags, content after </html> kept at
the top level. Reading a 200 KB page this way takes a fraction of building bs4's objects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from lxml import etree

from monitor.adapters.text import text_from_pieces, walk_layout

_STRING_CONTAINERS = frozenset({"rt", "rp", "style", "script", "template"})  # bs4's
_PRESERVE_WHITESPACE = frozenset({"pre", "textarea"})  # bs4's
_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"


class Markup:
    """A comment, processing instruction or doctype: never text."""

    __slots__ = ()


class ContainedText:
    """A string inside rt/rp/style/script/template: bs4 types it by the innermost one."""

    __slots__ = ("container", "text")

    def __init__(self, text: str, container: str) -> None:
        self.text = text
        self.container = container


_MARKUP = Markup()


class HtmlNode:
    """An element: its name, attributes (class unsplit) and children in order."""

    __slots__ = ("attrs", "children", "name")

    def __init__(self, name: str, attrs: dict[str, str]) -> None:
        self.name = name
        self.attrs = attrs
        self.children: list[HtmlNode | str | ContainedText | Markup] = []

    def get(self, attr: str) -> str | None:
        return self.attrs.get(attr)

    def has_class(self, name: str) -> bool:
        """bs4's class_= match: one of the whitespace-separated classes (or all of them)."""
        value = self.attrs.get("class")
        if value is None:
            return False
        classes = value.split()
        return name in classes or (len(classes) != 1 and " ".join(classes) == name)

    def descendants(self) -> Iterator[HtmlNode]:
        """Elements under this one, in document order."""
        stack = [iter(self.children)]
        while stack:
            for child in stack[-1]:
                if isinstance(child, HtmlNode):
                    yield child
                    stack.append(iter(child.children))
                    break
            else:
                stack.pop()

    def find(self, name: str) -> HtmlNode | None:
        return next((n for n in self.descendants() if n.name == name), None)

    def get_text(self, separator: str = "") -> str:
        """bs4's Tag.get_text: the strings below of this element's own kind (plain text,
        or for rt/rp/style/script/template the strings that one holds), not comments."""
        strings: list[str] = []
        _strings(self, self.name if self.name in _STRING_CONTAINERS else None, strings)
        return separator.join(strings)


def _strings(node: HtmlNode, container: str | None, out: list[str]) -> None:
    stack = [iter(node.children)]  # explicit: hostile pages nest thousands deep
    while stack:
        for child in stack[-1]:
            if isinstance(child, HtmlNode):
                stack.append(iter(child.children))
                break
            if isinstance(child, str):
                if container is None:
                    out.append(child)
            elif isinstance(child, ContainedText) and child.container == container:
                out.append(child.text)
        else:
            stack.pop()


class _Target:
    def __init__(self) -> None:
        self.root = HtmlNode("[document]", {})
        self._open = [self.root]
        self._counts: Counter[str] = Counter()
        self._containers: list[HtmlNode] = []
        self._preserving: list[HtmlNode] = []
        self._data: list[str] = []

    def _flush(self) -> None:
        if self._data:
            text = "".join(self._data)
            self._data = []
            if not self._preserving and not text.strip(_ASCII_SPACES):
                text = "\n" if "\n" in text else " "  # as bs4 stores blank strings
            if self._containers:
                self._open[-1].children.append(ContainedText(text, self._containers[-1].name))
            else:
                self._open[-1].children.append(text)

    def start(self, tag: str, attrib: dict[str, str], nsmap: Any = None) -> None:
        self._flush()
        node = HtmlNode(tag, dict(attrib))
        self._open[-1].children.append(node)
        self._open.append(node)
        self._counts[tag] += 1
        if tag in _STRING_CONTAINERS:
            self._containers.append(node)
        if tag in _PRESERVE_WHITESPACE:
            self._preserving.append(node)

    def end(self, tag: str) -> None:
        self._flush()
        # bs4 pops up to the most recent open element of that name (if there is one).
        while len(self._open) > 1 and self._counts[tag]:
            node = self._open.pop()
            self._counts[node.name] -= 1
            if self._containers and self._containers[-1] is node:
                self._containers.pop()
            if self._preserving and self._preserving[-1] is node:
                self._preserving.pop()
            if node.name == tag:
                break

    def data(self, data: str) -> None:
        self._data.append(data)

    def doctype(self, name: str, pubid: str, system: str) -> None:
        self._markup()

    def pi(self, target: str, data: str | None = None) -> None:
        self._markup()

    def comment(self, text: str) -> None:
        self._markup()

    def _markup(self) -> None:
        self._flush()
        self._open[-1].children.append(_MARKUP)

    def close(self) -> HtmlNode:
        self._flush()
        return self.root


def parse_html(markup: str) -> HtmlNode | None:
    """The document as `BeautifulSoup(markup, "lxml")` would nest it, as light nodes; None
    for markup bs4 treats specially (looks like XML, or the parser rejects it as text)."""
    if "<" not in markup or markup.lstrip("\ufeff").lstrip().startswith("<?xml"):
        return None  # bs4 warns about these (not markup / XML), so leave them to it
    if markup.startswith("\ufeff"):
        markup = markup[1:]  # as bs4 does
    target = _Target()
    parser = etree.HTMLParser(target=target, recover=True)
    try:
        parser.feed(markup)
        root = parser.close()
    except Exception:
        return None  # bs4 then decides what such markup gives
    return root if isinstance(root, HtmlNode) else None


def tree_text(node: HtmlNode) -> str:
    """`node_text` for a light node."""
    pieces: list[str] = []
    walk_layout(node, pieces, _tree_text, HtmlNode)
    return text_from_pieces(pieces)


def _tree_text(child: Any) -> str | None:
    # As text._soup_text: every string (of any kind) but comments and the like.
    if isinstance(child, str):
        return child
    if isinstance(child, ContainedText):
        return child.text
    return None
