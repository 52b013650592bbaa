# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of scripts/release_checks.sh on the built collection (standard library, PyYAML).

    python release_checks.py tarball TARBALL SOURCE_ROOT
    python release_checks.py plugin-docs METADATA_DUMP_JSON
    python release_checks.py fragments SOURCE_ROOT
    python release_checks.py ee-meta COLLECTION_DIR
    python release_checks.py ee-tarball-variant SAMPLE_EE TARBALL OUTPUT_EE
    python release_checks.py plugin-names METADATA_DUMP_JSON
    python release_checks.py requirements FILE NAME...

Each prints one line of what it checked, or exits non-zero naming the first problem.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
import tarfile

import yaml

# Nothing below these (any path segment) or matching these may be in the tarball.
FORBIDDEN_PARTS = ('.git', '.ci', '.github', '__pycache__', '.pytest_cache', '.hypothesis', '.mypy_cache',
                   '.ruff_cache', '.tox', '.nox', '.ansible', 'drift-report', '.venv*')
FORBIDDEN_NAMES = ('*.pyc', '*.tar.gz')
FORBIDDEN_PATHS = ('galaxy.yml', 'noxfile.py', 'antsibull-nox.toml', 'venv', 'venv/*', 'tests/output', 'tests/output/*', 'changelogs/.plugin-cache.yaml',
                   'context', 'context/*', 'sipfleet-bench-*', 'benchmarks/output*', 'benchmarks/results*',
                   'benchmarks/*.out')
# What users and the test suite need from the installed collection.
REQUIRED = ('MANIFEST.json', 'FILES.json', 'README.md', 'CHANGELOG.rst', 'requirements.txt',
            'meta/runtime.yml', 'meta/execution-environment.yml', 'changelogs/changelog.yaml',
            'changelogs/config.yaml', 'docs/execution-environment.yml', 'playbooks/site.yml',
            'scripts/demo_inventory.py', 'tests/simulator/fleet.py', 'tests/simulator/__main__.py',
            'tests/integration/targets/setup_simulator/simulator.sh',
            'tests/integration/targets/ansible_runner/runme.sh', 'tests/requirements.txt', 'tests/config.yml',
            'tests/unit/requirements.txt', 'tests/integration/requirements.txt',
            'tests/contract/ringcentral-sip-provision.openapi.yaml', 'LICENSES/GPL-3.0-or-later.txt', 'REUSE.toml',
            'docs/docsite/links.yml', 'docs/docsite/extra-docs.yml')
MAX_FILES = 2000
MAX_BYTES = 5 * 1024 * 1024
# The documentation parts each plugin type must have.
DOC_PARTS = dict.fromkeys(('module', 'filter', 'test', 'lookup', 'callback', 'inventory', 'connection', 'become',
                           'cache', 'cliconf', 'httpapi', 'netconf', 'shell', 'vars'), ('examples', 'return'))
ANSIBLE_MARKUP = re.compile(r'(?<![A-Za-z0-9_])[BCEIMOPUV]\([^)]+\)|(?<![A-Za-z0-9_])L\([^)]+,[^)]+\)')


def fail(message):
    sys.exit('release check: ' + message)


def forbidden(path):
    parts = path.split('/')
    return (any(fnmatch.fnmatch(part, glob) for part in parts for glob in FORBIDDEN_PARTS)
            or any(fnmatch.fnmatch(parts[-1], glob) for glob in FORBIDDEN_NAMES)
            or any(fnmatch.fnmatch(path, glob) for glob in FORBIDDEN_PATHS))


def tarball(path, root):
    with tarfile.open(path) as archive:
        members = archive.getmembers()
    names = [m.name[2:] if m.name.startswith('./') else m.name for m in members]
    files = sorted(n for n, m in zip(names, members) if m.isfile())
    size = sum(m.size for m in members if m.isfile())
    bad = [n for n in names if forbidden(n)]
    if bad:
        fail('the tarball holds what galaxy.yml build_ignore must keep out: %s' % bad[:10])
    missing = [n for n in REQUIRED if n not in files]
    if missing:
        fail('the tarball lacks %s' % missing)
    if len(files) > MAX_FILES or size > MAX_BYTES:
        fail('the tarball holds %d files, %d bytes: more than expected (build_ignore?)' % (len(files), size))
    links = [n for n, m in zip(names, members) if m.issym() or m.islnk()]
    if links:
        fail('the tarball holds links: %s' % links[:5])
    manifest = json.loads(subprocess.run(['tar', '-xzOf', path, 'MANIFEST.json'], check=True,
                                         capture_output=True).stdout)
    info = manifest['collection_info']
    with open(os.path.join(root, 'galaxy.yml')) as handle:
        galaxy = yaml.safe_load(handle)
    for key in ('namespace', 'name', 'version', 'license', 'repository', 'documentation', 'issues'):
        if info.get(key) != galaxy.get(key):
            fail('MANIFEST.json %s is %r, galaxy.yml says %r' % (key, info.get(key), galaxy.get(key)))
    lost = []
    if os.path.isdir(os.path.join(root, '.git')):
        tracked = subprocess.run(['git', '-C', root, 'ls-files', '-z'], check=True,
                                 capture_output=True).stdout.decode().split('\0')
        present = set(files)
        lost = [t for t in tracked if t and not forbidden(t) and t not in ('.gitignore',) and t not in present
                and os.path.isfile(os.path.join(root, t))]
        if lost:
            fail('build_ignore drops files of the repository: %s' % lost[:10])
    print('tarball %s: %d files, %d bytes; nothing ignored by build_ignore inside, %d required files present%s'
          % (os.path.basename(path), len(files), size, len(REQUIRED),
             ', every tracked file of the repository in it' if os.path.isdir(os.path.join(root, '.git')) else ''))


