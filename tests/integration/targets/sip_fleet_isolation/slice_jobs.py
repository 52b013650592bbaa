# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The job slices of an ansible-runner private data directory, as AWX runs a sliced job template,
and the same inventory in plain text for ansible-playbook and the checks.

    python slice_jobs.py PRIVATE_DATA_DIR COUNT INVENTORY_DIR [EXTRA_VARS_JSON]

PRIVATE_DATA_DIR is the whole job (ansible_runner/private_data_dir.py). Slice N of COUNT
(PRIVATE_DATA_DIR-sliceN) gets what AWX gives it: every COUNT-th host of the inventory from the
N-th on, and awx_job_slice_number and awx_job_slice_count among its extra vars (EXTRA_VARS_JSON is
added to every slice's). INVENTORY_DIR receives the whole inventory with the vault decrypted
(hosts, group_vars/panels.yml) and the extra vars merged in. Never prints a secret.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret


def read_json(path):
    with open(path) as handle:
        return json.load(handle)


def write(path, text, mode=0o600):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text)
    os.chmod(path, mode)


def main(pdd, count, inventory, extra='{}'):
    count, extra = int(count), json.loads(extra)
    with open(os.path.join(pdd, 'inventory', 'hosts')) as handle:
        lines = handle.read().splitlines()
    header, hosts = [line for line in lines if line.startswith('[')], [line for line in lines if line and line[0] != '[']
    hosts.sort()  # AWX slices the inventory's hosts in name order
    extravars = read_json(os.path.join(pdd, 'env', 'extravars'))
    for number in range(1, count + 1):
        part = '%s-slice%d' % (pdd, number)
        shutil.copytree(pdd, part, ignore=shutil.ignore_patterns('artifacts'))
        write(os.path.join(part, 'inventory', 'hosts'), '\n'.join(header + hosts[number - 1::count]) + '\n', 0o644)
        write(os.path.join(part, 'env', 'extravars'), json.dumps(dict(
            extravars, awx_job_slice_number=number, awx_job_slice_count=count, **extra)))
        settings = read_json(os.path.join(pdd, 'env', 'settings'))
        write(os.path.join(part, 'env', 'settings'), json.dumps(dict(settings, job_timeout=180)))  # a bound
        print('slice %d of %d: %s' % (number, count, ', '.join(line.split()[0] for line in hosts[number - 1::count])))

    group_dir = os.path.join(pdd, 'inventory', 'group_vars', 'panels')
    vault_password = list(read_json(os.path.join(pdd, 'env', 'passwords')).values())[0]
    vault = VaultLib([('default', VaultSecret(vault_password.encode()))])
    with open(os.path.join(group_dir, 'main.yml')) as handle:
        group_vars = yaml.safe_load(handle)
    with open(os.path.join(group_dir, 'vault.yml'), 'rb') as handle:
        group_vars.update(json.loads(vault.decrypt(handle.read())))
    group_vars.update(extravars)
    write(os.path.join(inventory, 'hosts'), '\n'.join(header + hosts) + '\n', 0o644)
    write(os.path.join(inventory, 'group_vars', 'panels.yml'), json.dumps(group_vars, indent=1))


if __name__ == '__main__':
    main(*sys.argv[1:5])
