//! Deno 2 (spec/pnpm-bun-deno.md §4, deno_npmrc `NpmRc::parse`, `tarball_config`): `.npmrc`
//! in the home and project folders only, `registry`, `@scope:registry` and `//host/path/:`
//! credentials and nothing else, a project block replacing the home block of the same key,
//! the first block on the registry's path deciding, `${VAR}` only. Where the stored Deno
//! source and the real Deno 2.9.6 differ (tarballs), the real one is followed.

use std::path::{Path, PathBuf};

use super::{
    FileSpec, Place, Rules, TarballRequest, WrittenAs, configured_registry, npm_style_route, spec,
};
use crate::diagnostics::Code;
use crate::discover::ConfigFile;
use crate::env_config::EnvRead;
use crate::error::Result;
use crate::formats::Format;
use crate::model::{AuthKey, Credentials, Level, Model, Origin, Value};
use crate::resolve::{Authorization, Lookup, Packages, Route, UrlUserinfo, npm_authorization};
use crate::template::{Dialect, Piece, Template, Unset};
use crate::warning::Warning;

pub struct Deno;

const PUBLIC_REGISTRY: &str = super::npm::PUBLIC_REGISTRY;

impl Rules for Deno {
    fn npmrc_is_its_own_config(&self) -> bool {
        true
    }

    fn fix_command(&self, code: Code, _dir: &Path, dir_arg: &str) -> Option<String> {
        (code == Code::DenoNpmrcBom).then(|| {
            // Named: without Deno in play, `doctor` leaves the mark, harmless to the others.
            format!("run `pmrc doctor --fix --write --manager deno{dir_arg}` (removes the byte-order mark, which the other readers skip)")
        })
    }

    fn fix_file(&self, format: Format, text: &str) -> Option<String> {
        (format == Format::Npmrc)
            .then(|| crate::formats::npmrc::without_byte_order_mark(text))
            .flatten()
    }

