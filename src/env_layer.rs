//! Environment variables as a config layer for `show`, `explain` and `doctor`: the variables
//! of a dotenv file (`--env-file`) or of the process (`--env`), applied over a manager's files
//! the way that manager reads them (`Rules::reads_variable`; every manager here lets the
//! environment beat its files). Each value's origin names the variable and where it came
//! from; a credential stays a reference to its variable, so its value is never in the model,
//! except a token written out in pnpm's `pnpm_config__auth` JSON, which is held as text that
//! only ever renders as the variable's name (`Piece::FromVariable`).

use std::path::{Path, PathBuf};

use crate::diagnostics::Code;
use crate::env_config::EnvRead;
use crate::error::{Result, SyntaxError};
use crate::managers::Manager;
use crate::model::{AuthKey, Level, Model, Origin, PasswordEncoding, Value};
use crate::template::{Dialect, Piece, Template, Unset};
use crate::warning::Warning;

/// Where a variable was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File { path: PathBuf, line: usize },
    Process,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    pub value: String,
    pub source: Source,
}

impl Variable {
    /// The origin a setting taken from this variable reports: the variable's name and
    /// where it was set (`NPM_CONFIG_REGISTRY (.env.ci:3)`, `... (environment)`).
    fn origin(&self) -> Origin {
        let place = match &self.source {
            Source::File { path, line } => format!("{}:{line}", path.display()),
            Source::Process => "environment".to_string(),
        };
        // Not a project file's value: the rules that distrust `${VAR}` in a project file
        // (pnpm 10.34+) must not apply to a credential the environment itself gives.
        Origin {
            file: Origin::shared(format!("{} ({place})", self.name)),
            line: 0,
            level: Level::User,
        }
    }
}

/// The variables as the run the user asks about would have them (`explain`, `doctor --env`):
/// the process environment with the `--env-file` (or `--env`) variables over it, as a job
/// that sources the file has them. Set and empty is set: Yarn reads `${VAR}` as `""` then.
#[derive(Clone, Copy)]
pub struct VariablesHere<'a> {
    layer: &'a [Variable],
}

impl<'a> VariablesHere<'a> {
    pub fn new(layer: &'a [Variable]) -> Self {
        VariablesHere { layer }
    }

    /// The variables applied over the files.
    pub fn layer(&self) -> &'a [Variable] {
        self.layer
    }

    /// The variable's value here; the last of the layer's settings wins, as in a shell.
    pub fn value(&self, name: &str) -> Option<String> {
        match self.layer.iter().rev().find(|v| v.name == name) {
            Some(v) => Some(v.value.clone()),
            None => std::env::var(name).ok(),
        }
    }

    pub fn is_set(&self, name: &str) -> bool {
        self.layer.iter().any(|v| v.name == name) || std::env::var_os(name).is_some()
    }

    pub fn is_unset_or_empty(&self, name: &str) -> bool {
        match self.layer.iter().rev().find(|v| v.name == name) {
            Some(v) => v.value.is_empty(),
            None => std::env::var_os(name).is_none_or(|v| v.is_empty()),
        }
    }
}

/// The variables of a dotenv file: `NAME=value` lines (an `export ` prefix allowed), values
/// bare or quoted ('…' as written, "…" with `\"`, `\\`, `\n` escapes), `#` comments and
/// blank lines. Anything else is an error at its line and column.
pub fn parse_dotenv(text: &str, path: &Path) -> Result<Vec<Variable>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let err =
            |column: usize, message: &str| SyntaxError::new(line, column, message).in_file(path);
        let trimmed = raw.trim_start();
        let indent = raw.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (body, skipped) = match trimmed.strip_prefix("export ") {
            Some(rest) => (
                rest.trim_start(),
                indent + (trimmed.len() - rest.trim_start().len()),
            ),
            None => (trimmed, indent),
        };
        let Some(eq) = body.find('=') else {
            return Err(err(skipped + 1, "expected NAME=value"));
        };
        let name = body[..eq].trim_end();
        // Names as `env`, `$GITHUB_ENV` and docker's env files take them: anything up to
        // the `=` without blanks, so `npm_config_//host/:_authToken` can be given too.
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(err(
                skipped + 1,
                "expected NAME=value, the name without blanks",
            ));
        }
        let raw_value = body[eq + 1..].trim();
        let value_column =
            skipped + eq + 2 + (body[eq + 1..].len() - body[eq + 1..].trim_start().len());
        let value = if let Some(rest) = raw_value.strip_prefix('\'') {
            let Some(end) = rest.find('\'') else {
                return Err(err(value_column, "unterminated '"));
            };
            rest[..end].to_string()
        } else if let Some(rest) = raw_value.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = rest.chars();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some('n') => value.push('\n'),
                        Some(other) => value.push(other),
                        None => break,
                    },
                    c => value.push(c),
                }
            }
            if !closed {
                return Err(err(value_column, "unterminated \""));
            }
            value
        } else {
            // A bare value ends at an inline comment.
            raw_value
                .split(" #")
                .next()
                .unwrap_or_default()
                .trim_end()
                .to_string()
        };
        out.push(Variable {
            name: name.to_string(),
            value,
            source: Source::File {
                path: path.to_path_buf(),
                line,
            },
        });
    }
    Ok(out)
}

