#!/usr/bin/env bash
# check-posts.sh POSTS_DIR
#
# Checks Hexo posts (the *.md files directly in POSTS_DIR) with real Hexo 8:
# copies them into a fresh temporary copy of this minimal site's
# source/_posts, runs `hexo generate` (the site's own node_modules/.bin/hexo,
# i.e. what `npx hexo generate` runs), and fails (exit 1) when
#   - hexo exits non-zero, or
#   - hexo logs any ERROR / WARN / FATAL line (front-matter YAML errors,
#     Nunjucks template errors, ...), or
#   - the number of post pages written differs from the number of .md inputs
#     (dot and underscore files count as inputs: Hexo skips them silently), or
#   - a lint check finds a silent problem (see LINT below).
# The last line printed is always:
#   hexo: N posts in, M pages out, E errors
#
# The first run installs the Hexo pinned in package-lock.json (`npm ci`, needs
# node 20.19+, npm and the npm registry) into a cache keyed by the lock's hash,
# $RSSPRESS_HEXO_CACHE (default ~/.cache/rsspress-hexo); later runs reuse it.
#
# Environment (all optional):
#   TZ=ZONE           machine time zone Hexo runs under (default: UTC)
#   HEXO_TIMEZONE=Z   sets `timezone:` in the site config (default: keep '')
#   KEEP=1            keep the temporary site and print its path
#   QUIET=1           do not print hexo's own log (only problems + summary)
#   LINT=0            skip the lint checks (silent problems Hexo does not
#                     report: Nunjucks syntax left in a body, missing or
#                     unparseable date, empty title, no front matter, HTML tags
#                     in a title, URL-breaking file names (# ? % \), markdown
#                     code blocks made from indented HTML, two posts on one
#                     page, two categories on one page); by default each lint
#                     problem counts as an error
#   HARNESS_STRICT=1  abort at the first post whose render fails, as real
#                     Hexo does (default: report every bad post and go on)
# Exit codes: 0 ok, 1 check failed, 2 usage / setup error.
set -u

