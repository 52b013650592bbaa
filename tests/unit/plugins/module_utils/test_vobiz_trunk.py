# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vobiz_trunk's and vobiz_trunk_info's logic against the Vobiz simulator, request by request."""

from __future__ import annotations

import pytest

from ansible_collections.sipfleet.provision.plugins.module_utils import _vobiz_trunk as vobiz_trunk
from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError
# simulator is the fixture of test_vobiz.py
from ansible_collections.sipfleet.provision.tests.unit.plugins.module_utils.test_vobiz import (  # noqa: F401 pylint: disable=unused-import
    TOKEN, Account, simulator,
)


class TrunkAccount(Account):
    """The simulated account, its log read as trunk operations, and runs of the trunk modules."""

    def calls(self):
        """The request log as 'METHOD last-path-parts' ('GET trunks', 'PUT trunks/ID' as 'PUT trunk')."""
        names = []
        for entry in self.log():
            parts = entry['path'].split('/')[5:]
            kind = '/'.join(parts) if len(parts) == 1 or parts[0] == 'trunks' and parts[1] in (
                'credentials', 'ip-acl', 'origination-uris') else parts[0][:-1]
            names.append('%s %s' % (entry['method'], kind))
        return names

    def run(self, check_mode=False, diff=True, spec=vobiz_trunk.VOBIZ_TRUNK, **values):
        return spec.execute(self.params(spec.options.argument_spec(), **values), check_mode=check_mode, diff=diff)

    def trunks(self):
        with self.app.lock:
            return [dict(t) for t in self.app.trunk_store.trunks.values()]


@pytest.fixture
def account(simulator):  # noqa: F811 pylint: disable=redefined-outer-name
    sim, url = simulator
    account = TrunkAccount(sim, url)
    account.app.reset()
    with sim.lock:
        sim.faults.clear()
    account.clear()
    return account


def test_canonical_cycle_with_credential_by_name(account):
    cred = account.app.add_credential('fleetlobby')
    want = dict(name='intercoms', trunk_direction='both', cps_limit=3, credential='fleetlobby')
    checked = account.run(check_mode=True, **want)
    assert checked['changed'] and account.trunks() == []
    assert account.calls() == ['GET trunks/credentials', 'GET trunks']
    account.clear()
    created = account.run(**want)
    trunk = created['trunk']
    assert created['changed'] and trunk['trunk_domain'] == '%s.sip.vobiz.ai' % trunk['trunk_id']
    assert (trunk['trunk_direction'], trunk['cps_limit'], trunk['credential_uuid']) == ('both', 3, cred['id'])
    assert account.calls() == ['GET trunks/credentials', 'GET trunks', 'POST trunks', 'PUT trunk']
    assert checked['changes'] == created['changes'] and created['diff']['before'] == {}
    account.clear()
    again = account.run(**want)
    assert not again['changed'] and again['trunk'] == trunk
    assert account.calls() == ['GET trunks/credentials', 'GET trunks']
    account.clear()
    update = dict(want, trunk_status='inactive', concurrent_calls_limit=4)
    assert account.run(check_mode=True, **update)['changed'] and account.trunks()[0]['trunk_status'] == 'active'
    assert 'PUT trunk' not in account.calls()
    account.clear()
    updated = account.run(**update)
    assert sorted(updated['changes']) == ['concurrent_calls_limit', 'trunk_status']
    assert account.calls() == ['GET trunks/credentials', 'GET trunks', 'PUT trunk']
    assert account.simulator.log[-1]['body'] == {'enabled': False, 'concurrent_calls_limit': 4}
    assert not account.run(**update)['changed']
    account.clear()
    deleted = account.run(name='intercoms', state='absent', delete_credentials=True)
    assert deleted['changed'] and deleted['trunk'] == {} and account.trunks() == []
    assert deleted['deleted_credentials'] == ['fleetlobby'] and account.app.by_username('fleetlobby') is None
    assert account.calls() == ['GET trunks', 'GET trunks/credentials', 'DELETE trunk']
    account.clear()
    again = account.run(name='intercoms', state='absent')
    assert not again['changed'] and again['deleted_credentials'] == [] and account.calls() == ['GET trunks']


