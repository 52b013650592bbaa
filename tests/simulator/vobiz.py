# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Vobiz account's SIP-trunk API (credentials here; trunks, IP ACLs and origination
URIs in ``vobiz_trunks``), as Vobiz's API reference (https://docs.vobiz.ai) describes it.

``X-Auth-ID``/``X-Auth-Token`` on every call (401 otherwise, and when the auth id of
the path is another one), the ``Account`` and ``account`` path segments, ``limit``/
``offset`` pages, passwords of at least 8 characters (422 ``VALIDATION_ERROR``),
duplicate usernames (409), write-only passwords shown as ``<redacted>``, the standard
error envelope. Each documented variant of an answer is a switch in ``options``.

Control routes (``/targets/NAME/...`` on the control API):

- ``GET /state``: the options, the stored credentials (with their real passwords), trunks,
  IP ACLs and origination URIs; ``DELETE /state``: none of them and the default options again;
- ``PATCH /options``: the variants (see ``DEFAULT_OPTIONS``); unknown names are a 400;
- ``PATCH /account``: ``auth_id``, ``auth_token``;
- ``POST /credentials`` ``{username, password, enabled, description}``: create out of band;
  ``PATCH /credentials/USERNAME``, ``DELETE /credentials/USERNAME``: change or delete out of band;
- ``POST /trunks``, ``POST /ip-acl``, ``POST /origination-uris`` (stored fields): create out of
  band, answering the object; ``PATCH /trunks/ID``: change a trunk out of band.