/// Which variables to apply: `--env` (the process environment) and `--env-file FILE`.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    pub process: bool,
    pub file: Option<PathBuf>,
}

impl Layer {
    /// The variables, the process's first and the file's after them (a file's value wins).
    pub fn variables(&self) -> Result<Vec<Variable>> {
        let mut vars = if self.process {
            from_process()
        } else {
            Vec::new()
        };
        if let Some(path) = &self.file {
            let Some(text) = crate::discover::read_text(path)? else {
                return Err(crate::error::Error::Read {
                    path: path.clone(),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                });
            };
            vars.extend(parse_dotenv(&text, path)?);
        }
        Ok(vars)
    }
}

/// The process environment's variables (those with UTF-8 names and values).
pub fn from_process() -> Vec<Variable> {
    let mut vars: Vec<Variable> = std::env::vars_os()
        .filter_map(|(k, v)| {
            Some(Variable {
                name: k.into_string().ok()?,
                value: v.into_string().ok()?,
                source: Source::Process,
            })
        })
        .collect();
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    vars
}

/// Applies the variables `manager` reads over `model` (what it read from its files): each
/// setting a variable sets replaces the files' one. Variables the manager ignores or
/// refuses are reported; empty values are skipped, as the managers skip them.
pub fn apply(model: &mut Model, manager: Manager, variables: &[Variable]) -> Vec<Warning> {
    let rules = manager.rules();
    let mut layer = Model::default();
    let mut warnings = Vec::new();
    // Applied lowest rank first, so the variable the manager prefers is set last.
    let mut ordered: Vec<&Variable> = variables.iter().filter(|v| !v.value.is_empty()).collect();
    ordered.sort_by_key(|v| rules.variable_rank(&v.name));
    for var in ordered {
        let Some(read) = rules.reads_variable(&var.name) else {
            continue;
        };
        let origin = var.origin();
        match read {
            EnvRead::Setting(key) => set(&mut layer, &key, var, origin),
            EnvRead::Ignored(why) => warnings.push(Warning::new(
                Code::EnvVariableIgnored,
                format!("{} ignores {}: {why}", manager.label(), var.name),
                Some(origin),
            )),
            EnvRead::Fatal(why) => warnings.push(Warning::error(
                Code::EnvVariableFatal,
                format!("{} stops on {}: {why}", manager.label(), var.name),
                Some(origin),
            )),
            EnvRead::Json(_) => match serde_json::from_str(&var.value) {
                Ok(value) => structured_auth(&mut layer, &value, &var.name, origin),
                // Real pnpm 11.28 ("Failed to parse pnpm_config__auth as JSON") and 12.21
                // ("Invalid `_auth` setting") stopped before any request.
                Err(e) => warnings.push(Warning::error(
                    Code::EnvVariableFatal,
                    format!(
                        "{} stops on {}: its value is not JSON ({e})",
                        manager.label(),
                        var.name
                    ),
                    Some(origin),
                )),
            },
        }
    }
    rules.pin_variables_unkeyed_credentials(&mut layer);
    // Credentials written with the default registry (Bun's `registry = { url, token }`) go
    // with it: a registry the variables give replaces both. Real Bun 1.4.5 with
    // BUN_CONFIG_REGISTRY (or NPM_CONFIG_REGISTRY) sent bunfig.toml's token nowhere (from a
    // trial, where this said it sent it to the variable's registry).
    if layer.registry.is_some() {
        model.auth.remove(&AuthKey::DefaultRegistry);
    }
    model.overlay(layer);
    warnings
}

