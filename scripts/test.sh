#!/usr/bin/env bash
# The whole test suite of sipfleet.provision: sanity (ansible-test), lint (ansible-lint on
# roles and playbooks), unit (pytest) and integration (ansible-test) tests, release checks.
#
#   bash scripts/test.sh                # everything, on the newest stable ansible-core
#   bash scripts/test.sh units          # one part: sanity | lint | units | integration | release
#   bash scripts/test.sh integration basip_sip   # integration targets by name
#   bash scripts/test.sh matrix         # sanity, units, integration on every tested ansible-core
#   bash scripts/test.sh matrix 2.19 2.22 -- sanity units   # some versions, some parts
#   bash scripts/test.sh ci             # everything on the newest stable, sanity and units on the others
#   SIPFLEET_ANSIBLE_CORE=2.19 bash scripts/test.sh units   # one part on another tested version
#   bash scripts/test.sh versions       # the tested versions and their Pythons, as JSON
#
# Needs git and the Python each ansible-core version runs on (python3.X on PATH or pyenv's
# ~/.pyenv/versions/3.X.*): it creates its virtualenv (.venv-test, or $SIPFLEET_TEST_VENV),
# installs tests/requirements.txt and that ansible-core there, builds the collection tarball
# (ansible-galaxy collection build, galaxy.yml's build_ignore) and installs it into a temporary
# ansible_collections tree: every part tests what users install.
# `matrix` keeps one virtualenv per ansible-core version in .venv-matrix/ (or $SIPFLEET_MATRIX_DIR)
# with the sanity, unit and integration requirements (tests/*/requirements.txt) and that ansible-core.
# `release` checks the tarball, the docs, the changelog, the execution environment definition,
# runs the antsibull-nox sessions (build and galaxy-importer, docs, extra and license checks)
# and builds the docsite (scripts/release_checks.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PART="${1:-all}"
shift || true
# The ansible-core versions tested (meta/runtime.yml requires_ansible, README "Tested with"):
# the newest stable release first (the default version of every part, and `ci`'s whole
# suite), then the older ones that are still maintained and the next one (a pre-release
# until it is out), on the controller Python ansible-core requires
# (https://docs.ansible.com/ansible/latest/reference_appendices/release_and_maintenance.html#ansible-core-support-matrix).
VERSIONS=(2.21 2.19 2.20 2.22)
python_version_for() {
    case "$1" in
        2.19) echo 3.11 ;;
        2.20|2.21) echo 3.12 ;;
        2.22) echo 3.13 ;;
        *) echo "test.sh: ansible-core $1 is not tested here (VERSIONS: ${VERSIONS[*]})" >&2; return 1 ;;
    esac
}
core_requirement_for() {
    # 2.22 is a release candidate: a pre-release in the requirement lets pip take it (and
    # 2.22.0 once it is out)
    case "$1" in
        2.22) echo 'ansible-core>=2.22.0rc1,<2.23' ;;
        *) echo "ansible-core==$1.*" ;;
    esac
}

find_python() {  # find_python 3.12: the path of an interpreter of that version
    local candidate
    for candidate in "python$1" "$HOME"/.pyenv/versions/"$1".*/bin/python; do
        "$candidate" -c 'import sys; sys.exit(sys.argv[1] != "%d.%d" % sys.version_info[:2])' "$1" 2>/dev/null \
            && { "$candidate" -c 'import sys; print(sys.executable)'; return; }
    done
    echo "test.sh: no Python $1 (python$1 on PATH or ~/.pyenv/versions/$1.*; e.g. pyenv install $1)" >&2
    return 1
}