    fn reads_variable(&self, name: &str) -> Option<EnvRead> {
        match name {
            "NPM_CONFIG_REGISTRY" => Some(EnvRead::Setting("registry".into())),
            "JSR_NPM_URL" => Some(EnvRead::Setting("JSR's npm-compatible registry".into())),
            "DENO_AUTH_TOKENS" => Some(EnvRead::Ignored(
                "DENO_AUTH_TOKENS authenticates https and JSR imports, not npm: packages".into(),
            )),
            _ => crate::env_config::strip_prefix_ignore_case(name, "npm_config_").map(|_| {
                EnvRead::Ignored(
                    "Deno reads only NPM_CONFIG_REGISTRY, by that exact name (not NPM_CONFIG_USERCONFIG either)".into(),
                )
            }),
        }
    }
    fn env_form(
        &self,
        routes: &[Route],
    ) -> std::result::Result<crate::env_config::EnvForm, String> {
        let set = crate::env_config::RouteSet::of(routes);
        if !set.scopes.is_empty() || routes.iter().any(|r| r.authorization.is_some()) {
            return Err("Deno takes only NPM_CONFIG_REGISTRY from the environment: no credential and no scope".into());
        }
        let mut form = crate::env_config::EnvForm::default();
        if let Some(registry) = set.custom_default_registry() {
            form.variables.push(crate::env_config::EnvVar::registry(
                "NPM_CONFIG_REGISTRY",
                &crate::registry_url::registry_with_slash(registry),
            ));
        }
        Ok(form)
    }
    fn env_rc_file(&self) -> Option<crate::env_config::RcFile> {
        // Deno reads `~/.npmrc` and no variable that moves it.
        Some(crate::env_config::RcFile {
            home_path: ".npmrc",
            pointer: None,
            written_as: WrittenAs::Npmrc,
            written_for: super::Manager::Deno,
        })
    }
    fn programs(&self) -> &'static [&'static str] {
        &["deno"]
    }

    fn setup_action(&self) -> Option<super::SetupAction> {
        Some(super::SetupAction {
            action: "denoland/setup-deno",
            version_input: "deno-version",
        })
    }

    /// Deno reads neither `NPM_CONFIG_USERCONFIG` nor a parent `.npmrc` (d09).
    fn reads_setup_node_npmrc(&self) -> bool {
        false
    }

    fn sends_unset_reference_as_text(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        "deno"
    }

    fn label(&self) -> &'static str {
        "Deno 2"
    }

    /// `~/.npmrc`, then the project's, which wins; no parent folder, no
    /// `NPM_CONFIG_USERCONFIG`, no XDG folder.
    fn sources(&self) -> Vec<FileSpec> {
        vec![
            spec(".npmrc", Format::Npmrc, Place::Home),
            spec(".npmrc", Format::Npmrc, Place::Project),
        ]
    }

    fn targets(&self) -> Vec<FileSpec> {
        vec![
            spec(".npmrc", Format::Npmrc, Place::Project),
            spec(".npmrc", Format::Npmrc, Place::Home),
        ]
    }

    /// Deno requests `/npm/left-pad` under `https://h/npm/?channel=beta` (from a real run:
    /// Deno 2.9.6).
    fn keeps_registry_query(&self) -> bool {
        false
    }

    /// Deno ignores a registry URL's userinfo (spec/pnpm-bun-deno.md §4, a12/q17), and such
    /// a URL matches no `//host/` key; its tarballs, whose URLs have none, do (conformance
    /// `deno_registry_userinfo*`).
    fn url_userinfo(&self) -> UrlUserinfo {
        UrlUserinfo::Ignored
    }
    fn dialect(&self) -> Dialect {
        Dialect::Deno
    }

    /// Deno's own file; its registry config lives in `.npmrc`, which npm's marker claims.
    fn marker_file(&self) -> &'static str {
        "deno.json"
    }

    /// `deno.jsonc` marks a Deno project as well (Deno reads either).
    fn marker_files(&self) -> Vec<&'static str> {
        vec!["deno.json", "deno.jsonc"]
    }

    fn lockfiles(&self) -> &'static [&'static str] {
        &["deno.lock"]
    }

    /// A `deno.json` is a Deno project's own file, `package.json` or not (§4 d05).
    fn marker_roots_its_folder(&self) -> bool {
        true
    }

    fn member_files_ignored(&self) -> &'static [&'static str] {
        &[".npmrc"]
    }

    /// Run in a workspace member (of a package.json `workspaces` or a deno.json `workspace`),
    /// Deno reads the root's `.npmrc` and not the member's (spec/pnpm-bun-deno.md §4 w01;
    /// real Deno 2.9.6 with either declaration).
    fn workspace_root(&self, dir: &Path) -> Option<(PathBuf, Option<Warning>)> {
        let markers = super::workspaces::PackageMarkers {
            files: &["package.json", "deno.json", "deno.jsonc"],
            node_modules: false,
            deno_workspace: true,
            first_declaration_decides: true,
        };
        super::workspaces::member_root(self.label(), dir, &markers, self.member_files_ignored())
    }

    fn marker_holds_config(&self) -> bool {
        false
    }

    fn public_registry(&self) -> &'static str {
        PUBLIC_REGISTRY
    }

    fn written_as(&self) -> WrittenAs {
        WrittenAs::Npmrc
    }

    fn reads_npmrc_network_settings(&self) -> bool {
        false
    }

    fn keeps_always_auth(&self) -> bool {
        false
    }

    fn adjust_file(
        &self,
        file: &ConfigFile,
        merged: &mut Model,
        read: &mut Model,
        warnings: &mut Vec<Warning>,
    ) -> Result<()> {
        if file.format != Format::Npmrc {
            return Ok(());
        }
        let shared = Origin::shared(&file.display);
        let origin = |line| Origin {
            file: std::rc::Rc::clone(&shared),
            line,
            level: file.level,
        };
        // A byte-order mark becomes part of the first key, which then names nothing.
        if file
            .text
            .as_deref()
            .is_some_and(|t| t.starts_with('\u{feff}'))
        {
            let mut lost = false;
            for (_, v) in read.fields_mut() {
                if v.origin.as_ref().is_some_and(|o| o.line == 1) {
                    *v = Value::new(Template::default(), None);
                    lost = true;
                }
            }
            if lost {
                warnings.push(Warning::error(
                    Code::DenoNpmrcBom,
                    format!(
                        "{} starts with a byte-order mark: Deno reads it as part of the first key, so it ignores line 1",
                        file.display
                    ),
                    Some(origin(1)),
                ));
            }
        }
        keep_what_deno_reads(read);
        if let Some((line, written)) = file.text.as_deref().and_then(section_line_only_deno_reads)
            && drop_values_after(read, line)
        {
            // Not "unindent it": npm, pnpm, Yarn 1 and Bun would then lose the settings too.
            warnings.push(Warning::new(
                Code::NpmrcKeyInSection,
                format!(
                    "Deno reads `{written}` on line {line} as a section (it trims the line and takes any `[…]`), so it never reads the settings after it (npm, pnpm, Yarn 1 and Bun read the line as a key); move them above that line"
                ),
                Some(origin(line)),
            ));
        }
        // Parsed again only where a quote could be kept: a large file is not (issue 20).
        let keeping_quotes = file
            .text
            .as_deref()
            .filter(|text| text.contains('"'))
            .map(crate::formats::npmrc::lines_keeping_quotes)
            .unwrap_or_default();
        for (_, v) in read.fields_mut() {
            // The reader spoke npm's dialect; Deno's own reading of the same text.
            let npm = v.value.render(Dialect::Npm).0;
            let kept_quotes = v
                .origin
                .as_ref()
                .is_some_and(|o| keeping_quotes.contains(&o.line));
            let text = kept_quotes
                .then(|| quoted_as_deno_reads(&npm))
                .flatten()
                .unwrap_or(npm);
            let deno = Template::parse(&text, Dialect::Deno);
            let optional = v.value.pieces.iter().find_map(|p| match p {
                Piece::Env {
                    name,
                    unset: Unset::Empty,
                } => Some(name.clone()),
                _ => None,
            });
            if let Some(name) = optional {
                warnings.push(Warning::new(
                    Code::DenoOptionalEnvReference,
                    format!(
                        "Deno does not expand `${{{name}?}}`: it sends the text `${{{name}?}}` as it is; write `${{{name}}}`"
                    ),
                    v.origin.clone(),
                ));
            }
            v.value = deno;
        }
        for (key, creds) in &read.auth {
            if let Some(lone) = lone_basic_part(creds) {
                warnings.push(Warning::error(
                    Code::DenoBasicAuthIncomplete,
                    format!(
                        "`{key}:{lone}` without its partner: Deno stops every install that uses this registry (\"Both the username / email and password must be provided for basic auth\")"
                    ),
                    creds.origin().cloned(),
                ));
            }
        }
        // A project block replaces the home block of the same key as a whole.
        for key in read.auth.keys() {
            merged.auth.remove(key);
        }
        Ok(())
    }

    fn route(&self, model: &Lookup<'_>, packages: Packages) -> Route {
        let configured = configured_registry(model, &packages);
        let registry = configured.map(|v| v.value.render(Dialect::Deno).0);
        let effective = registry.as_deref().unwrap_or(PUBLIC_REGISTRY);
        // The first block on the registry's path decides, whatever it holds.
        let found = walk_up(effective)
            .into_iter()
            .find_map(|k| model.credential(&AuthKey::Url(k)))
            .filter(|(_, c)| authenticates(c))
            .map(|(k, c)| (k.clone(), c));
        npm_style_route(packages, registry, found).read_from(configured)
    }

    /// The registry's own block, without its query: Deno compares keys as prefixes of the
    /// URL, so `//host/npm/` serves `https://host/npm/?token=…` too, while a key holding the
    /// query is one no user would write (nor recognise in a finding).
    fn npmrc_key_for(&self, registry: &str) -> Option<String> {
        let end = registry.find(['?', '#']).unwrap_or(registry.len());
        walk_up(&registry[..end]).into_iter().next()
    }

    fn credential_reason(&self, route: &Route) -> String {
        match &route.credential_key {
            None => "no credentials: the first `//host/path/` block on the registry's path (Deno walks up from it) is missing or sends nothing".into(),
            Some(k) => format!(
                "`{k}` is the first block on the registry's path (Deno walks up from the registry URL as written)"
            ),
        }
    }

    /// The longest configured key that is a prefix of the tarball URL, on any origin
    /// (`tarball_config`); with none, a tarball on the package registry's origin gets the
    /// registry's credentials (seen with the real Deno 2.9.6, spec t01), any other nothing.
    fn tarball_credentials(&self, req: &TarballRequest) -> (Option<Authorization>, String) {
        let url = format!("//{}{}", req.tarball.host(), req.tarball.path());
        let best = req
            .model
            .auth
            .iter()
            .filter_map(|(k, c)| match k {
                AuthKey::Url(key) if url.starts_with(key.as_str()) => Some((key, c)),
                _ => None,
            })
            .max_by_key(|(k, _)| k.len());
        match best {
            Some((k, c)) if authenticates(c) => (
                npm_authorization(c),
                format!("`{k}` is the longest configured key the tarball URL starts with"),
            ),
            Some((k, _)) => (
                None,
                format!(
                    "`{k}` is the longest key the tarball URL starts with, and it sends nothing"
                ),
            ),
            None if req.same_origin() => (
                req.route.authorization.clone(),
                "no key is a prefix of the tarball URL, and it is on the registry's origin: Deno sends the registry's credentials".into(),
            ),
            None => (
                None,
                "another origin, and no configured key is a prefix of the tarball URL: Deno sends nothing".into(),
            ),
        }
    }

    fn lint(&self, dir: &Path, _model: &Model, _routes: &[Route]) -> Result<Vec<Warning>> {
        Ok(parent_npmrc(dir).into_iter().collect())
    }
}

