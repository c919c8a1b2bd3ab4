//! The package managers pmrc knows, as named on the command line (`npm`, `yarn@4`,
//! `yarn-classic`, `bun`...), and which files each of them reads and pmrc writes for it.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::formats::Format;
use crate::template::Dialect;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Manager {
    /// npm 11 and 12 read registry and auth settings identically (spec/npm.md §8).
    Npm,
    /// Yarn Berry (4.x).
    Yarn,
    /// Yarn 1.22: `.yarnrc` plus the `.npmrc` it takes all auth from.
    YarnClassic,
    /// Bun 1.x: `bunfig.toml` plus the `.npmrc` keys it honours.
    Bun,
}

pub const ALL: [Manager; 4] = [
    Manager::Npm,
    Manager::Yarn,
    Manager::YarnClassic,
    Manager::Bun,
];

impl Manager {
    /// The files this manager reads at each level, lowest priority first.
    pub fn files(self) -> &'static [(&'static str, Format)] {
        match self {
            Manager::Npm => &[(".npmrc", Format::Npmrc)],
            Manager::Yarn => &[(".yarnrc.yml", Format::YarnrcYml)],
            Manager::YarnClassic => &[(".yarnrc", Format::Yarnrc), (".npmrc", Format::Npmrc)],
            Manager::Bun => &[(".npmrc", Format::Npmrc), ("bunfig.toml", Format::Bunfig)],
        }
    }

    /// The file a translation into this manager writes.
    pub fn target_file(self) -> (&'static str, Format) {
        match self {
            Manager::Npm => (".npmrc", Format::Npmrc),
            Manager::Yarn => (".yarnrc.yml", Format::YarnrcYml),
            // Yarn 1 takes auth only from `.npmrc`, and `.npmrc` routing beats `.yarnrc`.
            Manager::YarnClassic => (".npmrc", Format::Npmrc),
            Manager::Bun => ("bunfig.toml", Format::Bunfig),
        }
    }

    /// How values written for this manager spell environment references.
    pub fn dialect(self) -> Dialect {
        match self {
            Manager::Npm => Dialect::Npm,
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
        }
    }

    /// The registry used when none is configured.
    pub fn public_registry(self) -> &'static str {
        match self {
            Manager::Npm | Manager::Bun => "https://registry.npmjs.org/",
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
        }
    }
}

impl fmt::Display for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Manager::Npm => "npm",
            Manager::Yarn => "yarn",
            Manager::YarnClassic => "yarn-classic",
            Manager::Bun => "bun",
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
            ("pnpm", _) => Err(format!(
                "`{s}` is not supported yet (this version reads and writes npm, Yarn 4, Yarn 1 and Bun)"
            )),
            ("npm" | "yarn" | "yarn-berry" | "yarn-classic" | "bun", Some(v)) => Err(format!(
                "`{s}`: pmrc knows the rules of npm 11/12, Yarn 4, Yarn 1.22 and Bun 1.x, not version {v}"
            )),
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
        assert!(
            "pnpm@10"
                .parse::<Manager>()
                .unwrap_err()
                .contains("not supported yet")
        );
        assert!("npm@9".parse::<Manager>().is_err());
        assert!("cargo".parse::<Manager>().unwrap_err().contains("unknown"));
    }
}
