//! Environment variables as configuration, in neutral terms: the variables a manager is
//! given (`EnvVar`, whose values keep secrets as references to CI variables), the rc file a
//! job writes where variables cannot say it (`RcFile`), and how a manager reads one variable
//! (`EnvRead`). Which manager reads what lives in `managers/`; printing lives in `output/`.

use serde::Serialize;

use crate::managers::{Manager, WrittenAs};
use crate::model::AuthKey;
use crate::registry_url::RegistryUrl;
use crate::resolve::{Authorization, Packages, Route};
use crate::template::{Dialect, Template};
use crate::warning::Warning;

/// A JSON document whose strings may hold references (pnpm's `pnpm_config__auth`): each
/// output format quotes and escapes it in its own way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Json {
    /// Keys in the order written.
    Object(Vec<(String, Json)>),
    String(Template),
}

/// A variable's value: text (which may reference CI variables), or a JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum EnvValue {
    Text(Template),
    Json(Json),
}

/// One variable to set in the job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    pub value: EnvValue,
}

impl EnvVar {
    pub fn text(name: impl Into<String>, value: Template) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: EnvValue::Text(value),
        }
    }

    pub fn literal(name: impl Into<String>, value: impl Into<String>) -> EnvVar {
        EnvVar::text(name, Template::literal(value))
    }

    /// A registry URL as routes spell it for `pmrc env` (npm's notation, which
    /// `commands/env.rs` puts them in): a `${NAME}` in it, such as a query's token, is a
    /// reference the CI fills in like any other, and a CI secret the job must provide, not
    /// text left for the manager to expand or not.
    pub fn registry(name: impl Into<String>, url: &str) -> EnvVar {
        EnvVar::text(name, Template::parse(url, Dialect::Npm))
    }

    /// The CI variables this value references.
    pub fn references(&self) -> Vec<String> {
        fn walk(j: &Json, out: &mut Vec<String>) {
            match j {
                Json::Object(entries) => entries.iter().for_each(|(_, v)| walk(v, out)),
                Json::String(t) => out.extend(t.env_names().into_iter().map(String::from)),
            }
        }
        let mut out = Vec::new();
        match &self.value {
            EnvValue::Text(t) => out.extend(t.env_names().into_iter().map(String::from)),
            EnvValue::Json(j) => walk(j, &mut out),
        }
        out
    }
}

/// What variables alone give a manager: the variables, and what they do besides (notes
/// about traps such as a token that spreads to other hosts).
#[derive(Debug, Clone, Default)]
pub struct EnvForm {
    pub variables: Vec<EnvVar>,
    pub warnings: Vec<Warning>,
}

/// Where a job writes the user-level rc file that carries what variables cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RcFile {
    /// The file, under the job's home folder (`.npmrc`, `.yarnrc.yml`, `.pmrc/npmrc`).
    pub home_path: &'static str,
    /// The variable that points the manager at it; `None` where the manager reads that path
    /// on its own (Yarn Berry's `~/.yarnrc.yml`, Deno's `~/.npmrc`).
    pub pointer: Option<&'static str>,
    pub written_as: WrittenAs,
    /// Whose rules the file is written with (Bun reads an `.npmrc` the way npm does).
    pub written_for: Manager,
}

impl RcFile {
    /// pmrc's `~/.pmrc/npmrc`, which `NPM_CONFIG_USERCONFIG` points the managers that read
    /// `.npmrc` at, written with `rules`' rules (Bun's is written as npm reads it).
    pub fn user_npmrc(rules: Manager) -> RcFile {
        RcFile {
            home_path: ".pmrc/npmrc",
            pointer: Some("NPM_CONFIG_USERCONFIG"),
            written_as: WrittenAs::Npmrc,
            written_for: rules,
        }
    }
}