/// The user `.npmrc` the variables move for `manager` (`NPM_CONFIG_USERCONFIG`, where the
/// manager honours it), with how to name it: `path (NAME from where)`.
pub fn userconfig(manager: Manager, variables: &[Variable]) -> Option<(PathBuf, String)> {
    let rules = manager.rules();
    let mut found: Vec<&Variable> = variables
        .iter()
        .filter(|v| !v.value.is_empty())
        .filter(|v| rules.reads_variable(&v.name) == Some(EnvRead::Setting("userconfig".into())))
        .collect();
    found.sort_by_key(|v| rules.variable_rank(&v.name));
    let var = found.last()?;
    Some((
        PathBuf::from(&var.value),
        format!("{} ({})", var.value, var.origin()),
    ))
}

/// A note where the process names the user `.npmrc` that `manager` reads
/// (`NPM_CONFIG_USERCONFIG`, which actions/setup-node sets) but pmrc, without `--env`, read
/// or named the home folder's instead: from a review, explain said npm sent `~/.npmrc`'s
/// token where real npm sent the variable's file's.
pub fn userconfig_not_applied(
    manager: Manager,
    env: &crate::discover::Environment,
) -> Option<Warning> {
    if env.npm_userconfig.is_some() {
        return None;
    }
    let path = env.process_npm_userconfig.as_ref()?;
    // The variable naming the home folder's own file changes nothing (from a review).
    let home_file = env.home.as_ref().map(|h| h.join(".npmrc"));
    if home_file.is_some_and(|f| crate::discover::same_folder(&f, path)) {
        return None;
    }
    let honoured = Variable {
        name: "NPM_CONFIG_USERCONFIG".to_string(),
        value: path.display().to_string(),
        source: Source::Process,
    };
    userconfig(manager, std::slice::from_ref(&honoured))?;
    Some(Warning::note(
        crate::diagnostics::Code::UserconfigNotApplied,
        format!(
            "NPM_CONFIG_USERCONFIG is set here ({}): {manager} reads that file as its user .npmrc instead of ~/.npmrc, but pmrc reads the environment only with --env; pass --env (with --user) to read it as {manager} does",
            path.display()
        ),
        None,
    ))
}

/// One setting, spelled as the manager's own config spells it, into the layer's model. A
/// credential is kept as a reference to the variable (`${NAME}`), never as its value.
fn set(layer: &mut Model, key: &str, var: &Variable, origin: Origin) {
    let literal = || Value::new(Template::literal(var.value.clone()), Some(origin.clone()));
    let reference = || {
        Value::new(
            Template::env(var.name.clone(), Unset::Strict),
            Some(origin.clone()),
        )
    };
    match key {
        "registry" | "npmRegistryServer" => layer.registry = Some(literal()),
        "npmAuthToken" => {
            layer.auth.entry(AuthKey::Fallback).or_default().token = Some(reference())
        }
        "npmAuthIdent" => {
            layer.auth.entry(AuthKey::Fallback).or_default().ident = Some(reference())
        }
        "npmAlwaysAuth" => {
            layer.auth.entry(AuthKey::Fallback).or_default().always_auth = Some(literal())
        }
        "always-auth" => layer.always_auth = Some(literal()),
        "token" => {
            layer
                .auth
                .entry(AuthKey::DefaultRegistry)
                .or_default()
                .token = Some(reference())
        }
        "_auth" => layer.auth.entry(AuthKey::Fallback).or_default().ident = Some(reference()),
        "_authToken" => layer.auth.entry(AuthKey::Fallback).or_default().token = Some(reference()),
        key if key.starts_with('@') && key.ends_with(":registry") => {
            let scope = key.trim_start_matches('@').trim_end_matches(":registry");
            layer.scopes.entry(scope.to_string()).or_default().registry = Some(literal());
        }
        key if key.starts_with("//") => {
            let Some((location, field)) = key.rsplit_once(':') else {
                return;
            };
            if location.contains(":@") {
                return; // pnpm's scope token: not modelled from the environment.
            }
            let creds = layer
                .auth
                .entry(AuthKey::Url(location.to_string()))
                .or_default();
            match field {
                "_authToken" => creds.token = Some(reference()),
                "_auth" => creds.ident = Some(reference()),
                "username" => creds.username = Some(literal()),
                "_password" => {
                    creds.password = Some(reference());
                    creds.password_encoding = Some(PasswordEncoding::Base64);
                }
                "always-auth" => creds.always_auth = Some(literal()),
                _ => {}
            }
        }
        // Settings pmrc does not model (fetch-retries, nodeLinker...).
        _ => {}
    }
}

