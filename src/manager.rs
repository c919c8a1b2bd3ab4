//! The package managers pmrc knows, as named on the command line (`npm`, `yarn@4`,
//! `yarn-classic`, `bun`...), and which files each of them reads and pmrc writes for it.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::formats::Format;
use crate::template::Dialect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    /// npm 11 and 12 read registry and auth settings identically (spec/npm.md §8).
    Npm,
    /// Yarn Berry (4.x).
    Yarn,
    /// Yarn 1.22: `.yarnrc` plus the `.npmrc` it takes all auth from.
    YarnClassic,
    /// Bun 1.x: `bunfig.toml` plus the `.npmrc` keys it honours.
    Bun,
    /// pnpm of a major version (10, 11, 12); 0 until the project's version is known.
    Pnpm(u8),
}

pub const ALL: [Manager; 5] = [
    Manager::Npm,
    Manager::Yarn,
    Manager::YarnClassic,
    Manager::Bun,
    Manager::Pnpm(0),
];

/// The newest pnpm major pmrc knows, used when a project does not name one.
pub const NEWEST_PNPM: u8 = 12;

/// Where a file lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Project,
    /// The directory pmrc was pointed at, when it is a member of a pnpm workspace whose
    /// root (with `pnpm-workspace.yaml`) is further up.
    WorkspaceMember,
    Home,
    /// Bun's user bunfig: `$XDG_CONFIG_HOME/.bunfig.toml`, else `~/.bunfig.toml`.
    BunUser,
    /// pnpm's config dir: `$XDG_CONFIG_HOME/pnpm`, else `~/.config/pnpm`.
    PnpmConfig,
}

/// One file a manager reads or pmrc writes for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpec {
    pub name: &'static str,
    pub format: Format,
    pub place: Place,
}

const fn spec(name: &'static str, format: Format, place: Place) -> FileSpec {
    FileSpec {
        name,
        format,
        place,
    }
}

impl Serialize for Manager {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl Manager {
    /// The files this manager reads, lowest priority first (user files only with `--user`).
    pub fn sources(self) -> Vec<FileSpec> {
        use Format::*;
        use Place::*;
        match self {
            Manager::Npm => vec![spec(".npmrc", Npmrc, Home), spec(".npmrc", Npmrc, Project)],
            Manager::Yarn => vec![
                spec(".yarnrc.yml", YarnrcYml, Home),
                spec(".yarnrc.yml", YarnrcYml, Project),
            ],
            Manager::YarnClassic => vec![
                spec(".yarnrc", Yarnrc, Home),
                spec(".yarnrc", Yarnrc, Project),
                spec(".npmrc", Npmrc, Home),
                spec(".npmrc", Npmrc, Project),
            ],
            Manager::Bun => vec![
                spec(".npmrc", Npmrc, Home),
                spec(".npmrc", Npmrc, Project),
                spec("bunfig.toml", Bunfig, BunUser),
                spec("bunfig.toml", Bunfig, Project),
            ],
            // pnpm 10: `<cfg>/rc` < `~/.npmrc` < root `.npmrc` < member `.npmrc`.
            Manager::Pnpm(10) => vec![
                spec("rc", Npmrc, PnpmConfig),
                spec(".npmrc", Npmrc, Home),
                spec(".npmrc", Npmrc, Project),
                spec(".npmrc", Npmrc, WorkspaceMember),
                spec("pnpm-workspace.yaml", PnpmWorkspace, Project),
            ],
            // pnpm 11/12: routing from the yaml first, then config.yaml, the root `.npmrc`,
            // auth.ini, `~/.npmrc`; a member's `.npmrc` is not read.
            Manager::Pnpm(_) => vec![
                spec(".npmrc", Npmrc, Home),
                spec("auth.ini", Npmrc, PnpmConfig),
                spec(".npmrc", Npmrc, Project),
                spec("config.yaml", PnpmWorkspace, PnpmConfig),
                spec("pnpm-workspace.yaml", PnpmWorkspace, Project),
            ],
        }
    }

    /// The files a translation into this manager writes.
    pub fn targets(self) -> Vec<FileSpec> {
        use Format::*;
        use Place::*;
        match self {
            Manager::Npm => vec![spec(".npmrc", Npmrc, Project), spec(".npmrc", Npmrc, Home)],
            Manager::Yarn => vec![
                spec(".yarnrc.yml", YarnrcYml, Project),
                spec(".yarnrc.yml", YarnrcYml, Home),
            ],
            // Yarn 1 takes auth only from `.npmrc`, and `.npmrc` routing beats `.yarnrc`.
            Manager::YarnClassic => {
                vec![spec(".npmrc", Npmrc, Project), spec(".npmrc", Npmrc, Home)]
            }
            Manager::Bun => vec![
                spec("bunfig.toml", Bunfig, Project),
                spec("bunfig.toml", Bunfig, BunUser),
            ],
            // pnpm 10 reads everything from `.npmrc`; its yaml `registries` would replace
            // the `.npmrc` scopes, so 10 gets no yaml.
            Manager::Pnpm(10) => vec![spec(".npmrc", Npmrc, Project), spec(".npmrc", Npmrc, Home)],
            Manager::Pnpm(_) => vec![
                spec(".npmrc", Npmrc, Project),
                spec("pnpm-workspace.yaml", PnpmWorkspace, Project),
                spec("auth.ini", Npmrc, PnpmConfig),
            ],
        }
    }

