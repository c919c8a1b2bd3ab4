//! Dependabot as a target of `convert` (spec/ci-env.md §2.6): the `npm-registry` entries of
//! `.github/dependabot.yml`. A registry's `scope` beats the committed `.npmrc`, which beats
//! `replaces-base`; credentials belong to the entry whose URL the request is under. Secrets
//! are Dependabot secrets (`${{secrets.NAME}}`), passwords are plain (not npm's base64), and
//! TLS, proxies, always-auth and per-path tokens have no place there: each is reported.
//! Not in [`super::ALL`]: a dependabot.yml says nothing about which manager a project uses.

use super::{FileSpec, Place, Rules, TarballRequest, WrittenAs, npm_style_route, spec};
use crate::diagnostics::Code;
use crate::discover::ConfigFile;
use crate::error::Result;
use crate::formats::Format;
use crate::model::{AuthKey, Model, PasswordEncoding, Value};
use crate::registry_url::RegistryUrl;
use crate::resolve::{Authorization, Lookup, Packages, Route, UrlUserinfo, credentials_under};
use crate::template::{Dialect, Template};
use crate::warning::Warning;

pub struct Dependabot;

/// Where Dependabot's config lives, from the repository root.
pub const FILE: &str = ".github/dependabot.yml";

impl Rules for Dependabot {
    /// Dependabot runs outside the workflow's jobs and reads none of their variables
    /// (spec/ci-env.md §1.2: "Dependabot does not set environment variables").
    fn reads_variable(&self, _name: &str) -> Option<crate::env_config::EnvRead> {
        None
    }

    fn env_form(
        &self,
        _routes: &[Route],
    ) -> std::result::Result<crate::env_config::EnvForm, String> {
        Err("Dependabot reads no environment variables: its registries come only from .github/dependabot.yml; `pmrc convert --to dependabot --write` writes them".into())
    }

    fn env_rc_file(&self) -> Option<crate::env_config::RcFile> {
        None
    }

