//! npm 11 and 12 (spec/npm.md): `.npmrc` at project and user level, credentials found by
//! walking up the request URL's path, legacy top-level auth refused; the [`Migration`]
//! between the two majors (§8).

use std::path::{Path, PathBuf};

use super::{
    FileSpec, Place, Rules, TarballRequest, WrittenAs, configured_registry, npm_style_route, spec,
};
use crate::diagnostics::Code;
use crate::env_config::{self, EnvRead, RcFile};
use crate::formats::Format;
use crate::model::{AuthKey, Level, Model, Origin};
use crate::registry_url::RegistryUrl;
use crate::resolve::{Authorization, Lookup, Packages, Route, UrlUserinfo};
use crate::template::Dialect;
use crate::warning::Warning;

mod known_keys;
mod lockfile;

pub struct Npm;

pub(super) const PUBLIC_REGISTRY: &str = "https://registry.npmjs.org/";

impl Rules for Npm {
    fn npmrc_is_its_own_config(&self) -> bool {
        true
    }

    fn reads_variable(&self, name: &str) -> Option<EnvRead> {
        let rest = env_config::strip_prefix_ignore_case(name, "npm_config_")?;
        let key = env_config::npm_env_key(rest);
        // A `//` key is kept as written, case included (ci-env.md §1.1).
        if key.starts_with("//")
            && let Some((_, field)) = key.rsplit_once(':')
            && let Some(name) = crate::formats::npmrc::miscased_credential_name(field)
        {
            return Some(EnvRead::Ignored(format!(
                "npm takes a `//` key from the environment as written, case included, and knows no `{field}`; spell it `{name}`"
            )));
        }
        Some(match key.as_str() {
            "_auth" | "_authtoken" | "_password" | "username" => EnvRead::Ignored(format!(
                "npm neither uses nor rejects an unscoped `{key}` from the environment; key it by registry (npm_config_//host/path/:{key})"
            )),
            _ => EnvRead::Setting(key),
        })
    }
    fn env_form(
        &self,
        routes: &[Route],
    ) -> std::result::Result<crate::env_config::EnvForm, String> {
        Ok(crate::env_config::EnvForm {
            variables: env_config::npm_style_variables(
                "npm_config_",
                routes,
                self.public_registry(),
            )?,
            warnings: Vec::new(),
        })
    }
    fn env_rc_file(&self) -> Option<RcFile> {
        Some(RcFile::user_npmrc(super::Manager::Npm))
    }
    fn programs(&self) -> &'static [&'static str] {
        &["npm", "npx"]
    }

    /// Node's own npm.
    fn runner_program_runs_it(&self, _dir: &Path) -> bool {
        true
    }

    fn sends_unset_reference_as_text(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        "npm"
    }

    fn label(&self) -> &'static str {
        "npm 11/12"
    }

    /// npm 12 refuses a top-level `email`, `certfile` and `keyfile`, and tarballs outside the
    /// registry's origin and path, where npm 11 goes on (spec/npm.md §8).
    fn majors(&self) -> &'static [u8] {
        &[11, 12]
    }

    fn label_at_major(&self, major: u8) -> &'static str {
        if major >= 12 { "npm 12" } else { "npm 11" }
    }

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

    /// Basic of the userinfo as written, unless a configured key matches (conformance
    /// `npm_registry_userinfo*`; npm 11.21 and 12.2).
    fn url_userinfo(&self) -> UrlUserinfo {
        UrlUserinfo::Basic {
            decoded: false,
            over_keys: false,
            empty_user_is_bearer: false,
            to_tarballs: false,
        }
    }
    fn dialect(&self) -> Dialect {
        Dialect::Npm
    }

    fn marker_file(&self) -> &'static str {
        ".npmrc"
    }

    fn lockfiles(&self) -> &'static [&'static str] {
        &["package-lock.json", "npm-shrinkwrap.json"]
    }

    fn member_files_ignored(&self) -> &'static [&'static str] {
        &[".npmrc"]
    }

    /// Run in a workspace member (a package a package.json further up lists in its
    /// `workspaces`), npm works from that root and ignores the member's `.npmrc`
    /// ("ignoring workspace config", spec/npm.md §1.3; real npm 11.21 and 12.2).
    fn workspace_root(&self, dir: &Path) -> Option<(PathBuf, Option<Warning>)> {
        let markers = super::workspaces::PackageMarkers {
            files: &["package.json"],
            node_modules: true,
            deno_workspace: false,
            first_declaration_decides: false,
        };
        super::workspaces::member_root(self.label(), dir, &markers, self.member_files_ignored())
    }

    /// `.npmrc` sits beside `.yarnrc` and `bunfig.toml` too.
    fn marker_is_shared(&self) -> bool {
        true
    }

    fn public_registry(&self) -> &'static str {
        PUBLIC_REGISTRY
    }

    fn written_as(&self) -> WrittenAs {
        WrittenAs::Npmrc
    }

    fn owns_npm_findings(&self) -> bool {
        true
    }

    /// Keys are substituted before any matching (spec/npm.md §3; conformance
    /// `npm_variable_in_credential_key`).
    fn expands_variables_in_keys(&self, _level: Level) -> bool {
        true
    }

    /// `getAuth` skips an empty value and tries the next key up (spec/npm.md §4-5, errata).
    fn empty_credential_walks_up(&self) -> bool {
        true
    }

    fn route(&self, model: &Lookup<'_>, packages: Packages) -> Route {
        let configured = configured_registry(model, &packages);
        let registry = configured.map(|v| v.value.render(Dialect::Npm).0);
        let url = RegistryUrl::parse(registry.as_deref().unwrap_or(PUBLIC_REGISTRY));
        let mut found = None;
        if let Some(url) = &url {
            // The packument request: `<registry>/<name>`, whose walk-up starts below the
            // registry.
            found = crate::resolve::credentials_under(model, url);
            // Legacy top-level auth: npm refuses the file; `npm config fix` would move it to
            // the default registry, which is what the user meant.
            if found.is_none() && configured == model.registry.as_ref() {
                found = model
                    .credential(&AuthKey::Fallback)
                    .filter(|(_, c)| c.authenticates())
                    .map(|(k, c)| (k.clone(), c));
            }
        }
        npm_style_route(packages, registry, found).read_from(configured)
    }

    fn credential_reason(&self, route: &Route) -> String {
        match &route.credential_key {
            None => {
                "no credentials: no configured key matches the request URL or any parent path"
                    .into()
            }
            Some(AuthKey::Url(k)) => format!(
                "`{k}` is the deepest configured key on the request path (npm walks up the path)"
            ),
            Some(AuthKey::Fallback) => {
                "top-level credentials: npm 9+ refuses the file (ERR_INVALID_AUTH); `npm config fix` would move them to the default registry".into()
            }
            Some(k) => format!("credentials at {k}"),
        }
    }

    /// npm 11's rule, then npm 12's gate before it: arborist's `#isRegistryResolvedTarball`
    /// lets a registry package's tarball through only on the origin of the package's
    /// registry and under its path; any other goes to pacote's `allow-remote` check, whose
    /// npm 12 default `none` refuses it (EALLOWREMOTE "Refusing to fetch"). Real npm 12.2.2
    /// refused both a tarball on the scope registry's host outside its path and one on
    /// another host with its own key, which npm 11.21.2 fetched, with the scope's token and
    /// that key's.
    fn tarball_credentials(&self, req: &TarballRequest) -> (Option<Authorization>, String) {
        let (authorization, why) = match req.credentials_by_key(false, |_| true) {
            Some((k, a)) => (a, format!("`{k}` matches the tarball URL")),
            None if req.tarball.host() == req.registry.host() => (
                req.route.authorization.clone(),
                "same host as the package's registry: npm falls back to the registry's credentials".into(),
            ),
            None if req.major.is_none() => (
                None,
                "another host, and no key matches it: npm sends nothing; npm 12 refuses such tarballs unless allow-remote=all".into(),
            ),
            None => (
                None,
                "another host, and no key matches it: npm sends nothing".into(),
            ),
        };
        if req.major.is_none_or(|m| m < 12) || req.under_registry() {
            return (authorization, why);
        }
        let allow = setting_in_effect("allow-remote", req.files, req.env_vars);
        match allow.as_ref().map(|(v, at)| (v.as_str(), at)) {
            Some(("all", at)) => (
                authorization,
                format!(
                    "outside the origin and path of the package's registry, fetched because allow-remote=all ({at}); {why}"
                ),
            ),
            Some(("root", at)) => (
                authorization,
                format!(
                    "outside the origin and path of the package's registry: with allow-remote=root ({at}) npm 12 fetches it only for a dependency the project's own package.json names, and refuses it otherwise (EALLOWREMOTE); {why}"
                ),
            ),
            _ => (
                None,
                format!(
                    "npm 12 refuses to fetch it (EALLOWREMOTE, \"Refusing to fetch\"): it is outside the origin and path of the package's registry {}://{}{}{}; with allow-remote=all it would be fetched: {why}",
                    req.registry.scheme,
                    req.registry.host(),
                    req.registry.path(),
                    allow
                        .map(|(v, at)| format!(" and allow-remote={v} ({at})"))
                        .unwrap_or_default()
                ),
            ),
        }
    }

    /// `replace-registry-host` (default `npmjs`: registry.npmjs.org) puts the default
    /// registry's origin in place of a tarball's host, in arborist's `registryResolved`
    /// (the hostname, port ignored, or `always`; a full URL also swaps its path prefix for
    /// the registry's path, a host alone gets the registry's path put in front), and else
    /// in pacote's `remote.js` (the host with its port; the registry's path is lost). Both
    /// majors; npm 12's gate then judges the URL as arborist rewrote it (spec/npm.md §5.4),
    /// so pacote's rewrite is left out there: the gate refuses the URL as given first, unless
    /// allow-remote=all (not modelled: npm 12 then fetches pacote's URL).
    fn tarball_fetched_at(
        &self,
        model: &Model,
        tarball: &RegistryUrl,
        major: Option<u8>,
        files: &[crate::discover::ConfigFile],
        env_vars: &[crate::env_layer::Variable],
    ) -> Option<(String, String)> {
        let (value, at) = setting_in_effect("replace-registry-host", files, env_vars)
            .unwrap_or_else(|| ("npmjs".into(), "npm's default".into()));
        let registry = model
            .registry
            .as_ref()
            .map(|v| v.value.render(Dialect::Npm).0);
        let registry = RegistryUrl::parse(registry.as_deref().unwrap_or(PUBLIC_REGISTRY))?;
        let matched = if value == "npmjs" || value.is_empty() {
            "registry.npmjs.org"
        } else {
            value.as_str()
        };
        let (match_host, match_path) = match RegistryUrl::parse(matched) {
            Some(url) => (
                url.hostname().to_string(),
                Some(url.path().trim_end_matches('/').to_string()),
            ),
            None => (matched.to_ascii_lowercase(), None),
        };
        let has_prefix =
            |path: &str, prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
        let registry_path = registry.path().trim_end_matches('/');
        let path = tarball.path();
        let host_matches = matched == "always" || match_host == tarball.hostname();
        let path_matches = match_path.as_deref().is_none_or(|p| has_prefix(path, p));
        let rewritten_path = if host_matches && path_matches {
            match match_path.as_deref() {
                Some(prefix) => format!("{registry_path}{}", &path[prefix.len()..]),
                None if !registry_path.is_empty() && !has_prefix(path, registry_path) => {
                    format!("{registry_path}{path}")
                }
                None => path.to_string(),
            }
        } else if matched.eq_ignore_ascii_case(tarball.host()) && major.is_none_or(|m| m < 12) {
            path.to_string()
        } else {
            return None;
        };
        let fetched = format!("{}://{}{rewritten_path}", registry.scheme, registry.host());
        if fetched == format!("{}://{}{path}", tarball.scheme, tarball.host()) {
            return None;
        }
        let why = format!(
            "npm asks for {fetched} instead (replace-registry-host={value} ({at}) puts the default registry's host in place of {})",
            tarball.host()
        );
        Some((fetched, why))
    }

    fn one_proxy_for_both_schemes(&self) -> bool {
        true
    }

    /// Kept for Yarn 1, which shares the `.npmrc`; npm ignores it.
    fn keeps_global_always_auth_for_yarn_classic(&self) -> bool {
        true
    }

    /// npm 9+ stops on top-level `_auth`/`_authToken`/... (ERR_INVALID_AUTH).
    fn refuses_setting(
        &self,
        _file: &crate::discover::ConfigFile,
        path: &[String],
        _value: &crate::formats::SettingValue,
    ) -> Option<&'static str> {
        // `always-auth` is only warned about (spec/npm.md §4, row 42).
        matches!(path, [key] if key != "always-auth" && crate::formats::npmrc::LEGACY_TOP_LEVEL.contains(&key.as_str()))
            .then_some("key it to its registry (`npm config fix` does) and convert again")
    }

    fn fix_command(&self, code: Code, _dir: &std::path::Path, dir_arg: &str) -> Option<String> {
        match code {
            Code::NpmLegacyTopLevelAuth => Some(format!(
                "run `pmrc doctor --fix --write{dir_arg}` (keys it to its registry, as `npm config fix` does)"
            )),
            Code::Npm12RefusedKey => Some(format!(
                "run `pmrc convert --from npm@11 --to npm@12 --write{dir_arg}` (keys it to the registry, as `npm config fix` does)"
            )),
            Code::NpmEmptyCafile => Some(format!(
                "run `pmrc doctor --fix --write --manager npm{dir_arg}` (removes the line: without it npm uses its own CA list, as with `cafile=null`)"
            )),
            _ => None,
        }
    }

    fn fix_file(&self, format: Format, text: &str) -> Option<String> {
        (format == Format::Npmrc)
            .then(|| crate::formats::npmrc::without_empty_cafile(text))
            .flatten()
    }

    fn lockfile_refused_at_major(
        &self,
        major: u8,
        dir: &Path,
        model: &Model,
        files: &[crate::discover::ConfigFile],
        env_vars: &[crate::env_layer::Variable],
    ) -> crate::error::Result<Vec<Warning>> {
        lockfile::refused(major, dir, model, files, env_vars)
    }

    fn refused_at_major(
        &self,
        major: u8,
        files: &[crate::discover::ConfigFile],
        env_vars: &[crate::env_layer::Variable],
    ) -> Vec<Warning> {
        if major < 12 {
            return Vec::new();
        }
        let npmrcs = || {
            files.iter().filter_map(|f| match (&f.text, f.format) {
                (Some(text), Format::Npmrc) => Some((f, text)),
                _ => None,
            })
        };
        let at = |file: &crate::discover::ConfigFile, line: usize| Origin {
            file: Origin::shared(&file.display),
            line,
            level: file.level,
        };
        let mut out: Vec<Warning> = npm12_refused_keys(files)
            .into_iter()
            .map(|(file, line, name, _)| {
                Warning::error(
                    Code::Npm12RefusedKey,
                    format!(
                        "top-level `{name}`: npm {major} refuses the whole file over it (ERR_INVALID_AUTH), where npm 11 only warned"
                    ),
                    Some(at(file, line)),
                )
            })
            .collect();
        // From a review: a project's `strict-npmrc=false` under a user's `true`, and real
        // npm 12.2.2 ran; `npm_config_strict_npmrc=true` with a pnpm key in .npmrc, and it
        // stopped.
        let strict = setting_in_effect("strict-npmrc", files, env_vars)
            .and_then(|(on, at)| (on == "true").then_some(at));
        if let Some(strict) = strict {
            for (file, text) in npmrcs() {
                for (line, said) in unknown_to_npm12(text) {
                    out.push(Warning::error(
                        Code::Npm12StrictUnknownKey,
                        format!(
                            "{said}: with `strict-npmrc=true` ({strict}) npm {major} stops every command but config, help, doctor and version on it (EUNKNOWNCONFIG), a key it does not know"
                        ),
                        Some(at(file, line)),
                    ));
                }
            }
        }
        out
    }

    fn fixes_legacy_top_level_auth(&self) -> bool {
        true
    }

    fn on_registry_url_without_scheme(&self) -> &'static str {
        "hangs until its fetch timeout, reaching no registry"
    }

    /// npm 9+ on a top-level credential ([`legacy_auth_problem`]); npm 12 also on a
    /// top-level `email`, `certfile` or `keyfile`, in one error as `validate()` lists them.
    fn stops_on_model(
        &self,
        model: &Model,
        major: Option<u8>,
        files: &[crate::discover::ConfigFile],
        empty_here: &dyn Fn(&crate::template::Template) -> bool,
    ) -> Option<(String, Option<Origin>)> {
        let registry = model
            .registry
            .as_ref()
            .map_or(PUBLIC_REGISTRY.to_string(), |r| {
                r.value.render(Dialect::Npm).0
            });
        let keyed = RegistryUrl::parse(&registry)
            .map_or_else(|| "//<registry>/".to_string(), |u| u.nerf_dart());
        let mut problems: Vec<(String, Option<Origin>)> =
            legacy_auth_problem(model, &keyed, empty_here)
                .into_iter()
                .collect();
        // From a trial: real npm 12.2.2 stopped on a top-level `email` with "Invalid auth
        // configuration found: `_auth` must be renamed to …, `email` must be renamed to …",
        // where explain printed no stop and a Basic sent.
        if major.is_some_and(|m| m >= 12) {
            problems.extend(npm12_refused_keys(files).into_iter().map(
                |(file, line, name, lone)| {
                    let said = if lone {
                        let pair = if name == "certfile" { "keyfile" } else { "certfile" };
                        format!(
                            "`{name}` is not allowed without `{pair}` in the same file (`npm config fix` deletes it)"
                        )
                    } else {
                        format!("`{name}` must be renamed to `{keyed}:{name}`")
                    };
                    let origin = Origin {
                        file: Origin::shared(&file.display),
                        line,
                        level: file.level,
                    };
                    (said, Some(origin))
                },
            ));
        }
        let origin = problems.first()?.1.clone();
        let said: Vec<String> = problems.into_iter().map(|(said, _)| said).collect();
        Some((format!("ERR_INVALID_AUTH: {}", said.join(", ")), origin))
    }
}

