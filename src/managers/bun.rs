//! Bun 1.x (spec/pnpm-bun-deno.md §3): `bunfig.toml` with credentials written beside their
//! registry, plus `.npmrc` keys matched by host and path prefix.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap as HashMap;

use super::{
    FileSpec, Place, Rules, TarballRequest, WrittenAs, configured_registry, npm_style_route, spec,
    spec_xdg_first,
};
use crate::discover::ConfigFile;
use crate::env_config::{self, EnvRead, EnvVar, RcFile};
use crate::formats::Format;
use crate::model::{AuthKey, Credentials, Level, Model};
use crate::registry_url::{RegistryUrl, with_trailing_slash};
use crate::resolve::{Authorization, Lookup, Packages, Route, UrlUserinfo};
use crate::template::Dialect;
use crate::warning::Warning;

pub struct Bun;

const PUBLIC_REGISTRY: &str = super::npm::PUBLIC_REGISTRY;

impl Rules for Bun {
    fn reads_variable(&self, name: &str) -> Option<EnvRead> {
        // Exact spellings only (PackageManagerOptions.zig); the first non-empty one wins.
        match name {
            "BUN_CONFIG_REGISTRY" | "NPM_CONFIG_REGISTRY" | "npm_config_registry" => {
                return Some(EnvRead::Setting("registry".into()));
            }
            "BUN_CONFIG_TOKEN" | "NPM_CONFIG_TOKEN" | "npm_config_token" => {
                // The default registry's token.
                return Some(EnvRead::Setting("token".into()));
            }
            "NPM_CONFIG_USERCONFIG" => return Some(EnvRead::Setting("userconfig".into())),
            _ => {}
        }
        if let Some(rest) = env_config::strip_prefix_ignore_case(name, "bun_config_") {
            return Some(EnvRead::Setting(rest.to_ascii_lowercase()));
        }
        env_config::strip_prefix_ignore_case(name, "npm_config_").map(|_| {
            EnvRead::Ignored(
                "of the npm_config_* variables, Bun reads only NPM_CONFIG_REGISTRY / npm_config_registry, NPM_CONFIG_TOKEN / npm_config_token and NPM_CONFIG_USERCONFIG, spelled exactly so (BUN_CONFIG_REGISTRY and BUN_CONFIG_TOKEN set its registry and token too)".into(),
            )
        })
    }
    fn variable_rank(&self, name: &str) -> u8 {
        // The first non-empty of BUN_CONFIG_*, NPM_CONFIG_*, npm_config_* is used.
        if name.starts_with("BUN_CONFIG_") {
            2
        } else if name.starts_with("NPM_CONFIG_") {
            1
        } else {
            0
        }
    }
    fn env_form(
        &self,
        routes: &[Route],
    ) -> std::result::Result<crate::env_config::EnvForm, String> {
        let set = crate::env_config::RouteSet::of(routes);
        if let Some((scope, _)) = set.scopes.first() {
            return Err(format!(
                "Bun takes no scope's registry or token from a variable ({})",
                crate::env_config::scope_key(scope)
            ));
        }
        let mut form = crate::env_config::EnvForm::default();
        if let Some(registry) = set.custom_default_registry() {
            form.variables.push(EnvVar::registry(
                "BUN_CONFIG_REGISTRY",
                &crate::registry_url::registry_with_slash(registry),
            ));
        }
        match set.unscoped.and_then(|r| r.authorization.as_ref()) {
            None => {}
            Some(Authorization::Bearer(t)) => form
                .variables
                .push(EnvVar::text("BUN_CONFIG_TOKEN", t.when_set())),
            Some(_) => {
                return Err(
                    "Bun takes only a bearer token for the default registry from a variable".into(),
                );
            }
        }
        Ok(form)
    }
    fn env_rc_file(&self) -> Option<RcFile> {
        Some(RcFile::user_npmrc(super::Manager::Npm))
    }
    fn programs(&self) -> &'static [&'static str] {
        &["bun", "bunx"]
    }

    fn setup_action(&self) -> Option<super::SetupAction> {
        Some(super::SetupAction {
            action: "oven-sh/setup-bun",
            version_input: "bun-version",
        })
    }

    /// setup-bun parses `<cwd>/bunfig.toml`, sets its registries and writes the whole file
    /// back (spec/ci-env.md §2.2): comments and layout are lost, an unparsable file replaced.
    fn setup_action_rewrites(&self) -> Option<&'static str> {
        Some("bunfig.toml")
    }

    fn sends_unset_reference_as_text(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        "bun"
    }

    fn label(&self) -> &'static str {
        "Bun 1.x"
    }

    /// The user `.npmrc` is `$XDG_CONFIG_HOME/.npmrc` where that file exists, else
    /// `~/.npmrc` (spec pnpm-bun-deno.md §3.2, b14/b14b; from a review: a registry there
    /// went unseen).
    fn sources(&self) -> Vec<FileSpec> {
        vec![
            spec_xdg_first(".npmrc", Format::Npmrc, Place::Home),
            spec(".npmrc", Format::Npmrc, Place::Project),
            spec("bunfig.toml", Format::Bunfig, Place::BunUser),
            spec("bunfig.toml", Format::Bunfig, Place::Project),
        ]
    }

    fn targets(&self) -> Vec<FileSpec> {
        vec![
            spec("bunfig.toml", Format::Bunfig, Place::Project),
            spec("bunfig.toml", Format::Bunfig, Place::BunUser),
        ]
    }

    /// Bun requests `/npm/left-pad` under `https://h/npm/?channel=beta` (from a real run:
    /// Bun 1.4.5).
    fn keeps_registry_query(&self) -> bool {
        false
    }

    /// Basic of the decoded userinfo (`:token@` as Bearer), to tarballs too, unless a
    /// configured key matches (spec §3.1 b04/b05; conformance `npm_registry_userinfo_*_to_bun`).
    fn url_userinfo(&self) -> UrlUserinfo {
        UrlUserinfo::Basic {
            decoded: true,
            over_keys: false,
            empty_user_is_bearer: true,
            to_tarballs: true,
        }
    }
    fn dialect(&self) -> Dialect {
        Dialect::Bun
    }

    /// A value from `.npmrc` is printed as it is written there (`${VAR}`), not as Bun's
    /// `$VAR`, which Bun does not expand in `.npmrc`.
    fn shown_dialect_at(&self, origin: Option<&crate::model::Origin>) -> Dialect {
        match origin {
            Some(_) => read_dialect(origin),
            None => Dialect::Bun,
        }
    }

    /// pnpm's scope token in `.npmrc` (`//host/:@scope:_authToken`) is not Bun's: Bun keys
    /// `.npmrc` credentials by host and path only (spec/pnpm-bun-deno.md §6 item 12, obs a14), and its own scope tokens are
    /// the ones written in bunfig.toml. The `.npmrc` reader's `pnpm-scope-token` note says so.
    fn adjust_file(
        &self,
        file: &ConfigFile,
        merged: &mut Model,
        read: &mut Model,
        _warnings: &mut Vec<Warning>,
    ) -> crate::error::Result<()> {
        // The project bunfig's `install.registry` (or a scope's entry) replaces the global
        // bunfig's whole entry, token and all, not field by field: real Bun sent no token with
        // a project `registry = "…"` over a home `registry = { url, token }` (from a review).
        if file.format == Format::Bunfig && file.level == Level::Project {
            if read.registry.is_some() && merged.auth.contains_key(&AuthKey::DefaultRegistry) {
                merged.auth.remove(&AuthKey::DefaultRegistry);
            }
            let replaced: Vec<AuthKey> = read
                .scopes
                .iter()
                .filter(|(_, scope)| scope.registry.is_some())
                .map(|(name, _)| AuthKey::Scope(name.clone()))
                .filter(|key| merged.auth.contains_key(key))
                .collect();
            for key in replaced {
                merged.auth.remove(&key);
            }
        }
        let pnpm_scope_token = |key: &AuthKey| matches!(key, AuthKey::Scope(_));
        // Checked first: the read's map is shared with the other readers of the file, and
        // changing it copies it.
        if file.format == Format::Npmrc && read.auth.keys().any(pnpm_scope_token) {
            read.auth.retain(|key, _| !pnpm_scope_token(key));
        }
        Ok(())
    }

    fn marker_file(&self) -> &'static str {
        "bunfig.toml"
    }

    fn lockfiles(&self) -> &'static [&'static str] {
        &["bun.lock", "bun.lockb"]
    }

    fn member_files_ignored(&self) -> &'static [&'static str] {
        &[".npmrc", "bunfig.toml"]
    }

    /// Run in a workspace member, Bun works from the root that lists it and ignores the
    /// member's `.npmrc` and `bunfig.toml` (spec/pnpm-bun-deno.md §3.2 w01; real Bun 1.4.5
    /// sent the root's bunfig registry with the member's own present).
    fn workspace_root(&self, dir: &Path) -> Option<(PathBuf, Option<Warning>)> {
        let markers = super::workspaces::PackageMarkers {
            files: &["package.json"],
            node_modules: false,
            deno_workspace: false,
            first_declaration_decides: true,
        };
        super::workspaces::member_root(self.label(), dir, &markers, self.member_files_ignored())
    }

    fn public_registry(&self) -> &'static str {
        PUBLIC_REGISTRY
    }

    fn fix_file(&self, format: Format, text: &str) -> Option<String> {
        (format == Format::Bunfig)
            .then(|| crate::formats::bunfig::fix_braced_references(text))
            .flatten()
    }

    /// `doctor --fix` mends it; the table's prose would not run as printed.
    fn fix_command(
        &self,
        code: crate::diagnostics::Code,
        _dir: &std::path::Path,
        dir_arg: &str,
    ) -> Option<String> {
        (code == crate::diagnostics::Code::BunBracedEnvReference).then(|| {
            format!("run `pmrc doctor --fix --write{dir_arg}` (writes each as \"$VAR\", which Bun expands)")
        })
    }

    fn written_as(&self) -> WrittenAs {
        WrittenAs::Bunfig
    }

    fn route(&self, model: &Lookup<'_>, packages: Packages) -> Route {
        route(model, packages, &BunKeys::new(model))
    }

    fn routes(&self, model: &Model, groups: Vec<Packages>) -> Vec<Route> {
        let keys = BunKeys::new(model);
        let model = Lookup::many(model);
        groups
            .into_iter()
            .map(|packages| route(&model, packages, &keys))
            .collect()
    }

    fn credential_reason(&self, route: &Route) -> String {
        match &route.credential_key {
            None => {
                "no credentials: none written with the registry in bunfig.toml, and no .npmrc key on its host is a prefix of its path".into()
            }
            Some(AuthKey::Url(k)) => {
                format!(".npmrc key `{k}` is on the registry's host and a prefix of its path")
            }
            Some(_) => "credentials written with the registry in bunfig.toml".into(),
        }
    }

    fn tarball_credentials(&self, req: &TarballRequest) -> (Option<Authorization>, String) {
        if req.same_origin() {
            (
                req.route.authorization.clone(),
                "same origin as the registry: Bun sends the registry's credentials".into(),
            )
        } else {
            (
                None,
                "another origin: Bun never sends credentials there".into(),
            )
        }
    }
}