/// The first line (1-based, with its text) Deno takes for a section that npm's ini takes
/// for a key: real Deno 2.9.6 trims the line and takes any `[…]`, where npm 11, pnpm 10 to
/// 12, Yarn 1 and Bun 1.4 read ` [s]` and `[a]b]` as keys and the settings after them.
fn section_line_only_deno_reads(text: &str) -> Option<(usize, &str)> {
    text.split('\n').enumerate().find_map(|(i, raw)| {
        let line = raw.trim();
        let npm_line = raw.strip_suffix('\r').unwrap_or(raw);
        (line.starts_with('[')
            && line.ends_with(']')
            && !crate::formats::npmrc::IniDialect::Npm.opens_section(npm_line))
        .then_some((i + 1, line))
    })
}

/// Deno's reading of a double-quoted value that npm keeps whole, quotes included, because
/// JSON refuses it (`"C:\Users\me"`): Deno's own ini (libs/npmrc/ini.rs,
/// `parse_quoted_string`) takes the text up to the first quote no backslash escapes, with
/// `\\` and `\"` unescaped and any other backslash kept for the `${}` step to drop (real
/// Deno 2.9.6 sent `Bearer npm_FAKEx` for `"npm_FAKE\x"`). `None` where that quote does not
/// end the value: a quote never closed is read as npm reads it.
fn quoted_as_deno_reads(value: &str) -> Option<String> {
    let inner = value.strip_prefix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => match inner[at + 1..].chars().next() {
                Some(next @ ('\\' | '"')) => {
                    out.push(next);
                    chars.next();
                }
                _ => out.push(c),
            },
            '"' => return (at + 1 == inner.len()).then_some(out),
            _ => out.push(c),
        }
    }
    None
}

