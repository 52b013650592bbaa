# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of many strings (secrets) occur in a text, in one pass over it."""

from __future__ import annotations

from collections.abc import Mapping

PREFIX = 4
"""Needles are indexed by their first PREFIX characters; shorter ones are looked for one by one."""
FEW = 32
"""Up to this many needles, each is looked for on its own (``in`` runs in C): the one-pass index
costs a Python step per character of the text and pays off only for many needles."""


def texts(value, keys=False, found=None):
    """Every string and number (booleans too) of ``value``, nested, as text; dict keys too with
    ``keys``. Anything else (a placeholder object) is left out."""
    found = [] if found is None else found
    if isinstance(value, Mapping):
        for key, item in value.items():
            if keys:
                texts(key, keys, found)
            texts(item, keys, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            texts(item, keys, found)
    elif isinstance(value, str):
        found.append(value)
    elif isinstance(value, (int, float)):
        found.append(str(value))
    return found


def occurring_in(needles, value, keys=False):
    """The needles that occur in some text of ``value`` (see :func:`texts`)."""
    return occurring(needles, '\x00'.join(texts(value, keys)))


def occurring(needles, text):
    """The needles that occur in ``text``.

    Trying each of N needles on a text of length L costs N passes over it (a fleet run has a
    thousand passwords and a report of megabytes); for more than FEW needles the text is read
    once, each position looked up in an index of the needles' first characters.
    """
    if len(needles) <= FEW:
        return set(needle for needle in needles if needle in text)
    found = set(needle for needle in needles if len(needle) < PREFIX and needle in text)
    by_prefix = {}  # first PREFIX characters -> length -> the needles
    for needle in needles:
        if len(needle) >= PREFIX:
            by_prefix.setdefault(needle[:PREFIX], {}).setdefault(len(needle), set()).add(needle)
    if not by_prefix:
        return found
    for start in range(len(text) - PREFIX + 1):
        lengths = by_prefix.get(text[start:start + PREFIX])
        if lengths:  # many needles may share a prefix (a host name in every secret of a form): one look-up per length
            for length, group in lengths.items():
                candidate = text[start:start + length]
                if candidate in group:
                    found.add(candidate)
    return found
