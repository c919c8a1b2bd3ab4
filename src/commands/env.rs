//! `pmrc env`: the environment (variables, and where they cannot say it a user-level rc
//! file) that makes one manager route and authenticate as the source's config says. Secrets
//! are never values here: a credential is a reference to the CI variable that holds it.

use std::path::PathBuf;

use crate::diagnostics::Code;
use crate::discover::{self, Environment};
use crate::env_config::{EnvVar, RcFile};
use crate::error::{Error, Result};
use crate::managers::{ALL, Manager, ManagerArg};
use crate::model::{Model, Value};
use crate::resolve;
use crate::template::{Dialect, Template, Unset};
use crate::warning::Warning;

/// Where the environment is meant to be set, which decides the names it can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A POSIX shell script to source: names are shell identifiers.
    Shell,
    /// A GitHub Actions `env:` block: any name without `=`.
    Github,
    /// `.gitlab-ci.yml` `variables:`: only letters, digits and `_`.
    Gitlab,
    /// A dotenv file: names are shell identifiers (dotenv loaders reject the rest).
    Dotenv,
    /// JSON for scripts: any name.
    Json,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Shell => "a shell",
            Target::Github => "a GitHub Actions env: block",
            Target::Gitlab => "GitLab CI variables",
            Target::Dotenv => "a dotenv file",
            Target::Json => "JSON",
        }
    }

    /// Whether a variable of this name can be set there.
    pub fn allows(self, name: &str) -> bool {
        let identifier = || {
            crate::env_config::is_plain_name(name)
                && !name.starts_with(|c: char| c.is_ascii_digit())
        };
        match self {
            Target::Shell | Target::Dotenv => identifier(),
            Target::Gitlab => crate::env_config::is_plain_name(name),
            Target::Github | Target::Json => !name.is_empty() && !name.contains('='),
        }
    }
}

pub struct Request {
    pub dir: PathBuf,
    pub from: Option<ManagerArg>,
    pub to: ManagerArg,
    pub user: bool,
    pub target: Target,
}

/// The user-level rc file a job must write, and why variables were not enough.
pub struct RcOut {
    pub file: RcFile,
    pub text: String,
    pub reason: String,
}

pub struct EnvPlan {
    pub from: Manager,
    pub to: Manager,
    pub target: Target,
    pub variables: Vec<EnvVar>,
    pub rc_file: Option<RcOut>,
    /// The CI secret variables the output references, which the job must provide.
    pub secrets: Vec<String>,
    pub warnings: Vec<Warning>,
}