/// The top-level credential npm 9+ names first when it refuses a file (`validate()`): only
/// a key that holds something (an empty `_auth=`, or a `${VAR?}` unset, is no stop: from a
/// review, against @npmcli/config's source), and the key it asks for is the registry's nerf
/// dart `keyed` (`https://r/npm` gives `//r/`). From a trial: real npm 11 and 12 made no
/// request with a top-level `_auth`, where explain said npm sent it.
fn legacy_auth_problem(
    model: &Model,
    keyed: &str,
    empty_here: &dyn Fn(&crate::template::Template) -> bool,
) -> Option<(String, Option<Origin>)> {
    let top = model.auth.get(&AuthKey::Fallback)?;
    let (key, origin) = [
        ("_authToken", &top.token),
        ("_auth", &top.ident),
        ("username", &top.username),
        ("_password", &top.password),
    ]
    .into_iter()
    .filter_map(|(key, v)| {
        let v = v.as_ref().filter(|v| !empty_here(&v.value))?;
        Some((key, v.origin.clone()))
    })
    .min_by_key(|(_, o)| o.as_ref().map_or(0, |o| o.line))?;
    // A `username` without a `_password` in its file (or the other way round) is one npm
    // names "not allowed" and `npm config fix` deletes (spec/npm.md §4): no rename to
    // advise.
    let partner = match key {
        "username" => Some(&top.password),
        "_password" => Some(&top.username),
        _ => None,
    };
    let file_of = |o: &Option<Origin>| o.as_ref().map(|o| std::rc::Rc::clone(&o.file));
    if let Some(partner) = partner
        && partner
            .as_ref()
            .is_none_or(|p| file_of(&p.origin) != file_of(&origin))
    {
        return Some((
            format!(
                "`{key}` is not allowed without its partner in the same file (`npm config fix` deletes it)"
            ),
            origin,
        ));
    }
    Some((
        format!("`{key}` must be renamed to `{keyed}:{key}`"),
        origin,
    ))
}