/// `text` as a variable name's part: ASCII letters upper-cased, digits kept, everything
/// else `_` (`npm.pkg.github.com` → `NPM_PKG_GITHUB_COM`).
pub fn upper_snake(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// `NPM_PKG_GITHUB_COM_TOKEN` for `//npm.pkg.github.com/`, `ACME_TOKEN` for scope `acme`:
/// a name every CI system and shell can hold. `pmrc env` and the Dependabot target name the
/// secrets a user creates alike.
pub fn secret_name(key: &AuthKey, field: &str) -> String {
    let stem = match key {
        AuthKey::Url(url) => RegistryUrl::parse(&format!("https:{}", {
            let i = url.find("//").unwrap_or(0);
            &url[i..]
        }))
        .map_or_else(|| "REGISTRY".to_string(), |u| u.host().to_string()),
        AuthKey::Scope(scope) => scope.trim_start_matches('@').to_string(),
        AuthKey::DefaultRegistry | AuthKey::Fallback => "NPM".to_string(),
    };
    let mut name = upper_snake(&stem);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("REGISTRY_{name}");
    }
    format!("{name}_{field}")
}

/// Whether `name` holds only `A-Za-z0-9_`: the names GitLab CI can hold, and those a YAML key
/// or a `$NAME` reference needs no quoting for.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// How a manager reads one environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvRead {
    /// It sets this setting, spelled as in the manager's own config (`registry`,
    /// `//host/:_authToken`, `npmAuthToken`, `@acme:registry`).
    Setting(String),
    /// A name in the manager's space that it does not use, and why.
    Ignored(String),
    /// A name that stops every command, and why (Yarn Berry's unknown `YARN_*`).
    Fatal(String),
    /// It sets this setting from a JSON value (pnpm 11/12's `pnpm_config__auth`); a value
    /// that does not parse as JSON stops every command.
    Json(String),
}

/// The URL a manager requests for a route: its registry, or the manager's public one, with
/// one trailing slash (none added after a query).
pub fn registry_url(registry: Option<&str>, public: &str) -> String {
    crate::registry_url::registry_with_slash(registry.unwrap_or(public))
}

/// npm's credential key for a registry URL (`//host[:port]/path/`).
pub fn credential_key(registry: &str) -> Option<String> {
    RegistryUrl::parse(registry).map(|u| u.registry_nerf_dart())
}

/// `npm_config_…`-style names: the part after a case-insensitive prefix, if it has it.
pub fn strip_prefix_ignore_case<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    (name.len() > prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &name[prefix.len()..])
}

/// npm's mapping of the rest of an `npm_config_` name (@npmcli/config): a key that starts
/// with `//` is kept as written; otherwise lower-cased with every `_` but a leading one
/// turned into `-`.
pub fn npm_env_key(rest: &str) -> String {
    if rest.starts_with("//") {
        return rest.to_string();
    }
    let lower = rest.to_ascii_lowercase();
    let leading = lower.len() - lower.trim_start_matches('_').len();
    format!(
        "{}{}",
        &lower[..leading],
        lower[leading..].replace('_', "-")
    )
}

/// Yarn Berry's mapping of the rest of a `YARN_` name: snake case to camelCase.
pub fn yarn_berry_env_key(rest: &str) -> String {
    let mut out = String::new();
    for (i, part) in rest.to_ascii_lowercase().split('_').enumerate() {
        if i == 0 {
            out.push_str(part);
        } else {
            let mut chars = part.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.push_str(chars.as_str());
            }
        }
    }
    out
}

/// Yarn 1's `mergeEnv` mapping: lower-cased, `__` nests (`.`), then an `_` after any other
/// character becomes `-` (a leading one stays: `_auth`). The result is set as an object
/// path, so every `.` nests.
pub fn yarn_classic_env_key(rest: &str) -> String {
    let lower = rest.to_ascii_lowercase().replace("__", ".");
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for c in lower.chars() {
        let dashed = c == '_' && prev.is_some_and(|p| p != '_');
        out.push(if dashed { '-' } else { c });
        prev = Some(c);
    }
    out
}

