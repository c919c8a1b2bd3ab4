#!/usr/bin/env node
// pmrc's launcher: finds the prebuilt binary for this platform, installed as an optional
// dependency, and runs it with the arguments, passing its exit code and signals through.
// No install script: pnpm 10 and Bun do not run dependency scripts by default.
"use strict";

const { spawnSync } = require("node:child_process");
const path = require("node:path");

// The platform packages, one per `process.platform`-`process.arch`.
const PACKAGES = {
  "linux-x64": "pmrc-linux-x64",
  "linux-arm64": "pmrc-linux-arm64",
  "darwin-x64": "pmrc-darwin-x64",
  "darwin-arm64": "pmrc-darwin-arm64",
  "win32-x64": "pmrc-win32-x64",
};

function fail(message) {
  process.stderr.write(`pmrc: ${message}\n`);
  process.exit(1);
}

const platform = `${process.platform}-${process.arch}`;
const name = PACKAGES[platform];
if (!name) {
  fail(
    `there is no prebuilt pmrc for ${platform}. Build it with Rust instead: cargo install pmrc`,
  );
}

const exe = process.platform === "win32" ? "pmrc.exe" : "pmrc";
let binary;
try {
  binary = require.resolve(`${name}/package.json`, { paths: [__dirname] });
  binary = path.join(path.dirname(binary), "bin", exe);
} catch {
  fail(
    [
      `the package ${name}, which holds pmrc for ${platform}, is not installed.`,
      "It is an optional dependency of pmrc, and is left out when optional dependencies are",
      "omitted (--omit=optional, --no-optional) or when the lockfile was made on another",
      "platform (npm/cli#4828). Install it again with optional dependencies:",
      `  npm install pmrc ${name} --include=optional`,
      "or delete node_modules and the lockfile and install again.",
    ].join("\n"),
  );
}

const run = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (run.error) {
  fail(`cannot run ${binary}: ${run.error.message}`);
}
if (run.signal) {
  // The same signal ends this process, so the caller sees what ended pmrc.
  process.kill(process.pid, run.signal);
}
process.exit(run.status ?? 1);