/// Takes out of Deno's reading every value set after `line`; whether any was.
fn drop_values_after(model: &mut Model, line: usize) -> bool {
    let after = |v: Option<&Value>| {
        v.and_then(|v| v.origin.as_ref())
            .is_some_and(|o| o.line > line)
    };
    let mut dropped = false;
    if after(model.registry.as_ref()) {
        model.registry = None;
        dropped = true;
    }
    if model.scopes.values().any(|s| after(s.registry.as_ref())) {
        model.scopes = model
            .scopes
            .iter()
            .filter(|(_, s)| !after(s.registry.as_ref()))
            .map(|(n, s)| (n.clone(), s.clone()))
            .collect();
        dropped = true;
    }
    let late = |c: &Credentials| c.values().any(|v| after(Some(v)));
    if model.auth.values().any(late) {
        model.auth = model
            .auth
            .iter()
            .filter_map(|(k, c)| {
                let mut c = c.clone();
                for slot in c.slots_mut() {
                    if after(slot.as_ref()) {
                        *slot = None;
                    }
                }
                (!c.is_empty()).then(|| (k.clone(), c))
            })
            .collect();
        dropped = true;
    }
    dropped
}

/// Only what Deno reads: the registries, and at `//host/path/` keys the token, `_auth`,
/// `username`/`_password` and client certificate. Unscoped credentials, pnpm's scope
/// tokens, `always-auth`, TLS and proxy settings are not Deno's.
fn keep_what_deno_reads(model: &mut Model) {
    // Built from the read's maps by reference: they are shared with the other readers of
    // the file, and taking them by value would copy them whole first (issue 20).
    let kept = Model {
        registry: model.registry.take(),
        scopes: model
            .scopes
            .iter()
            .filter_map(|(name, s)| {
                let registry = Some(s.registry.clone()?);
                Some((
                    name.clone(),
                    crate::model::Scope {
                        registry,
                        publish_registry: None,
                    },
                ))
            })
            .collect(),
        auth: model
            .auth
            .iter()
            .filter(|(k, _)| matches!(k, AuthKey::Url(u) if u.starts_with("//")))
            .map(|(k, c)| {
                (
                    k.clone(),
                    Credentials {
                        always_auth: None,
                        ..c.clone()
                    },
                )
            })
            .filter(|(_, c)| !c.is_empty())
            .collect(),
        ..Model::default()
    };
    *model = kept;
    // A value the byte-order mark swallowed is gone, not empty.
    model.registry = model.registry.take().filter(|v| v.origin.is_some());
    model.scopes.retain(|_, s| {
        s.registry = s.registry.take().filter(|v| v.origin.is_some());
        s.registry.is_some()
    });
    for creds in model.auth.values_mut() {
        for v in [
            &mut creds.token,
            &mut creds.ident,
            &mut creds.username,
            &mut creds.password,
            &mut creds.certfile,
            &mut creds.keyfile,
        ] {
            if v.as_ref().is_some_and(|v| v.origin.is_none()) {
                *v = None;
            }
        }
    }
    model.auth.retain(|_, c| !c.is_empty());
}

