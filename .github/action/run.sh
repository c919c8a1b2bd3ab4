#!/usr/bin/env bash
# The steps of pmrc's GitHub Action (action.yml), kept here so tests run them as the runner
# does:
#
#   run.sh install   the release binary for this runner into $RUNNER_TEMP, checksum verified,
#                    on PATH for later steps ($PMRC_BIN, if set, is used as it is instead)
#   run.sh run       $INPUT_COMMAND with --format github (annotations), and with
#                    INPUT_COMMENT=true one pull-request comment kept up to date; exits with
#                    pmrc's exit code
#
# Inputs come as INPUT_* variables; the runner's own (GITHUB_*, RUNNER_*) as usual.
# PMRC_RELEASES points the download elsewhere (a mirror; the tests' loopback server).
set -euo pipefail

marker='<!-- pmrc -->'
action_dir=$(cd "$(dirname "$0")/../.." && pwd)

fail() {
  echo "::error title=pmrc action::$1"
  exit 2
}

# The Rust target of this runner's release archive.
runner_target() {
  case "${RUNNER_OS:-}-${RUNNER_ARCH:-}" in
    Linux-X64) echo x86_64-unknown-linux-gnu ;;
    Linux-ARM64) echo aarch64-unknown-linux-gnu ;;
    macOS-X64) echo x86_64-apple-darwin ;;
    macOS-ARM64) echo aarch64-apple-darwin ;;
    Windows-X64) echo x86_64-pc-windows-msvc ;;
    *) fail "no pmrc release for ${RUNNER_OS:-?} ${RUNNER_ARCH:-?}; install it with cargo install pmrc and set PMRC_BIN" ;;
  esac
}

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

install() {
  if [ -n "${PMRC_BIN:-}" ]; then
    [ -x "$PMRC_BIN" ] || fail "PMRC_BIN=$PMRC_BIN is not an executable"
    echo "pmrc: using $PMRC_BIN"
    return
  fi
  # The action's own version: the Cargo.toml of the tag or commit the workflow named.
  local version=${INPUT_VERSION:-}
  if [ -z "$version" ]; then
    version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action_dir/Cargo.toml" | head -n 1)
  fi
  version=${version#v}
  local target
  target=$(runner_target)
  local name="pmrc-v$version-$target"
  local archive="$name.tar.gz"
  case "$target" in *-windows-*) archive="$name.zip" ;; esac
  local base=${PMRC_RELEASES:-https://github.com/pmrc-dev/pmrc/releases/download}
  local dir="${RUNNER_TEMP:?}/pmrc-$version"
  mkdir -p "$dir"
  curl -fsSL --retry 3 -o "$dir/$archive" "$base/v$version/$archive" \
    || fail "cannot download $base/v$version/$archive"
  curl -fsSL --retry 3 -o "$dir/$archive.sha256" "$base/v$version/$archive.sha256" \
    || fail "cannot download $base/v$version/$archive.sha256"
  local want got
  want=$(cut -d' ' -f1 <"$dir/$archive.sha256")
  got=$(sha256 "$dir/$archive")
  [ "$want" = "$got" ] || fail "checksum mismatch for $archive: expected $want, got $got"
  case "$archive" in
    *.zip) (cd "$dir" && unzip -oq "$archive") ;;
    *) tar -C "$dir" -xzf "$dir/$archive" ;;
  esac
  local exe=pmrc
  case "$target" in *-windows-*) exe=pmrc.exe ;; esac
  echo "$dir/$name" >>"${GITHUB_PATH:?}"
  echo "PMRC_BIN=$dir/$name/$exe" >>"${GITHUB_ENV:?}"
  echo "pmrc: installed $("$dir/$name/$exe" --version) from $base (sha256 $got)"
}

# Creates the pull request's pmrc comment, or updates the one there (found by its marker).
# A drifted or failing run creates it; a clean run only updates one that exists.
comment() {
  local status=$1 body=$2
  local pr
  pr=$(sed -n 's/^refs\/pull\/\([0-9][0-9]*\)\/.*/\1/p' <<<"${GITHUB_REF:-}")
  if [ -z "$pr" ] && [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ]; then
    pr=$(jq -r '.pull_request.number // empty' "$GITHUB_EVENT_PATH")
  fi
  if [ -z "$pr" ]; then
    echo "pmrc: not a pull request; no comment"
    return
  fi
  local repo=${GITHUB_REPOSITORY:?}
  local id
  id=$(gh api --method GET --paginate "repos/$repo/issues/$pr/comments" \
    --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1) || {
    echo "::warning title=pmrc action::cannot read the pull request's comments (a fork's read-only token?)"
    return
  }
  if [ -n "$id" ]; then
    gh api --method PATCH "repos/$repo/issues/comments/$id" -F "body=@$body" >/dev/null \
      || echo "::warning title=pmrc action::cannot update comment $id"
  elif [ "$status" -ne 0 ]; then
    gh api --method POST "repos/$repo/issues/$pr/comments" -F "body=@$body" >/dev/null \
      || echo "::warning title=pmrc action::cannot comment on #$pr (a fork's read-only token?)"
  fi
}

run() {
  local bin=${PMRC_BIN:-pmrc}
  local -a args
  read -r -a args <<<"${INPUT_COMMAND:-sync --check}"
  # The user's own --format (or doctor's --sarif) wins; pmrc refuses a second one.
  local has_format=false
  for a in "${args[@]}"; do
    case "$a" in --format | --format=* | --sarif) has_format=true ;; esac
  done
  local status=0
  if [ "$has_format" = true ]; then
    "$bin" "${args[@]}" || status=$?
  else
    "$bin" "${args[@]}" --format github || status=$?
  fi
  echo "exit-code=$status" >>"${GITHUB_OUTPUT:-/dev/null}"

  if [ "${INPUT_COMMENT:-false}" = true ] && [ "$status" -ne 2 ]; then
    local body="${RUNNER_TEMP:-/tmp}/pmrc-comment.md"
    local -a plain=()
    for a in "${args[@]}"; do
      case "$a" in --sarif) ;; *) plain+=("$a") ;; esac
    done
    if [ "$has_format" = false ] || [ "${#plain[@]}" -ne "${#args[@]}" ]; then
      # The same command as Markdown is the comment (secrets masked as in every format).
      { echo "$marker"; "$bin" "${plain[@]}" --format markdown || true; } >"$body"
      comment "$status" "$body"
    else
      echo "::warning title=pmrc action::comment needs pmrc to choose the format; drop --format from command"
    fi
  fi
  return "$status"
}

case "${1:-}" in
  install) install ;;
  run) run ;;
  *) echo "usage: run.sh install|run" >&2; exit 2 ;;
esac