/// A move between npm 11 and npm 12, which read the same registry and auth settings but
/// differ in what a file may hold (spec/npm.md §8): the mechanical rewrites, and the lines a
/// person must decide on, said with the exact line to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    pub from: u8,
    pub to: u8,
}

/// The keys of an `.npmrc` npm 12 does not know (its `strict-npmrc` check): each line and the
/// key as said in a finding. A `[section]` line is one (npm nests the lines after it under
/// its name); a key npm stops on over another check first (ERR_INVALID_AUTH for a top-level
/// `email`, the top-level auth it refuses) is left to that check's finding.
fn unknown_to_npm12(text: &str) -> Vec<(usize, String)> {
    let sections = crate::formats::npmrc::top_level_sections(text)
        .into_iter()
        .map(|(line, name)| {
            let said = format!("`[{name}]` (npm nests the lines after it under the key `{name}`)");
            (line, name, said)
        });
    let keys = crate::formats::npmrc::top_level_keys(text)
        .into_iter()
        .map(|(line, key)| (line, key.clone(), format!("`{key}`")));
    let mut out: Vec<(usize, String)> = keys
        .chain(sections)
        .filter(|(_, key, _)| {
            let refused_first = NPM12_KEYED_ONLY.contains(&key.as_str())
                || (key != "always-auth"
                    && crate::formats::npmrc::LEGACY_TOP_LEVEL.contains(&key.as_str()));
            !known_keys::knows(key) && !refused_first
        })
        .map(|(line, _, said)| (line, said))
        .collect();
    out.sort();
    out
}

