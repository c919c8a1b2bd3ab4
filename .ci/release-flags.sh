# Sourced by .ci/build-release.sh and tests/bench/run.sh: how a release build of pmrc links
# for a target, so the benchmark measures the binary the release ships.
#
# Linux binaries link glibc statically (static-pie): one binary runs on every distribution,
# Alpine's musl systems included, with no dynamic loader to start (a small `show` 1.5 ms ->
# 1.1 ms) and with glibc's allocator (musl's made a 5,000-line conversion 1.7-2x slower:
# docs/benchmarks.md, issue 20). Passed with `--target`, the flag stays off build scripts
# and proc-macros, which cannot be static.

# The RUSTFLAGS a release build for target $1 adds (nothing for the other targets).
release_rustflags() {
  case "$1" in
    *-linux-gnu) echo "-C target-feature=+crt-static" ;;
  esac
}