/// pnpm 11/12's `pnpm_config__auth`: registry URL → `"@"` / `"@scope"` → `{authToken}`; each
/// entry is a route and a token (a token written as `${VAR}` stays that reference, and its
/// literal text is the variable's: [`held_by`]).
fn structured_auth(layer: &mut Model, value: &serde_json::Value, name: &str, origin: Origin) {
    let Some(urls) = value.as_object() else {
        return;
    };
    for (url, entries) in urls {
        let Some(entries) = entries.as_object() else {
            continue;
        };
        let Some(parsed) = crate::registry_url::RegistryUrl::parse(url) else {
            continue;
        };
        for (scope, entry) in entries {
            let registry = Value::new(Template::literal(url.clone()), Some(origin.clone()));
            let token = entry["authToken"]
                .as_str()
                .map(|t| Value::new(held_by(name, t), Some(origin.clone())));
            if scope == "@" {
                if layer.registry.is_none() {
                    layer.registry = Some(registry);
                }
                layer
                    .auth
                    .entry(AuthKey::Url(parsed.registry_nerf_dart()))
                    .or_default()
                    .token = token;
            } else {
                let name = scope.trim_start_matches('@').to_string();
                layer.scopes.entry(name.clone()).or_default().registry = Some(registry);
                if token.is_some() {
                    layer.auth.entry(AuthKey::Scope(name)).or_default().token = token;
                }
            }
        }
    }
}