pub fn run(req: &Request, env: &Environment) -> Result<EnvPlan> {
    // The source as `convert` finds it: the flag, else pmrc.toml's `from`, else the one
    // manager whose own file holds settings.
    let from = match (req.from, super::convert::project_setting(&req.dir)?) {
        (Some(m), _) => m,
        (None, Some(setting)) => setting.from,
        (None, None) => discover::detect_source(&req.dir, &ALL, &[req.to])?,
    };
    let (from, from_note) = from.settle(&req.dir)?;
    let (to, to_note) = req.to.settle(&req.dir)?;
    let (dir, env, root_note) = super::workspace_root(from, &req.dir, env);
    let files = discover::locate(from, &dir, req.user, &env)?;
    let (mut model, mut warnings) = discover::read_merged(from, &files)?;
    warnings.splice(0..0, [from_note, to_note, root_note].into_iter().flatten());
    // What the source sends can come from its user files, which the variables then leave
    // out (from a trial: a token in ~/.npmrc went unsaid).
    if req.user {
        warnings.extend(discover::passed_over_user_files(from, &env));
    } else {
        warnings.extend(discover::unread_user_files(from, &dir, &env));
    }
    if !files.iter().any(|f| f.text.is_some()) {
        return Err(Error::Usage(format!(
            "{} reads no config file in {}; nothing to put in the environment",
            from.label(),
            dir.display()
        )));
    }
    refuse_secrets_in_urls(&model)?;
    let literal = model.clone();
    let (references, replaced) = secrets_as_references(&mut model);
    warnings.extend(references);
    let mut routes = routes_with_references(&literal, &model, from, &replaced);
    // Each manager spells its routes' URLs in its own notation; the variables read them in
    // npm's (`EnvVar::registry`), whichever manager the config came from. What that loses
    // is the variables' loss only: an rc file is translated from the model, and says its own.
    let mut url_losses = Vec::new();
    for route in &mut routes {
        if let Some(url) = &mut route.registry {
            let read = Template::parse(url, from.dialect());
            let (spelled, losses) = read.render(Dialect::Npm);
            if !losses.is_empty() {
                url_losses.push(lost_in_registry_url(&read, from));
            }
            *url = spelled;
        }
    }
    let rules = to.rules();
    let form = rules.env_form(&routes).and_then(|form| {
        let illegal: Vec<&str> = form
            .variables
            .iter()
            .map(|v| v.name.as_str())
            .filter(|n| !req.target.allows(n))
            .collect();
        if illegal.is_empty() {
            Ok(form)
        } else {
            Err(format!(
                "{} cannot hold the name{} {}",
                req.target.name(),
                if illegal.len() == 1 { "" } else { "s" },
                illegal
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    });
    let (variables, rc_file) = match form {
        Ok(form) => {
            warnings.extend(url_losses);
            warnings.extend(form.warnings);
            warnings.extend(network_not_carried(&literal, to));
            (form.variables, None)
        }
        Err(reason) => {
            let Some(file) = rules.env_rc_file() else {
                return Err(Error::Usage(reason));
            };
            let (text, notes) = rc_text(&model, from, file, to)?;
            warnings.extend(notes);
            // The variable that points at the file is the rc file's to print: its value
            // names the job's home folder, which each format spells its own way.
            let variables = Vec::new();
            warnings.push(Warning::note(
                Code::EnvRcFile,
                format!(
                    "{reason}: the job writes ~/{} (printed with the variables){}",
                    file.home_path,
                    match file.pointer {
                        Some(p) => format!(" and sets {p} to it"),
                        None => format!(", which {} reads on its own", to.label()),
                    }
                ),
                None,
            ));
            (variables, Some(RcOut { file, text, reason }))
        }
    };
    let mut secrets: Vec<String> = variables.iter().flat_map(EnvVar::references).collect();
    if let Some(rc) = &rc_file {
        secrets.extend(references_in(&rc.text));
    }
    secrets.sort();
    secrets.dedup();
    Ok(EnvPlan {
        from,
        to,
        target: req.target,
        variables,
        rc_file,
        secrets,
        warnings,
    })
}

/// The variables say registries and credentials only: each TLS or proxy setting of the source
/// is said to be left out (from a trial: a `cafile` went unsaid, and real Yarn 4, Bun and
/// pnpm 12 then failed the TLS handshake with the variables alone).
fn network_not_carried(model: &Model, to: Manager) -> Option<Warning> {
    let tls = &model.tls;
    let proxy = &model.proxy;
    let settings = [
        (tls.cafile.as_ref(), "cafile"),
        (tls.ca.first(), "ca"),
        (tls.strict_ssl.as_ref(), "strict-ssl"),
        (
            tls.cert.as_ref().or(tls.key.as_ref()),
            "a client certificate",
        ),
        (proxy.http.as_ref(), "proxy"),
        (proxy.https.as_ref(), "https-proxy"),
        (proxy.noproxy.as_ref(), "noproxy"),
    ];
    let mut named: Vec<&str> = Vec::new();
    let mut origin = None;
    for (value, what) in settings {
        if let Some(v) = value {
            named.push(what);
            origin = origin.or_else(|| v.origin.clone());
        }
    }
    if !model.hosts.is_empty() {
        named.push("per-host network settings");
    }
    if named.is_empty() {
        return None;
    }
    Some(Warning::new(
        Code::LossyNetworkSettings,
        format!(
            "the variables carry registries and credentials only; {} {} not carried: set {} for {} where it runs",
            named.join(", "),
            if named.len() == 1 { "is" } else { "are" },
            if named.len() == 1 { "it" } else { "them" },
            to.label(),
        ),
        origin,
    ))
}

/// `lossy-env-reference` for a registry URL whose references a variable cannot spell as
/// written (Yarn's `${T:-beta}`): the variable's value keeps `${T}`, and an unset `T` leaves
/// that part empty. The defaults are not printed: one may be a secret.
fn lost_in_registry_url(url: &Template, from: Manager) -> Warning {
    use crate::template::Piece;
    let defaulted: Vec<String> = url
        .pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Env {
                name,
                unset: Unset::Default(_) | Unset::DefaultIfUnset(_),
            } => Some(format!("${{{name}}}")),
            _ => None,
        })
        .collect();
    let message = if defaulted.is_empty() {
        format!("pmrc env cannot keep the exact text of a registry URL as {from} wrote it")
    } else {
        format!(
            "pmrc env cannot keep the default{} of {} that {from} wrote in a registry URL: a variable unset in the job is not replaced by its default, so set it there",
            if defaulted.len() == 1 { "" } else { "s" },
            defaulted.join(", "),
        )
    };
    Warning::new(Code::LossyEnvReference, message, None)
}

/// The rc file's text: the model translated for the manager that reads the file, every
/// setting written at user level.
fn rc_text(
    model: &Model,
    from: Manager,
    file: RcFile,
    to: Manager,
) -> Result<(String, Vec<Warning>)> {
    // Keys naming their registry through a variable (`//${HOST}/…/`) go into this file,
    // written whole, where the manager reading it expands them; elsewhere they are reported.
    let translation = crate::translate::translate_rc_file(model, from, file.written_for, to);
    let mut wanted_model = translation.model;
    wanted_model.overlay(translation.user_credentials);
    let warnings = translation.warnings;
    let format = match file.written_as {
        crate::managers::WrittenAs::Npmrc => crate::formats::Format::Npmrc,
        crate::managers::WrittenAs::YarnrcYml => crate::formats::Format::YarnrcYml,
        crate::managers::WrittenAs::Bunfig => crate::formats::Format::Bunfig,
    };
    let wanted = format.wanted(&wanted_model, file.written_for);
    let text = format.edit("", &wanted).map_err(|message| Error::Edit {
        path: PathBuf::from(format!("~/{}", file.home_path)),
        message,
    })?;
    Ok((text, warnings))
}

/// The `${NAME}` references in an rc file's text (for the list of CI secrets).
fn references_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        rest = &rest[i + 2..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end > 0 {
            out.push(rest[..end].to_string());
        }
    }
    out
}

