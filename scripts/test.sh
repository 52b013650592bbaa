#!/usr/bin/env bash
# The whole test suite of sipfleet.provision: sanity (ansible-test), lint (ansible-lint on
# roles and playbooks), unit (pytest) and integration (ansible-test) tests, release checks.
#
#   bash scripts/test.sh                # everything, on the ansible-core tests/requirements.txt installs
#   bash scripts/test.sh units          # one part: sanity | lint | units | integration | release
#   bash scripts/test.sh integration basip_sip   # integration targets by name
#   bash scripts/test.sh matrix         # sanity, units, integration on every tested ansible-core
#   bash scripts/test.sh matrix 2.16 2.20 -- sanity units   # some versions, some parts
#   bash scripts/test.sh ci             # everything on one version, sanity and units on the others
#
# Needs only Python 3.11 (and 3.12 for ansible-core 2.20) and git: it creates its virtualenv
# (.venv-test, or $SIPFLEET_TEST_VENV), installs tests/requirements.txt there, builds the
# collection tarball (ansible-galaxy collection build, galaxy.yml's build_ignore) and installs
# it into a temporary ansible_collections tree: every part tests what users install.
# `matrix` keeps one virtualenv per ansible-core version in .venv-matrix/ (or $SIPFLEET_MATRIX_DIR)
# with tests/unit and tests/integration requirements and that ansible-core.
# `release` checks the tarball, the docs, the changelog, the execution environment definition,
# runs the antsibull-nox sessions (build and galaxy-importer, docs, extra and license checks)
# and builds the docsite (scripts/release_checks.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PART="${1:-all}"
shift || true
# ansible-core versions tested (meta/runtime.yml requires_ansible, README "Tested with"), and the
# Python each is tested on. The first is the version of `ci`'s full run.
VERSIONS=(2.19 2.16 2.17 2.18 2.20)
python_version_for() { case "$1" in 2.20) echo 3.12 ;; *) echo 3.11 ;; esac; }

find_python() {  # find_python 3.12: the path of an interpreter of that version
    local candidate
    for candidate in "python$1" "$HOME"/.pyenv/versions/"$1".*/bin/python; do
        "$candidate" -c 'import sys; sys.exit(sys.argv[1] != "%d.%d" % sys.version_info[:2])' "$1" 2>/dev/null \
            && { "$candidate" -c 'import sys; print(sys.executable)'; return; }
    done
    echo "test.sh: no Python $1 (python$1 on PATH or ~/.pyenv/versions/$1.*)" >&2
    return 1
}

