"""The flags the page walk sets on each element: one set for the body, one for the teaser scan.

The two sets read different evidence and are inherited differently, so they stay two enums,
but each name means one thing across the package:

- ``NodeFlag`` (page model, ``dom.Node.flags``; the union over ancestors is ``Node.context``):
  what an element's tag and class/id say of its role in an article (patterns.classify_attrs).
- ``ScanFlag`` (teaser tree, ``teasers.tree.Tree.flags``, already inherited from ancestors):
  where an element sits for the teaser scan (chrome, scripts, headings, captions, widgets),
  read from whole class/id tokens (teasers/vocab).

The body learns the scan's result through ``NodeFlag.TEASER``, set by ``dom.mark_teasers``.
"""

from __future__ import annotations

from enum import IntFlag


class NodeFlag(IntFlag):
    """Flags one element can carry in the body walk; its context is the union over ancestors."""

    JUNK = 1  # navigation, share bars, related stories, comments, ads...
    CAPTION = 2  # figures, captions, photo credits
    BYLINE = 4  # author lines
    HIDDEN = 8  # not rendered
    POSITIVE = 16  # looks like the article body container
    TEASER = 32  # a teaser block found by the teaser scanner
    STRUCTURAL_JUNK = 64  # nav/aside/footer elements (weaker than class evidence)
    SUBTITLE_HINT = 128  # looks like a standfirst / dek
    DATELINE = 256  # publication dates, reading times, article meta rows


class ScanFlag(IntFlag):
    """Per-element flags of the teaser scan, inherited by descendants."""

    EXCLUDED = 1  # navigation, page chrome: links here are never teasers
    MUTED = 2  # script, style and the like: no readable text
    CONTENT = 4  # inside article/section/aside/li/main: <header>/<footer> here are local
    IN_HEADING = 8  # inside h1-h6
    IN_CAPTION = 16  # inside an image caption or credit
    PAID = 32  # inside a paid widget (sponsored, partner, Outbrain): never teasers
    COMMERCE = 64  # inside a shop, job, coupon or course widget


# The flags as plain ints: the walk and the scan combine them once per element, where enum
# arithmetic would cost more than the rest of the loop.
JUNK = int(NodeFlag.JUNK)
CAPTION = int(NodeFlag.CAPTION)
BYLINE = int(NodeFlag.BYLINE)
HIDDEN = int(NodeFlag.HIDDEN)
POSITIVE = int(NodeFlag.POSITIVE)
TEASER = int(NodeFlag.TEASER)
STRUCTURAL_JUNK = int(NodeFlag.STRUCTURAL_JUNK)
SUBTITLE_HINT = int(NodeFlag.SUBTITLE_HINT)
DATELINE = int(NodeFlag.DATELINE)

EXCLUDED = int(ScanFlag.EXCLUDED)
MUTED = int(ScanFlag.MUTED)
CONTENT = int(ScanFlag.CONTENT)
IN_HEADING = int(ScanFlag.IN_HEADING)
IN_CAPTION = int(ScanFlag.IN_CAPTION)
PAID = int(ScanFlag.PAID)
COMMERCE = int(ScanFlag.COMMERCE)
