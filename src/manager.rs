//! The package managers pmrc knows, as named on the command line (`npm`, `yarn@4`,
//! `yarn-classic`...), and which of them this version can read and write.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::template::Dialect;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Manager {
    /// npm 11 and 12 read registry and auth settings identically (spec/npm.md §8).
    Npm,
    /// Yarn Berry (4.x).
    Yarn,
}

impl Manager {
    pub fn dialect(self) -> Dialect {
        match self {
            Manager::Npm => Dialect::Npm,
            Manager::Yarn => Dialect::Yarn,
        }
    }

    /// The project-level file this manager's settings live in.
    pub fn project_file(self) -> &'static str {
        match self {
            Manager::Npm => ".npmrc",
            Manager::Yarn => ".yarnrc.yml",
        }
    }

    /// The registry used when none is configured.
    pub fn public_registry(self) -> &'static str {
        match self {
            Manager::Npm => "https://registry.npmjs.org/",
            Manager::Yarn => "https://registry.yarnpkg.com",
        }
    }

    /// Whose rules pmrc applies, for the preview header.
    pub fn rules(self) -> &'static str {
        match self {
            Manager::Npm => "npm 11/12",
            Manager::Yarn => "Yarn 4",
        }
    }
}

impl fmt::Display for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Manager::Npm => "npm",
            Manager::Yarn => "yarn",
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
            ("yarn", Some("1")) | ("yarn-classic", _) | ("pnpm" | "bun", _) => Err(format!(
                "`{s}` is not supported yet (this version reads and writes npm and Yarn Berry 4)"
            )),
            ("npm", Some(v)) | ("yarn" | "yarn-berry", Some(v)) => Err(format!(
                "`{s}`: pmrc knows the rules of npm 11/12 and Yarn 4, not version {v}"
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
        assert!(
            "yarn@1"
                .parse::<Manager>()
                .unwrap_err()
                .contains("not supported yet")
        );
        assert!("npm@9".parse::<Manager>().is_err());
        assert!("cargo".parse::<Manager>().unwrap_err().contains("unknown"));
    }
}