usage() { echo "usage: $0 POSTS_DIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
POSTS_DIR=$1
[ -d "$POSTS_DIR" ] || { echo "check-posts: not a directory: $POSTS_DIR" >&2; exit 2; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SITE=$HERE
export TZ=${TZ:-UTC}
export NO_COLOR=1 FORCE_COLOR=0

command -v node >/dev/null && command -v npm >/dev/null || {
  echo "check-posts: node 20.19+ and npm are required (Debian: apt-get install nodejs npm)" >&2; exit 2; }

# 1. Make sure the pinned Hexo is installed (fresh clone / CI). It goes into a
#    cache folder outside the repository, keyed by the lock, and appears there
#    whole or not at all (a failed or interrupted `npm ci` leaves nothing).
if [ -x "$SITE/node_modules/.bin/hexo" ]; then
  MODULES=$SITE/node_modules
else
  lock=$(cat "$SITE/package.json" "$SITE/package-lock.json" | sha256sum | cut -c1-16)
  CACHE=${RSSPRESS_HEXO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rsspress-hexo}/$lock
  if [ ! -x "$CACHE/node_modules/.bin/hexo" ]; then
    echo "check-posts: installing Hexo into $CACHE (npm ci) ..." >&2
    PARTIAL=$CACHE.partial.$$
    rm -rf "$PARTIAL" && mkdir -p "$PARTIAL" || exit 2
    cp "$SITE/package.json" "$SITE/package-lock.json" "$PARTIAL/" || exit 2
    (cd "$PARTIAL" && npm ci --no-audit --no-fund --loglevel=error) >&2 \
      || { rm -rf "$PARTIAL"; echo "check-posts: npm ci failed" >&2; exit 2; }
    # another run may have finished first: keep its copy
    mv -T "$PARTIAL" "$CACHE" 2>/dev/null || rm -rf "$PARTIAL"
  fi
  MODULES=$CACHE/node_modules
fi

# 2. Fresh temporary copy of the site (node_modules is symlinked, not copied).
WORK=$(mktemp -d "${TMPDIR:-/tmp}/check-posts.XXXXXX")
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT
for f in _config.yml package.json scripts scaffolds themes source; do
  [ -e "$SITE/$f" ] && cp -r "$SITE/$f" "$WORK/"
done
ls "$SITE"/_config.*.yml >/dev/null 2>&1 && cp "$SITE"/_config.*.yml "$WORK/"
ln -s "$MODULES" "$WORK/node_modules"
# the harness script (manifest + error attribution) goes in every variant
mkdir -p "$WORK/scripts" "$WORK/source/_posts"
cp "$HERE/scripts/rsspress-harness.js" "$WORK/scripts/"
find "$WORK/source/_posts" -mindepth 1 -delete
if [ -n "${HEXO_TIMEZONE:-}" ]; then
  sed -i "s|^timezone:.*|timezone: '${HEXO_TIMEZONE}'|" "$WORK/_config.yml"
fi

# 3. Copy the inputs (dot files too: Hexo skips them, so they must count).
N_IN=0
shopt -s nullglob dotglob
for f in "$POSTS_DIR"/*.md; do
  cp -- "$f" "$WORK/source/_posts/"
  N_IN=$((N_IN + 1))
done
shopt -u nullglob dotglob

# 4. Generate.
LOG="$WORK/hexo-generate.log"
START=$(date +%s.%N)
(cd "$WORK" && ./node_modules/.bin/hexo generate) >"$LOG" 2>&1
RC=$?
END=$(date +%s.%N)
# strip ANSI colour codes, just in case
sed -i 's/\x1b\[[0-9;]*m//g' "$LOG"
[ "${QUIET:-0}" = 1 ] || grep -v '^INFO  Generated: ' "$LOG"

# 5. Count problems and pages.
#    Problems: every ERROR/WARN/FATAL log line hexo printed.
E=$(grep -cE '^(ERROR|WARN|FATAL)\b' "$LOG")
#    Pages out: distinct post output files that exist on disk, from the
#    manifest written by scripts/rsspress-harness.js.
MANIFEST="$WORK/public/rsspress-manifest.json"
LINT_FILE="$WORK/lint.txt"
: >"$LINT_FILE"
if [ -f "$MANIFEST" ]; then
  N_OUT=$(node -e '
    const fs = require("fs"), path = require("path");
    const [manifest, pub, lintFile] = process.argv.slice(1);
    const m = JSON.parse(fs.readFileSync(manifest, "utf8"));
    const seen = new Set(), byFile = {}, lint = [];
    for (const p of m.posts) {
      const f = path.join(pub, p.out_file);
      if (fs.existsSync(f)) seen.add(f);
      (byFile[p.out_file] = byFile[p.out_file] || []).push(p.source);
      for (const l of p.lint || []) lint.push(`LINT ${p.source}: ${l}`);
    }
    for (const [f, s] of Object.entries(byFile))
      if (s.length > 1) lint.push(`LINT ${s.length} posts share one output page ${f}: ${s.join(", ")}`);
    const byCat = {};
    for (const c of m.categories || []) (byCat[c.path] = byCat[c.path] || new Set()).add(c.name);
    for (const [cp, names] of Object.entries(byCat))
      if (names.size > 1) lint.push(`LINT categories ${[...names].map(n => JSON.stringify(n)).join(", ")} share one page ${cp}: only one of them is shown`);
    fs.writeFileSync(lintFile, lint.map(l => l + "\n").join(""));
    console.log(seen.size);
  ' "$MANIFEST" "$WORK/public" "$LINT_FILE")
else
  echo "check-posts: no manifest written (hexo failed before writing files)"
  N_OUT=0
fi
#    Lint: silent problems Hexo does not report (LINT=0 to skip).
L=0
[ "${LINT:-1}" = 1 ] && L=$(grep -c '^LINT' "$LINT_FILE")

FAIL=0
if [ $RC -ne 0 ]; then echo "check-posts: hexo exited with status $RC"; FAIL=1; fi
if [ "$E" -gt 0 ]; then
  echo "check-posts: hexo reported $E problem line(s):"
  # each problem line with up to 7 following lines (stack frames left out),
  # stopping at the next INFO line
  awk '/^(ERROR|WARN|FATAL)/ {n = 8} /^INFO / {n = 0} /^[ \t]+at / {next}
       n > 0 {print NR ": " $0; n--}' "$LOG" | head -400
  FAIL=1
fi
if [ "$L" -gt 0 ]; then
  echo "check-posts: $L silent problem(s) that Hexo itself does not report:"
  head -400 "$LINT_FILE"
  FAIL=1
fi
if [ "$N_IN" -ne "$N_OUT" ]; then
  echo "check-posts: $N_IN .md files in but $N_OUT post pages out"
  FAIL=1
fi
[ "$N_IN" -eq 0 ] && { echo "check-posts: no .md files in $POSTS_DIR"; FAIL=1; }
awk -v s="$START" -v e="$END" -v tz="$TZ" 'BEGIN { printf "check-posts: hexo generate took %.2fs (TZ=%s)\n", e - s, tz }'
[ "${KEEP:-0}" = 1 ] && echo "check-posts: kept $WORK (manifest: public/rsspress-manifest.json, log: hexo-generate.log)"
[ $RC -ne 0 ] && [ "$E" -eq 0 ] && E=1
[ "$L" -gt 0 ] && echo "check-posts: errors = $E hexo ERROR/WARN/FATAL line(s) + $L lint problem(s)"
echo "hexo: $N_IN posts in, $N_OUT pages out, $((E + L)) errors"
exit $FAIL