    fn name(&self) -> &'static str {
        "dependabot"
    }

    fn label(&self) -> &'static str {
        "Dependabot"
    }

    /// The committed `.npmrc` of the update's directory (the project), then dependabot.yml,
    /// whose `scope` entries win (§2.6). Dependabot reads dependabot.yml at the repository's
    /// root only: a project in a subfolder is an update's `directory` there (from a CI trial,
    /// `convert -C frontend` wrote a `frontend/.github/dependabot.yml` no one reads).
    fn sources(&self) -> Vec<FileSpec> {
        vec![
            spec(".npmrc", Format::Npmrc, Place::Project),
            spec(FILE, Format::DependabotYml, Place::Repository),
        ]
    }

    fn targets(&self) -> Vec<FileSpec> {
        vec![spec(FILE, Format::DependabotYml, Place::Repository)]
    }

    /// Of the committed `.npmrc`, Dependabot keeps the routing and the credentials without
    /// `${...}` (it deletes those lines); a default registry there beats `replaces-base`.
    fn adjust_file(
        &self,
        file: &ConfigFile,
        merged: &mut Model,
        read: &mut Model,
        _warnings: &mut Vec<Warning>,
    ) -> Result<()> {
        match file.format {
            Format::Npmrc => {
                *read = Model {
                    registry: read.registry.take(),
                    scopes: std::mem::take(&mut read.scopes),
                    auth: std::mem::take(&mut read.auth)
                        .into_iter()
                        .filter(|(k, c)| {
                            matches!(k, AuthKey::Url(_)) && c.secrets().all(|v| !v.value.has_env())
                        })
                        .collect(),
                    ..Model::default()
                };
                for scope in read.scopes.values_mut() {
                    scope.publish_registry = None;
                }
            }
            _ if merged.registry.is_some() => read.registry = None,
            _ => {}
        }
        Ok(())
    }

    /// Dependabot's `registries` entries hold credentials in their own fields. What it does
    /// with a URL's userinfo is not documented, so pmrc counts on none being sent and reports
    /// a translation that would need it (`credentials-differ`).
    fn url_userinfo(&self) -> UrlUserinfo {
        UrlUserinfo::Ignored
    }
    fn dialect(&self) -> Dialect {
        Dialect::Dependabot
    }

    fn marker_file(&self) -> &'static str {
        FILE
    }

    fn public_registry(&self) -> &'static str {
        super::npm::PUBLIC_REGISTRY
    }

    /// The translation is built in npm's terms (scopes, URL-keyed credentials), which the
    /// dependabot.yml format then groups into one entry per registry.
    fn written_as(&self) -> WrittenAs {
        WrittenAs::Npmrc
    }

    // Network settings and always-auth are carried into the translation so that
    // `fit_translation` can name each one it leaves out.

    /// A scope's entry, else the `replaces-base` entry, else the public registry; the
    /// credentials of the entry whose URL the packument request is under.
    fn route(&self, model: &Lookup<'_>, packages: Packages) -> Route {
        let configured = super::configured_registry(model, &packages);
        let registry = configured.map(|v| v.value.render(Dialect::Npm).0);
        let url = RegistryUrl::parse(registry.as_deref().unwrap_or(self.public_registry()));
        let found = url.and_then(|url| credentials_under(model, &url));
        npm_style_route(packages, registry, found).read_from(configured)
    }

    fn credential_reason(&self, route: &Route) -> String {
        match &route.credential_key {
            None => {
                "no credentials: no npm-registry entry with a token or password has this URL".into()
            }
            Some(k) => format!("the npm-registry entry for `{k}` holds them"),
        }
    }

    fn tarball_credentials(&self, req: &TarballRequest) -> (Option<Authorization>, String) {
        if req.same_origin() {
            (
                req.route.authorization.clone(),
                "same host as the package's registry entry".into(),
            )
        } else {
            (None, "another host: no registry entry covers it".into())
        }
    }

    fn programs(&self) -> &'static [&'static str] {
        &[]
    }

    fn reads_setup_node_npmrc(&self) -> bool {
        false
    }

    fn fit_translation(
        &self,
        model: &mut Model,
        held: Option<&Model>,
        warnings: &mut Vec<Warning>,
    ) {
        fit(model, held, warnings);
    }

    fn keeps_held_secret_references(&self) -> bool {
        true
    }

    /// With a `scope` on any entry, Dependabot writes its own `.npmrc` and ignores the
    /// committed one (spec/ci-env.md §2.6): where the conversion writes the file's first
    /// `scope`, the committed `.npmrc`'s settings beyond registries and credentials
    /// (`legacy-peer-deps=true`) stop applying to Dependabot's updates, which is said (from a
    /// CI trial: `scope:` was added to an existing entry, unsaid).
    fn target_warnings(
        &self,
        dir: &std::path::Path,
        from: super::Manager,
        written: &Model,
    ) -> Result<Vec<Warning>> {
        // Doctor's reading of dependabot.yml holds the committed .npmrc's scopes too, and
        // writes nothing.
        if from == super::Manager::Dependabot {
            return Ok(Vec::new());
        }
        let root = crate::discover::repository_root(dir, FILE);
        let mut out: Vec<Warning> = root
            .as_deref()
            .and_then(|root| stray_file(dir, root))
            .into_iter()
            .collect();
        out.extend(update_and_scope_warnings(dir, root.as_deref(), written)?);
        Ok(out)
    }
}

/// [`Rules::target_warnings`] past the file's place: an update missing for the project, or a
/// `scope` that makes Dependabot ignore the committed `.npmrc`.
fn update_and_scope_warnings(
    dir: &std::path::Path,
    root: Option<&std::path::Path>,
    written: &Model,
) -> Result<Vec<Warning>> {
    let held = match root {
        Some(root) => crate::discover::read_text(&root.join(FILE))?,
        None => None,
    };
    if let (Some(root), Some(text)) = (root, held.as_deref())
        && let Some(warning) = no_update_here(dir, &root.join(FILE), text, written)
    {
        return Ok(vec![warning]);
    }
    let scoped: Vec<String> = written
        .scopes
        .iter()
        .filter(|(_, s)| s.registry.is_some())
        .map(|(name, _)| format!("@{name}"))
        .collect();
    if scoped.is_empty() {
        return Ok(Vec::new());
    }
    let held_scope = held
        .as_deref()
        .and_then(|text| crate::formats::dependabot_yml::settings(text).ok())
        .is_some_and(|settings| {
            settings
                .iter()
                .any(|s| s.path.len() == 3 && s.path[0] == "registries" && s.path[2] == "scope")
        });
    let Some(npmrc) = crate::discover::read_text(&dir.join(".npmrc"))? else {
        return Ok(Vec::new());
    };
    if held_scope {
        return Ok(Vec::new());
    }
    let lines: Vec<&str> = npmrc.lines().collect();
    // The settings pmrc owns are routes and credentials, which dependabot.yml then
    // gives, or TLS and proxies, which `dependabot-cannot-hold` names; Dependabot deletes
    // a `${...}` line anyway.
    let unread: Vec<(usize, String)> = crate::formats::npmrc::top_level_keys(&npmrc)
        .into_iter()
        .filter(|(line, key)| {
            !crate::formats::npmrc::is_owned(key)
                && !lines
                    .get(line - 1)
                    .is_some_and(|l| crate::template::holds_reference(l))
        })
        .collect();
    let Some((first, _)) = unread.first() else {
        return Ok(Vec::new());
    };
    let names: Vec<String> = unread
        .iter()
        .map(|(line, key)| format!("`{key}` (line {line})"))
        .collect();
    Ok(vec![Warning::new(
        Code::DependabotScopeIgnoresNpmrc,
        format!(
            "dependabot.yml gets `scope` for {}, and with a scope Dependabot writes its own .npmrc and ignores the committed one, so its updates no longer get the committed .npmrc's {}",
            scoped.join(", "),
            names.join(", ")
        ),
        Some(crate::model::Origin {
            file: crate::model::Origin::shared(".npmrc"),
            line: *first,
            level: crate::model::Level::Project,
        }),
    )])
}