/// A model's routes as variables see them: the unscoped route, and the scopes whose route
/// differs from it (a scope that goes where unscoped packages go needs no variable).
pub struct RouteSet<'a> {
    pub unscoped: Option<&'a Route>,
    pub scopes: Vec<(&'a str, &'a Route)>,
}

impl<'a> RouteSet<'a> {
    pub fn of(routes: &'a [Route]) -> RouteSet<'a> {
        let unscoped = routes.iter().find(|r| r.packages == Packages::Unscoped);
        let same_as_unscoped = |r: &Route| {
            unscoped.is_some_and(|u| {
                let (_, a, b) = u.observable();
                let (_, c, d) = r.observable();
                a == c && b == d
            })
        };
        let scopes = routes
            .iter()
            .filter_map(|r| match &r.packages {
                Packages::Scope(s) if !same_as_unscoped(r) => Some((s.as_str(), r)),
                _ => None,
            })
            .collect();
        RouteSet { unscoped, scopes }
    }

    /// Whether unscoped packages go to a registry other than the public one.
    pub fn custom_default_registry(&self) -> Option<&'a str> {
        self.unscoped
            .and_then(|r| r.registry.as_deref())
            .filter(|r| !crate::resolve::is_public_registry(r))
    }
}

/// The scope as a config key names it: `@acme`.
pub fn scope_key(scope: &str) -> String {
    crate::model::scope_label(scope)
}

/// npm's credential keys for the authorization `route` sends at its key (`//host/path/`),
/// as `(suffix, value)` pairs (`:_authToken`), or why npm's keys cannot say it.
pub fn npm_credential_fields(
    route: &Route,
    auth: &Authorization,
) -> std::result::Result<Vec<(&'static str, Template)>, String> {
    if route.credential_in_url {
        return Err(
            "credentials in the registry URL's `user:password@`, which the managers read from the URL itself"
                .to_string(),
        );
    }
    match auth {
        Authorization::Bearer(t) => Ok(vec![(":_authToken", t.when_set())]),
        Authorization::Basic(t) => Ok(vec![(":_auth", t.when_set())]),
        Authorization::BasicParts {
            user,
            password,
            password_base64: true,
        } => Ok(vec![
            (":username", user.when_set()),
            (":_password", password.when_set()),
        ]),
        Authorization::BasicParts { .. } => {
            Err("a password sent as written, where npm's `_password` holds its base64".to_string())
        }
        Authorization::ClientCertificate => {
            Err("a client certificate (a file the job must hold)".to_string())
        }
    }
}

/// The `.npmrc` vocabulary as variables with `prefix` (`npm_config_`, `pnpm_config_`):
/// `registry`, `@scope:registry` and `//host/path/:_authToken` (or `_auth`, `username` and
/// `_password`) for every route. `public` is the manager's registry when none is set.
pub fn npm_style_variables(
    prefix: &str,
    routes: &[Route],
    public: &str,
) -> std::result::Result<Vec<EnvVar>, String> {
    let set = RouteSet::of(routes);
    let mut vars = Vec::new();
    let mut keyed: Vec<(String, Authorization)> = Vec::new();
    if let Some(registry) = set.custom_default_registry() {
        vars.push(EnvVar::registry(
            format!("{prefix}registry"),
            &registry_url(Some(registry), public),
        ));
    }
    let with_auth = set
        .unscoped
        .into_iter()
        .chain(set.scopes.iter().map(|(_, r)| *r));
    for (scope, route) in &set.scopes {
        vars.push(EnvVar::registry(
            format!("{prefix}{}:registry", scope_key(scope)),
            &registry_url(route.registry.as_deref(), public),
        ));
    }
    for route in with_auth {
        let Some(auth) = &route.authorization else {
            continue;
        };
        let url = registry_url(route.registry.as_deref(), public);
        let key = credential_key(&url).ok_or_else(|| format!("`{url}` is not an http(s) URL"))?;
        // A variable's name is not expanded as a file's key is, and in GitHub's `env:` the
        // variables it names are secrets, not the job's environment.
        if crate::template::holds_reference(&key) {
            return Err(format!(
                "the credentials for `{key}` are keyed through environment variables, which a variable's name cannot hold"
            ));
        }
        match keyed.iter().find(|(k, _)| *k == key) {
            Some((_, a)) if a == auth => continue,
            Some(_) => {
                return Err(format!(
                    "two routes send different credentials to {key}, which one key cannot hold"
                ));
            }
            None => keyed.push((key.clone(), auth.clone())),
        }
        for (suffix, value) in npm_credential_fields(route, auth)? {
            vars.push(EnvVar::text(format!("{prefix}{key}{suffix}"), value));
        }
    }
    Ok(vars)
}

