#!/usr/bin/env bash
# The whole test suite of sipfleet.provision: sanity (ansible-test), lint (ansible-lint on
# roles and playbooks), unit (pytest) and integration (ansible-test) tests.
#
#   bash scripts/test.sh                # everything
#   bash scripts/test.sh units          # one part: sanity | lint | units | integration | release
#   bash scripts/test.sh integration basip_sip   # integration targets by name
#
# Needs only Python 3.11 and git: it creates its virtualenv (.venv-test, or
# $SIPFLEET_TEST_VENV), installs tests/requirements.txt there, builds the collection
# tarball (ansible-galaxy collection build, galaxy.yml's build_ignore) and installs it
# into a temporary ansible_collections tree: every part tests what users install.
# `release` checks the tarball, the docs, the changelog, the execution environment
# definition and ansible-runner (scripts/release_checks.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SIPFLEET_TEST_VENV:-$ROOT/.venv-test}"
PYTHON="${PYTHON:-python3}"
PART="${1:-all}"
shift || true

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$ROOT/tests/requirements.txt" 2>&1 \
    | { grep -v "^WARNING: Location 'file:" || true; }
export PATH="$VENV/bin:$PATH"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
COLLECTION="$WORK/ansible_collections/sipfleet/provision"
export ANSIBLE_COLLECTIONS_PATH="$WORK"
ansible-galaxy collection build "$ROOT" --output-path "$WORK" >/dev/null
ansible-galaxy collection install --offline "$WORK"/sipfleet-provision-*.tar.gz -p "$WORK" >/dev/null
SIPFLEET_TARBALL="$(echo "$WORK"/sipfleet-provision-*.tar.gz)"
export SIPFLEET_TARBALL
cd "$COLLECTION"

run_sanity() {
    echo "== sanity"
    # ansible-test --venv downloads a pip bootstrap script from outside the package
    # index; give it an equivalent (ensurepip + index) in its cache instead.
    local pip_version
    pip_version="$(python -c 'import ansible_test._internal.python_requirements as r, inspect, re
print(re.search(r"pip=.([0-9.]+)", inspect.getsource(r.get_venv_packages)).group(1))')"
    mkdir -p ~/.ansible/test/cache
    cp scripts/get_pip_offline.py ~/.ansible/test/cache/"get_pip_${pip_version//./_}.py"
    ansible-test sanity --venv --python 3.11 --color no "$@"
}

run_lint() {
    echo "== lint (ansible-lint, production profile)"
    ansible-lint --offline roles playbooks "$@"
}

run_units() {
    echo "== units"
    PYTHONPATH="$WORK" python -m pytest tests/unit -p no:cacheprovider -q "$@"
}

run_integration() {
    echo "== integration"
    ansible-test integration --local --python 3.11 --color no "$@"
}

case "$PART" in
    sanity) run_sanity "$@" ;;
    lint) run_lint "$@" ;;
    units) run_units "$@" ;;
    integration) run_integration "$@" ;;
    release) bash "$ROOT/scripts/release_checks.sh" "$@" ;;
    all)
        run_sanity; run_lint; run_units; run_integration; bash "$ROOT/scripts/release_checks.sh"
        echo "sanity, lint, units, integration and release: all passed" ;;
    *) echo "usage: bash scripts/test.sh [all|sanity|lint|units|integration|release] [args]" >&2; exit 2 ;;
esac