def plugin_docs(dump_file):
    with open(dump_file) as handle:
        dump = json.load(handle)
    checked = []
    for plugin_type, plugins in sorted(dump['all'].items()):
        if plugin_type not in DOC_PARTS:
            continue
        for name, data in sorted(plugins.items()):
            if not name.startswith('sipfleet.provision.'):
                continue
            if data.get('error'):
                fail('%s %s: documentation does not load: %s' % (plugin_type, name, data['error']))
            lacks = [part.upper() for part in DOC_PARTS[plugin_type] if not data.get(part)]
            if lacks:
                fail('%s %s has no %s' % (plugin_type, name, ' and no '.join(lacks)))
            checked.append('%s %s' % (plugin_type, name.split('.')[-1]))
    for error in dump.get('errors', []):
        fail('ansible-doc: %s' % error)
    if not any(c.startswith('module ') for c in checked):
        fail('no module found in the metadata dump')
    print('plugin docs: EXAMPLES and RETURN in all %d plugins (%s)'
          % (len(checked), ', '.join(checked)))


def plugin_names(dump_file):
    """The collection's plugins in ansible-doc's metadata dump: one line per plugin type, the type
    and then the plugins' full names."""
    with open(dump_file) as handle:
        dump = json.load(handle)
    for plugin_type, plugins in sorted(dump['all'].items()):
        names = sorted(n for n in plugins if n.startswith('sipfleet.provision.'))
        if names and plugin_type != 'role':
            print(plugin_type, ' '.join(names))


def fragments(root):
    directory = os.path.join(root, 'changelogs', 'fragments')
    names = sorted(n for n in os.listdir(directory) if n.endswith(('.yml', '.yaml')))
    for name in names:
        with open(os.path.join(directory, name)) as handle:
            text = handle.read()
        match = ANSIBLE_MARKUP.search(text)
        if match:
            fail('changelogs/fragments/%s: %s is Ansible doc markup; the changelog is reStructuredText, '
                 'write ``literal`` instead' % (name, match.group(0)))
    print('changelog fragments: %d, reStructuredText only' % len(names))


def requirement_names(path):
    names = set()
    with open(path) as handle:
        for line in handle:
            line = line.split('#', 1)[0].strip()
            match = re.match(r'[A-Za-z0-9][A-Za-z0-9._-]*', line)
            if match:
                names.add(match.group(0).lower().replace('_', '-'))
    return names


def requirements(path, *wanted):
    names = requirement_names(path)
    missing = [w for w in wanted if w not in names]
    if missing:
        fail('%s does not require %s (it has %s)' % (path, missing, sorted(names)))
    print('%s requires %s' % (os.path.basename(path), ', '.join(wanted)))


def ee_meta(collection):
    """meta/execution-environment.yml as ansible-builder documents it: ``dependencies`` with
    ``python`` (and optionally ``system``) naming files of the collection."""
    with open(os.path.join(collection, 'meta', 'execution-environment.yml')) as handle:
        meta = yaml.safe_load(handle)
    dependencies = meta.get('dependencies') if isinstance(meta, dict) else None
    if not set(meta or {}) <= {'dependencies', 'version'} or meta.get('version', 3) != 3 \
            or not isinstance(dependencies, dict) \
            or not set(dependencies) <= {'python', 'system'} or not isinstance(dependencies.get('python'), str):
        fail('meta/execution-environment.yml: expected only dependencies.python (and .system) naming files')
    for path in dependencies.values():
        if not os.path.isfile(os.path.join(collection, path)):
            fail('meta/execution-environment.yml names %s, which the collection lacks' % path)
    requirements(os.path.join(collection, dependencies['python']), 'requests', 'jmespath')
    with open(os.path.join(collection, dependencies['python'])) as handle:
        lines = [line.split('#', 1)[0].strip() for line in handle]
    bad = [line for line in lines if re.match(r'ansible(-core)?\b', line) or re.search(r'==|<|~=', line)]
    if bad:
        fail('%s: no ansible-core and no pinned or capped versions (certification), found %s'
             % (dependencies['python'], bad))


def ee_tarball_variant(sample, tarball_path, output):
    """The sample EE, installing the collection from the tarball instead of Galaxy."""
    with open(sample) as handle:
        definition = yaml.safe_load(handle)
    name = os.path.basename(tarball_path)
    definition['dependencies']['galaxy'] = {'collections': [{'name': 'collections/' + name, 'type': 'file'}]}
    definition['additional_build_files'] = [{'src': os.path.abspath(tarball_path), 'dest': 'collections'}]
    with open(output, 'w') as handle:
        yaml.safe_dump(definition, handle, sort_keys=False)
    print('EE definition from the tarball: %s' % output)


COMMANDS = {'tarball': tarball, 'plugin-docs': plugin_docs, 'fragments': fragments, 'ee-meta': ee_meta,
            'ee-tarball-variant': ee_tarball_variant, 'plugin-names': plugin_names, 'requirements': requirements}

if __name__ == '__main__':
    COMMANDS[sys.argv[1]](*sys.argv[2:])
