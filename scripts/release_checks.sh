#!/usr/bin/env bash
# Release checks of sipfleet.provision (the `release` part of scripts/test.sh):
#   nox         the antsibull-nox sessions of antsibull-nox.toml that need no container engine:
#               docs-check (antsibull-docs lint-collection-docs --plugin-docs), license-check
#               (reuse lint), extra-checks, build-import-check (build, galaxy-importer on the tarball)
#   tarball     the built tarball holds the collection and nothing that build_ignore keeps out
#   docs        EXAMPLES and RETURN in every plugin; ansible-doc shows each with nothing on
#               stderr; every docs/*.md guide in the docsite
#               (docs/docsite/extra-docs.yml, pages current); antsibull-docs builds the docsite
#   changelog   antsibull-changelog lint; CHANGELOG.rst is what `antsibull-changelog release`
#               makes of the fragments for the version in galaxy.yml
#   ee          meta/execution-environment.yml + requirements.txt; ansible-builder create of
#               docs/execution-environment.yml (from Galaxy and from the tarball) and the build's
#               galaxy and introspection steps run here on the context (no container engine needed;
#               the build itself is antsibull-nox's ee-check session, .github/workflows/nox.yml)
# (ansible-runner is the integration target ansible_runner.)
#
#   bash scripts/test.sh release                      # all checks, on the tarball test.sh built
#   bash scripts/test.sh release docs changelog       # some of them
#   bash scripts/test.sh release --update-changelog   # rewrite CHANGELOG.rst from the fragments
#   bash scripts/test.sh release --update-docs        # rewrite docs/docsite/rst from docs/*.md
#
# Run through scripts/test.sh (its virtualenv has ansible-builder, antsibull-docs,
# antsibull-changelog, nox and antsibull-nox; it exports SIPFLEET_TARBALL and
# ANSIBLE_COLLECTIONS_PATH). Run alone, it builds and installs the tarball itself with the
# tools on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The checks read the tools' output as text: no colours, whatever the terminal or a CI's
# FORCE_COLOR (which also makes nox refuse its own --no-color).
unset FORCE_COLOR
export NO_COLOR=1
CHECKS=(nox tarball docs changelog ee)
UPDATE_CHANGELOG=
case "${1:-}" in
    --update-changelog) UPDATE_CHANGELOG=1; CHECKS=(changelog) ;;
    --update-docs) python "$ROOT/scripts/docsite.py" update "$ROOT"; exit ;;
    '') ;;
    *) CHECKS=("$@") ;;
esac
for tool in ansible-galaxy ansible-doc ansible-builder antsibull-docs antsibull-changelog nox sphinx-build; do
    command -v "$tool" >/dev/null || { echo "release checks: $tool not found (run: bash scripts/test.sh release)" >&2; exit 1; }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
if [ -z "${SIPFLEET_TARBALL:-}" ]; then
    ansible-galaxy collection build "$ROOT" --output-path "$WORK" >/dev/null
    SIPFLEET_TARBALL="$(echo "$WORK"/sipfleet-provision-*.tar.gz)"
    export ANSIBLE_COLLECTIONS_PATH="$WORK/installed"
    ansible-galaxy collection install --offline "$SIPFLEET_TARBALL" -p "$ANSIBLE_COLLECTIONS_PATH" >/dev/null
fi
INSTALLED="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/sipfleet/provision"
[ -f "$INSTALLED/MANIFEST.json" ] || { echo "release checks: no installed collection at $INSTALLED" >&2; exit 1; }
PY="$(command -v python || command -v python3)"
ansible_core_version() { "$PY" -c 'from ansible.release import __version__; print("ansible-core " + __version__)'; }
check() { "$PY" "$ROOT/scripts/release_checks.py" "$@"; }
step() { printf '== release: %s\n' "$*"; }

check_tarball() {
    step "tarball $(basename "$SIPFLEET_TARBALL")"
    check tarball "$SIPFLEET_TARBALL" "$ROOT"
}

