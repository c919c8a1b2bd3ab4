#!/usr/bin/env bash
# The benchmark: `bash tests/bench/run.sh`. Times pmrc show/convert against npm, Yarn 4 and pnpm's own
# config queries on a small and a large generated project, then times pmrc alone on growing
# configs to check that its cost per line stays flat. Prints a markdown report and keeps it,
# with hyperfine's raw JSON, in target/bench/. See tests/bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PM_CACHE=${PMRC_PM_CACHE:-$TARGET/pm-cache}
OUT=$TARGET/bench

# Knobs (see tests/bench/README.md). The large side-by-side project and the size sweep are kept
# apart so the comparison stays affordable even when the sweep reaches 100,000 lines.
LARGE_LINES=${BENCH_LARGE_LINES:-5000}
DEPTH=${BENCH_DEPTH:-50}
# 50,000 lines of .npmrc make a 116,000-line .yarnrc.yml; twice that passes the YAML
# reader's safety budget of 250,000 nodes, which pmrc refuses to read.
read -r -a SIZES <<<"${BENCH_SIZES:-1000 2000 5000 10000 20000 50000}"
MAX_SECONDS=${BENCH_MAX_SECONDS:-20}
# Issue 20's goals are set at these sizes: each target's conversion on its own, and show.
read -r -a GOAL_SIZES <<<"${BENCH_GOAL_SIZES:-5000 50000}"

log() { printf '== %s\n' "$*" >&2; }
die() {
  printf 'tests/bench/run.sh: %s\n' "$*" >&2
  exit 1
}

command -v hyperfine >/dev/null || die "hyperfine is not installed. Install it with
  apt-get install hyperfine      (Debian 12+, Ubuntu 22.04+)
  cargo install --locked hyperfine
and run tests/bench/run.sh again."
command -v python3 >/dev/null || die "python3 is needed for tests/bench/gen.py and tests/bench/report.py"
HYPERFINE=$(command -v hyperfine)
STARTED=$(date +%s)
uptime_before=$(uptime)
log "load before the run: $uptime_before"

# The binary the release ships for this host, linked as .ci/build-release.sh links it (on
# Linux, glibc statically). `cargo install` links the same code dynamically, which starts
# about 0.4 ms later (docs/benchmarks.md).
source "$ROOT/.ci/release-flags.sh"
HOST=$(rustc -vV | sed -n 's/^host: //p')
RELEASE_FLAGS=$(release_rustflags "$HOST")
if [ -n "$RELEASE_FLAGS" ]; then
  export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$RELEASE_FLAGS"
fi
log "building pmrc (release, as shipped for $HOST)"
(cd "$ROOT" && cargo build --release --locked --target "$HOST")
PMRC=$TARGET/$HOST/release/pmrc

NODE=$PM_CACHE/node-22.23.3/bin/node
NPM=$PM_CACHE/npm-11.21.2/bin/npm-cli.js
YARN=$PM_CACHE/yarn-4.18.1/bin/yarn.js
PNPM12=$PM_CACHE/pnpm-12.21.0/pnpm
PNPM11=$PM_CACHE/pnpm-11.28.11/bin/pnpm.mjs
for tool in "$NODE" "$NPM" "$YARN" "$PNPM12" "$PNPM11"; do
  if [ ! -e "$tool" ]; then
    # The conformance suite pins and checksums the managers; reuse its installer (network).
    log "installing the pinned package managers into $PM_CACHE"
    (cd "$ROOT" && cargo test --locked --test conformance install_managers -- --exact)
    break
  fi
done
for tool in "$NODE" "$NPM" "$YARN" "$PNPM12" "$PNPM11"; do
  [ -e "$tool" ] || die "$tool is still missing after installing the managers"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pmrc-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
rm -rf "$OUT"
mkdir -p "$OUT" "$WORK"/{home,tmp,cache/npm,cache/yarn,xdg/config,xdg/cache,xdg/data,xdg/state}

