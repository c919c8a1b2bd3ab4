#!/usr/bin/env bash
# Builds one release target of pmrc and stages everything the release publishes for it:
#
#   .ci/build-release.sh <target> [<out dir, default dist>]
#
#   <out>/pmrc-v<version>-<target>.tar.gz (.zip for Windows)  the stripped binary, README,
#                                                            licences, in a folder of that name
#   <out>/pmrc-v<version>-<target>.tar.gz.sha256              `sha256sum -c` format
#   <out>/npm/pmrc-<platform>/                                the npm platform package
#   <out>/npm/pmrc/                                           the launcher (the same for all)
#
# The release workflow runs it once per target; tests/release.rs runs it for the host.
# The version is Cargo.toml's, as npm/build.mjs takes it: nothing is typed by hand.
set -euo pipefail

target=${1:?usage: .ci/build-release.sh <target> [out dir]}
out=${2:-dist}
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
[ -n "$version" ] || { echo "build-release: no version in Cargo.toml" >&2; exit 1; }

# The npm platform each target's binary is published for (process.platform-process.arch).
case "$target" in
  x86_64-unknown-linux-gnu | x86_64-unknown-linux-musl) platform=linux-x64 ;;
  aarch64-unknown-linux-gnu | aarch64-unknown-linux-musl) platform=linux-arm64 ;;
  x86_64-apple-darwin) platform=darwin-x64 ;;
  aarch64-apple-darwin) platform=darwin-arm64 ;;
  x86_64-pc-windows-msvc) platform=win32-x64 ;;
  *) echo "build-release: no npm platform for $target" >&2; exit 1 ;;
esac
case "$target" in
  *-windows-*) exe=pmrc.exe ;;
  *) exe=pmrc ;;
esac

# How the target links (Linux: glibc statically); see the file for why.
source "$root/.ci/release-flags.sh"
flags=$(release_rustflags "$target")
if [ -n "$flags" ]; then
  export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$flags"
fi
# Stripped by cargo (symbols only: panics keep their messages).
CARGO_PROFILE_RELEASE_STRIP=symbols \
  cargo build --release --locked --target "$target" --manifest-path "$root/Cargo.toml"
target_dir=${CARGO_TARGET_DIR:-$root/target}
binary="$target_dir/$target/release/$exe"

mkdir -p "$out"
out=$(cd "$out" && pwd)
name="pmrc-v$version-$target"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$binary" "$root/README.md" "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/$name/"

case "$target" in
  *-windows-*)
    archive="$name.zip"
    rm -f "$out/$archive"
    # Windows runners have 7-Zip; elsewhere zip.
    if command -v 7z >/dev/null; then
      (cd "$stage" && 7z a -tzip -bd "$out/$archive" "$name" >/dev/null)
    else
      (cd "$stage" && zip -qr "$out/$archive" "$name")
    fi
    ;;
  *)
    archive="$name.tar.gz"
    # Owner and order fixed, so the archive depends on the files only.
    tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner -czf "$out/$archive" "$name" 2>/dev/null \
      || tar -C "$stage" -czf "$out/$archive" "$name"
    ;;
esac

# `<hash>  <file>`, checkable with `sha256sum -c` (or `shasum -a 256 -c` on macOS).
if command -v sha256sum >/dev/null; then
  (cd "$out" && sha256sum "$archive" >"$archive.sha256")
else
  (cd "$out" && shasum -a 256 "$archive" >"$archive.sha256")
fi

node "$root/npm/build.mjs" --out "$out/npm" --binary "$binary" --platform "$platform" >/dev/null

echo "$out/$archive"