"""

from __future__ import annotations

import copy
import datetime
import threading
import uuid

from .server import App, Response, json_response
from .vobiz_trunks import TRUNK_LIST_MAX, TRUNK_OPTIONS, Invalid, TrunkStore

DEFAULT_OPTIONS = dict(
    create_status=201,          # 201 or 200
    delete_status=204,          # 204 (empty body) or 200 (a JSON body)
    total_key='total',          # 'total' (current spec) or 'total_count' (older docs)
    null_objects=False,         # an empty page answers "objects": null
    conflict_body='envelope',   # 409 body: 'envelope' (DUPLICATE_USERNAME) or 'short' ({"error", "code": 409})
    description=True,           # objects carry "description" (older versions) or not (current schema)
    strict_update=False,        # PUT without "password" is a 422 naming it
    create_extra='reject',      # create with enabled/description: 'reject' (400, newest docs) or 'accept'
    extra_fields=False,         # unknown fields in objects and meta, Deprecation/Sunset headers
    in_use=[],                  # usernames in use by active calls: DELETE answers 409
    concurrent_create=0,        # the next N creates find the username created just before: 409
    reject_punctuation=False,   # usernames with "_" or "-" are a 400 (some API versions)
    active=True,                # False: every call answers 403 ACCOUNT_INACTIVE
    default_limit=20,
    **TRUNK_OPTIONS
)
ERROR_CODES = {400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'ACCOUNT_INACTIVE', 404: 'NOT_FOUND',
               409: 'CONFLICT', 422: 'VALIDATION_ERROR', 429: 'RATE_LIMIT_EXCEEDED',
               500: 'INTERNAL_ERROR', 502: 'BAD_GATEWAY', 503: 'SERVICE_UNAVAILABLE', 504: 'GATEWAY_TIMEOUT'}
UPDATABLE = {'password': str, 'enabled': bool, 'description': str}


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def envelope(status, code=None, message=None, details=None):
    """The standard error envelope of the Vobiz API."""
    return {'status': 'error',
            'error': {'code': code or ERROR_CODES.get(status, 'ERROR'), 'message': message or 'Request failed',
                      'details': details or {}},
            'timestamp': now(), 'requestId': 'req_%s' % uuid.uuid4().hex[:16]}


def error(status, code=None, message=None, details=None):
    return json_response(status, envelope(status, code, message, details))


def validation_error(field, message, code, value):
    return error(422, 'VALIDATION_ERROR', 'Validation failed',
                 {'errors': [{'field': field, 'message': message, 'code': code, 'value': value}]})


class VobizAccount(App):
    def __init__(self, auth_id='MA_SIMUL001', auth_token='sim-token', **options):
        self.auth_id = auth_id
        self.auth_token = auth_token
        self.options = copy.deepcopy(DEFAULT_OPTIONS)
        self.options.update(options)
        self.credentials = {}  # id -> stored record (real password), in creation order
        self.trunk_store = TrunkStore(self)
        self.lock = threading.Lock()

    @staticmethod
    def stamp():
        return now()

    # --- in-process helpers (tests) --------------------------------------
    def add_credential(self, username, password='secret-pass-1', enabled=True, description=''):
        stamp = now()
        record = dict(id=str(uuid.uuid4()), username=username, password=password, enabled=enabled,
                      description=description, created_at=stamp, updated_at=stamp)
        with self.lock:
            self.credentials[record['id']] = record
        return record

    def by_username(self, username):
        with self.lock:
            for record in self.credentials.values():
                if record['username'] == username:
                    return record
        return None

    def reset(self):
        with self.lock:
            self.credentials.clear()
            self.trunk_store.clear()
            self.options = copy.deepcopy(DEFAULT_OPTIONS)

    # --- the API -----------------------------------------------------------
    def handle(self, request):
        if request.headers.get('X-Auth-ID') != self.auth_id or request.headers.get('X-Auth-Token') != self.auth_token:
            return error(401, message='Missing or invalid authentication credentials')
        if not self.options['active']:
            return error(403, 'ACCOUNT_INACTIVE', 'Account is inactive')
        parts = [p for p in request.path.split('/') if p]
        if parts == ['api', 'v1', 'auth', 'me'] and request.method == 'GET':
            return json_response(200, {'auth_id': self.auth_id, 'name': 'Simulated account', 'status': 'active'})
        if len(parts) < 5 or parts[:2] != ['api', 'v1'] or parts[2] not in ('Account', 'account'):
            return error(404, message='Not found')
        if parts[3] != self.auth_id:
            return error(401, message='The auth id of the path does not match X-Auth-ID')
        rest, method = parts[4:], request.method
        if rest == ['trunks', 'credentials'] and method == 'GET':
            with self.lock:
                return self.list(request, self.credentials, self.render)
        if rest == ['credentials'] and method == 'POST':
            return self.create(request)
        if len(rest) == 2 and rest[0] == 'credentials' and method in ('PUT', 'DELETE'):
            return (self.update if method == 'PUT' else self.delete)(request, rest[1])
        with self.lock:
            try:
                return self.trunk_route(request, rest, method)
            except Invalid as exc:
                if exc.status == 400:
                    return error(400, message=exc.message)
                return validation_error(exc.field, exc.message, 'invalid', exc.value)

    def trunk_route(self, request, rest, method):
        """The trunk, IP ACL and origination URI routes (called with the lock held)."""
        store = self.trunk_store
        lists = {('trunks',): (store.trunks, store.render_trunk, TRUNK_LIST_MAX),
                 ('trunks', 'ip-acl'): (store.ipacls, store.render_ipacl, None),
                 ('trunks', 'origination-uris'): (store.uris, store.render_uri, None)}
        if tuple(rest) in lists and method == 'GET':
            return self.list(request, *lists[tuple(rest)])
        if rest == ['trunks'] and method == 'POST':
            return self.answer(self.options['create_status'], store.create_trunk(self.body_or_raise(request)))
        if len(rest) == 2 and rest[0] == 'trunks':
            record = store.trunks.get(rest[1])
            if record is None:
                return error(404, message='Trunk not found')
            if method == 'GET':
                return self.answer(200, store.render_trunk(record))
            if method == 'PUT':
                return self.answer(200, store.update_trunk(record, self.body_or_raise(request)))
            if method == 'DELETE':
                refused = store.delete_trunk(record)
                return error(409, 'TRUNK_IN_USE', refused) if refused else self.deleted('Trunk deleted')
        writers = {'ip-acl': (store.ipacls, store.write_ipacl), 'origination-uris': (store.uris, store.write_uri)}
        if rest and rest[0] in writers and len(rest) <= 2:
            collection, write = writers[rest[0]]
            if len(rest) == 1 and method == 'POST':
                record, render = write(None, self.body_or_raise(request))
                return self.answer(self.options['create_status'], render(record))
            record = collection.get(rest[1]) if len(rest) == 2 else None
            if record is None or method not in ('PUT', 'DELETE'):
                return error(404, message='Not found')
            if method == 'DELETE':
                del collection[rest[1]]
                return self.deleted('Deleted')
            record, render = write(record, self.body_or_raise(request))
            return self.answer(200, render(record))
        return error(404, message='Not found')

    def deleted(self, message):
        if self.options['delete_status'] == 200:
            return self.answer(200, {'status': 'success', 'message': message})
        return self.answer(204, None)

    def body_or_raise(self, request):
        body, failure = self.body(request)
        if failure:
            raise Invalid(400, failure.body['error']['message'])
        return body

    def render(self, record):
        obj = dict(id=record['id'], account_id=self.auth_id, username=record['username'], password='<redacted>',
                   realm='%s.sip.vobiz.ai' % self.auth_id, enabled=record['enabled'],
                   created_at=record['created_at'], updated_at=record['updated_at'])
        if self.options['description']:
            obj['description'] = record['description']
        if self.options['extra_fields']:
            obj.update(trunk_count=0, sip_domain='sip.vobiz.ai', labels={'source': 'simulator'})
        return obj

    def answer(self, status, body):
        headers = {}
        if self.options['extra_fields']:
            headers = {'Deprecation': 'true', 'Sunset': 'Wed, 31 Dec 2036 23:59:59 GMT'}
        return Response(status, body, headers)

    def list(self, request, collection, render, max_limit=None):
        """One page of ``collection`` (records in creation order) rendered by ``render``."""
        try:
            limit = int(request.query.get('limit', self.options['default_limit']))
            offset = int(request.query.get('offset', 0))
        except ValueError:
            return error(400, message='limit and offset must be integers')
        if limit < 1 or offset < 0 or (max_limit and limit > max_limit):
            return error(400, message='limit must be 1 to %s and offset not negative' % (max_limit or 'any'))
        records = list(collection.values())
        objects = [render(r) for r in records[offset:offset + limit]]
        meta = {'limit': limit, 'offset': offset, self.options['total_key']: len(records)}
        if self.options['extra_fields']:
            meta.update(next=None, previous=None, generated_at=now())
        body = {'meta': meta, 'objects': objects if objects or not self.options['null_objects'] else None}
        if self.options['extra_fields']:
            body['api_version'] = 'v1.2'
        return self.answer(200, body)

    def body(self, request):
        if not request.body:
            return None, error(400, message='A JSON body is required')
        if 'application/json' not in (request.headers.get('Content-Type') or ''):
            return None, error(400, message='Content-Type must be application/json')
        try:
            body = request.json()
        except ValueError:
            return None, error(400, message='The body is not valid JSON')
        if not isinstance(body, dict):
            return None, error(400, message='The body must be a JSON object')
        return body, None

    def check_password(self, password):
        if not isinstance(password, str) or len(password) < 8:
            return validation_error('password', 'Password must be at least 8 characters', 'min_length', password)
        return None

    def create(self, request):
        body, failure = self.body(request)
        if failure:
            return failure
        username = body.get('username')
        extra = sorted(set(body) - {'username', 'password'})
        if extra and (self.options['create_extra'] == 'reject' or set(extra) - {'enabled', 'description'}):
            return error(400, message='Unknown fields: %s' % ', '.join(extra))
        if not isinstance(username, str) or not username:
            return validation_error('username', 'Username is required', 'required', username)
        if self.options['reject_punctuation'] and ('_' in username or '-' in username):
            return error(400, message='Username may contain only letters and digits')
        failure = self.check_password(body.get('password'))
        if failure:
            return failure
        with self.lock:
            racing = self.options['concurrent_create'] > 0
            if racing:
                self.options['concurrent_create'] -= 1
        if racing:  # another client created it just before this request
            self.add_credential(username, body['password'])
        if self.by_username(username) is not None:
            if self.options['conflict_body'] == 'short':
                return json_response(409, {'error': 'Username already exists', 'code': 409})
            return error(409, 'DUPLICATE_USERNAME', 'Username already exists', {'username': username})
        record = self.add_credential(username, body['password'], body.get('enabled', True),
                                     body.get('description', ''))
        return self.answer(self.options['create_status'], self.render(record))

    def update(self, request, cid):
        body, failure = self.body(request)
        if failure:
            return failure
        with self.lock:
            record = self.credentials.get(cid)
        if record is None:
            return error(404, message='Credential not found')
        unknown = sorted(set(body) - set(UPDATABLE))
        if unknown:
            return error(400, message='Fields that cannot be updated: %s' % ', '.join(unknown))
        if self.options['strict_update'] and 'password' not in body:
            return validation_error('password', 'Password is required', 'required', None)
        for key, kind in UPDATABLE.items():
            if key in body and not isinstance(body[key], kind):
                return validation_error(key, '%s must be a %s' % (key, kind.__name__), 'type', body[key])
        if 'password' in body:
            failure = self.check_password(body['password'])
            if failure:
                return failure
        with self.lock:
            record.update(body, updated_at=now())
        return self.answer(200, self.render(record))

    def delete(self, request, cid):
        with self.lock:
            record = self.credentials.get(cid)
        if record is None:
            return error(404, message='Credential not found')
        if record['username'] in self.options['in_use']:
            return error(409, 'CREDENTIAL_IN_USE', 'Credential is in use by active calls')
        with self.lock:
            self.credentials.pop(cid, None)
        return self.deleted('Credential deleted')

    # --- faults and control -------------------------------------------------
    def fault_body(self, status):
        messages = {429: 'Rate limit exceeded', 502: 'Bad gateway', 503: 'Service temporarily unavailable'}
        return envelope(status, message=messages.get(status, 'Injected fault'))

    def control(self, request, path):
        parts = [p for p in path.split('/') if p]
        method = request.method
        if parts == ['state'] and method == 'GET':
            with self.lock:
                return json_response(200, dict(copy.deepcopy(self.trunk_store.snapshot()), auth_id=self.auth_id,
                                               options=copy.deepcopy(self.options),
                                               credentials=copy.deepcopy(list(self.credentials.values()))))
        if parts == ['state'] and method == 'DELETE':
            self.reset()
            return json_response(200, {})
        if parts == ['options'] and method == 'PATCH':
            change = request.json()
            unknown = sorted(set(change) - set(DEFAULT_OPTIONS))
            if unknown:
                return json_response(400, {'error': 'unknown options: %s' % ', '.join(unknown)})
            with self.lock:
                self.options.update(change)
                return json_response(200, copy.deepcopy(self.options))
        if parts == ['account'] and method == 'PATCH':
            change = request.json()
            self.auth_id = change.get('auth_id', self.auth_id)
            self.auth_token = change.get('auth_token', self.auth_token)
            return json_response(200, {'auth_id': self.auth_id})
        if parts == ['credentials'] and method == 'POST':
            spec = request.json()
            if self.by_username(spec['username']) is not None:
                return json_response(409, {'error': 'exists'})
            record = self.add_credential(spec['username'], spec.get('password', 'secret-pass-1'),
                                         spec.get('enabled', True), spec.get('description', ''))
            return json_response(201, {'id': record['id']})
        if len(parts) == 2 and parts[0] == 'credentials' and method in ('PATCH', 'DELETE'):
            record = self.by_username(parts[1])
            if record is None:
                return json_response(404, {'error': 'no credential %s' % parts[1]})
            with self.lock:
                if method == 'DELETE':
                    self.credentials.pop(record['id'], None)
                else:
                    record.update(request.json(), updated_at=now())
            return json_response(200, {})
        return self.control_trunks(request, parts, method) or super().control(request, path)

    def control_trunks(self, request, parts, method):
        store = self.trunk_store
        with self.lock:
            if parts == ['trunks'] and method == 'POST':
                return json_response(201, store.render_trunk(store.new_trunk(request.json())))
            if parts in (['ip-acl'], ['origination-uris']) and method == 'POST':
                collection = store.ipacls if parts == ['ip-acl'] else store.uris
                defaults = dict(description='', enabled=True, priority=1, weight=10, transport='udp', name='',
                                ip_address='', sip_uri='')
                record = store.store(collection, None, request.json(), defaults)
                render = store.render_ipacl if parts == ['ip-acl'] else store.render_uri
                return json_response(201, render(record))
            if len(parts) == 2 and parts[0] == 'trunks' and method == 'PATCH' and parts[1] in store.trunks:
                store.trunks[parts[1]].update(request.json(), updated_at=now())
                return json_response(200, store.render_trunk(store.trunks[parts[1]]))
        return None