check_nox() {
    step "antsibull-nox sessions (nox $(nox --version 2>&1))"
    # on the repository (a git checkout: the sessions compare with what git tracks); .nox/ keeps
    # their virtualenvs between runs
    (cd "$ROOT" && nox --no-color --envdir "${SIPFLEET_NOX_DIR:-$ROOT/.nox}" --reuse-venv yes \
        -e docs-check license-check extra-checks build-import-check) > "$WORK/nox.log" 2>&1 \
        || { cat "$WORK/nox.log"; echo "release checks: an antsibull-nox session failed (above)" >&2; exit 1; }
    grep -E "^nox > (Session|Ran|\* )|Galaxy importer|ERROR|WARNING: " "$WORK/nox.log" || true
}

check_docs() {
    step "docs (antsibull-docs $(antsibull-docs --version))"
    ansible-doc --metadata-dump --no-fail-on-errors sipfleet.provision > "$WORK/docs.json"
    check plugin-docs "$WORK/docs.json"
    # What a user sees: ansible-doc on every plugin, one call per plugin type, prints each
    # one's documentation and nothing on stderr (no warning, no deprecation).
    local plugin_type names shown=0
    while read -r plugin_type names; do
        # shellcheck disable=SC2086  # names: the plugins of this type, separated by spaces
        ansible-doc -t "$plugin_type" $names > "$WORK/ansible-doc.out" 2> "$WORK/ansible-doc.err" \
            || { cat "$WORK/ansible-doc.err"; echo "release checks: ansible-doc -t $plugin_type failed" >&2; exit 1; }
        if [ -s "$WORK/ansible-doc.err" ]; then
            cat "$WORK/ansible-doc.err"
            echo "release checks: ansible-doc -t $plugin_type $names printed the above on stderr" >&2; exit 1
        fi
        shown=$((shown + $(wc -w <<<"$names")))
    done < <(check plugin-names "$WORK/docs.json")
    echo "ansible-doc ($(ansible_core_version)): all $shown plugins shown, nothing on stderr"
    "$PY" "$ROOT/scripts/docsite.py" check "$INSTALLED"
    # The docsite: antsibull-docs sphinx-init's build.sh (antsibull-docs, then sphinx-build -W).
    # Without internet, intersphinx cannot fetch the Ansible docs' inventory, so references to
    # their labels (common_return_values, ansible_collections.ansible.builtin.debug_module, ...)
    # stay undefined: those warnings alone are accepted when the inventories were out of reach;
    # any other warning fails.
    local site="$WORK/docsite" warnings
    mkdir -m 700 "$site"
    antsibull-docs sphinx-init --use-current --dest-dir "$site" --fail-on-error sipfleet.provision >/dev/null
    bash "$site/build.sh" > "$WORK/docsite.log" 2>&1 || true
    warnings="$(grep -E "WARNING|ERROR|CRITICAL" "$WORK/docsite.log" || true)"
    if grep -q "failed to reach any of the inventories" "$WORK/docsite.log"; then
        echo "(intersphinx inventories out of reach: references to the Ansible docs left unresolved)"
        warnings="$(grep -v -E "undefined label: '([a-z0-9_]+|ansible_collections\.ansible\.builtin\.[a-z0-9_]+)' \[ref\.ref\]|inventor(y|ies)" <<<"$warnings" || true)"
    fi
    if [ -n "$warnings" ] || ! grep -q "^build finished\|build succeeded" "$WORK/docsite.log"; then
        tail -40 "$WORK/docsite.log"
        echo "release checks: the docsite build failed or warned (above)" >&2; exit 1
    fi
    local guides
    guides="$(find "$site/build/html/collections/sipfleet/provision/docsite" -name '*.html' -printf '%f ' 2>/dev/null)"
    [ -n "$guides" ] || { echo "release checks: the docsite has no guide pages" >&2; exit 1; }
    echo "docsite built by antsibull-docs and sphinx-build -W: guides $guides"
}