/// Bun's `.npmrc` credentials by lowercased host, then path (with a trailing `/`), so that a
/// registry's longest matching key is a walk up its path, looked up by borrowed text (a
/// route of a large config allocates nothing per step, issue 20). Each place keeps the
/// entry Bun would pick among keys that differ only in a trailing `/` or host case: the
/// longer spelling, else the last in key order.
type Entry<'a> = (usize, &'a AuthKey, &'a Credentials);
struct BunKeys<'a>(HashMap<String, HashMap<String, Entry<'a>>>);

impl<'a> BunKeys<'a> {
    fn new(model: &'a Model) -> Self {
        let mut keys: HashMap<String, HashMap<String, Entry>> = HashMap::default();
        for (k, c) in model.auth.iter().filter(|(_, c)| c.authenticates()) {
            let AuthKey::Url(key) = k else { continue };
            let Some(rest) = key.strip_prefix("//") else {
                continue;
            };
            let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
            let written_len = path.len() + 1;
            let paths = keys.entry(host.to_ascii_lowercase()).or_default();
            let place = with_trailing_slash(&format!("/{path}"));
            match paths.get(&place) {
                Some((len, ..)) if *len > written_len => {}
                _ => {
                    paths.insert(place, (written_len, k, c));
                }
            }
        }
        BunKeys(keys)
    }

