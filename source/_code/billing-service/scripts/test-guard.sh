#!/usr/bin/env bash
# Flag branch changes that touch tests or weaken them.
# Usage: scripts/test-guard.sh [base]   (default: origin/main)
set -euo pipefail
base="${1:-origin/main}"
# This file names the patterns it looks for, so its own lines are not searched.
self="scripts/test-guard.sh"

changed=$(git diff --name-only "$base"...HEAD \
  | grep -E '(^|/)(tests?|spec)/|_test\.|\.test\.|\.spec\.' || true)
if [ -n "$changed" ]; then
  echo "Test files changed; a person must review them:"
  echo "$changed"
fi

added=$(git diff --unified=0 "$base"...HEAD -- . ":(exclude)$self" \
  | grep -Ev '^\+\+\+ ' | grep -E '^\+' \
  | grep -Ei 'mark\.skip|@skip|\.skip\(|xfail|special case' || true)
if [ -n "$added" ]; then
  echo "New skips or special cases:"
  echo "$added"
  exit 1
fi