check_changelog() {
    step "changelog (antsibull-changelog $(antsibull-changelog --version))"
    # On a copy: lint and release write a plugin cache (and release removes the fragments).
    local copy="$WORK/changelog/ansible_collections/sipfleet/provision"
    mkdir -p "$copy"
    cp -a "$INSTALLED/." "$copy/"
    cp "$ROOT/galaxy.yml" "$copy/"
    rm -f "$copy/CHANGELOG.rst"
    (cd "$copy" && antsibull-changelog lint && antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml) \
        || { echo "release checks: antsibull-changelog lint found the problems above" >&2; exit 1; }
    echo "antsibull-changelog lint, lint-changelog-yaml: no problem"
    check fragments "$copy"
    local version
    version="$("$PY" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$ROOT/galaxy.yml")"
    # The release date is not part of CHANGELOG.rst; a fixed one keeps this reproducible. Once
    # the version is released (in changelog.yaml), later fragments join it (--update-existing).
    (cd "$copy" && ANSIBLE_COLLECTIONS_PATH="$WORK/changelog" antsibull-changelog release --version "$version" \
        --date 2000-01-01 --update-existing 2>&1 | { grep -v "no release_summary\|already exists" || true; })
    if [ -n "$UPDATE_CHANGELOG" ]; then
        cp "$copy/CHANGELOG.rst" "$ROOT/CHANGELOG.rst"
        echo "CHANGELOG.rst rewritten for $version from the fragments"
    elif ! diff -u "$ROOT/CHANGELOG.rst" "$copy/CHANGELOG.rst" > "$WORK/changelog.diff"; then
        cat "$WORK/changelog.diff"
        echo "release checks: CHANGELOG.rst is not what the fragments make of $version;" \
             "run: bash scripts/test.sh release --update-changelog" >&2
        exit 1
    else
        echo "CHANGELOG.rst is current: antsibull-changelog release $version makes the same from the fragments"
    fi
}

check_ee() {
    step "execution environment (ansible-builder $(ansible-builder --version))"
    printf 'meta/execution-environment.yml: '
    check ee-meta "$INSTALLED"
    local sample="$INSTALLED/docs/execution-environment.yml" ee="$WORK/ee"
    mkdir -p "$ee"
    # ansible-builder validates each definition (its schema) as it writes the build context
    ansible-builder create -f "$sample" -c "$ee/galaxy" --output-filename Containerfile >/dev/null
    check ee-tarball-variant "$sample" "$SIPFLEET_TARBALL" "$ee/execution-environment.yml"
    ansible-builder create -f "$ee/execution-environment.yml" -c "$ee/tarball" --output-filename Containerfile >/dev/null
    echo "ansible-builder create: the sample and its tarball variant are valid definitions"
    # The build's galaxy stage (WORKDIR /build = _build; nothing installed yet) and introspection, here.
    (cd "$ee/tarball/_build" && ANSIBLE_COLLECTIONS_PATH="$ee/share/collections" \
        ansible-galaxy collection install --offline -r requirements.yml --collections-path "$ee/share/collections" >/dev/null)
    mkdir -p "$ee/src"
    "$PY" "$ee/tarball/_build/scripts/introspect.py" introspect "$ee/share/collections" \
        --write-pip="$ee/src/requirements.txt" --write-bindep="$ee/src/bindep.txt" > "$ee/introspect.log" \
        || { cat "$ee/introspect.log"; exit 1; }
    printf 'introspection of the installed tarball (the /tmp/src/requirements.txt the build installs): '
    check requirements "$ee/src/requirements.txt" requests jmespath
}

for name in "${CHECKS[@]}"; do
    case "$name" in
        nox|tarball|docs|changelog|ee) ;;
        *) echo "usage: bash scripts/release_checks.sh [--update-changelog | --update-docs | nox tarball docs changelog ee]" >&2; exit 2 ;;
    esac
done
# every check, even after one failed, then the results
run_check() (  # a subshell with errexit: a failing command ends the check, not the others
    set -e
    case "$1" in
        nox) check_nox ;;
        tarball) check_tarball ;;
        docs) check_docs ;;
        changelog) check_changelog ;;
        ee) check_ee ;;
    esac
)
results=() failed=0
for name in "${CHECKS[@]}"; do
    started=$SECONDS
    set +e  # (not `if run_check`: errexit would not apply inside the check)
    run_check "$name"
    status=$?
    set -e
    if [ "$status" = 0 ]; then status=passed; else status=FAILED; failed=1; fi
    echo "($name: $status, $((SECONDS - started)) s)"
    results+=("$name $status")
done
echo "== release checks: ${results[*]}"
exit $failed
