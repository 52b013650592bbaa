# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``query`` option of the info modules: a JMESPath expression over the result."""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import Field

try:
    import jmespath
    HAS_JMESPATH = True
    JMESPATH_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - depends on the environment
    jmespath = None
    HAS_JMESPATH = False
    JMESPATH_IMPORT_ERROR = traceback.format_exc()

QUERY_REQUIREMENT = ('jmespath', HAS_JMESPATH, JMESPATH_IMPORT_ERROR, 'query')
"""(library, installed, import error, the option that needs it), as modules and action plugins check it."""
QUERY = Field('query', control=True)
"""The option (documented in each info module)."""


def compile_query(query):
    """The compiled ``query``, or None when it is empty; a clear ApiError when it cannot be used."""
    if not query:
        return None
    if not HAS_JMESPATH:
        raise ApiError(missing_required_lib('jmespath') + ' (for "query")')
    try:
        return jmespath.compile(query)
    except jmespath.exceptions.JMESPathError as exc:
        raise ApiError('query is not a valid JMESPath expression: %s' % exc) from None


def with_query(params, read, key=None, skip=('changed',)):
    """``read()``'s result and, when the task has a ``query``, its ``query_result``: the expression
    (compiled first, so that a bad one fails before any request) applied to ``result[key]``, or to
    the result without the keys ``skip`` names."""
    expression = compile_query(params.get('query'))
    result = read()
    if expression is not None:
        data = result[key] if key else dict((k, v) for k, v in result.items() if k not in skip)
        result['query_result'] = expression.search(data)
    return result