/// Top-level keys npm 12 refuses (ERR_INVALID_AUTH) and npm 11 only warned about.
const NPM12_KEYED_ONLY: [&str; 3] = ["email", "certfile", "keyfile"];

/// Each top-level key npm 12 refuses beyond the legacy auth (`NPM12_KEYED_ONLY`), in each
/// `.npmrc` of `files`, as its `validate()` lists them: the file, the key's last line, its
/// name, and whether it is a `certfile` or `keyfile` without its pair in that file (which
/// `npm config fix` deletes rather than keys).
fn npm12_refused_keys(
    files: &[crate::discover::ConfigFile],
) -> Vec<(&crate::discover::ConfigFile, usize, &'static str, bool)> {
    let mut out = Vec::new();
    for file in files {
        let (Some(text), Format::Npmrc) = (&file.text, file.format) else {
            continue;
        };
        // `validate()` asks `this.get(key)`: an empty value is no value (from a trial: real
        // npm 12.2.2 installed with `email=` and `email=""`, and stopped with
        // `email=me@example.test`).
        let line_of = |key: &str| {
            crate::formats::npmrc::last_top_level(text, key)
                .filter(|(_, value)| !value.is_empty())
                .map(|(line, _)| line)
        };
        for name in NPM12_KEYED_ONLY {
            let Some(line) = line_of(name) else { continue };
            let lone = match name {
                "certfile" => line_of("keyfile").is_none(),
                "keyfile" => line_of("certfile").is_none(),
                _ => false,
            };
            out.push((file, line, name, lone));
        }
    }
    out
}

