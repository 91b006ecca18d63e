#!/usr/bin/env python3
"""markup.py FILE: what an HTML or SVG file is made of, for render.bats.

Parses FILE with Python's own HTML parser (not the code under test) and
prints three lines, each a sorted list of distinct words:
    elements: the element names
    attributes: the attribute names
    references: TAG.ATTR for each attribute value, and "style" for each
        style sheet, that could load or run something (a URL, url(),
        @import, @font-face, javascript:); the SVG namespace is no
        reference
"""
import re
import sys
from html.parser import HTMLParser

SVG_NS = "http://www.w3.org/2000/svg"
LOADS = re.compile(r"url\(|@import|@font-face|//|javascript:|data:", re.I)


class Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.attributes, self.references = set(), set(), set()
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        self.elements.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if value and LOADS.search(value) and not (
                    name == "xmlns" and value == SVG_NS):
                self.references.add(f"{tag}.{name}")
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style and LOADS.search(data):
            self.references.add("style")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: markup.py FILE")
    p = Markup()
    with open(sys.argv[1], encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    print("elements:", *sorted(p.elements))
    print("attributes:", *sorted(p.attributes))
    print("references:", *sorted(p.references))


main()
