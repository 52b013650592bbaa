# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the pip bootstrap script that ``ansible-test --venv`` downloads.

ansible-test creates its virtual environments without pip and downloads a
``get-pip`` script from a host outside the package registries. scripts/test.sh
places this file in ansible-test's cache instead: it installs pip from the
interpreter's own ``ensurepip`` and then the pinned packages from the package
index, taking the same arguments as get-pip.
"""

from __future__ import annotations

import subprocess
import sys

GET_PIP_ONLY = ('--no-setuptools', '--no-wheel')


def main():
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)


if __name__ == '__main__':
    main()