# Every command, pmrc included, runs with only these variables: an empty HOME and private
# caches, so the managers read nothing but the generated project, and every switch that could
# make one of them reach for the network (update checks, telemetry, version management) off.
BENCH_ENV=(
  "PATH=$(dirname "$NODE"):/usr/bin:/bin"
  "HOME=$WORK/home"
  "TMPDIR=$WORK/tmp"
  "LANG=C.UTF-8"
  "NO_COLOR=1"
  "DO_NOT_TRACK=1"
  "COREPACK_ENABLE_STRICT=0"
  "XDG_CONFIG_HOME=$WORK/xdg/config"
  "XDG_CACHE_HOME=$WORK/xdg/cache"
  "XDG_DATA_HOME=$WORK/xdg/data"
  "XDG_STATE_HOME=$WORK/xdg/state"
  "npm_config_cache=$WORK/cache/npm"
  # Not the pinned npm's own <prefix>/etc/npmrc.
  "npm_config_globalconfig=$WORK/no-global-npmrc"
  "npm_config_offline=true"
  "npm_config_update_notifier=false"
  "npm_config_manage_package_manager_versions=false"
  "YARN_ENABLE_TELEMETRY=0"
  "YARN_ENABLE_NETWORK=0"
  "YARN_IGNORE_PATH=1"
  "YARN_GLOBAL_FOLDER=$WORK/cache/yarn"
  "pnpm_config_update_notifier=false"
  "pnpm_config_manage_package_manager_versions=false"
)
# The projects reference these (fake) variables; Yarn 4 refuses to run with an unset one.
mapfile -t tokens < <(python3 "$ROOT/tests/bench/gen.py" tokens)
BENCH_ENV+=("${tokens[@]}")

isolated() { env -i "${BENCH_ENV[@]}" "$@"; }

# hyperfine runs commands without a shell (-N) to keep its overhead out of millisecond
# timings, and splits them like a shell would: quote every path.
q() { printf '%q' "$1"; }
PMRC_Q=$(q "$PMRC")
NODE_Q=$(q "$NODE")
CONVERT="convert --from npm --to yarn,bun,pnpm"

# `--write` changes the project, so it runs on a sibling copy restored before every run
# (hyperfine --prepare, not timed). The copy sits at the same depth as the original.
write_copy() { printf '%s-write' "$1"; }
restore_cmd() { printf 'bash -c %s' "$(q "rm -rf $(q "$(write_copy "$1")") && cp -a $(q "$1") $(q "$(write_copy "$1")")")"; }
restore() { rm -rf "$(write_copy "$1")" && cp -a "$1" "$(write_copy "$1")"; }

log "generating projects in $WORK/projects"
SMALL=$(python3 "$ROOT/tests/bench/gen.py" small "$WORK/projects/small/app")
LARGE=$(python3 "$ROOT/tests/bench/gen.py" large "$WORK/projects/large" "$LARGE_LINES" "$DEPTH")
declare -A SWEEP
for n in "${SIZES[@]}" "${GOAL_SIZES[@]}"; do
  [ -n "${SWEEP[$n]:-}" ] && continue
  SWEEP[$n]=$(python3 "$ROOT/tests/bench/gen.py" large "$WORK/projects/lines-$n" "$n" "$DEPTH")
done

# name|command (run in the project folder; WRITE_DIR is replaced by the write copy)
SIDE_BY_SIDE=(
  "pmrc show|$PMRC_Q show"
  "pmrc convert (diff)|$PMRC_Q $CONVERT"
  "pmrc convert --write|$PMRC_Q $CONVERT --write --dir WRITE_DIR"
  "npm config list|$NODE_Q $(q "$NPM") config list"
  "yarn config|$NODE_Q $(q "$YARN") config"
  "pnpm 12 config list|$(q "$PNPM12") config list"
  "pnpm 11 config list|$NODE_Q $(q "$PNPM11") config list"
)

# strace, where ptrace is allowed, proves that no command opened an internet socket.
STRACE=""
if command -v strace >/dev/null && strace -f -qq -o /dev/null true 2>/dev/null; then
  STRACE=strace
fi

