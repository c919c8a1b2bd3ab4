//! Turns a registry request log into an observation that two runs can be compared by.
//!
//! Ports vanish (listener numbers `R1`, `R2`, … stay), `%2f` in scoped names reads `/`, and
//! repeats collapse, so npm and Yarn fetching the same things with the same credentials give
//! equal observations even against different server instances.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::registry::{Kind, Request};

/// One distinct request for a package.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// `packument` or `tarball`.
    pub what: &'static str,
    /// 1-based listener.
    pub listener: usize,
    /// Path with the scope separator decoded.
    pub path: String,
    /// The `Authorization` header, if any.
    pub auth: Option<String>,
    pub status: u16,
}

/// What one install did, as far as credentials and registries go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observation {
    /// Package name → every distinct request made for it.
    pub packages: BTreeMap<String, BTreeSet<Hit>>,
    /// Requests that reached the guard proxy (`CONNECT host:443`, …): never acceptable.
    pub escapes: BTreeSet<String>,
    /// Requests for no package (e.g. `/-/npm/v1/...`); shown, not compared, since managers differ.
    pub other: BTreeSet<String>,
}

impl Observation {
    pub fn from_log(log: &[Request]) -> Observation {
        let mut obs = Observation::default();
        for r in log {
            let path = r.path.replace("%2f", "/").replace("%2F", "/");
            match &r.kind {
                Kind::Packument { name } | Kind::Tarball { name } => {
                    let what = if matches!(r.kind, Kind::Packument { .. }) {
                        "packument"
                    } else {
                        "tarball"
                    };
                    obs.packages.entry(name.clone()).or_default().insert(Hit {
                        what,
                        listener: r.listener,
                        path: path_as_compared(&path, name),
                        auth: r.authorization.clone(),
                        status: r.status,
                    });
                }
                Kind::Escape => {
                    obs.escapes.insert(format!(
                        "{} {} {}",
                        r.method,
                        r.path,
                        show_auth(r.authorization.as_deref())
                    ));
                }
                Kind::Other => {
                    obs.other.insert(format!(
                        "R{} {} {} {} -> {}",
                        r.listener,
                        r.method,
                        path,
                        show_auth(r.authorization.as_deref()),
                        r.status
                    ));
                }
            }
        }
        obs
    }

    /// Whether two runs sent the same credentials to the same places (the compared part).
    pub fn same_as(&self, other: &Observation) -> bool {
        self.packages == other.packages && self.escapes == other.escapes
    }

    /// Line-by-line difference of the compared part: `-` only in `self`, `+` only in `other`.
    pub fn diff(&self, other: &Observation) -> String {
        let a: BTreeSet<String> = self.lines().into_iter().collect();
        let b: BTreeSet<String> = other.lines().into_iter().collect();
        let mut out = String::new();
        for l in a.difference(&b) {
            out.push_str(&format!("  - {l}\n"));
        }
        for l in b.difference(&a) {
            out.push_str(&format!("  + {l}\n"));
        }
        out
    }

    fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (name, hits) in &self.packages {
            for h in hits {
                lines.push(format!("{name}: {h}"));
            }
        }
        for e in &self.escapes {
            lines.push(format!("ESCAPE {e}"));
        }
        lines
    }
}

impl fmt::Display for Hit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} R{} {} [{}] -> {}",
            self.what,
            self.listener,
            self.path,
            show_auth(self.auth.as_deref()),
            self.status
        )
    }
}

impl fmt::Display for Observation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in self.lines() {
            writeln!(f, "  {l}")?;
        }
        for o in &self.other {
            writeln!(f, "  (not compared) {o}")?;
        }
        Ok(())
    }
}

/// A request's path without its query, unless the package is named after the query (a
/// registry URL with one, as npm, Yarn 4 and pnpm 12 request it: `/npm/?channel=beta/x`):
/// then the query is where the request went.
fn path_as_compared(path: &str, name: &str) -> String {
    match path.split_once('?') {
        Some((before, _)) if before.contains(name) => before.to_string(),
        Some(_) => path.to_string(),
        None => path.to_string(),
    }
}

/// The header as sent, plus the decoded pair for Basic so a report reads `alice:…`.
/// These are the suite's fake credentials, so showing them is the point.
pub fn show_auth(auth: Option<&str>) -> String {
    match auth {
        None => "no auth".into(),
        Some(a) => match a.strip_prefix("Basic ").and_then(|b| B64.decode(b).ok()) {
            Some(raw) => format!("{a} = {}", String::from_utf8_lossy(&raw)),
            None => a.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(listener: usize, path: &str, auth: Option<&str>, kind: Kind) -> Request {
        Request {
            listener,
            method: "GET".into(),
            path: path.into(),
            authorization: auth.map(Into::into),
            status: 200,
            kind,
        }
    }

    #[test]
    fn encodings_and_repeats_do_not_matter_but_credentials_do() {
        let pk = || Kind::Packument {
            name: "@acme/widget".into(),
        };
        let a = Observation::from_log(&[
            req(2, "/@acme%2fwidget", Some("Bearer fake-token-1"), pk()),
            req(2, "/@acme%2fwidget", Some("Bearer fake-token-1"), pk()),
        ]);
        let b =
            Observation::from_log(&[req(2, "/@acme/widget", Some("Bearer fake-token-1"), pk())]);
        assert!(a.same_as(&b));
        let c =
            Observation::from_log(&[req(2, "/@acme/widget", Some("Bearer fake-token-2"), pk())]);
        assert!(!a.same_as(&c));
        assert!(
            a.diff(&c)
                .contains("+ @acme/widget: packument R2 /@acme/widget [Bearer fake-token-2]")
        );
        let d =
            Observation::from_log(&[req(1, "/@acme/widget", Some("Bearer fake-token-1"), pk())]);
        assert!(!a.same_as(&d), "another listener is another registry");
    }

    #[test]
    fn basic_auth_is_shown_decoded() {
        assert_eq!(
            show_auth(Some("Basic YWxpY2U6cHc=")),
            "Basic YWxpY2U6cHc= = alice:pw"
        );
        assert_eq!(show_auth(None), "no auth");
    }
}