/// The first URL in `model` that holds a literal credential (`user:password@` or a secret
/// query value): `pmrc env` cannot name it as a CI secret, so it refuses such a model.
pub fn url_with_literal_credential(model: &crate::model::Model) -> Option<&crate::model::Value> {
    model.fields().into_iter().find_map(|(field, v)| {
        if !field.is_url() {
            return None;
        }
        let url = v.value.render(crate::template::Dialect::Npm).0;
        crate::redact::url_secret_spans_at(&url, 0)
            .next()
            .is_some()
            .then_some(v)
    })
}

/// A route for the managers' unit tests: `scope` (`None`: unscoped) to `registry` with an
/// optional bearer token in the variable `token`.
#[cfg(test)]
pub(crate) fn test_route(scope: Option<&str>, registry: &str, token: Option<&str>) -> Route {
    Route {
        packages: scope.map_or(Packages::Unscoped, |s| Packages::Scope(s.into())),
        registry: Some(registry.into()),
        authorization: token
            .map(|t| Authorization::Bearer(Template::env(t, crate::template::Unset::Strict))),
        credential_key: None,
        credential_origin: None,
        credential_in_url: false,
        registry_read: None,
    }
}

/// The names of a form's variables, for the managers' unit tests.
#[cfg(test)]
pub(crate) fn names(form: &EnvForm) -> Vec<&str> {
    form.variables.iter().map(|v| v.name.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_keeps_credential_keys_and_dashes_the_rest() {
        assert_eq!(npm_env_key("FETCH_RETRIES"), "fetch-retries");
        assert_eq!(npm_env_key("_auth"), "_auth");
        assert_eq!(npm_env_key("_AUTHTOKEN"), "_authtoken");
        assert_eq!(
            npm_env_key("//R.example/npm/:_authToken"),
            "//R.example/npm/:_authToken"
        );
        assert_eq!(npm_env_key("@Acme:registry"), "@acme:registry");
    }

    #[test]
    fn yarn_berry_camel_cases() {
        assert_eq!(yarn_berry_env_key("NPM_AUTH_TOKEN"), "npmAuthToken");
        assert_eq!(
            yarn_berry_env_key("NPM_REGISTRY_SERVER"),
            "npmRegistryServer"
        );
    }

    #[test]
    fn yarn_classic_nests_double_underscores() {
        assert_eq!(yarn_classic_env_key("_AUTH"), "_auth");
        assert_eq!(yarn_classic_env_key("ALWAYS_AUTH"), "always-auth");
        // `//host/:_authToken` becomes a nested junk key: no URL-scoped token by env.
        assert_eq!(
            yarn_classic_env_key("//r.example/:_authToken"),
            "//r.example/:-authtoken"
        );
        assert_eq!(yarn_classic_env_key("@ACME:REGISTRY"), "@acme:registry");
    }

    #[test]
    fn prefixes_are_case_insensitive() {
        assert_eq!(
            strip_prefix_ignore_case("Npm_Config_registry", "npm_config_"),
            Some("registry")
        );
        assert_eq!(strip_prefix_ignore_case("npm_config_", "npm_config_"), None);
        assert_eq!(
            strip_prefix_ignore_case("NODE_AUTH_TOKEN", "npm_config_"),
            None
        );
    }
}