/// A literal credential inside a URL cannot become a reference the way a credential line
/// does, and the output must not hold it (printed masked, it would not work either):
/// refused, naming where it is.
fn refuse_secrets_in_urls(model: &Model) -> Result<()> {
    let Some(v) = crate::env_config::url_with_literal_credential(model) else {
        return Ok(());
    };
    let place = v
        .origin
        .as_ref()
        .map_or_else(|| "a URL".to_string(), |o| o.to_string());
    // Where a reference inside the URL is read as one: not in bunfig.toml (a whole `$VAR`
    // value only) nor in Yarn 1's `.yarnrc` (no references at all).
    let file = v.origin.as_ref().and_then(|o| o.file.file_name());
    let instead = match file.and_then(|f| f.to_str()) {
        // The project's `bunfig.toml` and the user's `~/.bunfig.toml`.
        Some(f) if f.ends_with("bunfig.toml") => {
            "Take it out of the URL and give it with the registry in bunfig.toml (`{ url = \"…\", token = \"$VAR\" }`)"
        }
        Some(".yarnrc") => {
            "Take it out of the URL and give it in .npmrc, which Yarn 1 reads too (`//host/:_auth=${VAR}` holding base64 of user:password, or `//host/:_authToken=${VAR}` for a token)"
        }
        _ => {
            "Take it out of the URL (a registry's can go to a `//host/:_auth=${VAR}` line for npm) or write it as `${VAR}` references"
        }
    };
    Err(Error::Usage(format!(
        "{place}: this URL holds a literal credential (`user:password@` or a secret query value); pmrc env prints secrets by name only and cannot name one inside a URL. {instead}, and run pmrc env again"
    )))
}