/// The value of npm's setting `key` that counts, and where it was set: a variable's over the
/// files', the project `.npmrc`'s over the user's. pmrc reads no global npmrc
/// ($PREFIX/etc/npmrc), which sits under all.
fn setting_in_effect(
    key: &str,
    files: &[crate::discover::ConfigFile],
    env_vars: &[crate::env_layer::Variable],
) -> Option<(String, String)> {
    let from_env = env_vars.iter().rev().find_map(|v| {
        (Npm.reads_variable(&v.name) == Some(EnvRead::Setting(key.into())))
            .then(|| (v.value.clone(), format!("the variable {}", v.name)))
    });
    from_env.or_else(|| {
        files
            .iter()
            .filter_map(|file| {
                let (Some(text), Format::Npmrc) = (&file.text, file.format) else {
                    return None;
                };
                let (line, value) = crate::formats::npmrc::last_top_level(text, key)?;
                Some((
                    file.level == Level::Project,
                    value,
                    format!("{}:{line}", file.display),
                ))
            })
            .max_by_key(|(project, ..)| *project)
            .map(|(_, value, at)| (value, at))
    })
}

impl Migration {
    /// `npm@11 -> npm@12`, for messages.
    pub fn label(&self) -> String {
        format!("npm {} -> npm {}", self.from, self.to)
    }

