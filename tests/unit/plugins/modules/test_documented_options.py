# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every option is written once in a field table (or the shared HTTP options) and documented in the
module's DOCUMENTATION or a doc fragment: the argument spec and the documentation must agree on
the names, types, elements, required, defaults, choices and suboptions, and every environment
variable of a fallback is named in the option's description."""

from __future__ import annotations

import importlib
import os

import pytest
import yaml

from ansible_collections.sipfleet.provision.plugins.module_utils._resource import Field

MODULES_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'modules')
MODULES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith('.py'))
PACKAGE = 'ansible_collections.sipfleet.provision.plugins'


def _fragment_options(name):
    """The options of ``sipfleet.provision.<fragment>[.<VARIANT>]``."""
    fragment, _dot, variant = name[len('sipfleet.provision.'):].partition('.')
    doc_fragment = importlib.import_module('%s.doc_fragments.%s' % (PACKAGE, fragment)).ModuleDocFragment
    return (yaml.safe_load(getattr(doc_fragment, variant or 'DOCUMENTATION')) or {}).get('options') or {}


def documented_options(module_name):
    """The module's options as ansible-doc shows them: the fragments' options, then its own."""
    doc = yaml.safe_load(importlib.import_module('%s.modules.%s' % (PACKAGE, module_name)).DOCUMENTATION)
    options = {}
    for fragment in doc.get('extends_documentation_fragment') or []:
        options.update(_fragment_options(fragment))
    options.update(doc.get('options') or {})
    return options


def module_spec(module_name):
    """The :class:`ModuleSpec` the module's ``main()`` and its action plugin run."""
    return importlib.import_module('%s.action.%s' % (PACKAGE, module_name)).ActionModule.module


def _disagreements(spec, docs, where=''):
    found = []
    for name in sorted(set(spec) | set(docs)):
        entry, doc = spec.get(name), docs.get(name)
        if entry is None or doc is None:
            found.append('%s%s: %s' % (where, name, 'not documented' if doc is None else 'documented, not an option'))
            continue
        expected = dict(type=entry.get('type', 'str'), elements=entry.get('elements'),
                        required=bool(entry.get('required')), default=entry.get('default'),
                        choices=list(entry['choices']) if entry.get('choices') else None)
        shown = dict(type=doc.get('type', 'str'), elements=doc.get('elements'), required=bool(doc.get('required')),
                     default=doc.get('default'), choices=list(doc['choices']) if doc.get('choices') else None)
        found.extend('%s%s: %s is %r in the argument spec, %r in the documentation'
                     % (where, name, key, value, shown[key]) for key, value in expected.items() if shown[key] != value)
        text = repr(doc.get('description'))
        found.extend('%s%s: the environment variable %s is not named in the description' % (where, name, variable)
                     for variable in (entry.get('fallback') or (None, []))[1] if 'E(%s)' % variable not in text)
        if entry.get('options') or doc.get('suboptions'):
            found.extend(_disagreements(entry.get('options') or {}, doc.get('suboptions') or {},
                                        '%s%s.' % (where, name)))
    return found


@pytest.mark.parametrize('module_name', MODULES)
def test_argument_spec_and_documentation_agree(module_name):
    spec = module_spec(module_name).options.argument_spec()
    assert _disagreements(spec, documented_options(module_name)) == []


def test_every_option_of_a_field_table_is_in_the_argument_spec():
    for module_name in MODULES:
        options = module_spec(module_name).options
        fields = [field for field in options.fields if isinstance(field, Field) and not field.read_only]
        assert set(field.name for field in fields) <= set(options.argument_spec()), module_name


def test_a_disagreement_is_named():
    spec = dict(a=dict(type='int', default=1, fallback=(None, ['A_ENV'])), b=dict(type='str'),
                c=dict(type='dict', options=dict(d=dict(type='bool'))))
    docs = dict(a=dict(type='int', default=2, description='x'), extra=dict(type='str'),
                c=dict(type='dict', suboptions=dict(d=dict(type='str'))))
    assert _disagreements(spec, docs) == [
        'a: default is 1 in the argument spec, 2 in the documentation',
        'a: the environment variable A_ENV is not named in the description',
        'b: not documented',
        'c.d: type is \'bool\' in the argument spec, \'str\' in the documentation',
        'extra: documented, not an option',
    ]
