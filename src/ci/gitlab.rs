//! `.gitlab-ci.yml` for `doctor --ci`: `variables:` names GitLab cannot hold. GitLab CI/CD
//! variable names may hold only letters, digits and `_` (spec/ci-env.md §1.1;
//! gitlab-org/gitlab#410220), so `npm_config_//host/:_authToken` or `npm_config_@acme:registry`
//! never reaches the job; the line goes into the user's `.npmrc` from the job's script.

use std::collections::BTreeMap;
use std::path::Path;

use super::{CiFinding, origin};
use crate::diagnostics::Code;
use crate::error::SyntaxError;
use crate::formats::yaml::KeyLines;
use crate::registry_url::RegistryUrl;
use crate::warning::Warning;

/// The file GitLab reads, at the repository root.
pub const FILE: &str = ".gitlab-ci.yml";

/// GitLab's predefined variables that a registry config names (its npm template keys the
/// token by `${CI_SERVER_HOST}` and `${CI_PROJECT_ID}`; docs "Predefined CI/CD variables"):
/// set in every job, so no secret to create. Other `CI_*` names are the user's own.
pub const PREDEFINED_REGISTRY_VARIABLES: &[&str] = &[
    "CI_API_V4_URL",
    "CI_JOB_TOKEN",
    "CI_PROJECT_ID",
    "CI_PROJECT_NAME",
    "CI_PROJECT_NAMESPACE",
    "CI_PROJECT_NAMESPACE_ID",
    "CI_PROJECT_PATH",
    "CI_PROJECT_ROOT_NAMESPACE",
    "CI_PROJECT_URL",
    "CI_SERVER_FQDN",
    "CI_SERVER_HOST",
    "CI_SERVER_PORT",
    "CI_SERVER_PROTOCOL",
    "CI_SERVER_URL",
];

pub fn check(text: &str, display: &Path) -> Result<Vec<CiFinding>, SyntaxError> {
    let doc: std::rc::Rc<BTreeMap<String, serde_json::Value>> = crate::formats::yaml::parse(text)?;
    let lines = KeyLines::new(text);
    // Top-level `variables:` and every job's (a job is any other top-level map).
    let maps = std::iter::once(doc.get("variables")).chain(
        doc.iter()
            .filter(|(k, _)| k.as_str() != "variables")
            .map(|(_, v)| v.get("variables")),
    );
    let mut out = Vec::new();
    for (name, value) in maps.flatten().filter_map(|v| v.as_object()).flatten() {
        if crate::env_config::is_plain_name(name) {
            continue;
        }
        out.push(CiFinding {
            warning: Warning::new(
                Code::CiGitlabVariableName,
                format!(
                    "GitLab CI/CD variable names may hold only letters, digits and _, so `{name}` never reaches the job"
                ),
                origin(display, lines.line(name)),
            ),
            manager: None,
            fix: fix(name, value),
        });
    }
    out.sort_by_key(|f| f.warning.origin.as_ref().map(|o| o.line));
    Ok(out)
}

/// The `.npmrc` line the variable meant, written to the user's `.npmrc` by the job instead,
/// with a reference the manager expands (single quotes keep the shell from expanding it).
fn fix(name: &str, value: &serde_json::Value) -> String {
    // `npm_config_KEY` / `pnpm_config_KEY` (any case) stand for the `.npmrc` key KEY.
    let lower = name.to_ascii_lowercase();
    let key = lower
        .find("_config_")
        .filter(|&i| lower[..i].chars().all(|c| c.is_ascii_alphabetic()))
        .map(|i| &name[i + "_config_".len()..]);
    let Some(key) = key else {
        return format!(
            "rename `{name}` to letters, digits and _ (and the references to it in the config)"
        );
    };
    let value = value
        .as_str()
        .or_else(|| value.get("value").and_then(|v| v.as_str()))
        .unwrap_or("");
    // A value is used only when it is a reference or a URL without credentials; anything
    // else may be a secret and is not repeated.
    let reference = value
        .trim()
        .trim_start_matches('$')
        .trim_start_matches('{')
        .trim_end_matches('}');
    let shown = if value.trim().starts_with('$') && crate::env_config::is_plain_name(reference) {
        Some(format!("${{{reference}}}"))
    } else {
        // Scheme, host and path only: no user:password, query or fragment.
        RegistryUrl::parse(value.trim()).map(|u| format!("{}://{}{}", u.scheme, u.host(), u.path()))
    };
    match shown {
        Some(v) => format!(
            "remove it from `variables:` and add to the job's `before_script`: echo '{key}={v}' >> ~/.npmrc"
        ),
        None => format!(
            "remove it from `variables:` and add to the job's `before_script`: echo '{key}=${{TOKEN}}' >> ~/.npmrc, with TOKEN the CI/CD variable holding the value"
        ),
    }
}