    /// The two majors' names, for the headline: pmrc's rules for npm are one for both.
    pub fn rule_names(&self) -> (String, String) {
        (format!("npm {}", self.from), format!("npm {}", self.to))
    }

    /// The text npm `to` reads as npm `from` read `text` (one `.npmrc` shown as `display`),
    /// with what was changed and why.
    pub fn rewrite(&self, text: &str, display: &str, level: Level) -> (String, Vec<Warning>) {
        if self.to < 12 {
            return (text.to_string(), Vec::new());
        }
        let keys = crate::formats::npmrc::top_level_keys(text);
        let line_of = |key: &str| keys.iter().rev().find(|(_, k)| k == key).map(|(l, _)| *l);
        let origin = |line| {
            Some(Origin {
                file: Origin::shared(display),
                line,
                level,
            })
        };
        // `npm config fix` keys them to the file's own registry, else npm's default.
        let registry = crate::formats::npmrc::Document::parse(text)
            .settings()
            .ok()
            .and_then(|held| {
                held.into_iter()
                    .find(|s| s.path[0] == "registry")
                    .and_then(|s| match s.value {
                        crate::formats::SettingValue::Scalar(v) => RegistryUrl::parse(&v),
                        crate::formats::SettingValue::List(_) => None,
                    })
            })
            .or_else(|| RegistryUrl::parse(PUBLIC_REGISTRY))
            .expect("npm's default registry parses");
        let nerf = registry.registry_nerf_dart();
        let mut renames: Vec<(&str, Option<String>)> = Vec::new();
        let mut warnings = Vec::new();
        let (cert, key) = (line_of("certfile"), line_of("keyfile"));
        for name in NPM12_KEYED_ONLY {
            let Some(line) = line_of(name) else { continue };
            let keyed = format!("{nerf}:{name}");
            let lone = match name {
                "certfile" => key.is_none(),
                "keyfile" => cert.is_none(),
                _ => false,
            };
            let exists = keys.iter().any(|(_, k)| *k == keyed);
            let (rename, message) = if lone {
                (
                    None,
                    format!(
                        "top-level `{name}` without its pair: npm 11 ignored it and npm 12 refuses the file for it (ERR_INVALID_AUTH); removed, as `npm config fix` does"
                    ),
                )
            } else if exists {
                (
                    None,
                    format!(
                        "top-level `{name}` is refused by npm 12 (ERR_INVALID_AUTH); `{keyed}` is already set and wins, so the top-level line is removed"
                    ),
                )
            } else {
                let effect = if name == "email" {
                    String::new()
                } else {
                    format!(
                        " (npm 11 ignored the top-level pair; keyed, npm 12 sends this client certificate to {})",
                        registry.registry_nerf_dart()
                    )
                };
                (
                    Some(keyed.clone()),
                    format!(
                        "top-level `{name}` is refused by npm 12 (ERR_INVALID_AUTH): keyed to the file's registry as `{keyed}`, as `npm config fix` does{effect}"
                    ),
                )
            };
            // A keyed pair changes what npm 12 sends (a client certificate npm 11 never
            // presented): a warning, not a note (from a helper's review).
            let sends_more = rename.is_some() && name != "email";
            renames.push((name, rename));
            warnings.push(if sends_more {
                Warning::new(Code::NpmMajorMigration, message, origin(line))
            } else {
                Warning::note(Code::NpmMajorMigration, message, origin(line))
            });
        }
        let after = crate::formats::npmrc::rename_top_level(text, &renames);
        (after, warnings)
    }

