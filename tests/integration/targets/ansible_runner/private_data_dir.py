# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the ansible-runner private data directory of playbooks/site.yml for a running
simulator, laid out the way AWX hands a job to ansible-runner:

    project/site.yml                       the playbook (the collection's playbooks/site.yml)
    inventory/hosts                        one host per simulated panel (scripts/demo_inventory.py)
    inventory/group_vars/panels/main.yml   connection settings, no secret
    inventory/group_vars/panels/vault.yml  trunk passwords, Vobiz token, RingCentral client
                                           secret and JWT, vault-encrypted (a vault credential)
    env/extravars                          the panels' web password (a survey's password field)
    env/passwords, env/cmdline             the vault password, answered to --ask-vault-pass
    env/envvars, env/settings              collections path and forks; no secret

    python private_data_dir.py STATE_FILE COLLECTION_ROOT WEB_PASSWORD PRIVATE_DATA_DIR SECRETS_FILE

SECRETS_FILE (outside the private data directory) receives every secret handed to the run,
for the artifact scan of check_artifacts.py. Never prints a secret.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys

from ansible.parsing.vault import VaultLib, VaultSecret

# Handed to the run only inside the vault-encrypted group_vars file.
VAULTED = ('demo_trunk_passwords', 'sip_fleet_vobiz_auth_token', 'sip_fleet_ringcentral_client_secret',
           'sip_fleet_ringcentral_jwt')


def write(path, text, mode=0o600):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text)
    os.chmod(path, mode)


def main(state_file, collection_root, web_password, pdd, secrets_file):
    scratch = pdd + '.inventory'
    subprocess.run([sys.executable, os.path.join(collection_root, 'scripts', 'demo_inventory.py'), state_file, scratch],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(scratch, 'group_vars', 'panels.yml')) as handle:
        group_vars = json.load(handle)
    os.makedirs(os.path.join(pdd, 'inventory'))
    shutil.copy(os.path.join(scratch, 'hosts'), os.path.join(pdd, 'inventory', 'hosts'))
    shutil.rmtree(scratch)

    vaulted = dict((name, group_vars.pop(name)) for name in VAULTED)
    group_vars.pop('sip_fleet_panel_api_password')  # comes from the extra vars
    vault_password = 'Vault-' + secrets.token_hex(8)
    vault = VaultLib([('default', VaultSecret(vault_password.encode()))])
    group_dir = os.path.join(pdd, 'inventory', 'group_vars', 'panels')
    write(os.path.join(group_dir, 'main.yml'), '---\n' + json.dumps(group_vars, indent=1) + '\n', 0o644)
    write(os.path.join(group_dir, 'vault.yml'), vault.encrypt(json.dumps(vaulted)).decode())

    project = os.path.join(pdd, 'project')
    os.makedirs(project)
    shutil.copy(os.path.join(collection_root, 'playbooks', 'site.yml'), os.path.join(project, 'site.yml'))

    env = os.path.join(pdd, 'env')
    write(os.path.join(env, 'extravars'), json.dumps({'sip_fleet_panel_api_password': web_password}))
    write(os.path.join(env, 'passwords'), json.dumps({r'^Vault password:\s*?$': vault_password}))
    write(os.path.join(env, 'cmdline'), '--ask-vault-pass')
    write(os.path.join(env, 'envvars'), json.dumps({
        'ANSIBLE_COLLECTIONS_PATH': os.environ.get('ANSIBLE_COLLECTIONS_PATH', ''),
        'ANSIBLE_FORKS': '10',
        'ANSIBLE_NOCOLOR': '1',
    }))
    write(os.path.join(env, 'settings'), json.dumps({'job_timeout': 600, 'pexpect_timeout': 10}))

    run_secrets = ([web_password, vault_password, vaulted['sip_fleet_vobiz_auth_token'],
                    vaulted['sip_fleet_ringcentral_client_secret'], vaulted['sip_fleet_ringcentral_jwt']]
                   + list(vaulted['demo_trunk_passwords'].values()))
    write(secrets_file, json.dumps(run_secrets))
    print('private data directory: %d panels, %d secrets handed to the run (vault, extra vars)'
          % (len(vaulted['demo_trunk_passwords']), len(run_secrets)))


if __name__ == '__main__':
    main(*sys.argv[1:6])
