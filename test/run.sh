#!/usr/bin/env bash
# The test command (npm test, and .ci/run through it). Brings up the real SSH test bed
# (installing what it needs), then runs every test with node's test runner via tsx.
#   test/run.sh            unit + integration tests against real hosts
#   test/run.sh --unit     unit tests only (no hosts needed)
# Both start with the type check and lint; a type or lint error fails the run before any test.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
# the type-check step: types, then lint (typescript-eslint's recommended rules, eslint.config.js)
echo "test/run.sh: type check and lint" >&2
npx tsc --noEmit -p .
npx eslint .
# provider tests create servers that are real bed hosts: they run with the integration tests
mapfile -t unit < <(find test -name '*.test.ts' -not -path 'test/integration/*' -not -path 'test/safety/*' -not -path 'test/providers/*/*' | sort)
files=("${unit[@]}")
if [ "$mode" != --unit ]; then
  # a missing prerequisite must fail loudly here, never turn into skipped tests
  HITC_BED_DOCKER_HOSTS=${HITC_BED_DOCKER_HOSTS:-3} bash test/bed/bed.sh up "${HITC_BED_HOSTS:-50}"
  # the safety suite (test/safety) runs against real bed hosts too
  mapfile -t integration < <({ find test/integration -name '*.test.ts'; find test/safety -name '*.test.ts' 2>/dev/null; find test/providers -mindepth 2 -name '*.test.ts'; } | sort)
  files+=("${integration[@]}")
else
  # bed.sh installs it for a full run; without the bed nothing does, and tests never skip
  command -v dot >/dev/null || { echo "test/run.sh: Graphviz's dot is missing (apt-get install graphviz, or bash test/bed/bed.sh prepare)" >&2; exit 1; }
fi
export HITC_BED_STATE="$PWD/test/bed/state/bed.json"
status=0
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" || status=$?
if [ "${CI:-}" = true ] && [ "$mode" != --unit ]; then
  bash test/bed/bed.sh down || true
fi
exit $status