def test_a_trunk_delete_keeps_its_credential_unless_confirmed(account):
    """Vobiz deletes a trunk's credentials with it (docs.vobiz.ai/trunks/delete-trunk): check mode
    and the diff name them, a run without delete_credentials refuses before the DELETE."""
    cred = account.app.add_credential('fleetlobby')
    account.app.trunk_store.new_trunk(dict(name='intercoms', credential_uuid=cred['id']))
    checked = account.run(check_mode=True, name='intercoms', state='absent')
    assert checked['changed'] and checked['deleted_credentials'] == ['fleetlobby']
    assert checked['diff']['before']['credentials'] == ['fleetlobby'] and checked['diff']['after'] == {}
    assert checked['warnings'] == ["A real run would fail: Vobiz deletes the credentials attached to a trunk with "
                                   "it (credential 'fleetlobby' of trunk 'intercoms'): set delete_credentials=true "
                                   "to delete them too, or keep the trunk and disable it (trunk_status=inactive)"]
    with pytest.raises(ApiError) as refused:
        account.run(name='intercoms', state='absent')
    assert str(refused.value) == checked['warnings'][0][len('A real run would fail: '):]
    assert account.calls() == ['GET trunks', 'GET trunks/credentials'] * 2       # no DELETE
    assert len(account.trunks()) == 1 and account.app.by_username('fleetlobby') is not None
    account.clear()
    assert account.run(name='intercoms', credential_uuid='')['changes'] == ['credential_uuid']
    kept = account.run(name='intercoms', state='absent')
    assert kept['changed'] and kept['deleted_credentials'] == [] and account.trunks() == []
    assert account.app.by_username('fleetlobby') is not None                    # detached first: kept
    assert account.calls() == ['GET trunks', 'PUT trunk', 'GET trunks', 'DELETE trunk']


def test_older_create_body_and_replace_updates(account):
    account.app.options.update(trunk_create='older', trunk_update='replace')
    created = account.run(name='fleet', trunk_status='inactive', transport='tcp')
    assert created['trunk']['trunk_status'] == 'inactive' and created['trunk']['transport'] == 'tcp'
    assert account.calls() == ['GET trunks', 'POST trunks', 'POST trunks']
    bodies = [e.get('body') for e in account.simulator.log if e['method'] == 'POST']
    assert bodies[1] == {'name': 'fleet', 'trunk_status': 'disabled', 'transport': 'tcp'}
    account.clear()
    updated = account.run(name='fleet', cps_limit=5)
    assert updated['trunk']['cps_limit'] == 5 and account.calls() == ['GET trunks', 'PUT trunk', 'PUT trunk']
    assert account.simulator.log[-1]['body'] == {'cps_limit': 5, 'name': 'fleet', 'enabled': False,
                                                 'max_concurrent_calls': 10}


def test_every_list_variant_paging_and_duplicate_names(account):
    account.app.options.update(null_objects=True, total_key='total_count', extra_fields=True)
    assert account.run(spec=vobiz_trunk.VOBIZ_TRUNK_INFO)['trunks'] == []
    for index in range(5):
        account.app.trunk_store.new_trunk(dict(name='t%d' % index))
    account.clear()
    info = account.run(spec=vobiz_trunk.VOBIZ_TRUNK_INFO, page_size=2, query='[].name')
    assert info['query_result'] == ['t0', 't1', 't2', 't3', 't4'] and account.calls() == ['GET trunks'] * 3
    account.app.trunk_store.new_trunk(dict(name='t1'))
    with pytest.raises(ApiError, match="2 trunks are named 't1'.*give trunk_id"):
        account.run(name='t1', cps_limit=1)
    ident = account.trunks()[1]['trunk_id']
    renamed = account.run(name='t1-old', trunk_id=ident)
    assert renamed['changes'] == ['name'] and account.trunks()[1]['name'] == 't1-old'
    one = account.run(spec=vobiz_trunk.VOBIZ_TRUNK_INFO, trunk_id=ident)
    assert [t['trunk_id'] for t in one['trunks']] == [ident]


