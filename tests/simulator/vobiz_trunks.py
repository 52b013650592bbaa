# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trunks, IP ACLs and origination URIs of a simulated Vobiz account, as Vobiz's API reference
(https://docs.vobiz.ai/trunks) describes them.

Sources: docs.vobiz.ai/trunks/create-trunk (newest body: ``name``,
``trunk_type`` INBOUND|OUTBOUND, ``max_concurrent_calls``, all required; defaults cps 2,
secure false, transport udp, status active; older body: ``name`` required, the rest
optional, ``trunk_status`` enabled|disabled), docs.vobiz.ai/trunks/update-trunk (newest:
"send all three fields on every update": ``name``, ``max_concurrent_calls``, ``enabled``;
older: every field optional), docs.vobiz.ai/trunks/retrieve-all-trunks (``limit`` at most 100;
the attachment keys appear only when set; several trunks may share a name),
docs.vobiz.ai/trunks/delete-trunk (204; 404; 409 while the trunk has active calls; the delete
"Permanently delete[s] all credentials associated with this trunk", removes its IP ACL entries
and deletes its origination URIs: the simulator deletes what the trunk's attachment keys name,
unless ``trunk_delete_cascade`` is switched off), and the
official MCP server's create_trunk_credential tool ("attach it to a trunk afterwards with
update_sip_trunk (credential_uuid)").
"""

from __future__ import annotations

import ipaddress
import uuid

TRUNK_OPTIONS = dict(
    trunk_create='newest',       # 'newest': name, trunk_type, max_concurrent_calls only; 'older': name + optional fields
    trunk_update='partial',      # 'partial': any subset (older docs); 'replace': name, max_concurrent_calls, enabled always
    trunk_delete_cascade=True,   # deleting a trunk deletes its credential, IP ACL and URIs (delete-trunk)
    trunks_in_use=[],            # trunk names with active calls: DELETE answers 409
)
TRUNK_LIST_MAX = 100
ATTACHMENTS = dict(credential_uuid='credentials', ipacl_uuid='ipacls', primary_uri_uuid='uris',
                   fallback_uri_uuid='uris')
_TRUNK_TYPES = dict(str=str, int=int, bool=bool)
TRUNK_FIELDS = dict(
    name='str', description='str', secure='bool', trunk_direction='str', concurrent_calls_limit='int',
    cps_limit='int', transport='str', credential_uuid='id', ipacl_uuid='id', primary_uri_uuid='id',
    fallback_uri_uuid='id', inbound_destination='str', recording='bool', enable_transcription='bool',
)
CHOICES = dict(trunk_direction=('inbound', 'outbound', 'both'), transport=('udp', 'tcp'))
NEWEST_CREATE = ('name', 'trunk_type', 'max_concurrent_calls')
REPLACE_REQUIRED = ('name', 'max_concurrent_calls', 'enabled')
OLDER_CREATE = set(TRUNK_FIELDS) | {'trunk_status', 'trunk_domain'}
IPACL_FIELDS = dict(name='str', ip_address='str', description='str', enabled='bool')
URI_FIELDS = dict(name='str', sip_uri='str', priority='int', weight='int', transport='str', description='str',
                  enabled='bool')


class Invalid(Exception):
    """A request the service refuses: ``status`` (400 or 422) and the field it names."""

    def __init__(self, status, message, field=None, value=None):
        super().__init__(message)
        self.status, self.message, self.field, self.value = status, message, field, value


def check_types(body, fields):
    """400 for a field the endpoint does not take, 422 for a value of the wrong type or choice."""
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise Invalid(400, 'Unknown fields: %s' % ', '.join(unknown))
    for key, value in body.items():
        kind = fields[key]
        if kind == 'id':
            if value is not None and not isinstance(value, str):
                raise Invalid(422, '%s must be a UUID or null' % key, key, value)
            continue
        wanted = _TRUNK_TYPES[kind]
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise Invalid(422, '%s must be a %s' % (key, kind), key, value)
        if key in CHOICES and value not in CHOICES[key]:
            raise Invalid(422, '%s must be one of %s' % (key, ', '.join(CHOICES[key])), key, value)
        if wanted is int and value < 1:
            raise Invalid(422, '%s must be at least 1' % key, key, value)
    name = body.get('name')
    if 'name' in body and (not name or len(name) > 255):
        raise Invalid(422, 'name must be 1 to 255 characters', 'name', name)


def require(body, keys):
    for key in keys:
        if key not in body:
            raise Invalid(422, '%s is required' % key, key, None)


class TrunkStore:
    """The trunk-side records of one account; ``account`` gives the credentials and options."""

    def __init__(self, account):
        self.account = account
        self.trunks, self.ipacls, self.uris = {}, {}, {}

    def clear(self):
        self.trunks.clear()
        self.ipacls.clear()
        self.uris.clear()

    def snapshot(self):
        return dict(trunks=list(self.trunks.values()), ip_acls=list(self.ipacls.values()),
                    origination_uris=list(self.uris.values()))

    def known(self, kind, ident):
        collection = self.account.credentials if kind == 'credentials' else getattr(self, kind)
        return ident in collection

    def check_attachments(self, body):
        for key, kind in ATTACHMENTS.items():
            if body.get(key) and not self.known(kind, body[key]):
                raise Invalid(422, '%s does not name an existing %s of this account' % (key, kind[:-1]), key,
                              body[key])

    # --- trunks -------------------------------------------------------------
    def render_trunk(self, record):
        obj = dict(trunk_id=record['trunk_id'], account_id=self.account.auth_id, name=record['name'],
                   trunk_domain='%s.sip.vobiz.ai' % record['trunk_id'])
        obj.update((k, v) for k, v in record.items() if k not in obj and v is not None)
        return obj

    def new_trunk(self, fields):
        stamp = self.account.stamp()
        record = dict(trunk_id=str(uuid.uuid4()), name=None, description='', trunk_status='active', secure=False,
                      trunk_direction='both', concurrent_calls_limit=10, cps_limit=2, transport='udp',
                      credential_uuid=None, ipacl_uuid=None, primary_uri_uuid=None, fallback_uri_uuid=None,
                      inbound_destination=None, recording=False, enable_transcription=False, pii_redaction=False,
                      webhook_method='POST', recording_webhook_enabled=False, created_at=stamp, updated_at=stamp)
        record.update(fields)
        self.trunks[record['trunk_id']] = record
        return record

    def create_trunk(self, body):
        if self.account.options['trunk_create'] == 'newest':
            check_types(dict((k, v) for k, v in body.items() if k != 'trunk_type'),
                        dict(name='str', max_concurrent_calls='int'))
            require(body, NEWEST_CREATE)
            if body['trunk_type'] not in ('INBOUND', 'OUTBOUND'):
                raise Invalid(422, 'trunk_type must be INBOUND or OUTBOUND', 'trunk_type', body['trunk_type'])
            fields = dict(name=body['name'], trunk_direction=body['trunk_type'].lower(),
                          concurrent_calls_limit=body['max_concurrent_calls'])
        else:
            status = body.get('trunk_status')
            rest = dict((k, v) for k, v in body.items() if k not in ('trunk_status', 'trunk_domain'))
            check_types(rest, dict(TRUNK_FIELDS, **dict.fromkeys(set(OLDER_CREATE) - set(TRUNK_FIELDS), 'str')))
            require(body, ('name',))
            if status not in (None, 'enabled', 'disabled'):
                raise Invalid(422, 'trunk_status must be enabled or disabled', 'trunk_status', status)
            self.check_attachments(rest)
            fields = dict(rest, trunk_status='inactive' if status == 'disabled' else 'active')
        return self.render_trunk(self.new_trunk(fields))

    def update_trunk(self, record, body):
        body = dict(body)
        if self.account.options['trunk_update'] == 'replace':
            require(body, REPLACE_REQUIRED)
            fields = dict(TRUNK_FIELDS, max_concurrent_calls='int', enabled='bool')
            del fields['concurrent_calls_limit']
        else:
            fields = dict(TRUNK_FIELDS, enabled='bool')
        check_types(body, fields)
        self.check_attachments(body)
        if 'max_concurrent_calls' in body:
            body['concurrent_calls_limit'] = body.pop('max_concurrent_calls')
        if 'enabled' in body:
            body['trunk_status'] = 'active' if body.pop('enabled') else 'inactive'
        record.update(body, updated_at=self.account.stamp())
        return self.render_trunk(record)

    def delete_trunk(self, record):
        """None when deleted; the refusal's message when the trunk has active calls."""
        if record['name'] in self.account.options['trunks_in_use']:
            return 'Trunk has active calls'
        self.trunks.pop(record['trunk_id'], None)
        if self.account.options['trunk_delete_cascade']:
            for key, kind in ATTACHMENTS.items():
                collection = self.account.credentials if kind == 'credentials' else getattr(self, kind)
                collection.pop(record.get(key), None)
        return None

    # --- IP ACLs and origination URIs -----------------------------------------
    def render_ipacl(self, record):
        keys = ('id', 'ip_address', 'description', 'enabled', 'created_at', 'updated_at')
        return dict(dict((k, record[k]) for k in keys), account_id=self.account.auth_id)

    def render_uri(self, record):
        keys = ('id', 'name', 'priority', 'weight', 'enabled', 'transport', 'description', 'created_at',
                'updated_at')
        return dict(dict((k, record[k]) for k in keys), account_id=self.account.auth_id, uri=record['sip_uri'])

    def write_ipacl(self, record, body):
        check_types(body, IPACL_FIELDS)
        if record is None:
            require(body, ('name', 'ip_address'))
        if 'ip_address' in body:
            try:
                network = ipaddress.ip_network(body['ip_address'], strict=False)
            except ValueError:
                network = None
            if network is None or network.version != 4:
                raise Invalid(422, 'ip_address must be an IPv4 address or CIDR', 'ip_address', body['ip_address'])
        return self.store(self.ipacls, record, body, dict(description='', enabled=True)), self.render_ipacl

    def write_uri(self, record, body):
        check_types(body, URI_FIELDS)
        if record is None:
            require(body, ('name', 'sip_uri'))
        if body.get('transport') not in (None, 'udp', 'tcp', 'tls'):
            raise Invalid(422, 'transport must be udp, tcp or tls', 'transport', body['transport'])
        if 'sip_uri' in body and not body['sip_uri']:
            raise Invalid(422, 'sip_uri is required', 'sip_uri', body['sip_uri'])
        defaults = dict(priority=1, weight=10, enabled=True, transport='udp', description='')
        return self.store(self.uris, record, body, defaults), self.render_uri

    def store(self, collection, record, body, defaults):
        stamp = self.account.stamp()
        if record is None:
            record = dict(defaults, id=str(uuid.uuid4()), created_at=stamp)
            collection[record['id']] = record
        record.update(body, updated_at=stamp)
        return record