    /// What npm `to` does differently with every file, where only a person can decide:
    /// each with the exact line to add. `texts` are the `.npmrc` files read.
    pub fn decisions(&self, texts: &[&str]) -> Vec<Warning> {
        let has = |key: &str| {
            texts.iter().any(|t| {
                crate::formats::npmrc::top_level_keys(t)
                    .iter()
                    .any(|(_, k)| k == key)
            })
        };
        let mut out = Vec::new();
        if self.to >= 12 && !has("allow-remote") {
            out.push(Warning::new(
                Code::NpmMajorNeedsDecision,
                format!(
                    "npm {} refuses registry tarballs outside the registry's origin and path (EALLOWREMOTE), which npm {} fetched; if a registry here serves its tarballs elsewhere (`pmrc explain <package> --tarball <url> --manager npm@12` says what npm 12 does), add this line to .npmrc: allow-remote=all",
                    self.to, self.from
                ),
                None,
            ));
        }
        if self.to >= 12 && !has("strict-npmrc") {
            // npm 12 under strict-npmrc stops on every key it does not know (real npm 12.2.2:
            // `always-auth`, top-level and keyed, `shrinkwrap`, pnpm's `auto-install-peers`):
            // those lines must go first, or the advice stops every command.
            let unknown: Vec<String> = texts
                .iter()
                .flat_map(|t| unknown_to_npm12(t))
                .map(|(_, said)| said)
                .collect();
            let first = if unknown.is_empty() {
                String::new()
            } else {
                format!(
                    ", once the lines npm 12 does not know are gone ({}: under strict-npmrc npm 12 stops on them with EUNKNOWNCONFIG; keep them and leave strict-npmrc off where another manager reads them in this file, as Yarn 1 does always-auth)",
                    unknown.join(", ")
                )
            };
            out.push(Warning::note(
                Code::NpmMajorNeedsDecision,
                format!(
                    "npm 12 only warns about keys it does not know; to make them errors, add this line to .npmrc{first}: strict-npmrc=true"
                ),
                None,
            ));
        }
        if self.to < 12 && self.from >= 12 {
            if !has("allow-remote") {
                out.push(Warning::new(
                    Code::NpmMajorNeedsDecision,
                    format!(
                        "npm {} fetches registry tarballs from any origin (its allow-remote default is all); to keep npm {}'s refusal, add this line to .npmrc: allow-remote=none",
                        self.to, self.from
                    ),
                    None,
                ));
            }
            if has("strict-npmrc") {
                out.push(Warning::note(
                    Code::NpmMajorNeedsDecision,
                    format!(
                        "npm {} does not know `strict-npmrc` and ignores it with a warning; remove the line once no npm 12 reads this file",
                        self.to
                    ),
                    None,
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod env_tests {
    use super::*;
    use crate::env_config::{names, test_route};

    #[test]
    fn npm_reads_npm_config_in_any_case() {
        assert_eq!(
            Npm.reads_variable("NPM_CONFIG_FETCH_RETRIES"),
            Some(EnvRead::Setting("fetch-retries".into()))
        );
        assert_eq!(
            Npm.reads_variable("npm_config_//r.example/:_authToken"),
            Some(EnvRead::Setting("//r.example/:_authToken".into()))
        );
        assert!(matches!(
            Npm.reads_variable("npm_config__authToken"),
            Some(EnvRead::Ignored(_))
        ));
        assert_eq!(Npm.reads_variable("NODE_AUTH_TOKEN"), None);
    }

    #[test]
    fn npm_takes_scopes_and_registry_tokens_from_variables() {
        let routes = [
            test_route(None, "https://r.example/npm/", None),
            test_route(Some("acme"), "https://npm.pkg.github.com", Some("GH_TOKEN")),
        ];
        let form = Npm.env_form(&routes).unwrap();
        assert_eq!(
            names(&form),
            [
                "npm_config_registry",
                "npm_config_@acme:registry",
                "npm_config_//npm.pkg.github.com/:_authToken"
            ]
        );
    }
}