/// What `from` sends, with each literal credential in it as the CI secret's reference
/// `replaced` names. Routed from the literal model: a manager that ignores a `${VAR}`
/// credential where it sends a literal one (pnpm in a project `.npmrc`) would otherwise drop
/// it (from a review: `env --from pnpm@12` printed no token, where pnpm sends one). Where a
/// route holds a literal credential the map does not name, the routes of the model with the
/// references are taken instead, so no secret is ever printed.
fn routes_with_references(
    literal: &Model,
    referenced: &Model,
    from: Manager,
    replaced: &[(Template, Template)],
) -> Vec<resolve::Route> {
    let reference = |t: &mut Template| {
        if let Some((_, r)) = replaced.iter().find(|(l, _)| l == t) {
            *t = r.clone();
        }
        !t.has_literal_secret()
    };
    let mut routes = resolve::routes(literal, from);
    let all_referenced = routes
        .iter_mut()
        .all(|route| match &mut route.authorization {
            Some(resolve::Authorization::Bearer(t) | resolve::Authorization::Basic(t)) => {
                reference(t)
            }
            Some(resolve::Authorization::BasicParts { password, .. }) => reference(password),
            Some(resolve::Authorization::ClientCertificate) | None => true,
        });
    if all_referenced {
        routes
    } else {
        resolve::routes(referenced, from)
    }
}

/// Every literal credential in the model becomes a reference to a CI secret variable named
/// after where it applies, so no output can hold it; each is reported with its line. Also
/// returns each literal with the reference that took its place.
fn secrets_as_references(model: &mut Model) -> (Vec<Warning>, Vec<(Template, Template)>) {
    let mut taken: Vec<String> = Vec::new();
    for creds in model.auth.values() {
        for v in creds.secrets() {
            taken.extend(v.value.env_names().into_iter().map(String::from));
        }
    }
    let mut warnings = Vec::new();
    let mut replaced = Vec::new();
    for (key, creds) in model.auth.iter_mut() {
        for (field, value) in [
            ("TOKEN", &mut creds.token),
            ("AUTH", &mut creds.ident),
            ("PASSWORD", &mut creds.password),
        ] {
            let Some(v) = value else { continue };
            if !v.value.has_literal_secret() {
                continue;
            }
            let mut name = crate::env_config::secret_name(key, field);
            let base = name.clone();
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{base}_{n}");
                n += 1;
            }
            taken.push(name.clone());
            warnings.push(Warning::new(
                Code::EnvLiteralSecret,
                format!(
                    "the credential for {key} is written literally; pmrc prints ${{{name}}} instead: create a CI secret {name} holding it (and rotate it, it is in a file)"
                ),
                v.origin.clone(),
            ));
            let reference = Template::env(name, Unset::Strict);
            replaced.push((v.value.clone(), reference.clone()));
            // The job's variable gives it, not the project file: pnpm, which ignores a
            // `${VAR}` there, takes it (from a trial, this said pnpm sent nothing).
            let given = v.origin.clone().map(|o| crate::model::Origin {
                level: crate::model::Level::User,
                ..o
            });
            *v = Value::new(reference, given);
        }
    }
    (warnings, replaced)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AuthKey;

    #[test]
    fn secret_names_are_legal_everywhere() {
        let name =
            crate::env_config::secret_name(&AuthKey::Url("//npm.pkg.github.com/".into()), "TOKEN");
        assert_eq!(name, "NPM_PKG_GITHUB_COM_TOKEN");
        let name =
            crate::env_config::secret_name(&AuthKey::Url("//127.0.0.1:4873/npm/".into()), "AUTH");
        assert_eq!(name, "REGISTRY_127_0_0_1_4873_AUTH");
        assert_eq!(
            crate::env_config::secret_name(&AuthKey::Scope("acme".into()), "TOKEN"),
            "ACME_TOKEN"
        );
        for t in [
            Target::Shell,
            Target::Gitlab,
            Target::Dotenv,
            Target::Github,
        ] {
            assert!(t.allows(&name), "{t:?}");
        }
    }

    #[test]
    fn names_each_target_can_hold() {
        let cred = "npm_config_//r.example/:_authToken";
        assert!(Target::Github.allows(cred));
        assert!(!Target::Gitlab.allows(cred));
        assert!(!Target::Shell.allows(cred));
        assert!(!Target::Dotenv.allows("npm_config_@acme:registry"));
        assert!(Target::Gitlab.allows("pnpm_config__auth"));
        assert!(!Target::Shell.allows("1X"));
        assert!(Target::Gitlab.allows("1X"));
    }

    #[test]
    fn references_in_rc_text() {
        assert_eq!(
            references_in("//r/:_authToken=${A_B}\nx=${C}${D}\n"),
            vec!["A_B", "C", "D"]
        );
    }
}