    /// How values written for this manager spell environment references.
    pub fn dialect(self) -> Dialect {
        match self {
            Manager::Npm | Manager::Pnpm(_) => Dialect::Npm,
            Manager::Yarn => Dialect::Yarn,
            Manager::YarnClassic => Dialect::YarnClassic,
            Manager::Bun => Dialect::Bun,
        }
    }

    /// The file whose presence says a project uses this manager.
    pub fn marker_file(self) -> &'static str {
        match self {
            Manager::Npm => ".npmrc",
            Manager::Yarn => ".yarnrc.yml",
            Manager::YarnClassic => ".yarnrc",
            Manager::Bun => "bunfig.toml",
            Manager::Pnpm(_) => "pnpm-workspace.yaml",
        }
    }

    /// The registry used when none is configured.
    pub fn public_registry(self) -> &'static str {
        match self {
            Manager::Npm | Manager::Bun | Manager::Pnpm(_) => "https://registry.npmjs.org/",
            Manager::Yarn => "https://registry.yarnpkg.com",
            Manager::YarnClassic => "https://registry.yarnpkg.com/",
        }
    }

    /// Whose rules pmrc applies, for the preview header.
    pub fn rules(self) -> &'static str {
        match self {
            Manager::Npm => "npm 11/12",
            Manager::Yarn => "Yarn 4",
            Manager::YarnClassic => "Yarn 1.22",
            Manager::Bun => "Bun 1.x",
            Manager::Pnpm(10) => "pnpm 10",
            Manager::Pnpm(11) => "pnpm 11",
            Manager::Pnpm(_) => "pnpm 12",
        }
    }

    /// pnpm 11 and later read only auth, registry and network keys from `.npmrc`, and
    /// ignore `${VAR}` credentials in a project `.npmrc` (10.34+ does too).
    pub fn is_pnpm(self) -> bool {
        matches!(self, Manager::Pnpm(_))
    }
}

impl fmt::Display for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Manager::Npm => "npm",
            Manager::Yarn => "yarn",
            Manager::YarnClassic => "yarn-classic",
            Manager::Bun => "bun",
            Manager::Pnpm(0) => "pnpm",
            Manager::Pnpm(major) => return write!(f, "pnpm@{major}"),
        })
    }
}

impl FromStr for Manager {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, version) = match s.split_once('@') {
            Some((n, v)) => (n, Some(v)),
            None => (s, None),
        };
        let major = version.map(|v| v.split('.').next().unwrap_or(v));
        match (name, major) {
            ("npm", None | Some("11" | "12")) => Ok(Manager::Npm),
            ("yarn" | "yarn-berry", None | Some("4")) => Ok(Manager::Yarn),
            ("yarn", Some("1")) | ("yarn-classic", None | Some("1")) => Ok(Manager::YarnClassic),
            ("bun", None | Some("1")) => Ok(Manager::Bun),
            ("pnpm", None) => Ok(Manager::Pnpm(0)),
            ("pnpm", Some("10")) => Ok(Manager::Pnpm(10)),
            ("pnpm", Some("11")) => Ok(Manager::Pnpm(11)),
            ("pnpm", Some("12")) => Ok(Manager::Pnpm(12)),
            ("npm" | "yarn" | "yarn-berry" | "yarn-classic" | "bun" | "pnpm", Some(v)) => {
                Err(format!(
                    "`{s}`: pmrc knows the rules of npm 11/12, Yarn 4, Yarn 1.22, Bun 1.x and pnpm 10/11/12, not version {v}"
                ))
            }
            _ => Err(format!(
                "unknown package manager `{s}` (expected npm, yarn, yarn-classic, pnpm or bun)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions() {
        assert_eq!("npm".parse::<Manager>(), Ok(Manager::Npm));
        assert_eq!("npm@12".parse::<Manager>(), Ok(Manager::Npm));
        assert_eq!("yarn@4.18.1".parse::<Manager>(), Ok(Manager::Yarn));
        assert_eq!("yarn@1".parse::<Manager>(), Ok(Manager::YarnClassic));
        assert_eq!("yarn-classic".parse::<Manager>(), Ok(Manager::YarnClassic));
        assert_eq!("bun".parse::<Manager>(), Ok(Manager::Bun));
        assert_eq!("pnpm@10".parse::<Manager>(), Ok(Manager::Pnpm(10)));
        assert_eq!("pnpm".parse::<Manager>(), Ok(Manager::Pnpm(0)));
        assert!("pnpm@9".parse::<Manager>().is_err());
        assert!("npm@9".parse::<Manager>().is_err());
        assert!("cargo".parse::<Manager>().unwrap_err().contains("unknown"));
    }
}