/// A `.github/dependabot.yml` in the project's folder below the repository's root, which
/// GitHub never reads (it reads the root's alone): an earlier pmrc wrote the file there, and
/// the conversion now writes the root's, leaving that one configuring nothing.
pub(super) fn stray_file(dir: &std::path::Path, root: &std::path::Path) -> Option<Warning> {
    if crate::discover::same_folder(dir, root) || !dir.join(FILE).is_file() {
        return None;
    }
    Some(Warning::new(
        Code::DependabotFileNotAtRoot,
        format!(
            "GitHub reads only the repository root's {FILE} ({}), never this one in the project's folder, so what it holds configures nothing; move its registries and updates into the root's file, then delete it",
            root.join(FILE).display()
        ),
        Some(crate::model::Origin {
            file: crate::model::Origin::shared(FILE),
            line: 1,
            level: crate::model::Level::Project,
        }),
    ))
}

/// Where the repository's dependabot.yml (`file`, holding `text`) has updates but none of the
/// project's folder, the conversion leaves it as it is (its updates are other projects',
/// from a review: a monorepo's `/backend` got `/frontend`'s registries), which is said with
/// the update to add; None where there is nothing to say.
fn no_update_here(
    dir: &std::path::Path,
    file: &std::path::Path,
    text: &str,
    written: &Model,
) -> Option<Warning> {
    use crate::formats::dependabot_yml;
    if text.trim().is_empty()
        || dependabot_yml::wanted(written, super::Manager::Dependabot).is_empty()
    {
        return None;
    }
    let project = crate::discover::lexical(&std::path::absolute(dir).ok()?);
    let directory = dependabot_yml::update_directory(&project, file);
    // A file pmrc cannot read is said by the edit itself.
    if dependabot_yml::updates_javascript(text, &directory).unwrap_or(true) {
        return None;
    }
    let shown = crate::discover::shown_from(dir, file).unwrap_or_else(|| FILE.to_string());
    Some(Warning::new(
        Code::DependabotNoUpdate,
        format!(
            "{shown} has no `npm` or `bun` update for {directory}, so pmrc links this project's registries to none and leaves the file as it is (its updates are other folders'): add an update with `package-ecosystem: \"npm\"` and `directory: \"{directory}\"` under `updates:`, then convert again"
        ),
        None,
    ))
}

