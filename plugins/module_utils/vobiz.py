# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vobiz SIP-trunk credentials: the API client and the logic of ``vobiz_credential``,
``vobiz_credential_set`` and ``vobiz_credential_info`` (modules and action plugins).

The API has no read of one credential: a credential is found by walking the paginated
list and matching its ``username`` (unique per account, immutable). Every documented
variant of the answers is accepted (``api/vobiz.md``): create 201 or 200, delete 204 or
200, ``meta.total`` or ``meta.total_count``, ``objects: null``, both 409 bodies,
``description`` returned or not. The password is write-only: never compared, returned,
shown or put in an error.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible.module_utils.basic import env_fallback

from ansible_collections.sipfleet.provision.plugins.module_utils._resource import (
    MASK_SENT, Field, changed_fields, desired_state, simulate_update,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._http import (
    ApiError, HttpClient, default_error_text, http_argument_spec, json_object,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._query import QUERY_REQUIREMENT, compile_query
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec


DEFAULT_API_URL = 'https://api.vobiz.ai'
PASSWORD_MIN_LENGTH = 8
_AUTH_ID = re.compile(r'^[A-Za-z0-9_]+$')

FIELDS = (
    Field('password', write_only=True),
    Field('enabled'),
    Field('description', absent_is_unknown=True),
)
"""What a credential's user sets; ``username`` is the key, never updated."""
VIEW_KEYS = ('username', 'enabled', 'description')
"""The keys ``--diff`` shows: the same in check mode and in a real run."""

NO_PASSWORD_ON_CREATE = ('credential %r does not exist and must be created, but no "password" was given '
                         '(the API needs one to create a credential)')
NO_PASSWORD_ON_UPDATE = (
    'the Vobiz API refused to update credential %r without its password: this API version '
    'requires "password" on every update (%s). Set update_password=always with the '
    'credential\'s password; every run then sends it and reports a change')
IN_USE = ('credential %r cannot be deleted: it is in use by active calls (the server says: %s). '
          'Retry when the calls have ended; enabled=false stops new registrations meanwhile')


# --- options -----------------------------------------------------------------

def connection_argument_spec():
    """Options every Vobiz module shares (documented in doc_fragments/vobiz.py)."""
    spec = dict(
        auth_id=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['VOBIZ_AUTH_ID'])),
        auth_token=dict(type='str', required=True, no_log=True,
                        fallback=(env_fallback, ['VOBIZ_AUTH_TOKEN'])),
        api_url=dict(type='str', default=DEFAULT_API_URL),
        page_size=dict(type='int', default=100),
    )
    spec.update(http_argument_spec())
    return spec


