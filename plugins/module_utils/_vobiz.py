# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vobiz: the account's connection options, its API client (paged lists of every kind of
object), and the credentials of ``vobiz_credential``, ``vobiz_credential_set`` and
``vobiz_credential_info`` on the resource engine. Trunks are in ``vobiz_trunk``.

The API has no read of one credential: a credential is found by walking the paginated
list and matching its ``username`` (unique per account, immutable). Every documented
variant of the answers is accepted (https://docs.vobiz.ai): create 201 or 200, delete 204 or
200, ``meta.total`` or ``meta.total_count``, ``objects: null``, both 409 bodies,
``description`` returned or not. The password is write-only: never compared, returned,
shown or put in an error. ``auth_id`` is an identifier (it is in every URL and in the
realm the panels need), not a secret; ``auth_token`` is.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible_collections.sipfleet.provision.plugins.module_utils._http import (
    ApiError, HttpClient, ServiceClient, http_argument_spec, json_object,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._query import QUERY, QUERY_REQUIREMENT, with_query
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import (
    Adapter, Exists, Field, Options, check_input, converge, ensure, simulate_update,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec

DEFAULT_API_URL = 'https://api.vobiz.ai'
PASSWORD_MIN_LENGTH = 8
USERNAME_MAX_LENGTH = 255
_AUTH_ID = re.compile(r'[A-Za-z0-9_]{1,64}')
_USERNAME = re.compile(r'[A-Za-z0-9_-]+')
"""Vobiz's rule for user names: "letters, numbers, underscores, and hyphens only. No spaces or
symbols" (docs.vobiz.ai/platform/sip/credentials); ASCII only, matched as a whole."""

NO_PASSWORD_ON_CREATE = ('credential %r does not exist and must be created, but no "password" was given '
                         '(the API needs one to create a credential)')
NO_PASSWORD_ON_UPDATE = (
    'the Vobiz API refused to update credential %r without its password: this API version '
    'requires "password" on every update (%s). Set update_password=always with the '
    'credential\'s password; every run then sends it and reports a change')
IN_USE = ('%s cannot be deleted: it is in use by active calls (the server says: %s). '
          'Retry when the calls have ended; %s stops new calls meanwhile')


# --- options --------------------------------------------------------------------------

def _check_auth_id(name, value):
    if not _AUTH_ID.fullmatch(value):
        return '%s must be the account\'s auth ID (letters, digits and "_", for example MA_XXXXXXXX)' % name
    return None


def _check_not_empty(name, value):
    return None if value else '%s must not be empty' % name


def _check_positive(name, value):
    return None if value >= 1 else '%s must be at least 1' % name


def check_username(name, value):
    """Vobiz's user name rule, before any request (linear time: one regular match)."""
    if len(value) > USERNAME_MAX_LENGTH or not _USERNAME.fullmatch(value):
        return ('%s must be 1 to %d of the characters Vobiz allows in a user name: ASCII letters, digits, '
                '"_" and "-" (no spaces, other symbols or line breaks)' % (name, USERNAME_MAX_LENGTH))
    return None


def _check_password(name, value):
    if len(value) < PASSWORD_MIN_LENGTH:
        return '%s must be at least %d characters' % (name, PASSWORD_MIN_LENGTH)
    return None


CONNECTION = (
    Field('auth_id', required=True, no_log=False, env=('VOBIZ_AUTH_ID',), validate=_check_auth_id, control=True),
    Field('auth_token', required=True, no_log=True, env=('VOBIZ_AUTH_TOKEN',), validate=_check_not_empty,
          control=True),
    Field('api_url', default=DEFAULT_API_URL, control=True),
    Field('page_size', type='int', default=100, validate=_check_positive, control=True),
)
"""Options every Vobiz module shares (documented in doc_fragments/vobiz.py)."""
UPDATE_PASSWORD = Field('update_password', default='on_create', choices=('always', 'on_create'), no_log=False,
                        control=True)
CREDENTIAL = (
    Field('username', required=True, validate=check_username),
    Field('password', no_log=True, write_only=True, validate=_check_password),
    Field('enabled', type='bool'),
    Field('description', absent_is_unknown=True),
)
"""A credential; ``username`` is its key (never updated), ``password`` write-only."""


def connection_options(fields=(), **rules):
    """The options of a Vobiz module: the connection, ``fields`` and the HTTP options."""
    return Options(CONNECTION + tuple(fields), extra=http_argument_spec(), **rules)


def _check_update_password(params):
    if params.get('state', 'present') == 'present' and params['update_password'] == 'always' \
            and not params.get('password'):
        return ['update_password=always needs a password']
    return []


def _check_set(params):
    errors = []
    prefix = params.get('purge_prefix')
    if prefix is not None and not prefix:
        errors.append('purge_prefix must not be empty (it would put every credential of the account in scope)')
    if params['purge'] and not prefix:
        errors.append('purge needs purge_prefix: name the usernames this set owns (only those can be deleted)')
    names = [item['username'] for item in params['credentials']]
    repeated = sorted(set(n for n in names if names.count(n) > 1))
    if repeated:
        errors.append('credentials: each username may be listed once; repeated: %s' % ', '.join(repeated))
    outside = [n for n in names if prefix and not n.startswith(prefix)]
    if outside:
        errors.append('credentials outside purge_prefix %r cannot be managed by this set: %s'
                      % (prefix, ', '.join(outside)))
    for index, item in enumerate(params['credentials']):
        errors.extend(check_input(CREDENTIAL, item, 'credentials[%d].' % index))
        if _update_secrets(params, item['username']) == 'always' and not item.get('password'):
            errors.append('credentials[%d]: %s needs a password' % (
                index, 'update_password=always' if params['update_password'] == 'always' else 'resend_password'))
    unknown = sorted(set(params.get('resend_password') or ()) - set(names))
    if unknown:
        errors.append('resend_password names credentials that are not listed: %s' % ', '.join(unknown))
    return errors


CREDENTIAL_OPTIONS = connection_options(
    CREDENTIAL + (Field('state', default='present', choices=('present', 'absent'), control=True), UPDATE_PASSWORD),
    check=_check_update_password)
CREDENTIAL_SET_OPTIONS = connection_options((
    Field('credentials', type='list', elements='dict', required=True, children=CREDENTIAL, control=True),
    Field('purge', type='bool', default=False, control=True),
    Field('purge_prefix', control=True),
    UPDATE_PASSWORD,
    Field('resend_password', type='list', elements='str', default=[], no_log=False, control=True),
), check=_check_set)
CREDENTIAL_INFO_OPTIONS = connection_options((
    Field('username', validate=check_username, control=True), QUERY))


# --- the API client -------------------------------------------------------------------

def _tidy(credential):
    """A listed credential as the compare sees it: a ``null`` description reads as empty."""
    if 'description' in credential and credential['description'] is None:
        return dict(credential, description='')
    return credential


def _count(value):
    return isinstance(value, int) and not isinstance(value, bool)


class VobizClient(ServiceClient):
    """The API of one account: paged lists, and the credential writes. An error's
    ``details.errors`` name the refused fields (never their values)."""

    def __init__(self, params):
        self.page_size = params['page_size']
        self.prefix = '/api/v1/Account/%s' % quote(params['auth_id'], safe='')
        self.http = HttpClient.from_params(
            params, headers={'X-Auth-ID': params['auth_id'], 'X-Auth-Token': params['auth_token'],
                             'Accept': 'application/json'}, refused_in='details')
        self.http.register_secret(params['auth_token'])
        self.index = None

    def request(self, method, path, **kwargs):
        return self.http.request(method, self.prefix + path, **kwargs)

    def list_objects(self, path, key, max_limit=None):
        """Every object of a list (``/trunks/credentials``, ``/trunks``, ...) that has ``key``:
        pages of ``page_size`` (at most ``max_limit``) until the stop rules say done."""
        found, offset = [], 0
        page_size = min(self.page_size, max_limit or self.page_size)
        while True:
            response = self.request('GET', path, params=dict(limit=page_size, offset=offset))
            body = json_object(response, 'Vobiz')
            objects = body.get('objects') or []
            if not isinstance(objects, list):
                raise ApiError('unexpected answer: "objects" is not a list', status=response.status_code,
                               method='GET', url=response.url)
            found.extend(obj for obj in objects if isinstance(obj, dict) and obj.get(key))
            meta = body.get('meta') if isinstance(body.get('meta'), dict) else {}
            total = meta.get('total', meta.get('total_count'))
            limit = meta.get('limit')
            limit = min(limit, page_size) if _count(limit) and limit > 0 else page_size
            offset += len(objects)
            if not objects or len(objects) < limit or (_count(total) and offset >= total):
                return found

    def credentials(self, refresh=False):
        """The account's credentials by username (one list walk, kept until ``refresh``)."""
        if self.index is None or refresh:
            self.index = dict((obj['username'], _tidy(obj)) for obj in self.list_objects('/trunks/credentials', 'username'))
        return self.index

    def create_credential(self, username, password):
        """POST the credential; its object. :class:`Exists` on 409 (adopt the existing one)."""
        response = self.request('POST', '/credentials', ok=(200, 201, 409),
                                json=dict(username=username, password=password))
        obj = json_object(response, 'Vobiz') if response.status_code != 409 else {}
        if obj.get('id'):
            return obj
        current = self.credentials(refresh=True).get(username)
        if current is None:
            raise ApiError('creating credential %r answered %d, but the credential list does not show it'
                           % (username, response.status_code), status=response.status_code)
        raise Exists(current)

    def update_credential(self, obj, body):
        """PUT ``body``; the credential's object after it."""
        try:
            response = self.request('PUT', '/credentials/%s' % quote(str(obj['id']), safe=''), json=body)
        except ApiError as exc:
            if exc.status in (400, 422) and 'password' not in body and 'password' in str(exc.message).lower():
                raise ApiError(NO_PASSWORD_ON_UPDATE % (obj['username'], exc.message), status=exc.status,
                               code=exc.code, method=exc.method, url=exc.url) from None
            raise
        after = simulate_update(obj, dict((k, v) for k, v in body.items() if k != 'password'))
        answer = json_object(response, 'Vobiz')
        after.update((k, v) for k, v in answer.items() if k != 'description' or v is not None)
        return after

    def delete(self, path, what, disable_hint):
        """DELETE ``path``; False when the server no longer knows it (404); 409: in use."""
        response = self.request('DELETE', path, ok=(200, 204, 404, 409))
        if response.status_code == 409:
            code, message = self.http.error_text(response)
            raise ApiError(IN_USE % (what, message, disable_hint), status=409, code=code, method='DELETE',
                           url=response.url)
        return response.status_code != 404


class PartlyWritten(ApiError):
    """A write that did part of its work: the task reports ``changed`` and what was done
    (``done``: result keys such as ``credential``, ``added``) and fails with the rest."""

    def __init__(self, message, cause, done):
        super().__init__('%s: %s' % (message, cause.message), status=cause.status, code=cause.code,
                         method=cause.method, url=cause.url)
        self.done = done

    def to_result(self):
        return dict(super().to_result(), changed=True, **self.done)


# --- credentials on the engine --------------------------------------------------------------

def without_password(obj):
    """A credential as modules return it: everything but the (always redacted) password."""
    return dict((k, v) for k, v in obj.items() if k != 'password')


class CredentialAdapter(Adapter):
    """One credential, found in the client's list index."""

    fields = CREDENTIAL
    result_key = 'credential'

    def __init__(self, client):
        self.client = client

    def find(self, params):
        return self.client.credentials().get(params['username'])

    def simulate_create(self, desired):
        self._need_password(desired)
        return without_password(simulate_update(dict(enabled=True, description=''), desired))

    def create(self, desired):
        self._need_password(desired)
        obj = self.client.create_credential(desired['username'], desired['password'])
        follow = dict((k, desired[k]) for k in ('enabled', 'description')
                      if k in desired and obj.get(k) != desired[k])
        if not follow:
            return obj
        try:
            return self.client.update_credential(obj, follow)
        except ApiError as exc:
            raise PartlyWritten('credential %r was created, but setting %s failed' % (
                desired['username'], ' and '.join(sorted(follow))), exc, dict(credential=without_password(obj))) from None

    def update(self, current, after, changes):
        body = dict((k, after[k]) for k in changes)
        if 'description' in after and 'description' not in current:
            body['description'] = after['description']  # compared only when returned, sent with every write
        return self.client.update_credential(current, body)

    def delete(self, current):
        return self.client.delete('/credentials/%s' % quote(str(current['id']), safe=''),
                                  'credential %r' % current['username'], 'enabled=false')

    shown = staticmethod(without_password)

    @staticmethod
    def diff_view(obj):
        """Its user name, enabled, and description when the API version returns one."""
        return dict((k, v) for k, v in obj.items() if k in ('username', 'enabled', 'description'))

    @staticmethod
    def _need_password(desired):
        if not desired.get('password'):
            raise ApiError(NO_PASSWORD_ON_CREATE % desired['username'])


def ensure_credential(params, check_mode=False, diff=False):
    """``vobiz_credential``: one credential present (as described) or absent."""
    with VobizClient(params) as client:
        return ensure(CredentialAdapter(client), params, check_mode, diff, params['state'], _update_secrets(params))


def _update_secrets(params, username=None):
    """When a password is sent: ``always`` on update_password=always and for the credentials that
    ``resend_password`` names (a set's), else only with another change."""
    resend = username is not None and username in (params.get('resend_password') or ())
    return 'always' if params['update_password'] == 'always' or resend else 'on_change'


def ensure_credential_set(params, check_mode=False, diff=False):
    """``vobiz_credential_set``: every declared credential as described; with ``purge``,
    every other credential whose username starts with ``purge_prefix`` deleted.
    One list walk, then one request per change; a failure reports what was done."""
    wanted, prefix = params['credentials'], params.get('purge_prefix')
    outcomes = dict(added=[], updated=[], removed=[], untouched=[])
    before, after, objects = {}, {}, []
    with VobizClient(params) as client:
        adapter = CredentialAdapter(client)
        current = dict(client.credentials())
        missing = [i['username'] for i in wanted if i['username'] not in current and not i.get('password')]
        if missing:
            raise ApiError('credentials that must be created need a password: %s' % ', '.join(missing))
        try:
            for item in wanted:
                name = item['username']
                outcome = converge(adapter, item, current.get(name), check_mode,
                                   update_secrets=_update_secrets(params, name))
                kind = 'added' if outcome.created else 'updated' if outcome.changed else 'untouched'
                outcomes[kind].append(name)
                objects.append(adapter.shown(outcome.obj))
                shown = outcome.diff(adapter)
                before.update({name: shown['before']} if outcome.before else {})
                after[name] = shown['after']
            if params['purge']:
                for name in sorted(set(current) - set(i['username'] for i in wanted)):
                    if name.startswith(prefix):
                        before[name] = adapter.diff_view(current[name])
                        if check_mode or adapter.delete(current[name]):
                            outcomes['removed'].append(name)
        except PartlyWritten as exc:
            exc.done.update(outcomes, added=outcomes['added'] + [exc.done['credential']['username']])
            raise
        except ApiError as exc:
            if outcomes['added'] or outcomes['updated'] or outcomes['removed']:
                raise PartlyWritten('some credentials were written before a failure', exc, dict(outcomes)) from None
            raise
    result = dict(changed=bool(outcomes['added'] or outcomes['updated'] or outcomes['removed']),
                  credentials=objects, **outcomes)
    if diff:
        result['diff'] = dict(before=dict(sorted(before.items())), after=dict(sorted(after.items())))
    return result


def credential_info(params, check_mode=False, diff=False):
    """``vobiz_credential_info``: the account's credentials (or one), and a JMESPath selection."""
    return with_query(params, lambda: dict(changed=False, credentials=[
        without_password(obj) for obj in _list_credentials(params) if params.get('username') in (None, obj['username'])]),
        key='credentials')


def _list_credentials(params):
    with VobizClient(params) as client:
        return client.list_objects('/trunks/credentials', 'username')


VOBIZ_CREDENTIAL = ModuleSpec(ensure_credential, CREDENTIAL_OPTIONS)
VOBIZ_CREDENTIAL_SET = ModuleSpec(ensure_credential_set, CREDENTIAL_SET_OPTIONS)
VOBIZ_CREDENTIAL_INFO = ModuleSpec(credential_info, CREDENTIAL_INFO_OPTIONS, (QUERY_REQUIREMENT,))