/// Takes out of a translated model what dependabot.yml cannot hold, saying each. A secret it
/// cannot be given from the source stays as `held` (the file as it is) has it: the user's own
/// `${{secrets.NAME}}` is not removed for a literal one pmrc will not write.
fn fit(model: &mut Model, held: Option<&Model>, warnings: &mut Vec<Warning>) {
    // pmrc writes no literal secret there: the generic "written as plain text" is not true.
    // Nor does it keep any TLS or proxy setting, which is said below once per setting
    // instead of in npm's terms.
    warnings.retain(|w| {
        !matches!(
            w.code,
            Code::PlainTextSecret
                | Code::LossyProxy
                | Code::LossyNoproxy
                | Code::LossyInlineCa
                | Code::LossyClientCertificate
                | Code::LossyNetworkSettings
        )
    });
    let drop = |what: &str, v: &Value, warnings: &mut Vec<Warning>| {
        warnings.push(Warning::new(
            Code::DependabotCannotHold,
            format!("dependabot.yml has no setting for {what}; it is not carried over"),
            v.origin.clone(),
        ));
    };
    let network: Vec<(&str, Option<Value>)> = vec![
        ("`ca`", model.tls.ca.first().cloned()),
        ("`cafile`", model.tls.cafile.take()),
        ("`strict-ssl`", model.tls.strict_ssl.take()),
        ("a client certificate", model.tls.cert.take()),
        (
            "a proxy",
            model.proxy.http.take().or(model.proxy.https.take()),
        ),
        ("`noproxy`", model.proxy.noproxy.take()),
        (
            "`always-auth` (Dependabot adds it itself)",
            model.always_auth.take(),
        ),
        ("a publish registry", model.publish_registry.take()),
    ];
    model.tls.ca.clear();
    model.proxy = Default::default();
    for (what, v) in network {
        if let Some(v) = v {
            drop(what, &v, warnings);
        }
    }
    for (host, h) in std::mem::take(&mut model.hosts) {
        if let Some(v) = [
            h.ca_file,
            h.cert_file,
            h.key_file,
            h.http_proxy,
            h.https_proxy,
        ]
        .into_iter()
        .flatten()
        .next()
        {
            drop(&format!("network settings of {host}"), &v, warnings);
        }
    }
    for scope in model.scopes.values_mut() {
        if let Some(v) = scope.publish_registry.take() {
            drop("a publish registry", &v, warnings);
        }
    }
    registry_urls_without_credentials(model, warnings);
    // Credentials go with a registry entry; others (a deeper path, another host) cannot.
    let registries: Vec<RegistryUrl> = model
        .scopes
        .values()
        .filter_map(|s| s.registry.as_ref())
        .chain(model.registry.as_ref())
        .filter_map(|v| RegistryUrl::parse(&v.value.render(Dialect::Npm).0))
        .chain(RegistryUrl::parse(super::npm::PUBLIC_REGISTRY))
        .collect();
    let used: Vec<AuthKey> = registries
        .iter()
        .filter_map(|u| credentials_under(&Lookup::one(model), u).map(|(k, _)| k))
        .collect();
    let keys: Vec<AuthKey> = model.auth.keys().cloned().collect();
    for key in keys {
        let creds = model.auth.get_mut(&key).expect("listed");
        if !used.contains(&key) {
            if let Some(v) = creds
                .always_auth
                .as_ref()
                .filter(|_| !creds.authenticates())
            {
                drop("`always-auth` (Dependabot adds it itself)", v, warnings);
            } else if let Some(v) = creds.secrets().next().or(creds.certfile.as_ref()) {
                warnings.push(Warning::new(
                    Code::DependabotCannotHold,
                    format!(
                        "the credentials at {key} are used for requests under that path only; dependabot.yml keys credentials by registry entry, so they are not carried over"
                    ),
                    v.origin.clone(),
                ));
            }
            model.auth.remove(&key);
            continue;
        }
        if let Some(v) = creds.always_auth.take() {
            drop("`always-auth` (Dependabot adds it itself)", &v, warnings);
        }
        if let Some(v) = creds.certfile.take().or(creds.keyfile.take()) {
            drop("a client certificate", &v, warnings);
        }
        creds.keyfile = None;
        if let Some(v) = creds.ident.take() {
            warnings.push(Warning::new(
                Code::DependabotCannotHold,
                format!(
                    "the credentials at {key} are a pre-encoded `_auth`; Dependabot takes `username` and a plain `password` (in a Dependabot secret), so add those to the registry entry by hand"
                ),
                v.origin.clone(),
            ));
        }
        if creds.password_encoding == Some(PasswordEncoding::Base64)
            && let Some(v) = creds.password.take()
        {
            creds.username = None;
            creds.password_encoding = None;
            warnings.push(Warning::new(
                Code::DependabotEncodedPassword,
                format!(
                    "the password at {key} is npm's base64 `_password`; Dependabot wants it decoded: create the Dependabot secret {} holding the plain password and add `username` and `password: ${{{{secrets.{}}}}}` to the registry entry",
                    crate::env_config::secret_name(&key, "PASSWORD"),
                    crate::env_config::secret_name(&key, "PASSWORD")
                ),
                v.origin.clone(),
            ));
        }
        let held = held.and_then(|m| m.auth.get(&key));
        for (kind, slot, held) in [
            (
                "TOKEN",
                &mut creds.token,
                held.and_then(|h| h.token.as_ref()),
            ),
            (
                "PASSWORD",
                &mut creds.password,
                held.and_then(|h| h.password.as_ref()),
            ),
        ] {
            // The entry's own secret for this registry, named otherwise than the source's
            // variable: Dependabot secrets are a store apart from the variables CI gives
            // the source, so the name the user gave the entry is the one known to exist
            // there (from a CI trial: `${{ secrets.CORP_TOKEN }}` was swapped for a
            // `${{secrets.NPM_TOKEN}}` no Dependabot secret held, unsaid).
            if let (Some(v), Some(reference)) = (
                slot.as_ref(),
                held.filter(|h| !h.value.has_literal_text() && h.value.has_env()),
            ) && !v.value.has_literal_text()
                && v.value.env_names() != reference.value.env_names()
            {
                warnings.push(Warning::note(
                    Code::DependabotSecretKept,
                    format!(
                        "the source's secret at {key} is {}, and the registry entry already takes {}, a Dependabot secret of another name: the entry keeps it; make sure that Dependabot secret holds the same token as {}",
                        v.value.render(Dialect::Npm).0,
                        reference.value.render(Dialect::Dependabot).0,
                        v.value.env_names().join(", ")
                    ),
                    v.origin.clone(),
                ));
                *slot = Some(reference.clone());
                continue;
            }
            if slot.as_ref().is_some_and(|v| v.value.has_literal_text()) {
                let v = slot.take().expect("checked");
                if let Some(reference) = held.filter(|h| !h.value.has_literal_text()) {
                    *slot = Some(reference.clone());
                    warnings.push(Warning::note(
                        Code::DependabotLiteralSecret,
                        format!(
                            "the secret at {key} is written literally in the source; pmrc never writes one into dependabot.yml, so the entry keeps its own {}: make sure that Dependabot secret holds the same one",
                            reference.value.render(Dialect::Dependabot).0
                        ),
                        v.origin.clone(),
                    ));
                    continue;
                }
                warnings.push(Warning::new(
                    Code::DependabotLiteralSecret,
                    format!(
                        "the secret at {key} is written literally in the source; pmrc never writes one into dependabot.yml: create the Dependabot secret {} (Settings → Secrets and variables → Dependabot) and reference it from the source as ${{{}}}, then convert again",
                        crate::env_config::secret_name(&key, kind),
                        crate::env_config::secret_name(&key, kind)
                    ),
                    v.origin.clone(),
                ));
            }
        }
        if creds.password.is_none() {
            creds.username = None;
        }
        if !creds.authenticates() {
            model.auth.remove(&key);
        }
    }
}