def test_attach_detach_ipacl_uri_and_unknown_ids(account):
    store = account.app.trunk_store
    acl = store.store(store.ipacls, None, dict(name='office', ip_address='192.0.2.0/24'), dict(description='',
                                                                                               enabled=True))
    uri = store.store(store.uris, None, dict(name='pbx', sip_uri='sip:pbx.example.com'),
                      dict(priority=1, weight=10, enabled=True, transport='udp', description=''))
    attached = account.run(name='fleet', ipacl_uuid=acl['id'], primary_uri_uuid=uri['id'].upper())
    assert attached['trunk']['ipacl_uuid'] == acl['id'] and attached['trunk']['primary_uri_uuid'] == uri['id']
    assert not account.run(name='fleet', ipacl_uuid=acl['id'], primary_uri_uuid=uri['id'].upper())['changed']
    detached = account.run(name='fleet', ipacl_uuid='')
    assert detached['changes'] == ['ipacl_uuid'] and 'ipacl_uuid' not in detached['trunk']
    assert not account.run(name='fleet', ipacl_uuid='')['changed']
    with pytest.raises(ApiError, match='ipacl_uuid') as failed:
        account.run(name='fleet', ipacl_uuid='0000aaaa-0000-0000-0000-000000000000')
    assert failed.value.status == 422
    with pytest.raises(ApiError, match="credential 'nobody' does not exist"):
        account.run(name='fleet', credential='nobody')
    checked = account.run(check_mode=True, name='fleet', credential='nobody')
    assert checked['trunk']['credential_uuid'] == '(id of credential nobody)'


def test_follow_up_failure_reports_the_created_trunk(account):
    from ansible_collections.sipfleet.provision.tests.simulator.server import Fault
    with account.simulator.lock:
        account.simulator.faults['vobiz'] = [Fault('status', status=500, method='PUT')]
    with pytest.raises(ApiError) as failed:
        account.run(name='fleet', cps_limit=7)
    result = failed.value.to_result()
    assert result['changed'] is True and result['trunk']['name'] == 'fleet' and 'cps_limit' in result['msg']
    assert 'was created' in result['msg'] and len(account.trunks()) == 1
    rerun = account.run(name='fleet', cps_limit=7)
    assert rerun['changes'] == ['cps_limit'] and len(account.trunks()) == 1


def test_delete_in_use_and_bad_input_before_any_request(account):
    account.app.options['trunks_in_use'] = ['busy']
    account.app.trunk_store.new_trunk(dict(name='busy'))
    with pytest.raises(ApiError, match='in use by active calls.*trunk_status=inactive'):
        account.run(name='busy', state='absent')
    account.clear()
    for bad in (dict(name=''), dict(name='x' * 256), dict(name=' pad'), dict(name='a\nb'),
                dict(name='t', cps_limit=0), dict(name='t', credential='a b'),
                dict(name='t', credential='x', credential_uuid='y'), dict(name='t', trunk_id='../x'),
                dict(name='t', auth_token='')):
        with pytest.raises(ApiError):
            account.run(**bad)
    assert account.calls() == []


def test_account_id_is_shown_and_token_never(account):
    account.app.auth_token = 'other-token'
    with pytest.raises(ApiError) as failed:
        account.run(name='fleet')
    assert '/Account/MA_SIMUL001/' in str(failed.value) and TOKEN not in str(failed.value)
    account.app.auth_token = TOKEN