run_matrix() {
    local versions=() parts=(sanity units integration) dir="${SIPFLEET_MATRIX_DIR:-$ROOT/.venv-matrix}"
    while [ $# -gt 0 ] && [ "$1" != -- ]; do versions+=("$1"); shift; done
    [ $# -gt 0 ] && { shift; parts=("$@"); }
    [ ${#versions[@]} -gt 0 ] || versions=("${VERSIONS[@]}")
    local table=() failed=0 version part python started status row
    for version in "${versions[@]}"; do
        if ! python="$(python_version_for "$version")" || ! python="$(find_python "$python")"; then
            table+=("| $version | - | FAILED: cannot run (the message above) |")
            failed=1
            continue
        fi
        row="| $version | $("$python" -c 'import platform; print(platform.python_version())')"
        for part in "${parts[@]}"; do
            echo "==== ansible-core $version, $part"
            started=$SECONDS
            if SIPFLEET_TEST_VENV="$dir/ansible-core-$version" SIPFLEET_ANSIBLE_CORE="$version" PYTHON="$python" \
                bash "$ROOT/scripts/test.sh" "$part"; then status=passed; else status=FAILED; failed=1; fi
            row+=" | $part $status ($(( (SECONDS - started + 30) / 60 )) min)"
        done
        table+=("$row |")
    done
    echo "==== matrix (ansible-core | Python | ${parts[*]})"
    printf '%s\n' "${table[@]}"
    return $failed
}

run_ci() {
    # The whole suite on the newest stable release and, at the same time (a CI machine has two
    # cores), sanity and unit tests on every other tested version; the second lane's output
    # follows the first's, then the times of both. Any failure, a version without its Python
    # included, fails the run.
    local started=$SECONDS failed=0 logs other
    logs="$(mktemp -d)"
    run_matrix "${VERSIONS[@]:1}" -- sanity units > "$logs/others.log" 2>&1 &
    other=$!
    # shellcheck disable=SC2064  # the lane's process id, now
    trap "kill $other 2>/dev/null || true; rm -rf '$logs'" EXIT  # the lane may be gone (set -e)
    run_matrix "${VERSIONS[0]}" -- all 2>&1 | tee "$logs/newest.log" || failed=1
    wait "$other" || failed=1
    echo "==== sanity and units on ${VERSIONS[*]:1} (run beside the above)"
    cat "$logs/others.log"
    echo "==== ci (ansible-core | Python | parts): $(( (SECONDS - started + 30) / 60 )) min"
    grep -hE '^\| [0-9]+\.[0-9]+ \| ' "$logs/newest.log" "$logs/others.log"
    grep -hE '^\| [0-9]+\.[0-9]+ \| ' "$logs/others.log" > "$logs/parts"
    grep -h '^== ansible-core .*: sanity' "$logs/newest.log" | tee -a "$logs/parts" \
        || grep -hE '^\| [0-9]+\.[0-9]+ \| ' "$logs/newest.log" >> "$logs/parts" || true
    # one line for the whole run: the parts (of every version) that passed and that failed
    echo "ci: $(grep -o ' passed (' "$logs/parts" | wc -l) passed, $(grep -o 'FAILED' "$logs/parts" | wc -l) failed"
    return $failed
}

json_list() { local out="" item; for item in "$@"; do out+="${out:+, }\"$item\""; done; echo "[$out]"; }
print_versions() {
    # the tested versions and their Pythons as JSON, for CI matrices (.github/workflows/ansible-test.yml)
    local version pythons=()
    for version in "${VERSIONS[@]}"; do pythons+=("$(python_version_for "$version")"); done
    mapfile -t pythons < <(printf '%s\n' "${pythons[@]}" | sort -u)
    echo "{\"ansible\": $(json_list "${VERSIONS[@]}"), \"python\": $(json_list "${pythons[@]}")}"
}

case "$PART" in
    matrix) run_matrix "$@"; exit ;;
    ci) run_ci; exit ;;
    versions) print_versions; exit ;;
esac

CORE="${SIPFLEET_ANSIBLE_CORE:-${VERSIONS[0]}}"
WANT_PY="$(python_version_for "$CORE")"
VENV="${SIPFLEET_TEST_VENV:-$ROOT/.venv-test}"
if [ -x "$VENV/bin/python" ] \
        && ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.argv[1] != "%d.%d" % sys.version_info[:2])' "$WANT_PY"; then
    echo "test.sh: $VENV is not on Python $WANT_PY (ansible-core $CORE): making it anew"
    rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
    "${PYTHON:-$(find_python "$WANT_PY")}" -m venv "$VENV"
fi
case "$PART" in
    # sanity, unit and integration tests need only their own requirements (a matrix virtualenv)
    sanity|units|integration)
        REQUIREMENTS=(-r "$ROOT/tests/sanity/requirements.txt" -r "$ROOT/tests/unit/requirements.txt"
                      -r "$ROOT/tests/integration/requirements.txt") ;;
    *) REQUIREMENTS=(-r "$ROOT/tests/requirements.txt") ;;
esac
"$VENV/bin/python" -m pip install --disable-pip-version-check -q "${REQUIREMENTS[@]}" "$(core_requirement_for "$CORE")" 2>&1 \
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
# (no --force, no COLLECTIONS_ON_ANSIBLE_VERSION_MISMATCH: ansible-galaxy checks requires_ansible)
echo "installed $(basename "$SIPFLEET_TARBALL") with ansible-galaxy of ansible-core $(python -c 'from ansible.release import __version__; print(__version__)')"
cd "$COLLECTION"

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

index_only_sanity_requirements() {
    # ansible-test installs each sanity test's pinned requirements from its own files. A
    # pre-release may pin a package to a Git archive instead (2.22.0rc1: dill from GitHub for
    # Python 3.15, "needed until dill released with 3.15 support"), which a machine that reaches
    # only package indexes cannot download: in this virtualenv's ansible-test, such a line
    # takes the package from the index, and the run says so.
    local file line
    for file in "$(python -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')"/_data/requirements/sanity.*.txt; do
        while read -r line; do
            echo "ansible-test $(ansible_core_version): $(basename "$file") wants '${line%%#*}'; installing ${line%% @*} from the package index instead"
            sed -i "s|^${line%% @*} @ https://.*$|${line%% @*}|" "$file"
        done < <(grep -E '^[A-Za-z0-9_.-]+ @ https://' "$file" || true)
    done
}

run_sanity() {
    echo "== sanity (ansible-core $(ansible_core_version), Python $PY_VERSION)"
    ensure_pip_bootstrap
    index_only_sanity_requirements
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
        # every part, even after one failed; then each part's result and time
        results=() failed=0
        for part in sanity lint units integration release; do
            started=$SECONDS
            if case "$part" in release) bash "$ROOT/scripts/release_checks.sh" ;; *) "run_$part" ;; esac
            then status=passed; else status=FAILED; failed=1; fi
            results+=("$part $status ($((SECONDS - started)) s)")
        done
        echo "== ansible-core $(ansible_core_version), Python $PY_VERSION: ${results[*]}"
        exit $failed ;;
    *) echo "usage: bash scripts/test.sh [all|sanity|lint|units|integration|release|matrix|ci|versions] [args]" >&2; exit 2 ;;
esac
