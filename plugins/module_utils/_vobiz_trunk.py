# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vobiz SIP trunks: the logic of ``vobiz_trunk`` and ``vobiz_trunk_info`` on the resource engine.

A trunk is found by ``trunk_id`` (``GET /trunks/{id}``) or by ``name`` in the paged list
(names are not unique: two trunks of one name are an error that asks for ``trunk_id``).
The options carry the API's own names, so the returned trunk, the diff and the options
read alike. Every documented variant is accepted (https://docs.vobiz.ai/trunks):

- create: the newest body (``name``, ``trunk_type`` INBOUND|OUTBOUND, ``max_concurrent_calls``,
  nothing else) first; a server that refuses those fields gets the older body (``name`` and
  the optional fields, ``trunk_status`` enabled|disabled). What the create did not set is then
  written by one update; when that update fails the task reports the created trunk and fails.
- update: only the changed fields (older docs), or, when the server demands them, the
  replacing body (``name``, ``max_concurrent_calls``, ``enabled`` and the changes; newest docs).
  A 400/422 means nothing was applied, so the second form is safe to send.
- the attachment keys (``credential_uuid``, ``ipacl_uuid``, ``primary_uri_uuid``,
  ``fallback_uri_uuid``) appear only when set; an empty string detaches (sends null).
- delete: 204 or 200; 404 is "already absent"; 409 (active calls) is a clear error. Vobiz deletes
  the trunk's credentials with it (https://docs.vobiz.ai/trunks/delete-trunk: "Permanently delete
  all credentials associated with this trunk"): a trunk with a credential attached is deleted only
  with ``delete_credentials``; check mode and the diff name the credentials (their user names).
"""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError, json_object
from ansible_collections.sipfleet.provision.plugins.module_utils._query import QUERY, QUERY_REQUIREMENT, with_query
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import (
    Adapter, Field, WouldFail, changed_fields, ensure, simulate_update,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec
from ansible_collections.sipfleet.provision.plugins.module_utils._vobiz import (
    PartlyWritten, VobizClient, check_username, connection_options,
)

TRUNK_LIST_MAX = 100
"""docs.vobiz.ai/trunks/retrieve-all-trunks: ``limit`` "Maximum: 100"."""
NAME_MAX_LENGTH = 255
ATTACHMENTS = ('credential_uuid', 'ipacl_uuid', 'primary_uri_uuid', 'fallback_uri_uuid')
REPLACE_KEYS = ('name', 'max_concurrent_calls', 'enabled')
SERVICE_DEFAULTS = dict(trunk_status='active', secure=False, trunk_direction='outbound', concurrent_calls_limit=10,
                        cps_limit=2, transport='udp', description='')
"""What a new trunk holds unless told (docs.vobiz.ai/trunks/create-trunk; ``outbound`` is the
direction this collection creates when none is given)."""


def _check_name(name, value):
    if not value or len(value) > NAME_MAX_LENGTH or value != value.strip() or not value.isprintable():
        return '%s must be 1 to %d printable characters without surrounding spaces' % (name, NAME_MAX_LENGTH)
    return None


def _check_positive(name, value):
    return None if value >= 1 else '%s must be at least 1' % name


def _check_id(name, value):
    if value and (len(value) > 64 or not all(c.isalnum() or c == '-' for c in value)):
        return '%s must be the id (a UUID) of the object to attach, or "" to detach' % name
    return None


def _attachment_id(value):
    return value.lower() or None if isinstance(value, str) else value


TRUNK = (
    Field('name', required=True, validate=_check_name),
    Field('description'),
    Field('trunk_direction', choices=('inbound', 'outbound', 'both')),
    Field('transport', choices=('udp', 'tcp')),
    Field('secure', type='bool'),
    Field('concurrent_calls_limit', type='int', validate=_check_positive),
    Field('cps_limit', type='int', validate=_check_positive),
    Field('trunk_status', choices=('active', 'inactive')),
) + tuple(Field(key, validate=_check_id, normalise=_attachment_id) for key in ATTACHMENTS)
"""A trunk's attributes, under the API's names."""
SELECT = (
    Field('trunk_id', validate=_check_id, control=True),
    Field('credential', validate=check_username, control=True),
)


def _check_trunk(params):
    if params.get('credential') is not None and params.get('credential_uuid') is not None:
        return ['credential and credential_uuid are mutually exclusive (a trunk has one credential_uuid)']
    return []


TRUNK_OPTIONS = connection_options(
    TRUNK + SELECT + (Field('state', default='present', choices=('present', 'absent'), control=True),
                      Field('delete_credentials', type='bool', default=False, control=True)),
    check=_check_trunk)
TAKES_CREDENTIALS = ('Vobiz deletes the credentials attached to a trunk with it (%s of trunk %r): set '
                     'delete_credentials=true to delete them too, or keep the trunk and disable it '
                     '(trunk_status=inactive)')
TRUNK_INFO_OPTIONS = connection_options((
    Field('name', validate=_check_name, control=True), Field('trunk_id', validate=_check_id, control=True),
    QUERY))


def trunk_path(trunk_id):
    return '/trunks/%s' % quote(str(trunk_id), safe='')


def _refused_fields(exc, names, required=False):
    """True when a 400/422 ``exc`` names any of ``names`` (as required ones when ``required``):
    the server did not apply the request."""
    message = str(exc.message)
    return (exc.status in (400, 422) and any(name in message for name in names)
            and (not required or 'required' in message.lower()))


def _without_null_attachments(obj):
    """A trunk as the service showed it: without the null attachment keys the compare added."""
    return dict((k, v) for k, v in obj.items() if k not in ATTACHMENTS or v)


def _comparable(obj):
    """A trunk as the compare sees it: the attachment keys it lacks are null."""
    return dict(dict.fromkeys(ATTACHMENTS), **obj)


class TrunkAdapter(Adapter):
    """One trunk of the account, by id or by name."""

    fields = TRUNK
    result_key = 'trunk'

    def __init__(self, client, delete_credentials=False, state='present'):
        self.client = client
        self.delete_credentials, self.state = delete_credentials, state
        self.found = None

    def find(self, params):
        self.found = self._find(params)
        return self.found

    def _find(self, params):
        if params.get('trunk_id'):
            response = self.client.request('GET', trunk_path(params['trunk_id']), ok=(200, 404))
            if response.status_code == 404:
                if params.get('state', 'present') == 'present':
                    raise ApiError('no trunk has trunk_id %r (a trunk_id cannot be chosen: leave it out to create '
                                   'the trunk by name)' % params['trunk_id'], status=404)
                return None
            return _comparable(json_object(response, 'Vobiz'))
        named = [t for t in self.client.list_objects('/trunks', 'trunk_id', TRUNK_LIST_MAX)
                 if t.get('name') == params['name']]
        if len(named) > 1:
            raise ApiError('%d trunks are named %r (ids %s): give trunk_id to choose one'
                           % (len(named), params['name'], ', '.join(sorted(t['trunk_id'] for t in named))))
        return _comparable(named[0]) if named else None

    def simulate_create(self, desired):
        return _comparable(simulate_update(dict(SERVICE_DEFAULTS), desired))

    def create(self, desired):
        created = self._post(desired)
        rest = changed_fields(TRUNK, desired, created)
        if not rest:
            return created
        try:
            return self.update(created, simulate_update(created, desired), rest)
        except ApiError as exc:
            raise PartlyWritten('trunk %r was created (trunk_id %s), but setting %s failed' % (
                desired['name'], created.get('trunk_id'), ', '.join(rest)), exc, dict(trunk=_without_null_attachments(created))) from None

    def _post(self, desired):
        """POST the newest body; the older one when the server refuses the newest fields."""
        direction = desired.get('trunk_direction') or SERVICE_DEFAULTS['trunk_direction']
        newest = dict(name=desired['name'], trunk_type='INBOUND' if direction == 'inbound' else 'OUTBOUND',
                      max_concurrent_calls=desired.get('concurrent_calls_limit',
                                                       SERVICE_DEFAULTS['concurrent_calls_limit']))
        try:
            response = self.client.request('POST', '/trunks', ok=(200, 201), json=newest)
        except ApiError as exc:
            if not _refused_fields(exc, ('trunk_type', 'max_concurrent_calls')):
                raise
            older = dict((k, v) for k, v in desired.items() if k != 'trunk_status')
            older.update((k, _attachment_id(older[k])) for k in ATTACHMENTS if k in older)
            if 'trunk_status' in desired:
                older['trunk_status'] = 'enabled' if desired['trunk_status'] == 'active' else 'disabled'
            response = self.client.request('POST', '/trunks', ok=(200, 201), json=older)
        obj = json_object(response, 'Vobiz')
        if not obj.get('trunk_id'):
            raise ApiError('the trunk create answered without a trunk_id', status=response.status_code,
                           method='POST', url=response.url)
        return _comparable(obj)

    def update(self, current, after, changes):
        body = dict((k, _attachment_id(after[k]) if k in ATTACHMENTS else after[k]) for k in changes)
        if 'trunk_status' in body:
            body['enabled'] = body.pop('trunk_status') == 'active'
        path = trunk_path(current['trunk_id'])
        try:
            response = self.client.request('PUT', path, json=body)
        except ApiError as exc:
            if not _refused_fields(exc, REPLACE_KEYS, required=True) or set(REPLACE_KEYS) <= set(body):
                raise
            body.update(name=after['name'], enabled=after.get('trunk_status', 'active') == 'active',
                        max_concurrent_calls=body.pop('concurrent_calls_limit', after['concurrent_calls_limit']))
            response = self.client.request('PUT', path, json=body)
        answer = json_object(response, 'Vobiz')
        return _comparable(answer if answer.get('trunk_id') else after)

    shown = staticmethod(_without_null_attachments)

    def diff_view(self, obj):
        """Without the service's timestamps (check mode cannot know them); a trunk to delete names
        the credentials Vobiz deletes with it (``credentials``)."""
        shown = dict((k, v) for k, v in _without_null_attachments(obj).items() if k not in ('created_at', 'updated_at'))
        names = self.deleted_with(obj) if self.state == 'absent' and obj else []
        return dict(shown, credentials=names) if names else shown

    def deleted_with(self, trunk):
        """The user names of the credentials Vobiz deletes with ``trunk`` (its ``credential_uuid``)."""
        attached = _attachment_id(trunk.get('credential_uuid'))
        if not attached:
            return []
        return sorted(name for name, credential in self.client.credentials().items()
                      if _attachment_id(credential.get('id')) == attached)

    def refusal(self, trunk):
        """Why ``trunk`` is not deleted (it takes credentials and that was not confirmed), or None."""
        names = self.deleted_with(trunk)
        if not names or self.delete_credentials:
            return None
        return TAKES_CREDENTIALS % ('credential %s' % ', '.join(repr(n) for n in names), trunk['name'])

    def check_delete(self, current):
        refused = self.refusal(current)
        if refused:
            raise WouldFail(refused)

    def delete(self, current):
        """A trunk the service no longer knew (404) still reports the delete."""
        self.client.delete(trunk_path(current['trunk_id']), 'trunk %r' % current['name'], 'trunk_status=inactive')


def _resolve_credential(client, params, check_mode):
    """``credential`` (a user name) as ``credential_uuid``; in check mode a credential that a
    real run would create before this task reads as a placeholder."""
    name = params.get('credential')
    if name is None:
        return params
    found = client.credentials().get(name)
    if found is None and not check_mode:
        raise ApiError('credential %r does not exist: create it (vobiz_credential) before attaching it' % name)
    return dict(params, credential_uuid=found['id'] if found else '(id of credential %s)' % name)


def ensure_trunk(params, check_mode=False, diff=False):
    """``vobiz_trunk``: one trunk present (as described, with its attachments) or absent."""
    with VobizClient(params) as client:
        adapter = TrunkAdapter(client, params['delete_credentials'], params['state'])
        if params['state'] == 'present':
            return ensure(adapter, _resolve_credential(client, params, check_mode), check_mode, diff)
        result = ensure(adapter, params, check_mode, diff, 'absent')
        # a real run named its credentials before the delete (the list is kept)
        result['deleted_credentials'] = adapter.deleted_with(adapter.found) if adapter.found else []
        return result


def trunk_info(params, check_mode=False, diff=False):
    """``vobiz_trunk_info``: the account's trunks (or those of one name, or one id)."""
    return with_query(params, lambda: dict(changed=False, trunks=[
        t for t in _read_trunks(params) if params.get('name') in (None, t.get('name'))]), key='trunks')


def _read_trunks(params):
    with VobizClient(params) as client:
        if not params.get('trunk_id'):
            return client.list_objects('/trunks', 'trunk_id', TRUNK_LIST_MAX)
        found = TrunkAdapter(client).find(dict(trunk_id=params['trunk_id'], state='absent'))
        return [_without_null_attachments(found)] if found else []


VOBIZ_TRUNK = ModuleSpec(ensure_trunk, TRUNK_OPTIONS)
VOBIZ_TRUNK_INFO = ModuleSpec(trunk_info, TRUNK_INFO_OPTIONS, (QUERY_REQUIREMENT,))