    /// The key on `url`'s host with the longest path that is a prefix of `url`'s path. A
    /// key's port that is the scheme's default is the same as none (from a trial: real Bun
    /// 1.4.5 sent `//registry.test:443/b/`'s token to `https://registry.test/b/`, and
    /// `//other.test:80/a/`'s to `http://other.test/a/`; npm, Yarn 1, pnpm and Deno did not).
    fn longest(&self, url: &RegistryUrl) -> Option<(&'a AuthKey, &'a Credentials)> {
        // The URL's host is lower-case but for a `${VAR}` name in it, which the keys' are too.
        let host = match url.host() {
            h if h.contains('$') => std::borrow::Cow::Owned(h.to_ascii_lowercase()),
            h => std::borrow::Cow::Borrowed(h),
        };
        let on_host = self.0.get(host.as_ref());
        let with_default_port = (url.host() == url.hostname())
            .then(|| {
                let port = if url.is_http() { "80" } else { "443" };
                self.0.get(&format!("{host}:{port}"))
            })
            .flatten();
        if on_host.is_none() && with_default_port.is_none() {
            return None;
        }
        let path = with_trailing_slash(url.path());
        let ends = path.match_indices('/').map(|(i, _)| i + 1).rev();
        ends.into_iter().find_map(|end| {
            let prefix = &path[..end];
            on_host
                .and_then(|paths| paths.get(prefix))
                .or_else(|| with_default_port.and_then(|paths| paths.get(prefix)))
                .map(|(_, k, c)| (*k, *c))
        })
    }
}

