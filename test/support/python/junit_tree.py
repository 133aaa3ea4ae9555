"""Prints a JUnit XML report as JSON elements ({tag, attributes, text, children}); malformed XML exits non-zero.

Python's own XML parser (the standard library's ElementTree), so the report is read by an XML parser that is
not Hangar's writer.
"""
import json
import sys
import xml.etree.ElementTree as ElementTree


def element(node):
    return {"tag": node.tag, "attributes": dict(node.attrib), "text": node.text or "", "children": [element(child) for child in node]}


print(json.dumps(element(ElementTree.parse(sys.argv[1]).getroot())))
