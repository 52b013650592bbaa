# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Panels that really register: a real registrar (Kamailio, ``tests/registrar``) whose domains
and users follow the Vobiz and RingCentral simulators, and one SIP user agent per panel.

``start_registration(simulator, scale)`` on a started :class:`~.server.Simulator` starts
Kamailio and wires it (``simulator.stop()`` then stops both):

- Vobiz: every active trunk's ``trunk_domain`` is a domain of the registrar with the digest
  realm ``{auth_id}.sip.vobiz.ai``; every enabled credential is a user of that realm (user name
  = auth user = AOR user). Credentials are account-scoped (https://docs.vobiz.ai, H), so any of
  them registers on any trunk of the account. Synced after every successful write to the
  account (API or control route) before the answer goes out.
- RingCentral: every identity a sip-provision call issued or a readDeviceSipInfo call showed:
  the ``domain`` is a domain and the realm, the ``authorizationId`` is the auth user,
  ``username`` the AOR user. When a call shows a device's password rotated, every
  authorization id of that device moves to the new one. The outbound proxies it names
  resolve to the registrar.
- Panels: a :class:`~.sip_ua.UserAgent` each, fed by the panel's settings listener; what it
  reports answers the panel's status call (``OK`` registered, ``ERROR`` otherwise); its last
  report is at the control route ``GET /targets/NAME/sip-ua``.

Names resolve to the registrar only through this module's resolver: trunk domains on port 5060, RingCentral outbound proxies
on their own ports. Nothing else resolves.
"""

from __future__ import annotations

import copy
import threading

from .server import json_response
from .sip_ua import UserAgent, split_host_port


class RegistrarSync:
    """The registrar's domains and users, per source, kept equal to what the simulators hold."""

    def __init__(self, registrar):
        self.registrar = registrar
        self.resolver = {}    # "host:port" -> registrar address, shared with every user agent
        self.pushed = {}      # source -> (domains {domain: realm}, users {(realm, auth): (password, aor)})
        self.rc_users = {}    # RingCentral: (realm, authorization id) -> (password, username)
        self.lock = threading.Lock()

    def push(self, source, domains, users, names=()):
        """Make the registrar hold exactly ``domains`` and ``users`` for ``source``."""
        with self.lock:
            old_domains, old_users = self.pushed.get(source, ({}, {}))
            for domain in set(old_domains) - set(domains):
                self.registrar.remove_domain(domain)
            for domain, realm in domains.items():
                if old_domains.get(domain) != realm:
                    self.registrar.set_domain(domain, realm)
            for key in set(old_users) - set(users):
                self.registrar.remove_user(*key)
            for (realm, auth_user), (password, aor_user) in users.items():
                if old_users.get((realm, auth_user)) != (password, aor_user):
                    self.registrar.set_user(realm, auth_user, password, aor_user)
            self.pushed[source] = (dict(domains), dict(users))
            for name in names:
                self.resolver[name] = self.registrar.address

    def vobiz(self, account):
        realm = '%s.sip.vobiz.ai' % account.auth_id
        with account.lock:
            users = dict(((realm, r['username']), (r['password'], r['username']))
                         for r in account.credentials.values() if r['enabled'])
            store = getattr(account, 'trunk_store', None)
            trunks = [dict(t) for t in store.trunks.values()] if store is not None else []
        domains = dict(('%s.sip.vobiz.ai' % t['trunk_id'], realm) for t in trunks
                       if t.get('trunk_status', 'active') == 'active')
        self.push('vobiz', domains, users, ['%s:5060' % domain for domain in domains])

    def ringcentral(self, body):
        """The identities of one RingCentral answer: sip-provision (``sipInfo``, ``sipInfoPstn``)
        or readDeviceSipInfo (``userName``, ``outboundProxies``)."""
        items = [dict(i, proxies=[i.get('outboundProxy'), i.get('outboundProxyBackup')])
                 for key in ('sipInfo', 'sipInfoPstn') for i in body.get(key) or []]
        if 'userName' in body:
            items.append(dict(body, username=body['userName'], proxies=[
                p.get(key) for p in body.get('outboundProxies') or [] for key in ('proxy', 'proxyTLS')]))
        names = set()
        with self.lock:
            for item in items:
                if not (item.get('password') and item.get('authorizationId') and item.get('domain')):
                    continue
                realm, user = item['domain'], item['username']
                for key, (old_password, username) in list(self.rc_users.items()):
                    if username == user and old_password != item['password']:  # the password rotated
                        self.rc_users[key] = (item['password'], username)
                self.rc_users[(realm, item['authorizationId'])] = (item['password'], user)
                names.update('%s:%d' % split_host_port(proxy) for proxy in item['proxies'] if proxy)
            users = dict(self.rc_users)
        domains = dict((key[0], key[0]) for key in users)
        self.push('ringcentral', domains, users, sorted(names))

    @staticmethod
    def watch(app, sync, reads=False):
        """Run ``sync(request, response)`` after each successful write ``app`` answers (API or
        control route), and after each successful read too with ``reads``."""
        for name in ('handle', 'control'):
            original = getattr(app, name)

            def watched(request, *args, _original=original):
                response = _original(request, *args)
                if (reads or request.method != 'GET') and response.status < 300:
                    sync(request, response)
                return response
            setattr(app, name, watched)


class PanelAgent:
    """One panel's user agent, wired to the panel's listener, status call and control API."""

    def __init__(self, panel, resolver, scale):
        self.last = dict(state='disabled')
        self.agent = UserAgent(panel.name, resolver, self.report, scale=scale)
        panel.set_registration_source(self.registration)
        panel.add_listener(self.settings_changed)
        control = panel.control

        def control_with_ua(request, path):
            if path == '/sip-ua' and request.method == 'GET':
                return json_response(200, copy.deepcopy(self.last))
            return control(request, path)
        panel.control = control_with_ua
        with panel.lock:
            snapshot = copy.deepcopy(panel.settings)
            snapshot['sip_enabled'] = getattr(panel, 'sip_enabled', True)
        self.settings_changed(snapshot)

    def settings_changed(self, settings):
        enabled = bool(settings.get('sip_enabled', True)) and bool(settings.get('enable', True))
        self.agent.apply(settings, enabled)

    def report(self, status):
        self.last = status

    def registration(self):
        if self.last['state'] == 'disabled':
            return None
        return 'OK' if self.last['state'] == 'registered' else 'ERROR'


class Registration:
    """The registrar, its sync and the panels' user agents of one simulator."""

    def __init__(self, simulator, registrar, scale=0.1):
        from .basip import Panel
        from .ringcentral import RingCentralAccount
        from .vobiz import VobizAccount

        self.registrar = registrar
        self.sync = RegistrarSync(registrar)
        self.agents = {}
        for name, target in simulator.targets.items():
            app = target['app']
            if isinstance(app, VobizAccount):
                self.sync.vobiz(app)
                self.sync.watch(app, lambda request, response, _app=app: self.sync.vobiz(_app))
            elif isinstance(app, RingCentralAccount):
                self.sync.watch(app, self._ringcentral_answer, reads=True)
        for name, target in sorted(simulator.targets.items()):
            if isinstance(target['app'], Panel):
                self.agents[name] = PanelAgent(target['app'], self.sync.resolver, scale)

    def _ringcentral_answer(self, request, response):
        if isinstance(response.body, dict) and (request.path.endswith('/sip-provision')
                                                or request.path.endswith('/sip-info')):
            self.sync.ringcentral(response.body)

    def stop(self):
        for agent in self.agents.values():
            agent.agent.request_stop()
        for agent in self.agents.values():
            agent.agent.stop()
        self.registrar.stop()


def start_registration(simulator, scale=0.1):
    """Start Kamailio and a :class:`Registration` for ``simulator``; return where it listens."""
    from ..registrar.kamailio import Kamailio, version

    try:
        kamailio = Kamailio().start()
    except Exception:
        simulator.stop()
        raise
    registration = Registration(simulator, kamailio, scale)
    stop = simulator.stop

    def stop_all():
        registration.stop()
        stop()
    simulator.stop = stop_all
    simulator.registration = registration
    return dict(host=kamailio.host, port=kamailio.port, ctl=kamailio.ctl, version=version(), scale=scale)