run_matrix() {
    local versions=() parts=(sanity units integration) dir="${SIPFLEET_MATRIX_DIR:-$ROOT/.venv-matrix}"
    while [ $# -gt 0 ] && [ "$1" != -- ]; do versions+=("$1"); shift; done
    [ $# -gt 0 ] && { shift; parts=("$@"); }
    [ ${#versions[@]} -gt 0 ] || versions=("${VERSIONS[@]}")
    local table=() failed=0 version part python started minutes status longest=0
    for version in "${versions[@]}"; do
        # `ci` passes a deadline (seconds of this script): a version that would end after it is
        # not started, and the table says so.
        if [ -n "${SIPFLEET_MATRIX_DEADLINE:-}" ] && [ $((SECONDS + longest)) -gt "$SIPFLEET_MATRIX_DEADLINE" ]; then
            echo "==== ansible-core $version: NOT RUN, it would end after the CI time budget" \
                 "(run: bash scripts/test.sh matrix $version -- ${parts[*]})"
            table+=("| $version | - | NOT RUN (CI time budget) |")
            continue
        fi
        if ! python="$(find_python "$(python_version_for "$version")")"; then
            table+=("| $version | - | NOT RUN: no Python $(python_version_for "$version") (install it, e.g. with pyenv) |")
            failed=1
            continue
        fi
        local row
        row="| $version | $("$python" -c 'import platform; print(platform.python_version())')"
        started=$SECONDS
        for part in "${parts[@]}"; do
            echo "==== ansible-core $version, $part"
            if SIPFLEET_TEST_VENV="$dir/ansible-core-$version" SIPFLEET_ANSIBLE_CORE="$version" PYTHON="$python" \
                bash "$ROOT/scripts/test.sh" "$part"; then status=passed; else status=FAILED; failed=1; fi
            row+=" | $part $status"
        done
        [ $((SECONDS - started)) -le "$longest" ] || longest=$((SECONDS - started))
        minutes=$(( (SECONDS - started + 30) / 60 ))
        table+=("$row | $minutes min |")
    done
    echo "==== matrix (ansible-core | Python | ${parts[*]} | minutes)"
    printf '%s\n' "${table[@]}"
    return $failed
}

run_ci() {
    # The full suite on the first version, then sanity and units on every other one (the
    # declared minimum and the newest first), each started only if it ends within
    # SIPFLEET_CI_MINUTES (default 80: CI stops a run at 90).
    bash "$ROOT/scripts/test.sh" all
    SIPFLEET_MATRIX_DEADLINE=$(( ${SIPFLEET_CI_MINUTES:-80} * 60 )) run_matrix 2.16 2.20 2.18 2.17 -- sanity units
}

case "$PART" in
    matrix) run_matrix "$@"; exit ;;
    ci) run_ci; exit ;;
esac

VENV="${SIPFLEET_TEST_VENV:-$ROOT/.venv-test}"
if [ ! -x "$VENV/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi
if [ -n "${SIPFLEET_ANSIBLE_CORE:-}" ]; then
    # a matrix virtualenv: that ansible-core and what the unit and integration tests need
    REQUIREMENTS=(-r "$ROOT/tests/unit/requirements.txt" -r "$ROOT/tests/integration/requirements.txt"
                  "ansible-core==$SIPFLEET_ANSIBLE_CORE.*")
else
    REQUIREMENTS=(-r "$ROOT/tests/requirements.txt")
fi
"$VENV/bin/python" -m pip install --disable-pip-version-check -q "${REQUIREMENTS[@]}" 2>&1 \
    | { grep -v "^WARNING: Location 'file:" || true; }
export PATH="$VENV/bin:$PATH"
PY_VERSION="$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
COLLECTION="$WORK/ansible_collections/sipfleet/provision"
export ANSIBLE_COLLECTIONS_PATH="$WORK"
ansible-galaxy collection build "$ROOT" --output-path "$WORK" >/dev/null
ansible-galaxy collection install --offline "$WORK"/sipfleet-provision-*.tar.gz -p "$WORK" >/dev/null
SIPFLEET_TARBALL="$(echo "$WORK"/sipfleet-provision-*.tar.gz)"
export SIPFLEET_TARBALL
cd "$COLLECTION"

ensure_shellcheck() {
    command -v shellcheck >/dev/null && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "shellcheck is missing: installing it (apt-get install shellcheck)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck; } >/dev/null
    fi
    command -v shellcheck >/dev/null || {
        echo "test.sh: the shellcheck sanity test needs shellcheck (apt-get install shellcheck," \
             "dnf install ShellCheck or brew install shellcheck); it is not installed" >&2
        exit 1
    }
}

# ansible-test keeps its virtualenvs and its pip bootstrap script under ~/.ansible/test; here it
# gets a home of its own beside the virtualenv (kept between runs, never the user's ~/.ansible).
AT_HOME="$VENV/ansible-test-home"
PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/pip}"  # the user's pip cache, still
export PIP_CACHE_DIR
ansible_test() {
    HOME="$AT_HOME" ansible-test "$@"
}

ensure_pip_bootstrap() {
    # ansible-test creates its virtualenvs without pip and bootstraps pip with a script it downloads
    # from ci-files.testing.ansible.com, which is not a package index. Without that host it names
    # the file to save the script as ("can be manually downloaded and saved to: ...",
    # https://github.com/ansible/ansible/issues/77304); scripts/get_pip_offline.py goes there: it
    # installs pip with ensurepip and the pinned packages from the package index.
    local marker out target
    marker="$AT_HOME/pip-bootstrap-$(ansible_core_version)"
    [ -f "$marker" ] && return
    mkdir -p "$AT_HOME"
    if ! out="$(ansible_test sanity --python "$PY_VERSION" --color no --test pep8 tests/unit/conftest.py 2>&1)"; then
        target="$(sed -n 's/.*can be manually downloaded and saved to: \(.*\.py\)$/\1/p' <<<"$out")"
        [ -n "$target" ] || { echo "$out" >&2; exit 1; }
        mkdir -p "$(dirname "$target")"
        cp "$ROOT/scripts/get_pip_offline.py" "$target"
    fi
    touch "$marker"
}

ansible_core_version() { python -c 'from ansible.release import __version__; print(__version__)'; }

run_sanity() {
    echo "== sanity (ansible-core $(ansible_core_version), Python $PY_VERSION)"
    ensure_shellcheck
    ensure_pip_bootstrap
    ansible_test sanity --python "$PY_VERSION" --color no "$@"
}

run_lint() {
    echo "== lint (ansible-lint, production profile)"
    ansible-lint --offline roles playbooks "$@"
}

run_units() {
    echo "== units"
    # The registrar's unit tests need Kamailio: installed here (as root with apt-get), and
    # SIPFLEET_REQUIRE_REGISTRAR makes them fail rather than skip when it is still missing.
    bash "$ROOT/tests/registrar/install.sh" || true
    SIPFLEET_REQUIRE_REGISTRAR=1 PYTHONPATH="$WORK" python -m pytest tests/unit -p no:cacheprovider -q "$@"
}

run_integration() {
    echo "== integration"
    ansible-test integration --local --python "$PY_VERSION" --color no "$@"
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
    *) echo "usage: bash scripts/test.sh [all|sanity|lint|units|integration|release|matrix|ci] [args]" >&2; exit 2 ;;
esac