/// The notation Bun read a value in: npm's in an `.npmrc` (`${VAR}`, and `${VAR?}`, empty
/// when unset: spec pnpm-bun-deno.md b25), its own `$VAR` in `bunfig.toml`.
fn read_dialect(origin: Option<&crate::model::Origin>) -> Dialect {
    let in_bunfig = origin.is_some_and(|o| {
        o.file
            .file_name()
            .is_some_and(|n| n.as_encoded_bytes().ends_with(b"bunfig.toml"))
    });
    if in_bunfig {
        Dialect::Bun
    } else {
        Dialect::Npm
    }
}

/// Credentials written with the registry in bunfig win; otherwise an `.npmrc` key on the
/// same host whose path is a prefix of the registry's (the longest one).
fn route(model: &Lookup<'_>, packages: Packages, npmrc_keys: &BunKeys) -> Route {
    // A literal reads the same in both notations: only a reference asks where it was read.
    let configured = configured_registry(model, &packages);
    let registry = configured.map(|v| {
        let dialect = if v.value.has_env() {
            read_dialect(v.origin.as_ref())
        } else {
            Dialect::Bun
        };
        v.value.render(dialect).0
    });
    let effective = registry
        .clone()
        .unwrap_or_else(|| PUBLIC_REGISTRY.to_string());
    let bound = match &packages {
        Packages::Scope(s) if model.scopes.get(s).is_some_and(|s| s.registry.is_some()) => {
            model.scope_credential(s)
        }
        _ => model.credential(&AuthKey::DefaultRegistry),
    }
    .filter(|(_, c)| c.authenticates());
    let from_npmrc = || npmrc_keys.longest(&RegistryUrl::parse(&effective)?);
    let chosen = bound.or_else(from_npmrc);
    // An escaped reference in an `.npmrc` is read here as npm reads it, not as Bun does:
    // the route claims no reading then, and is compared by its spelling.
    let read = configured.filter(|v| {
        read_dialect(v.origin.as_ref()) == Dialect::Bun || !v.value.holds_escaped_reference()
    });
    npm_style_route(packages, registry, chosen.map(|(k, c)| (k.clone(), c))).read_from(read)
}

#[cfg(test)]
mod env_tests {
    use super::*;
    use crate::env_config::{names, test_route};

    #[test]
    fn bun_reads_exact_spellings_only() {
        assert_eq!(
            Bun.reads_variable("npm_config_registry"),
            Some(EnvRead::Setting("registry".into()))
        );
        assert!(matches!(
            Bun.reads_variable("Npm_Config_Registry"),
            Some(EnvRead::Ignored(_))
        ));
        assert!(matches!(
            Bun.reads_variable("BUN_CONFIG_TOKEN"),
            Some(EnvRead::Setting(_))
        ));
    }

    #[test]
    fn bun_takes_the_default_registry_and_its_token() {
        let one = [test_route(None, "https://r.example/npm", Some("T"))];
        let form = Bun.env_form(&one).unwrap();
        assert_eq!(names(&form), ["BUN_CONFIG_REGISTRY", "BUN_CONFIG_TOKEN"]);
        let scoped = [
            test_route(None, "https://r.example/", None),
            test_route(Some("acme"), "https://other.example/", None),
        ];
        assert!(Bun.env_form(&scoped).is_err());
    }
}