/// A token as pnpm reads it from `name`'s JSON, its literal text held as the variable's: it
/// is what pnpm sends (explain predicts it), but like every credential a variable gives it
/// is printed nowhere, `--show-secrets` included (docs/commands.md). A reference to the
/// variable cannot stand for it, as other variables' credentials do: `${pnpm_config__auth}`
/// means the whole JSON (from a trial, explain predicted that as the bearer token).
fn held_by(name: &str, token: &str) -> Template {
    let parsed = Template::parse(token, Dialect::Npm);
    Template::from_pieces(parsed.pieces.iter().map(|p| match p {
        Piece::Text { text } => Piece::FromVariable {
            name: name.to_string(),
            text: text.clone(),
        },
        other => other.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Variable>> {
        parse_dotenv(text, Path::new(".env.ci"))
    }

    #[test]
    fn dotenv_values_and_positions() {
        let vars = parse(
            "# CI\nexport NPM_CONFIG_REGISTRY=https://r.example/ # inline\nA='x # y'\nB=\"q\\\"uote\"\n\n",
        )
        .unwrap();
        let pairs: Vec<(&str, &str)> = vars
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("NPM_CONFIG_REGISTRY", "https://r.example/"),
                ("A", "x # y"),
                ("B", "q\"uote")
            ]
        );
        assert_eq!(
            vars[1].source,
            Source::File {
                path: PathBuf::from(".env.ci"),
                line: 3
            }
        );
    }

    #[test]
    fn dotenv_errors_name_line_and_column() {
        let e = parse("A=1\n  not a line\n").unwrap_err().to_string();
        assert_eq!(e, ".env.ci:2:3: expected NAME=value");
        let e = parse("A B=x\n").unwrap_err().to_string();
        assert!(
            e.starts_with(".env.ci:1:1: expected NAME=value, the name"),
            "{e}"
        );
        assert_eq!(
            parse("npm_config_//r/:_authToken=x\n").unwrap()[0].name,
            "npm_config_//r/:_authToken"
        );
        let e = parse("A=\"open\n").unwrap_err().to_string();
        assert_eq!(e, ".env.ci:1:3: unterminated \"");
    }

    #[test]
    fn the_environment_beats_the_files_and_keeps_tokens_as_references() {
        let vars = vec![
            Variable {
                name: "NPM_CONFIG_REGISTRY".into(),
                value: "https://env.example/".into(),
                source: Source::Process,
            },
            Variable {
                name: "npm_config_//env.example/:_authToken".into(),
                value: "FAKESECRET-never-in-the-model".into(),
                source: Source::Process,
            },
        ];
        let mut model = Model {
            registry: Some(Value::new(Template::literal("https://file.example/"), None)),
            ..Model::default()
        };
        let warnings = apply(&mut model, Manager::Npm, &vars);
        assert!(warnings.is_empty());
        let registry = model.registry.unwrap();
        assert_eq!(registry.value.as_literal().unwrap(), "https://env.example/");
        assert_eq!(
            registry.origin.unwrap().to_string(),
            "NPM_CONFIG_REGISTRY (environment)"
        );
        let token = model.auth[&AuthKey::Url("//env.example/".into())]
            .token
            .clone()
            .unwrap();
        assert_eq!(
            token.value.env_names(),
            ["npm_config_//env.example/:_authToken"]
        );
        assert!(!format!("{token:?}").contains("FAKESECRET"));
    }

    #[test]
    fn pnpm_11_ignores_npm_config_registry_and_reads_its_json() {
        let vars = vec![
            Variable {
                name: "npm_config_registry".into(),
                value: "https://ignored.example/".into(),
                source: Source::Process,
            },
            Variable {
                name: "pnpm_config__auth".into(),
                value: r#"{"https://r.example/":{"@acme":{"authToken":"${T}"}}}"#.into(),
                source: Source::Process,
            },
        ];
        let mut model = Model::default();
        let warnings = apply(
            &mut model,
            Manager::Pnpm(crate::managers::PnpmMajor::V11),
            &vars,
        );
        assert_eq!(warnings[0].code, Code::EnvVariableIgnored);
        assert!(model.registry.is_none());
        assert_eq!(
            model.scopes["acme"]
                .registry
                .as_ref()
                .unwrap()
                .value
                .as_literal()
                .unwrap(),
            "https://r.example/"
        );
        assert_eq!(
            model.auth[&AuthKey::Scope("acme".into())]
                .token
                .as_ref()
                .unwrap()
                .value
                .env_names(),
            ["T"]
        );
    }

    /// pnpm sends the token itself, so the model keeps it (explain predicts it), but it
    /// renders as the variable it comes from whatever is asked: with `--show-secrets` too.
    #[test]
    fn a_literal_token_in_pnpm_s_json_is_held_unprintable() {
        let vars = vec![Variable {
            name: "pnpm_config__auth".into(),
            value: r#"{"https://r.example/":{"@":{"authToken":"FAKESECRET-held"}}}"#.into(),
            source: Source::Process,
        }];
        let mut model = Model::default();
        apply(
            &mut model,
            Manager::Pnpm(crate::managers::PnpmMajor::V12),
            &vars,
        );
        let token = &model.auth[&AuthKey::Url("//r.example/".into())]
            .token
            .as_ref()
            .unwrap()
            .value;
        assert_eq!(token.as_literal().unwrap(), "FAKESECRET-held");
        assert!(token.env_names().is_empty());
        for show_secrets in [false, true] {
            assert_eq!(
                token.display(Dialect::Npm, true, show_secrets),
                "(from $pnpm_config__auth)"
            );
        }
        assert_eq!(token.render(Dialect::Yarn).0, "(from $pnpm_config__auth)");
        assert_eq!(
            serde_json::to_string(&token).unwrap(),
            "\"(from $pnpm_config__auth)\""
        );
    }

    #[test]
    fn bun_prefers_bun_config_registry_whatever_the_order() {
        let var = |name: &str, value: &str| Variable {
            name: name.into(),
            value: value.into(),
            source: Source::Process,
        };
        let vars = vec![
            var("BUN_CONFIG_REGISTRY", "https://bun.example/"),
            var("npm_config_registry", "https://lower.example/"),
            var("NPM_CONFIG_REGISTRY", "https://upper.example/"),
        ];
        let mut model = Model::default();
        apply(&mut model, Manager::Bun, &vars);
        assert_eq!(
            model.registry.unwrap().value.as_literal().unwrap(),
            "https://bun.example/"
        );
    }

    #[test]
    fn yarn_stops_on_an_unknown_variable() {
        let vars = vec![Variable {
            name: "YARN_NETWORK_TIMEOUT".into(),
            value: "1000".into(),
            source: Source::Process,
        }];
        let warnings = apply(&mut Model::default(), Manager::Yarn, &vars);
        assert_eq!(warnings[0].code, Code::EnvVariableFatal);
    }
}
