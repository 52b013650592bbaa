# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docsite pages of the guides: docs/docsite/rst/<name>.rst from docs/<name>.md.

    python scripts/docsite.py check ROOT    # every guide listed in extra-docs.yml, every page current
    python scripts/docsite.py update ROOT   # rewrite the pages from the Markdown

antsibull-docs builds extra docs from reStructuredText only; the guides are Markdown (GitHub
renders them). Each page is pandoc's conversion (pypandoc-binary) with the label antsibull-docs
requires; links to another guide become references to its page, other relative links point to
the file in the repository.
"""

from __future__ import annotations

import pathlib
import posixpath
import re
import sys

import yaml

COLLECTION = 'sipfleet.provision'
REPOSITORY = 'https://github.com/sipfleet/provision/blob/main/'
LABEL = 'ansible_collections.%s.docsite.%%s' % COLLECTION
RST_LINK = re.compile(r'`([^`<]+?)\s*<([^>`]+)>`__?')
EXPLICIT_LABEL = re.compile(r'^\.\. _([^:`\s]+):$', re.M)


def _link(match, guides):
    text, target = match.group(1), match.group(2)
    if re.match(r'[a-z]+:', target) or target.startswith('#'):
        return match.group(0)
    path = posixpath.normpath(posixpath.join('docs', target.partition('#')[0]))
    name = posixpath.basename(path)[:-3]
    if posixpath.dirname(path) == 'docs' and path.endswith('.md') and name in guides:
        return ':ref:`%s <%s>`' % (text, LABEL % name)
    return '`%s <%s%s>`__' % (text, REPOSITORY, path)


def page(root, name, guides):
    import pypandoc  # pylint: disable=import-outside-toplevel

    markdown = (root / 'docs' / ('%s.md' % name)).read_text(encoding='utf-8')
    rst = pypandoc.convert_text(markdown, 'rst', format='gfm', extra_args=['--wrap=preserve'])
    rst = RST_LINK.sub(lambda m: _link(m, guides), rst)
    # pandoc's own labels (a repeated heading gets one, e.g. results-1) under the page's label:
    # antsibull-docs accepts only labels of the collection's docsite prefix
    rst = EXPLICIT_LABEL.sub(lambda m: '.. _%s:' % (LABEL % ('%s.%s' % (name, m.group(1)))), rst)
    return ('..\n  Generated from docs/%s.md by scripts/docsite.py: edit the Markdown, then run\n'
            '  bash scripts/test.sh release --update-docs\n\n.. _%s:\n\n%s'
            % (name, LABEL % name, rst))


def _listed(root):
    index = yaml.safe_load((root / 'docs' / 'docsite' / 'extra-docs.yml').read_text(encoding='utf-8'))
    return [entry if isinstance(entry, str) else entry['ref']
            for section in index.get('sections', []) for entry in section.get('toctree', [])]


def main(command, root):
    root = pathlib.Path(root)
    guides = sorted(p.stem for p in (root / 'docs').glob('*.md'))
    pages = root / 'docs' / 'docsite' / 'rst'
    unlisted = sorted(set(guides) - set(_listed(root)))
    if unlisted:
        sys.exit('docsite: docs/docsite/extra-docs.yml does not list the guides %s' % unlisted)
    stale = []
    for name in guides:
        wanted = page(root, name, guides)
        target = pages / ('%s.rst' % name)
        if command == 'update':
            pages.mkdir(parents=True, exist_ok=True)
            target.write_text(wanted, encoding='utf-8')
        elif not target.is_file() or target.read_text(encoding='utf-8') != wanted:
            stale.append(target.relative_to(root).as_posix())
    orphans = sorted(p.relative_to(root).as_posix() for p in pages.glob('*.rst') if p.stem not in guides)
    if stale or orphans:
        sys.exit('docsite: %s not what scripts/docsite.py makes of docs/*.md; run: '
                 'bash scripts/test.sh release --update-docs' % ', '.join(stale + orphans))
    print('docsite: %d guides (%s) listed in extra-docs.yml, their pages current' % (len(guides), ', '.join(guides)))


if __name__ == '__main__':
    main(*sys.argv[1:])