# Runs every side-by-side command once in `project` and fails on a non-zero exit, on an
# attempted network connection, or on a --write that wrote nothing: timing a command that
# errors out, or waits for the network, would be worthless.
verify() {
  local project=$1 entry name cmd out trace rc
  local copy
  copy=$(write_copy "$project")
  restore "$project"
  for entry in "${SIDE_BY_SIDE[@]}"; do
    name=${entry%%|*}
    cmd=${entry#*|}
    cmd=${cmd//WRITE_DIR/$(q "$copy")}
    out=$WORK/verify.out
    trace=$WORK/verify.trace
    rc=0
    if [ -n "$STRACE" ]; then
      (cd "$project" && eval "strace -f -qq -e trace=connect -o $(q "$trace") env -i $(printf '%q ' "${BENCH_ENV[@]}") $cmd") >"$out" 2>&1 || rc=$?
    else
      (cd "$project" && eval "isolated $cmd") >"$out" 2>&1 || rc=$?
    fi
    if [ "$rc" != 0 ]; then
      tail -n 20 "$out" >&2
      die "'$name' failed (exit $rc) in $project"
    fi
    if [ -n "$STRACE" ] && grep -E 'AF_INET6?' "$trace" >&2; then
      die "'$name' tried to open a network connection (above) in $project"
    fi
    printf '   ok  %-22s %8s lines of output\n' "$name" "$(wc -l <"$out")" >&2
  done
  if cmp -s "$project/.yarnrc.yml" "$copy/.yarnrc.yml" || [ ! -f "$copy/bunfig.toml" ] \
    || [ ! -f "$copy/pnpm-workspace.yaml" ]; then
    die "pmrc convert --write did not update .yarnrc.yml and create bunfig.toml and pnpm-workspace.yaml in $copy"
  fi
  restore "$project"
}

# hyperfine over every side-by-side command in `project`, into $OUT/side-<label>.json.
side_by_side() {
  local label=$1 project=$2
  shift 2
  local args=() entry cmd copy
  copy=$(write_copy "$project")
  for entry in "${SIDE_BY_SIDE[@]}"; do
    cmd=${entry#*|}
    args+=(-n "${entry%%|*}")
    if [[ $cmd == *WRITE_DIR* ]]; then
      args+=(--prepare "$(restore_cmd "$project")")
    else
      args+=(--prepare true)
    fi
    args+=("${cmd//WRITE_DIR/$(q "$copy")}")
  done
  (cd "$project" && isolated "$HYPERFINE" -N --style basic "$@" \
    --export-json "$OUT/side-$label.json" --export-markdown "$OUT/side-$label.md" "${args[@]}") >&2
}

log "checking every command once (exit code$([ -n "$STRACE" ] && echo ', no network connection'))"
verify "$SMALL"
verify "$LARGE"

log "side by side: small project"
side_by_side small "$SMALL" --warmup 3 --min-runs 10 --max-runs 50
log "side by side: large project ($LARGE_LINES lines of .npmrc, $DEPTH folders deep)"
side_by_side large "$LARGE" --warmup 1 --min-runs 3 --max-runs 20

# Growth with size: each pmrc command over SIZES. Each size first gets one run under a
# timeout, which is also hyperfine's warm-up: a size whose single run exceeds MAX_SECONDS,
# and every larger one, is reported as skipped instead of stalling the whole benchmark.
SWEEP_CMDS=(
  "show|$PMRC_Q show"
  "convert-diff|$PMRC_Q $CONVERT"
  "convert-write|$PMRC_Q $CONVERT --write --dir WRITE_DIR"
)
for entry in "${SWEEP_CMDS[@]}"; do
  key=${entry%%|*}
  stopped=""
  for n in "${SIZES[@]}"; do
    # A .skipped file holds the size that went over the limit.
    if [ -n "$stopped" ]; then
      printf '%s\n' "$stopped" >"$OUT/sweep-$key-$n.skipped"
      continue
    fi
    project=${SWEEP[$n]}
    cmd=${entry#*|}
    cmd=${cmd//WRITE_DIR/$(q "$(write_copy "$project")")}
    prepare=()
    if [[ $key == convert-write ]]; then
      restore "$project"
      prepare=(--prepare "$(restore_cmd "$project")")
    fi
    log "sweep: pmrc $key, $n lines"
    rc=0
    start=$(date +%s%N)
    (cd "$project" && eval "isolated timeout $MAX_SECONDS $cmd") >/dev/null 2>&1 || rc=$?
    probe_ms=$((($(date +%s%N) - start) / 1000000))
    if [ "$rc" = 124 ]; then
      stopped=$n
      printf '%s\n' "$stopped" >"$OUT/sweep-$key-$n.skipped"
      log "  over ${MAX_SECONDS} s; skipping $n lines and larger"
      continue
    fi
    [ "$rc" = 0 ] || die "pmrc $key failed (exit $rc) on $project"
    log "  one run: ${probe_ms} ms"
    (cd "$project" && isolated "$HYPERFINE" -N --style basic --min-runs 3 --max-runs 30 \
      "${prepare[@]}" -n "$key $n" --export-json "$OUT/sweep-$key-$n.json" "$cmd") >&2
  done
done

# The goals: each target alone, and show, timed at GOAL_SIZES, with the peak memory of one
# run (GNU time's maximum resident set size) against the size of the config it read.
GOAL_CMDS=(
  "to-yarn|$PMRC_Q convert --from npm --to yarn"
  "to-pnpm12|$PMRC_Q convert --from npm --to pnpm@12"
  "to-bun|$PMRC_Q convert --from npm --to bun"
  "to-npm|$PMRC_Q convert --from yarn --to npm"
  "show|$PMRC_Q show"
)
GNU_TIME=""
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
  GNU_TIME=/usr/bin/time
fi
for n in "${GOAL_SIZES[@]}"; do
  project=${SWEEP[$n]}
  for entry in "${GOAL_CMDS[@]}"; do
    key=${entry%%|*}
    cmd=${entry#*|}
    log "goal: pmrc $key, $n lines"
    rc=0
    (cd "$project" && eval "isolated timeout $MAX_SECONDS $cmd") >/dev/null 2>&1 || rc=$?
    if [ "$rc" = 124 ]; then
      printf '%s\n' "$n" >"$OUT/goal-$key-$n.skipped"
      log "  over ${MAX_SECONDS} s; not timed"
      continue
    fi
    [ "$rc" = 0 ] || die "pmrc $key failed (exit $rc) on $project"
    if [ -n "$GNU_TIME" ]; then
      (cd "$project" && eval "isolated $GNU_TIME -f %M -o $(q "$OUT/goal-$key-$n.maxrss") $cmd") >/dev/null 2>&1
    fi
    (cd "$project" && isolated "$HYPERFINE" -N --style basic --warmup 1 --min-runs 5 --max-runs 30 \
      -n "$key $n" --export-json "$OUT/goal-$key-$n.json" "$cmd") >&2
  done
done

{
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  printf 'memory\t%s\n' "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  printf 'kernel\t%s\n' "$(uname -srm)"
  printf 'rustc\t%s\n' "$(rustc --version)"
  printf 'hyperfine\t%s\n' "$("$HYPERFINE" --version)"
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'load before\t%s\n' "$uptime_before"
  printf 'load after\t%s\n' "$(uptime)"
  printf 'duration\t%s s\n' "$(($(date +%s) - STARTED))"
  printf 'pmrc\t%s (%s), %s, release flags: %s\n' "$("$PMRC" --version)" "$(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo "not a git checkout")" "$HOST" "${RELEASE_FLAGS:-none}"
  printf 'large lines\t%s\n' "$LARGE_LINES"
  printf 'depth\t%s\n' "$DEPTH"
  printf 'sizes\t%s\n' "${SIZES[*]}"
  printf 'goal sizes\t%s\n' "${GOAL_SIZES[*]}"
  printf 'peak memory\t%s\n' "${GNU_TIME:-unavailable}"
  printf 'max seconds\t%s\n' "$MAX_SECONDS"
  printf 'strace\t%s\n' "${STRACE:-unavailable}"
  for label in small large "${SIZES[@]}" "${GOAL_SIZES[@]}"; do
    case $label in
      small) project=$SMALL ;;
      large) project=$LARGE ;;
      *) project=${SWEEP[$label]} ;;
    esac
    printf 'npmrc %s\t%s\n' "$label" "$(wc -l <"$project/.npmrc")"
    printf 'yarnrc %s\t%s\n' "$label" "$(wc -l <"$project/.yarnrc.yml")"
    printf 'config bytes %s\t%s\n' "$label" "$(cat "$project/.npmrc" "$project/.yarnrc.yml" | wc -c)"
  done
} >"$OUT/machine.tsv"

python3 "$ROOT/tests/bench/report.py" "$OUT" >"$OUT/report.md"
cat "$OUT/report.md"
log "report: $OUT/report.md (raw hyperfine JSON next to it)"