/// Whether Deno builds a header from this block (`maybe_auth_header_value_for_npm_registry`):
/// a token, `_auth`, or both `username` and `_password`; or a client certificate.
fn authenticates(c: &Credentials) -> bool {
    c.token.is_some() || c.ident.is_some() || lone_basic_part(c).is_none() && c.authenticates()
}

/// The name of the one basic-auth part a block has without the other, when it has no token
/// or `_auth` to send instead: Deno then fails.
fn lone_basic_part(c: &Credentials) -> Option<&'static str> {
    if c.token.is_some() || c.ident.is_some() {
        return None;
    }
    match (&c.username, &c.password) {
        (Some(_), None) => Some("username"),
        (None, Some(_)) => Some("_password"),
        _ => None,
    }
}

/// The keys Deno tries for a registry URL as written, deepest first: a trailing `/` added,
/// the scheme dropped, then one path segment at a time up to `//host/`. Every key ends in
/// `/` (a key written without it matches tarballs only), the port stays as written.
fn walk_up(registry: &str) -> Vec<String> {
    let with_slash = crate::registry_url::with_trailing_slash(registry);
    let Some((_, mut url)) = with_slash.split_once("//").filter(|(_, u)| !u.is_empty()) else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    loop {
        keys.push(format!("//{url}"));
        let Some(cut) = url[..url.len() - 1].rfind('/') else {
            return keys;
        };
        url = &url[..=cut];
    }
}

