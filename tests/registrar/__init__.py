# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real SIP registrar (Kamailio) for the tests, on loopback only (docs/registrar.md)."""
