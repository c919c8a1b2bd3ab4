// Writes pmrc's npm packages: the launcher `pmrc` and one package per platform, every
// version taken from Cargo.toml (never written by hand).
//
//   node npm/build.mjs --out DIR [--binary PATH --platform linux-x64]...
//
// Each `--binary` goes into the package of the `--platform` after it (the release workflow
// passes all five; the tests pass the host's). A platform package without its binary is not
// written: publishing one would install a package that cannot run.
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, chmodSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const cargo = readFileSync(join(here, "..", "Cargo.toml"), "utf8");
const version = /^version\s*=\s*"([^"]+)"/m.exec(cargo)[1];

export const PLATFORMS = {
  "linux-x64": { os: "linux", cpu: "x64" },
  "linux-arm64": { os: "linux", cpu: "arm64" },
  "darwin-x64": { os: "darwin", cpu: "x64" },
  "darwin-arm64": { os: "darwin", cpu: "arm64" },
  "win32-x64": { os: "win32", cpu: "x64" },
};

const args = process.argv.slice(2);
let out;
const binaries = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--out") out = args[++i];
  else if (args[i] === "--binary" && args[i + 2] === "--platform") {
    binaries[args[i + 3]] = args[i + 1];
    i += 3;
  } else throw new Error(`unknown argument ${args[i]}`);
}
if (!out) throw new Error("--out DIR is required");

const common = {
  version,
  description: "Translate and sync registry and auth config between npm, Yarn, pnpm, Bun, Deno and CI",
  license: "MIT OR Apache-2.0",
  repository: { type: "git", url: "git+https://github.com/pmrc-dev/pmrc.git" },
};

const launcher = join(out, "pmrc");
mkdirSync(join(launcher, "bin"), { recursive: true });
copyFileSync(join(here, "pmrc", "bin", "pmrc.js"), join(launcher, "bin", "pmrc.js"));
chmodSync(join(launcher, "bin", "pmrc.js"), 0o755);
writeFileSync(
  join(launcher, "package.json"),
  JSON.stringify(
    {
      name: "pmrc",
      ...common,
      bin: { pmrc: "bin/pmrc.js" },
      files: ["bin"],
      optionalDependencies: Object.fromEntries(
        Object.keys(PLATFORMS).map((p) => [`pmrc-${p}`, version]),
      ),
      engines: { node: ">=18" },
    },
    null,
    2,
  ) + "\n",
);

for (const [platform, binary] of Object.entries(binaries)) {
  const target = PLATFORMS[platform];
  if (!target) throw new Error(`unknown platform ${platform}`);
  const dir = join(out, `pmrc-${platform}`);
  mkdirSync(join(dir, "bin"), { recursive: true });
  const exe = target.os === "win32" ? "pmrc.exe" : "pmrc";
  copyFileSync(binary, join(dir, "bin", exe));
  chmodSync(join(dir, "bin", exe), 0o755);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      {
        name: `pmrc-${platform}`,
        ...common,
        os: [target.os],
        cpu: [target.cpu],
        files: ["bin"],
        // Yarn Plug'n'Play must unpack a binary to run it.
        preferUnplugged: true,
      },
      null,
      2,
    ) + "\n",
  );
}
console.log(`pmrc ${version}: ${out}`);
