//! npm 11 and 12 (spec/npm.md): `.npmrc` at project and user level, credentials found by
//! walking up the request URL's path, legacy top-level auth refused.

use super::{
    FileSpec, Place, Rules, TarballRequest, WrittenAs, configured_registry, npm_style_route, spec,
};
use crate::diagnostics::Code;
use crate::formats::Format;
use crate::model::{AuthKey, Model};
use crate::registry_url::{RegistryUrl, npm_walk_up};
use crate::resolve::{Authorization, Packages, Route};
use crate::template::Dialect;

pub struct Npm;

pub(super) const PUBLIC_REGISTRY: &str = "https://registry.npmjs.org/";

impl Rules for Npm {
    fn name(&self) -> &'static str {
        "npm"
    }

    fn label(&self) -> &'static str {
        "npm 11/12"
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

    fn dialect(&self) -> Dialect {
        Dialect::Npm
    }

    fn marker_file(&self) -> &'static str {
        ".npmrc"
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

    /// `getAuth` skips an empty value and tries the next key up (spec/npm.md §4-5, errata).
    fn empty_credential_walks_up(&self) -> bool {
        true
    }

    fn route(&self, model: &Model, packages: Packages) -> Route {
        let configured = configured_registry(model, &packages);
        let registry = configured.map(|v| v.value.render(Dialect::Npm).0);
        let url = RegistryUrl::parse(registry.as_deref().unwrap_or(PUBLIC_REGISTRY));
        let mut found = None;
        if let Some(url) = &url {
            // The packument request: `<registry>/<name>`, whose walk-up starts below the
            // registry.
            let mut request = url.clone();
            request.path = format!("{}/pkg", request.path.trim_end_matches('/'));
            found = npm_walk_up(&request).into_iter().find_map(|key| {
                let key = AuthKey::Url(key);
                let creds = model.auth.get(&key)?;
                creds.authenticates().then_some((key, creds))
            });
            // Legacy top-level auth: npm refuses the file; `npm config fix` would move it to
            // the default registry, which is what the user meant.
            if found.is_none() && configured == model.registry.as_ref() {
                found = model
                    .auth
                    .get_key_value(&AuthKey::Fallback)
                    .filter(|(_, c)| c.authenticates())
                    .map(|(k, c)| (k.clone(), c));
            }
        }
        npm_style_route(packages, registry, found)
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

    fn tarball_credentials(&self, req: &TarballRequest) -> (Option<Authorization>, String) {
        match req.credentials_by_key(false) {
            Some((k, a)) => (a, format!("`{k}` matches the tarball URL")),
            None if req.tarball.host == req.registry.host => (
                req.route.authorization.clone(),
                "same host as the package's registry: npm falls back to the registry's credentials".into(),
            ),
            None => (
                None,
                "another host, and no key matches it: npm sends nothing; npm 12 refuses such tarballs unless allow-remote=all".into(),
            ),
        }
    }

    fn one_proxy_for_both_schemes(&self) -> bool {
        true
    }

    /// Kept for Yarn 1, which shares the `.npmrc`; npm ignores it.
    fn keeps_global_always_auth_for_yarn_classic(&self) -> bool {
        true
    }

    /// npm 9+ stops on top-level `_auth`/`_authToken`/... (ERR_INVALID_AUTH).
    fn refuses_setting(&self, path: &[String]) -> bool {
        matches!(path, [key] if crate::formats::npmrc::LEGACY_TOP_LEVEL.contains(&key.as_str()))
    }

    fn fix_command(&self, code: Code, _dir: &std::path::Path, dir_arg: &str) -> Option<String> {
        (code == Code::NpmLegacyTopLevelAuth).then(|| {
            format!(
                "run `pmrc doctor --fix --write{dir_arg}` (keys it to its registry, as `npm config fix` does)"
            )
        })
    }

    fn fixes_legacy_top_level_auth(&self) -> bool {
        true
    }
}