def credential_argument_spec():
    """Options of ``vobiz_credential``."""
    spec = connection_argument_spec()
    spec.update(
        username=dict(type='str', required=True),
        password=dict(type='str', no_log=True),
        enabled=dict(type='bool'),
        description=dict(type='str'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        update_password=dict(type='str', default='on_create', choices=['always', 'on_create'], no_log=False),
    )
    return spec


def credential_set_argument_spec():
    """Options of ``vobiz_credential_set``."""
    spec = connection_argument_spec()
    spec.update(
        credentials=dict(type='list', elements='dict', required=True, options=dict(
            username=dict(type='str', required=True),
            password=dict(type='str', no_log=True),
            enabled=dict(type='bool'),
            description=dict(type='str'),
        )),
        purge=dict(type='bool', default=False),
        purge_prefix=dict(type='str'),
        update_password=dict(type='str', default='on_create', choices=['always', 'on_create'], no_log=False),
    )
    return spec


def credential_info_argument_spec():
    """Options of ``vobiz_credential_info``."""
    spec = connection_argument_spec()
    spec.update(username=dict(type='str'), query=dict(type='str'))
    return spec


# --- the API client -------------------------------------------------------------

def error_text(response):
    """(code, message) of a Vobiz error: the standard envelope (with the fields of a 422
    named, never their values), ``{"error": "...", "code": 409}``, or the reason."""
    code, message = default_error_text(response)
    try:
        body = response.json()
    except ValueError:
        body = None
    err = body.get('error') if isinstance(body, dict) else None
    details = err.get('details') if isinstance(err, dict) else None
    errors = details.get('errors') if isinstance(details, dict) else None
    if isinstance(errors, list):
        named = ['%s: %s' % (e.get('field'), e.get('message') or e.get('code'))
                 for e in errors if isinstance(e, dict) and e.get('field')]
        if named:
            message = '%s [%s]' % (message, '; '.join(named))
    return (code if isinstance(code, str) else None), message


class VobizClient:
    """The credentials API of one account, with an index of the last list walk."""

    def __init__(self, params):
        self.page_size = params['page_size']
        self.prefix = '/api/v1/Account/%s' % quote(params['auth_id'], safe='')
        self.http = HttpClient(
            params['api_url'], timeout=params['timeout'], validate_certs=params['validate_certs'],
            ca_path=params['ca_path'], retries=params['retries'], retry_max_wait=params['retry_max_wait'],
            headers={'X-Auth-ID': params['auth_id'], 'X-Auth-Token': params['auth_token'],
                     'Accept': 'application/json'},
            error_text=error_text)
        self.index = None

    def close(self):
        self.http.close()

    def list_credentials(self):
        """Every credential of the account: pages of ``page_size`` until the stop rules say done."""
        found, offset = [], 0
        while True:
            response = self.http.request('GET', self.prefix + '/trunks/credentials',
                                         params=dict(limit=self.page_size, offset=offset))
            body = json_object(response, 'Vobiz')
            objects = body.get('objects') or []
            if not isinstance(objects, list):
                raise _unexpected(response, '"objects" is not a list')
            found.extend(obj for obj in objects if isinstance(obj, dict) and obj.get('username'))
            meta = body.get('meta') if isinstance(body.get('meta'), dict) else {}
            total = meta.get('total', meta.get('total_count'))
            limit = meta.get('limit')
            limit = min(limit, self.page_size) if _count(limit) and limit > 0 else self.page_size
            offset += len(objects)
            if not objects or len(objects) < limit or (_count(total) and offset >= total):
                return found

    def walk(self):
        """List every credential once more; return (and keep) the index by username."""
        self.index = dict((obj['username'], obj) for obj in self.list_credentials())
        return self.index

    def after_conflict(self, username):
        """The credential a create answered 409 for: from a list walk newer than that answer."""
        if username not in (self.index or {}):
            self.walk()
        obj = self.index.get(username)
        if obj is None:
            raise ApiError('creating credential %r answered 409 (it exists), but the credential '
                           'list does not show it' % username, status=409)
        return obj

    def create(self, username, password):
        """POST the credential; its object, or None when it exists already (409)."""
        response = self.http.request('POST', self.prefix + '/credentials', ok=(200, 201, 409),
                                     json=dict(username=username, password=password))
        if response.status_code == 409:
            return None
        body = json_object(response, 'Vobiz')
        return body if body.get('id') else self.after_conflict(username)

    def update(self, obj, body):
        """PUT ``body`` (changed fields only); the credential's new object."""
        url = '%s/credentials/%s' % (self.prefix, quote(str(obj['id']), safe=''))
        try:
            response = self.http.request('PUT', url, json=body)
        except ApiError as exc:
            if exc.status in (400, 422) and 'password' not in body and 'password' in str(exc.message).lower():
                raise ApiError(NO_PASSWORD_ON_UPDATE % (obj['username'], exc.message), status=exc.status,
                               code=exc.code, method=exc.method, url=exc.url) from None
            raise
        answer = json_object(response, 'Vobiz')
        after = simulate_update(obj, dict((k, v) for k, v in body.items() if k != 'password'))
        after.update((k, v) for k, v in answer.items() if k != 'description' or v is not None)
        return after

    def delete(self, obj):
        """DELETE the credential; False when the server no longer knows it (404)."""
        url = '%s/credentials/%s' % (self.prefix, quote(str(obj['id']), safe=''))
        response = self.http.request('DELETE', url, ok=(200, 204, 404, 409))
        if response.status_code == 409:
            code, message = error_text(response)
            raise ApiError(IN_USE % (obj['username'], message), status=409, code=code, method='DELETE',
                           url=response.url)
        return response.status_code != 404


def _count(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _unexpected(response, what):
    return ApiError('unexpected answer: %s' % what, status=response.status_code,
                    method=response.request.method, url=response.url)


# --- planning -------------------------------------------------------------------

def public(obj):
    """A credential as modules return it: everything but the (always redacted) password."""
    return dict((k, v) for k, v in obj.items() if k != 'password')


def view(obj):
    """The compared keys of a credential; a ``null`` description reads as empty."""
    shown = dict((k, obj[k]) for k in VIEW_KEYS if k in obj)
    if 'description' in shown and shown['description'] is None:
        shown['description'] = ''
    return shown


def writes(want, current, send_password):
    """The PUT body that brings ``current`` to ``want``: differing fields, and the password
    when ``send_password`` (the password is never compared)."""
    desired = desired_state(FIELDS, want)
    body = dict((name, desired[name]) for name in changed_fields(FIELDS, desired, view(current)))
    if send_password and desired.get('password'):
        body['password'] = desired['password']
    return body


def converge(client, want, current, update_password, check_mode):
    """Bring one credential (``current`` from the list, or None) to ``want``.

    Returns ``(outcome, changes, obj, before, after)``: outcome ``added``, ``updated`` or
    ``untouched``; the attribute names written; the object after; the diff views.
    """
    username = want['username']
    before = view(current) if current else {}
    created = current is None
    if created:
        if not want.get('password'):
            raise ApiError(NO_PASSWORD_ON_CREATE % username)
        obj = None if check_mode else client.create(username, want['password'])
        if obj is None and not check_mode:  # 409: a concurrent or out-of-band create; adopt it
            created, obj = False, client.after_conflict(username)
            before = view(obj)
        elif obj is None:
            obj = dict(username=username, enabled=True)
    else:
        obj = current
    base = dict(obj, description=obj.get('description') or '') if created else obj
    body = writes(want, base, update_password == 'always' and not created)
    after = view(simulate_update(base, body))
    if body and not check_mode:
        obj = client.update(obj, body)
    elif body:
        obj = simulate_update(obj, dict((k, v) for k, v in body.items() if k != 'password'))
    changes = sorted(body)
    if created:
        changes = ['username', 'password'] + changes
    if 'password' in changes:
        after['password'] = MASK_SENT
    outcome = 'added' if created else 'updated' if body else 'untouched'
    return outcome, changes, obj, before, after


def remove(client, obj, check_mode):
    """Delete one credential; False when it was gone already."""
    return True if check_mode else client.delete(obj)


# --- validation -------------------------------------------------------------------

def validate_connection(params):
    if not params.get('auth_id') or not _AUTH_ID.match(params['auth_id']):
        raise ApiError('auth_id must be the account\'s auth ID (letters, digits and "_", for example MA_XXXXXXXX)')
    if not params.get('auth_token'):
        raise ApiError('auth_token must not be empty')
    if not str(params.get('api_url') or '').startswith(('http://', 'https://')):
        raise ApiError('api_url must start with http:// or https://')
    if params['page_size'] < 1:
        raise ApiError('page_size must be at least 1')


def validate_credential(item, update_password, where='credential'):
    username, password = item.get('username'), item.get('password')
    if not username or not username.strip() or username != username.strip() or '/' in username:
        raise ApiError('%s: username must be a non-empty name without "/" or surrounding spaces' % where)
    if password is not None and len(password) < PASSWORD_MIN_LENGTH:
        raise ApiError('%s %r: password must be at least %d characters' % (where, username, PASSWORD_MIN_LENGTH))
    if update_password == 'always' and not password:
        raise ApiError('%s %r: update_password=always needs a password' % (where, username))


# --- the modules' logic -------------------------------------------------------------

def ensure_credential(params, check_mode=False, diff=False):
    """``vobiz_credential``: one credential present (as described) or absent."""
    validate_connection(params)
    present = params['state'] == 'present'
    if present:
        validate_credential(params, params['update_password'])
    else:
        validate_credential(dict(username=params['username']), 'on_create')
    client = VobizClient(params)
    try:
        current = client.walk().get(params['username'])
        if present:
            outcome, changes, obj, before, after = converge(
                client, params, current, params['update_password'], check_mode)
            changed, credential = outcome != 'untouched', public(obj)
        else:
            changed = current is not None and remove(client, current, check_mode)
            changes, credential = [], {}
            before, after = (view(current) if current else {}), {}
    finally:
        client.close()
    result = dict(changed=changed, changes=changes, credential=credential)
    if diff:
        result['diff'] = dict(before=before, after=after)
    return result


def ensure_credential_set(params, check_mode=False, diff=False):
    """``vobiz_credential_set``: every declared credential as described; with ``purge``,
    every other credential whose username starts with ``purge_prefix`` deleted.
    One list walk, then one request per change."""
    validate_connection(params)
    wanted, prefix = params['credentials'], params.get('purge_prefix')
    if prefix is not None and not prefix:
        raise ApiError('purge_prefix must not be empty (it would put every credential of the account in scope)')
    if params['purge'] and not prefix:
        raise ApiError('purge needs purge_prefix: name the usernames this set owns (only those can be deleted)')
    names = [item.get('username') for item in wanted]
    for index, item in enumerate(wanted):
        validate_credential(item, params['update_password'], 'credentials[%d]' % index)
    duplicates = sorted(set(n for n in names if names.count(n) > 1))
    if duplicates:
        raise ApiError('credentials: each username may be listed once; repeated: %s' % ', '.join(duplicates))
    outside = [n for n in names if prefix and not n.startswith(prefix)]
    if outside:
        raise ApiError('credentials outside purge_prefix %r cannot be managed by this set: %s'
                       % (prefix, ', '.join(outside)))
    client = VobizClient(params)
    outcomes = dict(added=[], updated=[], removed=[], untouched=[])
    before, after, objects = {}, {}, []
    try:
        current = dict(client.walk())
        missing = [n for n, item in zip(names, wanted) if n not in current and not item.get('password')]
        if missing:
            raise ApiError('credentials that must be created need a password: %s' % ', '.join(missing))
        for item in wanted:
            outcome, changes, obj, old, new = converge(
                client, item, current.get(item['username']), params['update_password'], check_mode)
            outcomes[outcome].append(item['username'])
            objects.append(public(obj))
            before.update({item['username']: old} if old else {})
            after[item['username']] = new
        if params['purge']:
            for name in sorted(set(current) - set(names)):
                if name.startswith(prefix):
                    before[name] = view(current[name])
                    if remove(client, current[name], check_mode):
                        outcomes['removed'].append(name)
    finally:
        client.close()
    result = dict(changed=bool(outcomes['added'] or outcomes['updated'] or outcomes['removed']),
                  credentials=objects, **outcomes)
    if diff:
        result['diff'] = dict(before=dict(sorted(before.items())), after=dict(sorted(after.items())))
    return result


def credential_info(params, check_mode=False, diff=False):
    """``vobiz_credential_info``: the account's credentials (or one), and a JMESPath selection."""
    validate_connection(params)
    expression = compile_query(params.get('query'))
    client = VobizClient(params)
    try:
        found = client.list_credentials()
    finally:
        client.close()
    credentials = [public(obj) for obj in found if params.get('username') in (None, obj['username'])]
    result = dict(changed=False, credentials=credentials)
    if expression is not None:
        result['query_result'] = expression.search(credentials)
    return result


VOBIZ_CREDENTIAL = ModuleSpec(ensure_credential, credential_argument_spec())
VOBIZ_CREDENTIAL_SET = ModuleSpec(ensure_credential_set, credential_set_argument_spec())
VOBIZ_CREDENTIAL_INFO = ModuleSpec(credential_info, credential_info_argument_spec(), (QUERY_REQUIREMENT,))