/// A registry URL with credentials in it (`user:password@`, a token as the user, `?token=`)
/// is written without them: dependabot.yml is committed. Dependabot takes credentials as the
/// entry's `username`/`password`/`token`, which the user can give it from a Dependabot secret.
fn registry_urls_without_credentials(model: &mut Model, warnings: &mut Vec<Warning>) {
    let registries = model.registry.iter_mut().chain(
        model
            .scopes
            .values_mut()
            .filter_map(|s| s.registry.as_mut()),
    );
    for registry in registries {
        let url = registry.value.render(Dialect::Npm).0;
        if crate::redact::url_secret_spans(&url).is_empty() {
            continue;
        }
        let address = crate::registry_url::without_userinfo(&url);
        let address = address.split(['?', '#']).next().unwrap_or_default();
        warnings.push(Warning::new(
            Code::DependabotLiteralSecret,
            format!(
                "the registry URL has credentials in it; pmrc never writes them into dependabot.yml, so the entry's url is {address}: create a Dependabot secret (Settings → Secrets and variables → Dependabot) and give the entry `token: ${{{{secrets.NAME}}}}` (or `username` and `password`) by hand"
            ),
            registry.origin.clone(),
        ));
        registry.value = Template::literal(address);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Credentials;

    #[test]
    fn a_literal_token_is_taken_out_and_named_as_a_secret_to_create() {
        let mut model = Model::default();
        model.auth.insert(
            AuthKey::Url("//registry.npmjs.org/".into()),
            Credentials {
                token: Some(Value::new(Template::literal("npm_FAKE"), None)),
                ..Default::default()
            },
        );
        let mut warnings = Vec::new();
        fit(&mut model, None, &mut warnings);
        assert!(model.auth.is_empty());
        assert_eq!(warnings[0].code, Code::DependabotLiteralSecret);
        assert!(warnings[0].message.contains("REGISTRY_NPMJS_ORG_TOKEN"));
        assert!(!warnings[0].message.contains("npm_FAKE"));
    }
}