/// npm reads the `.npmrc` of the nearest folder above with a `package.json` (or
/// `node_modules`) when the project folder has neither; Deno never reads a parent folder's.
fn parent_npmrc(dir: &Path) -> Option<Warning> {
    let is_root = |d: &Path| d.join("package.json").is_file() || d.join("node_modules").is_dir();
    if is_root(dir) {
        return None;
    }
    let absolute = std::path::absolute(dir).ok()?;
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let root = absolute
        .ancestors()
        .skip(1)
        .take_while(|d| Some(d.to_path_buf()) != home)
        .find(|d| is_root(d))?;
    let npmrc = root.join(".npmrc");
    npmrc.is_file().then(|| {
        Warning::new(
            Code::DenoParentNpmrcIgnored,
            format!(
                "{} is read by npm (its project root is {}, the nearest folder with package.json), but Deno reads only the .npmrc in this folder and in the home folder",
                npmrc.display(),
                root.display()
            ),
            Some(Origin {
                file: Origin::shared(&npmrc),
                line: 1,
                level: Level::Project,
            }),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_the_registry_path_as_written() {
        assert_eq!(
            walk_up("http://127.0.0.1:4873/npm/a"),
            vec![
                "//127.0.0.1:4873/npm/a/",
                "//127.0.0.1:4873/npm/",
                "//127.0.0.1:4873/"
            ]
        );
        assert_eq!(walk_up("https://Reg.example/"), vec!["//Reg.example/"]);
        assert!(walk_up("not a url").is_empty());
    }

    /// A registry URL with a query got a key holding it (`//h/npm/?token=${Q}/`), and the
    /// host's `_authToken` was dropped as unwritable.
    #[test]
    fn a_registry_query_is_not_part_of_its_key() {
        assert_eq!(
            Deno.npmrc_key_for("https://h.example/npm/?token=${Q}"),
            Some("//h.example/npm/".into())
        );
        assert_eq!(
            Deno.npmrc_key_for("https://h.example/npm#x"),
            Some("//h.example/npm/".into())
        );
    }

    #[test]
    fn a_lone_basic_part_sends_nothing() {
        let v = |s: &str| Some(Value::new(Template::literal(s), None));
        let lone = Credentials {
            username: v("u"),
            ..Credentials::default()
        };
        assert_eq!(lone_basic_part(&lone), Some("username"));
        assert!(!authenticates(&lone));
        let with_token = Credentials {
            token: v("t"),
            ..lone.clone()
        };
        assert_eq!(lone_basic_part(&with_token), None);
        assert!(authenticates(&with_token));
    }
}

/// Deno's ini reads a double-quoted value JSON refuses without its quotes; a quote it
/// never finds closing the value leaves npm's reading.
#[cfg(test)]
mod quoted_value_tests {
    use super::quoted_as_deno_reads;

    #[test]
    fn deno_drops_the_quotes_npm_keeps() {
        assert_eq!(
            quoted_as_deno_reads("\"npm_FAKE\\x\"").as_deref(),
            Some("npm_FAKE\\x")
        );
        assert_eq!(
            quoted_as_deno_reads("\"a\\\\b\\\"c\"").as_deref(),
            Some("a\\b\"c")
        );
        assert_eq!(quoted_as_deno_reads("\"npm_FAKE_open"), None);
        assert_eq!(quoted_as_deno_reads("\"a\" \"b\""), None);
    }
}

#[cfg(test)]
mod env_tests {
    use super::*;
    use crate::env_config::{names, test_route};

    #[test]
    fn deno_reads_npm_config_registry_by_its_exact_name() {
        assert_eq!(
            Deno.reads_variable("NPM_CONFIG_REGISTRY"),
            Some(EnvRead::Setting("registry".into()))
        );
        assert!(matches!(
            Deno.reads_variable("npm_config_registry"),
            Some(EnvRead::Ignored(_))
        ));
        assert!(matches!(
            Deno.reads_variable("NPM_CONFIG_USERCONFIG"),
            Some(EnvRead::Ignored(_))
        ));
    }

    #[test]
    fn deno_takes_no_credential_from_variables() {
        let plain = [test_route(None, "https://r.example/", None)];
        assert_eq!(
            names(&Deno.env_form(&plain).unwrap()),
            ["NPM_CONFIG_REGISTRY"]
        );
        let token = [test_route(None, "https://r.example/", Some("T"))];
        assert!(Deno.env_form(&token).is_err());
    }
}
