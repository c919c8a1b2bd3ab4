//! pnpm 10, 11 and 12 (spec/pnpm-bun-deno.md §1): which files each major reads (10: `.npmrc`
//! only; 11/12: `pnpm-workspace.yaml`, `auth.ini`, `config.yaml` and registry/auth keys of
//! `.npmrc`), the workspace root, `${VAR}` credentials ignored in a project `.npmrc`, scope
//! tokens, and how the major is settled from the project.

use crate::diagnostics::Code;
use crate::env_config::{self, EnvRead, RcFile};
use std::path::{Path, PathBuf};

use super::{FileSpec, Manager, Place, Rules, TarballRequest, WrittenAs, npm_style_route, spec};
use crate::discover::ConfigFile;
use crate::error::{Error, Result};
use crate::formats::{Format, SettingValue};
use crate::model::{AuthKey, Credentials, Level, Model, Origin, Value};
use crate::registry_url::RegistryUrl;
use crate::resolve::{Authorization, Lookup, Packages, Route, UrlUserinfo};
use crate::template::{Dialect, Piece, Template};
use crate::warning::Warning;

mod credentials;
mod v10_load;
mod workspace;

/// The pnpm majors pmrc knows the rules of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PnpmMajor {
    V10,
    V11,
    V12,
}

impl PnpmMajor {
    /// The newest major, used when a project does not name one.
    pub const NEWEST: PnpmMajor = PnpmMajor::V12;
    pub const ALL: [PnpmMajor; 3] = [PnpmMajor::V10, PnpmMajor::V11, PnpmMajor::V12];

    /// `"11"` → 11; `None` for a major pmrc does not know.
    pub fn from_major(major: &str) -> Option<PnpmMajor> {
        match major {
            "10" => Some(PnpmMajor::V10),
            "11" => Some(PnpmMajor::V11),
            "12" => Some(PnpmMajor::V12),
            _ => None,
        }
    }

    pub fn number(self) -> u8 {
        match self {
            PnpmMajor::V10 => 10,
            PnpmMajor::V11 => 11,
            PnpmMajor::V12 => 12,
        }
    }
}

pub struct Pnpm(pub PnpmMajor);

pub(super) const MARKER_FILE: &str = "pnpm-workspace.yaml";
const PUBLIC_REGISTRY: &str = super::npm::PUBLIC_REGISTRY;

impl Pnpm {
    /// A registry URL that is a `${VAR}` reference in the project `.npmrc` (spec
    /// pnpm-bun-deno.md §1.7, obs p15; the yaml's is `pnpm-yaml-env-reference`): pnpm 10 and
    /// 11 ignore it and fall back to the default registry (a scope then goes to the default
    /// registry); pnpm 12 stops every command with `ERR_PNPM_REGISTRY_ENV_NOT_EXPANDED`.
    /// pnpm 10/11 then take the setting from the files below (auth.ini, `~/.npmrc`), as if
    /// the line were not there; the line stays in the model only where nothing is below, for
    /// `show`, and routes skip it.
    fn env_registries(&self, merged: &Model, read: &mut Model, warnings: &mut Vec<Warning>) {
        let falls_through = self.0 != PnpmMajor::V12;
        let mut found: Vec<(String, Option<Origin>)> = Vec::new();
        if let Some(registry) = read.registry.as_ref().filter(|r| r.value.has_env()) {
            found.push(("the default registry".into(), registry.origin.clone()));
            if falls_through && merged.registry.is_some() {
                read.registry = None;
            }
        }
        // Looked through first and changed after: the read's maps are shared with every other
        // reader of the file until one of them is changed (issue 20).
        let mut fallen = Vec::new();
        for (name, scope) in &read.scopes {
            if let Some(registry) = scope.registry.as_ref().filter(|r| r.value.has_env()) {
                found.push((
                    format!("the {} registry", crate::model::scope_label(name)),
                    registry.origin.clone(),
                ));
                let below = merged.scopes.get(name).and_then(|s| s.registry.as_ref());
                if falls_through && below.is_some() {
                    fallen.push(name.clone());
                }
            }
        }
        for name in fallen {
            if let Some(scope) = read.scopes.get_mut(&name) {
                scope.registry = None;
            }
        }
        let user = if self.is_10() {
            ""
        } else {
            " or pnpm's auth.ini"
        };
        for (what, origin) in found {
            warnings.push(if self.0 == PnpmMajor::V12 {
                Warning::error(
                    Code::PnpmEnvRegistryStops,
                    format!(
                        "{what} is an environment reference in a project file: pnpm 12 stops every command here (ERR_PNPM_REGISTRY_ENV_NOT_EXPANDED); write the URL itself, or put the reference in pnpm's global config.yaml (`registry: ${{VAR}}`) or ~/.npmrc"
                    ),
                    origin,
                )
            } else {
                Warning::new(
                    Code::PnpmEnvRegistryIgnored,
                    format!(
                        "{what} is an environment reference in a project file, which {} ignores (it takes the value from ~/.npmrc{user}, or else the default registry); write the URL itself, or put the reference in ~/.npmrc{user}",
                        self.label(),
                    ),
                    origin,
                )
            });
        }
    }

    fn is_10(&self) -> bool {
        self.0 == PnpmMajor::V10
    }
}

impl Rules for Pnpm {
    fn npmrc_is_its_own_config(&self) -> bool {
        true
    }

    fn reads_variable(&self, name: &str) -> Option<EnvRead> {
        if let Some(rest) = env_config::strip_prefix_ignore_case(name, "npm_config_") {
            let key = env_config::npm_env_key(rest);
            // `@ACME` of `NPM_CONFIG_@ACME:REGISTRY`, as the name writes it.
            let scope_as_named = rest.split(':').next().unwrap_or_default();
            return Some(match (self.is_10(), key.as_str()) {
                (true, k) if k.starts_with("//") => EnvRead::Ignored(
                    "pnpm 10 lower-cases the key and turns `_` into `-`, so a registry's credential from the environment is dead".into(),
                ),
                // Real pnpm 10.34.9 took `NPM_CONFIG_@acme:REGISTRY` and sent nothing to
                // `NPM_CONFIG_@ACME:registry`'s registry (from a trial): the scope keeps the
                // case it is written in, and no package's scope is upper-case.
                (true, k) if k.starts_with('@') && scope_as_named.chars().any(|c| c.is_ascii_uppercase()) => {
                    EnvRead::Ignored(format!(
                        "pnpm 10 keeps the scope's case from the variable's name, and package scopes are lower-case, so it matches no package; name it {}",
                        name.replace(scope_as_named, &scope_as_named.to_ascii_lowercase())
                    ))
                }
                // Real pnpm 10.34.9 sent `NPM_CONFIG__AUTHTOKEN` to `NPM_CONFIG_REGISTRY`'s
                // registry (pinned there, `pin_variables_unkeyed_credentials`).
                (true, "_authtoken") => EnvRead::Setting("_authToken".into()),
                (true, _) | (false, "userconfig") => EnvRead::Setting(key),
                (false, k) if k.starts_with("//") => EnvRead::Setting(key),
                (false, _) => EnvRead::Ignored(
                    "pnpm 11 and 12 ignore npm_config_* except a registry's credential (`//…`) and userconfig; use pnpm_config_*".into(),
                ),
            });
        }
        let rest = env_config::strip_prefix_ignore_case(name, "pnpm_config_")?;
        let key = env_config::npm_env_key(rest);
        Some(match (self.is_10(), key.as_str()) {
            (true, _) => EnvRead::Ignored("pnpm 10 reads no pnpm_config_* variable".into()),
            // The structured `_auth` as JSON: registry URL → "@" or "@scope" → {authToken},
            // routes and tokens alike.
            (false, "_auth") => EnvRead::Json("_auth".into()),
            // Real pnpm 11.28.11 and 12.21.0 sent no `PNPM_CONFIG__AUTHTOKEN`, with
            // `PNPM_CONFIG_REGISTRY` set or not.
            (false, "_authtoken") => EnvRead::Ignored(
                "pnpm 11 and 12 take no unkeyed token from a variable; key it by registry (pnpm_config_//host/path/:_authToken) or give it in pnpm_config__auth".into(),
            ),
            (false, k) if k.starts_with('@') => EnvRead::Ignored(
                "pnpm 11 and 12 take no scope's registry from a variable except through pnpm_config__auth".into(),
            ),
            (false, _) => EnvRead::Setting(key),
        })
    }
    fn pin_variables_unkeyed_credentials(&self, layer: &mut Model) {
        credentials::pin_unscoped(layer, PUBLIC_REGISTRY);
    }
    fn variable_rank(&self, name: &str) -> u8 {
        // pnpm 11/12's credentials: the structured `_auth` over `pnpm_config_//…` over
        // `npm_config_//…` (spec/pnpm-bun-deno.md §1.4).
        let lower = name.to_ascii_lowercase();
        if lower == "pnpm_config__auth" {
            2
        } else if lower.starts_with("pnpm_config_") {
            1
        } else {
            0
        }
    }
    fn env_form(
        &self,
        routes: &[Route],
    ) -> std::result::Result<crate::env_config::EnvForm, String> {
        if self.is_10() {
            if routes.iter().any(|r| r.authorization.is_some()) {
                return Err("pnpm 10 ignores `npm_config_//host/:_authToken` (it lower-cases the key) and reads no other credential variable".into());
            }
            return Ok(crate::env_config::EnvForm {
                variables: env_config::npm_style_variables("npm_config_", routes, PUBLIC_REGISTRY)?,
                warnings: Vec::new(),
            });
        }
        pnpm_auth_json(routes)
    }
    fn env_rc_file(&self) -> Option<RcFile> {
        Some(RcFile::user_npmrc(super::Manager::Pnpm(self.0)))
    }
    fn programs(&self) -> &'static [&'static str] {
        &["pnpm", "pnpx"]
    }

    fn setup_action(&self) -> Option<super::SetupAction> {
        Some(super::SetupAction {
            action: "pnpm/action-setup",
            version_input: "version",
        })
    }

    fn family(&self) -> &'static str {
        "pnpm"
    }

    fn name(&self) -> &'static str {
        match self.0 {
            PnpmMajor::V10 => "pnpm@10",
            PnpmMajor::V11 => "pnpm@11",
            PnpmMajor::V12 => "pnpm@12",
        }
    }

    fn on_registry_url_without_scheme(&self) -> &'static str {
        match self.0 {
            PnpmMajor::V12 => "stops after about a minute, sending nothing",
            PnpmMajor::V10 | PnpmMajor::V11 => "stops at once, sending nothing",
        }
    }

    /// pnpm 10 bundles ini 1.3.8 (`[s] ` is a key); pnpm 12's own reader skips section
    /// lines and reads the keys after them (spec obs e07), and keeps inline comments and
    /// backslashes in values (obs e03): real 10.34.9, 11.28.11 and 12.21.0 against a loopback
    /// registry, and 12.21.0's `config get`.
    fn credentials_sent(&self, written: &Credentials) -> Option<Credentials> {
        self.is_10()
            .then(|| credentials::pnpm10_sent(written))
            .flatten()
    }

    fn npmrc_dialect(&self) -> crate::formats::npmrc::IniDialect {
        use crate::formats::npmrc::IniDialect;
        match self.0 {
            PnpmMajor::V10 => IniDialect::Ini138,
            PnpmMajor::V11 => IniDialect::Npm,
            PnpmMajor::V12 => IniDialect::Pnpm12,
        }
    }

    fn label(&self) -> &'static str {
        match self.0 {
            PnpmMajor::V10 => "pnpm 10",
            PnpmMajor::V11 => "pnpm 11",
            PnpmMajor::V12 => "pnpm 12",
        }
    }

    fn sources(&self) -> Vec<FileSpec> {
        use Format::{Npmrc, PnpmWorkspace};
        use Place::{Home, PnpmConfig, Project, WorkspaceMember};
        if self.is_10() {
            // `<cfg>/rc` < `~/.npmrc` < root `.npmrc` < member `.npmrc`.
            vec![
                spec("rc", Npmrc, PnpmConfig),
                spec(".npmrc", Npmrc, Home),
                spec(".npmrc", Npmrc, Project),
                spec(".npmrc", Npmrc, WorkspaceMember),
                spec("pnpm-workspace.yaml", PnpmWorkspace, Project),
            ]
        } else {
            // Routing from the yaml first, then config.yaml, the root `.npmrc`, auth.ini,
            // `~/.npmrc`; a member's `.npmrc` is not read.
            vec![
                spec(".npmrc", Npmrc, Home),
                spec("auth.ini", Npmrc, PnpmConfig),
                spec(".npmrc", Npmrc, Project),
                spec("config.yaml", PnpmWorkspace, PnpmConfig),
                spec("pnpm-workspace.yaml", PnpmWorkspace, Project),
            ]
        }
    }

    fn targets(&self) -> Vec<FileSpec> {
        use Format::{Npmrc, PnpmWorkspace};
        use Place::{Home, PnpmConfig, Project};
        if self.is_10() {
            // pnpm 10 reads everything from `.npmrc`; its yaml `registries` would replace the
            // `.npmrc` scopes, so 10 gets no routing in the yaml. The yaml is still a target
            // so that what pnpm 10 refuses there (URL-keyed `registries`) can be taken out.
            vec![
                spec(".npmrc", Npmrc, Project),
                spec(".npmrc", Npmrc, Home),
                spec("pnpm-workspace.yaml", PnpmWorkspace, Project),
            ]
        } else {
            vec![
                spec(".npmrc", Npmrc, Project),
                spec("pnpm-workspace.yaml", PnpmWorkspace, Project),
                spec("auth.ini", Npmrc, PnpmConfig),
            ]
        }
    }

    /// pnpm 10 and 11 request `/npm/left-pad` under `https://h/npm/?channel=beta`; pnpm 12
    /// keeps the query (from a real run: pnpm 10.34.9, 11.28.11, 12.21.0).
    fn keeps_registry_query(&self) -> bool {
        self.0 == PnpmMajor::V12
    }

    /// pnpm 10 sends Basic of the userinfo as written, 12 decoded, both over a matching key;
    /// 11 fails (spec/pnpm-bun-deno.md §2.1; conformance `npm_registry_userinfo_*_to_pnpm*`).
    fn url_userinfo(&self) -> UrlUserinfo {
        match self.0 {
            PnpmMajor::V11 => UrlUserinfo::Fails,
            major => UrlUserinfo::Basic {
                decoded: major == PnpmMajor::V12,
                over_keys: true,
                empty_user_is_bearer: false,
                to_tarballs: false,
            },
        }
    }
    fn dialect(&self) -> Dialect {
        if self.is_10() {
            Dialect::Pnpm10
        } else {
            Dialect::Npm
        }
    }

    /// Values read from its user files may hold pnpm's defaults, shown as written.
    fn shown_dialect_at(&self, _origin: Option<&crate::model::Origin>) -> Dialect {
        Dialect::PnpmUser
    }

    fn marker_file(&self) -> &'static str {
        MARKER_FILE
    }

    fn lockfiles(&self) -> &'static [&'static str] {
        &["pnpm-lock.yaml"]
    }

    /// pnpm finds its workspace root by its `pnpm-workspace.yaml`.
    fn marker_roots_its_folder(&self) -> bool {
        true
    }

    fn public_registry(&self) -> &'static str {
        PUBLIC_REGISTRY
    }

    fn written_as(&self) -> WrittenAs {
        WrittenAs::Npmrc
    }

    /// pnpm works from the workspace root, the nearest ancestor with `pnpm-workspace.yaml`;
    /// the note is about the member's own `.npmrc` (pnpm 10 reads it and lets it win; 11/12
    /// ignore it). pnpm 11 and 12 run in a package that file does not list work from the
    /// package alone.
    fn workspace_root(&self, dir: &Path) -> Option<(PathBuf, Option<Warning>)> {
        // From the absolute path: above a relative `packages/a` the root would be named ``
        // (from a review: "the workspace root , where …").
        let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let Some(root) = absolute
            .ancestors()
            .find(|d| d.join(MARKER_FILE).is_file())
            .filter(|root| *root != absolute)
            .filter(|root| self.is_10() || workspace::takes_package(root, &absolute))
        else {
            return Some((dir.to_path_buf(), None));
        };
        let member_npmrc = dir.join(".npmrc");
        let note = member_npmrc.is_file().then(|| {
            let message = if self.is_10() {
                format!(
                    "pnpm 10 reads this workspace member's .npmrc over the root's ({})",
                    root.display()
                )
            } else {
                format!(
                    "{} ignores a workspace member's .npmrc: only the root's ({}) counts, so its settings are not used",
                    self.label(),
                    root.display()
                )
            };
            Warning::new(
                Code::PnpmMemberNpmrc,
                message,
                Some(Origin {
                    file: Origin::shared(&member_npmrc),
                    line: 1,
                    level: Level::Project,
                }),
            )
        });
        Some((root.to_path_buf(), note))
    }

    /// In the user file only: a project `.npmrc`'s `${VAR}` keys are ignored, as its `${VAR}`
    /// credentials are (conformance `pnpm_variable_in_credential_key`, pnpm 10.34, 11.28 and
    /// 12.21 alike).
    fn expands_variables_in_keys(&self, level: Level) -> bool {
        level == Level::User
    }

    /// pnpm 10 fails to load an `.npmrc` (user, project or workspace alike) whose key or
    /// value references an unset variable ("Failed to replace env"), and goes on without the
    /// file; 11 and 12 read it as empty (spec pnpm-bun-deno.md, obs a16; real pnpm 10.34.9
    /// drops a project `.npmrc` too). `None` for a file pnpm 10 drops in any environment
    /// (`${VAR?}`): reading it says so already (`pnpm10-drops-file`).
    fn drops_file_here(
        &self,
        format: Format,
        _level: Level,
        text: &str,
        is_set: &dyn Fn(&str) -> bool,
    ) -> Option<super::DroppedFile> {
        if !self.is_10() || format != Format::Npmrc {
            return None;
        }
        if v10_load::failure_everywhere(text).is_some() {
            return None;
        }
        let failure = v10_load::first_failure(text, is_set)?;
        Some(super::DroppedFile {
            variable: failure.variable?,
            error: failure.error,
            line: failure.line,
        })
    }

    fn adjust_file(
        &self,
        file: &ConfigFile,
        merged: &mut Model,
        read: &mut Model,
        warnings: &mut Vec<Warning>,
    ) -> Result<()> {
        if file.level == Level::User {
            read_defaults(read);
        }
        // pnpm 10 drops the whole file over a reference it can never replace, its
        // registries included (errata).
        let dropped_everywhere = match (&file.text, file.format) {
            (Some(text), Format::Npmrc) if self.is_10() => v10_load::failure_everywhere(text),
            _ => None,
        };
        if let Some(failure) = dropped_everywhere {
            warnings.push(Warning::new(
                Code::Pnpm10DropsFile,
                format!(
                    "pnpm 10 ignores this whole file, whatever the environment: line {} fails with \"{}\"; {}",
                    failure.line, failure.error, failure.mend
                ),
                Some(Origin {
                    file: Origin::shared(&file.path),
                    line: failure.line,
                    level: file.level,
                }),
            ));
            *read = Model::default();
            return Ok(());
        }
        if file.format == Format::Npmrc {
            credentials::pin_unscoped(read, PUBLIC_REGISTRY);
        }
        if file.level == Level::Project {
            ignore_proxy_references(read, warnings);
        }
        if file.format == Format::PnpmWorkspace {
            self.yaml_cafile(merged, read, warnings);
        }
        match file.format {
            // pnpm 10 ignores `registry:` in the yaml, and its `registries` map replaces the
            // scopes `.npmrc` declared.
            Format::PnpmWorkspace if self.is_10() => {
                let held = file
                    .text
                    .as_deref()
                    .map(|t| file.format.settings(t))
                    .transpose();
                let held = held.map_err(|e| e.in_file(&file.path))?.unwrap_or_default();
                let has = |path: &[&str]| held.iter().any(|s| s.path[..] == *path);
                if let Some(s) = held
                    .iter()
                    .find(|s| s.path.len() == 3 && s.path[0] == "registries")
                {
                    warnings.push(Warning::error(
                        Code::Pnpm10UrlKeyedRegistries,
                        format!(
                            "`registries` uses the URL-keyed declarations of pnpm 11.23+ (`{}`): pnpm 10 stops every command with \"`registry` should be a string\"",
                            s.path[1]
                        ),
                        Some(Origin {
                            file: Origin::shared(&file.display),
                            line: s.line,
                            level: file.level,
                        }),
                    ));
                }
                if has(&["registry"]) {
                    warnings.push(Warning::new(
                        Code::Pnpm10IgnoresYamlRegistry,
                        "pnpm 10 ignores `registry:` in pnpm-workspace.yaml (use `registries: { default: ... }` or .npmrc)",
                        read.registry.as_ref().and_then(|r| r.origin.clone()),
                    ));
                    if !has(&["registries", "default"]) {
                        read.registry = None;
                    }
                }
                if held.iter().any(|s| s.path[0] == "registries") && !merged.scopes.is_empty() {
                    // Only a scope the yaml does not route alike is lost: the yaml listing
                    // every one (as the migration to pnpm 11/12 writes it) changes nothing.
                    let lost: Vec<(&String, &Value)> = merged
                        .scopes
                        .iter()
                        .filter_map(|(name, scope)| Some((name, scope.registry.as_ref()?)))
                        .filter(|(name, registry)| {
                            let in_yaml = read.scopes.get(*name).and_then(|s| s.registry.as_ref());
                            !in_yaml.is_some_and(|y| same_registry(&y.value, &registry.value))
                        })
                        .collect();
                    if let Some((_, first)) = lost.first() {
                        let names: Vec<String> =
                            lost.iter().map(|(name, _)| format!("@{name}")).collect();
                        warnings.push(Warning::new(
                            Code::Pnpm10YamlRegistriesReplaceScopes,
                            format!(
                                "pnpm 10 takes `registries` from pnpm-workspace.yaml instead of every `@scope:registry` in .npmrc, so the .npmrc's {} {} not used (the yaml does not route {} there)",
                                names.join(", "),
                                if names.len() == 1 { "is" } else { "are" },
                                if names.len() == 1 { "it" } else { "them" },
                            ),
                            first.origin.clone(),
                        ));
                    }
                    merged.scopes.clear();
                }
            }
            // pnpm 11/12 refuse a `registries` map holding both shapes (real pnpm 11.28 and
            // 12.21: ERR_PNPM_INVALID_SETTING, "mixes registry declarations with `<scope>:
            // <url>` entries").
            Format::PnpmWorkspace => {
                if let Some(warning) = mixed_registries(file)? {
                    warnings.push(warning);
                }
            }
            // pnpm ignores `${VAR}` credentials in a project `.npmrc`; they must not hide the
            // same key's usable value from auth.ini or ~/.npmrc.
            Format::Npmrc if file.level == Level::Project => {
                let keep = |key: &AuthKey, creds: &Credentials| {
                    usable(creds) || !merged.auth.get(key).is_some_and(usable)
                };
                if !read.auth.iter().all(|(key, creds)| keep(key, creds)) {
                    read.auth.retain(|key, creds| keep(key, creds));
                }
                self.env_registries(merged, read, warnings);
            }
            _ => {}
        }
        Ok(())
    }

    fn after_merge(&self, model: &Model, warnings: &mut Vec<Warning>) {
        if self.0 == PnpmMajor::V12 {
            warnings.extend(credentials::slash_twins_either(model, self.label()));
        }
        if !self.is_10() {
            warnings.extend(credentials::undecodable_basic_auth(
                model,
                self.0,
                self.label(),
            ));
        }
        for creds in model.auth.values().filter(|c| !usable(c)) {
            warnings.push(Warning::new(
                Code::PnpmProjectEnvCredentialIgnored,
                format!(
                    "{} ignores this credential: it is an environment reference in a project .npmrc (put it in ~/.npmrc{} instead)",
                    self.label(),
                    if self.is_10() { "" } else { " or the pnpm auth.ini" }
                ),
                creds.origin().cloned(),
            ));
        }
    }

    fn uses_credentials(&self, credentials: &Credentials) -> bool {
        usable(credentials)
    }

    /// The longest configured `//host[:port]/path` prefix of the request, then the same walk
    /// without the port; project `.npmrc` credentials that are `${VAR}` are skipped.
    fn route(&self, model: &Lookup<'_>, packages: Packages) -> Route {
        // A `${VAR}` registry in a project file is ignored (10/11) or stops pnpm (12): the
        // scope falls back to the default registry, and that to the public one.
        let readable = |v: &&Value| !(v.level() == Level::Project && v.value.has_env());
        let configured = match &packages {
            Packages::Scope(s) => model
                .scopes
                .get(s)
                .and_then(|s| s.registry.as_ref())
                .filter(readable),
            Packages::Unscoped => None,
        }
        .or(model.registry.as_ref().filter(readable));
        let registry = configured.map(|v| v.value.render(Dialect::PnpmUser).0);
        let effective = registry.as_deref().unwrap_or(PUBLIC_REGISTRY);
        let url = RegistryUrl::parse(effective).map(|url| match self.0 {
            PnpmMajor::V12 => url.with_host_case_of(effective),
            _ => url,
        });
        // pnpm 11/12 try a scope's own token first: `//host/path/:@scope:_authToken`, or the
        // same written `//host/path/@scope/:_authToken` on the registry's walk up.
        let mut found = match &packages {
            Packages::Scope(s) if self.reads_scope_tokens() => model
                .scope_credential(s)
                .filter(|(_, c)| c.authenticates() && usable(c))
                .map(|(k, c)| (k.clone(), c))
                .or_else(|| {
                    url.as_ref()
                        .and_then(|u| credentials::path_scope_token(model, u, s))
                }),
            _ => None,
        };
        if let (None, Some(url)) = (&found, url) {
            // The walk up the request's path, then the same without the port. pnpm 10 takes
            // no key without its trailing slash for a packument (`//h/npm:_authToken`; spec
            // §2 a18, and a review's real pnpm 10.34 sent nothing where 11/12 sent it).
            let accept = |c: &Credentials| c.authenticates() && usable(c);
            let key_tried = |key: &str| !self.is_10() || key.ends_with('/');
            let walk = |host: &str| {
                crate::resolve::packument_walk_up_keys(model, (host, url.path()), accept, key_tried)
            };
            found = walk(url.host()).or_else(|| {
                (url.hostname() != url.host())
                    .then(|| walk(url.hostname()))
                    .flatten()
            });
            if self.0 == PnpmMajor::V11
                && let Some((AuthKey::Url(key), creds)) = &found
                && let Some((twin, twin_creds)) = credentials::later_slash_twin(key, creds, |k| {
                    model
                        .credential(&AuthKey::Url(k.to_string()))
                        .map(|(_, c)| c)
                })
            {
                found = Some((AuthKey::Url(twin), twin_creds));
            }
        }
        let pnpm10_order = found
            .as_ref()
            .filter(|_| self.is_10())
            .and_then(|(_, creds)| credentials::pnpm10_authorization(creds));
        let mut route = npm_style_route(packages, registry, found).read_from(configured);
        if let Some((authorization, origin)) = pnpm10_order {
            route.authorization = Some(authorization);
            route.credential_origin = origin;
        }
        route
    }

    fn reads_scope_tokens(&self) -> bool {
        !self.is_10()
    }

    /// pnpm 12 matches keys with the registry host's case as written (see `route`): a
    /// registry spelled with upper case gets its key so (from a review: the conversion only
    /// said `credentials-differ`).
    fn npmrc_key_for(&self, registry: &str) -> Option<String> {
        if self.0 != PnpmMajor::V12 || !registry.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        RegistryUrl::parse(registry).map(|url| url.with_host_case_of(registry).registry_nerf_dart())
    }

    fn reads_workspace_yaml_routing(&self) -> bool {
        !self.is_10()
    }

    /// pnpm 10.34 stops on pnpm 11.23+'s URL-keyed `registries` ("`registry` should be a
    /// string", errata).
    fn refuses_setting(
        &self,
        file: &ConfigFile,
        path: &[String],
        value: &SettingValue,
    ) -> Option<&'static str> {
        if self.is_10() && matches!(path, [r, _, f] if r == "registries" && f == "scopes") {
            return Some("write the scopes as `registries: { \"@scope\": url }` and convert again");
        }
        // The URL-keyed entries of a mixed map go, and the scope entries left would hide every
        // `@scope:registry` the routing moves to `.npmrc` (pnpm 10 takes the yaml's map
        // instead): the whole map goes.
        if self.is_10()
            && matches!(path, [r, _] if r == "registries")
            && mixed_registries(file).is_ok_and(|mixed| mixed.is_some())
        {
            return Some(
                "write `registries` as the scope map alone (`default:` and `\"@scope\":` keys) and convert again",
            );
        }
        // pnpm 12 stops on a `${VAR}` registry in a project file (obs p15, r04).
        let registry_key = match path {
            [key] => key == "registry" || key.ends_with(":registry"),
            [r, ..] => r == "registry" || r == "registries",
            [] => false,
        };
        let env = matches!(value, SettingValue::Scalar(v) if v.contains("${"));
        (self.0 == PnpmMajor::V12 && file.level == Level::Project && registry_key && env).then_some(
            "write the registry URL itself instead of the variable, or move it to pnpm's global config.yaml or ~/.npmrc (pnpm 12 expands variables there), and convert again",
        )
    }

    fn credential_reason(&self, route: &Route) -> String {
        match &route.credential_key {
            None => "no credentials: no configured key matches the request URL or any parent path"
                .into(),
            Some(AuthKey::Url(k)) if matches!(&route.packages, Packages::Scope(s) if k.ends_with(&format!("/@{s}/"))) =>
            {
                format!(
                    "`{k}` is pnpm's scope token in its path form (pnpm 11/12 read it as `…/:@scope:_authToken`)"
                )
            }
            Some(AuthKey::Url(k)) => format!(
                "`{k}` is the longest configured key matching the request (pnpm also tries it without the port)"
            ),
            Some(AuthKey::Scope(s)) => format!("pnpm's scope token for @{s} on this registry"),
            Some(k) => format!("credentials at {k}"),
        }
    }

    /// A scope's own token goes with its tarballs on the registry's origin (conformance
    /// `yarn_per_scope_tokens_to_pnpm12_user`; on another origin pmrc assumes the key walk
    /// decides, as for any tarball); then the longest key matching the tarball URL, with and
    /// without the port, skipping what pnpm ignores (conformance `pnpm*_env_token_ignored`).
    fn tarball_credentials(&self, req: &TarballRequest) -> (Option<Authorization>, String) {
        if let (Some(AuthKey::Scope(s)), true) = (&req.route.credential_key, req.same_origin()) {
            return (
                req.route.authorization.clone(),
                format!("pnpm's scope token for @{s}, on the registry's origin"),
            );
        }
        let found = req.credentials_by_key(true, usable).map(|(k, a)| {
            let twin = (self.0 == PnpmMajor::V11)
                .then(|| {
                    let creds = req.model.auth.get(&AuthKey::Url(k.clone()))?;
                    credentials::later_slash_twin(&k, creds, |t| {
                        req.model.auth.get(&AuthKey::Url(t.to_string()))
                    })
                })
                .flatten();
            match twin {
                Some((twin, creds)) => (twin, crate::resolve::npm_authorization(creds)),
                None => (k, a),
            }
        });
        match found {
            Some((k, a)) => {
                let a = match req.model.auth.get(&AuthKey::Url(k.clone())) {
                    Some(creds) if self.is_10() => credentials::pnpm10_authorization(creds)
                        .map(|(a, _)| a)
                        .or(a),
                    _ => a,
                };
                (a, format!("`{k}` matches the tarball URL"))
            }
            None => (
                None,
                "no configured key that pnpm uses matches the tarball URL, so pnpm sends nothing"
                    .into(),
            ),
        }
    }

    /// A pnpm scope token no other manager reads stays in `.npmrc`, where it is harmless to
    /// them and still serves pnpm.
    fn keeps_unused_scope_tokens(&self) -> bool {
        true
    }

    /// pnpm 10 sends every request through `https-proxy`, else `proxy`, as npm does (from a
    /// trial: real pnpm 10.34.9 sent an http registry's requests through `https-proxy` with
    /// `proxy` set too); 11 and 12 take `httpProxy`/`httpsProxy` per scheme from the yaml.
    fn proxy_per_scheme(&self) -> bool {
        !self.is_10()
    }

    fn one_proxy_for_both_schemes(&self) -> bool {
        self.is_10()
    }

    fn expands_project_registry_references(&self) -> bool {
        false
    }

    fn project_proxy_reference_ignored(&self) -> Option<&'static str> {
        Some(if self.is_10() {
            "put it in ~/.npmrc, or set HTTPS_PROXY/HTTP_PROXY where it runs"
        } else {
            "put it in pnpm's global config.yaml (~/.config/pnpm/config.yaml), or set HTTPS_PROXY/HTTP_PROXY where it runs"
        })
    }

    fn user_credentials_file(&self) -> Option<&'static str> {
        Some(if self.is_10() {
            "~/.npmrc"
        } else {
            "~/.config/pnpm/auth.ini ($XDG_CONFIG_HOME/pnpm/auth.ini when XDG_CONFIG_HOME is set)"
        })
    }

    fn fix_command(&self, code: Code, _dir: &Path, dir_arg: &str) -> Option<String> {
        if code == Code::Pnpm10UrlKeyedRegistries {
            return Some(format!(
                "run `pmrc convert --from pnpm@11 --to pnpm@10 --write{dir_arg}` (the routing goes to .npmrc and the block out of the yaml)"
            ));
        }
        (code == Code::PnpmProjectEnvCredentialIgnored).then(|| {
            format!(
                "run `pmrc convert --from npm --to {} --user --write{dir_arg}` (copies it into pnpm's user-level {}), then check with `pmrc doctor --user{dir_arg}`",
                self.name(),
                if self.is_10() { "~/.npmrc" } else { "auth.ini" }
            )
        })
    }

    fn fix_copies_credentials_from(&self, code: Code) -> Option<Manager> {
        (code == Code::PnpmProjectEnvCredentialIgnored).then_some(Manager::Npm)
    }

    fn ci_credential_variable(&self, npmrc_key: &str) -> Option<String> {
        (!self.is_10()).then(|| format!("pnpm_config_{npmrc_key}"))
    }

    /// pnpm ignores package.json's `workspaces`: run in a member of such a root, it works
    /// from the root only where pnpm-workspace.yaml lists the member in `packages` (real pnpm
    /// 12.21.0 and 11.28.11 in `packages/a` under a yaml with `registries` alone requested
    /// registry.npmjs.org and read none of the root's `.npmrc`; with `packages` they sent what
    /// npm sends, and ignored the member's own `.npmrc` as npm does). pnpm 10 reads the root's
    /// `.npmrc` below any yaml there, but without one it went to registry.npmjs.org too (real
    /// pnpm 10.34.9).
    fn projects_to_list(
        &self,
        dir: &Path,
        file: &ConfigFile,
        text: Option<&str>,
    ) -> Option<Vec<String>> {
        if file.level != Level::Project
            || file.path.file_name() != Some(std::ffi::OsStr::new(MARKER_FILE))
        {
            return None;
        }
        // A file pmrc cannot read: reading it says what is wrong.
        let lists_none =
            |text: &str| crate::formats::pnpm_workspace::packages(text).is_ok_and(|p| p.is_none());
        match text {
            None => {}
            Some(text) if !self.is_10() && lists_none(text) => {}
            Some(_) => return None,
        }
        let patterns = super::workspaces::declared_in(dir);
        (!patterns.is_empty()).then_some(patterns)
    }

    fn target_warnings(&self, dir: &Path, from: Manager, written: &Model) -> Result<Vec<Warning>> {
        // Without a pnpm-workspace.yaml, pnpm run in a package.json workspace's member takes
        // it for a project of its own and reads its `.npmrc` (from a trial: real pnpm 10, 11
        // and 12 in `packages/a` sent `@corp` to that file's registry, npm to the root's);
        // pnpm 10 reads a listed member's own too (from a review).
        // pnpm 11/12 in a package.json workspace's member: the conversion lists the members
        // in pnpm-workspace.yaml (`projects_to_list`), and they then ignore the member's own
        // `.npmrc` as npm does (real pnpm 12.21.0; from a trial, this said pnpm 12 read it
        // over the root's, where without `packages` it read that file alone).
        let yaml = crate::discover::read_text(&dir.join(MARKER_FILE))?;
        // (`from` is the manager itself in doctor, which writes nothing.)
        // Only where the list can be written: a yaml pmrc cannot add it to (`---`, a flow
        // map) leaves the members projects of their own (from a review: this said pnpm 12
        // ignored the member's `.npmrc` beside workspace-projects-listed saying it read it).
        let listed_here = !self.is_10()
            && from != Manager::Pnpm(self.0)
            && super::workspaces::declares_workspaces(dir)
            && yaml.as_deref().is_none_or(|t| {
                crate::formats::pnpm_workspace::with_packages(
                    t,
                    &super::workspaces::declared_in(dir),
                )
                .is_some()
            });
        let members = if listed_here {
            None
        } else if yaml.is_none() {
            Some(super::workspaces::members(dir))
        } else if self.is_10() {
            Some(workspace::members(dir))
        } else {
            None
        };
        let apart = members.map_or_else(Vec::new, |members| {
            super::workspaces::member_npmrcs_read_apart(Manager::Pnpm(self.0), dir, members, from)
        });
        if self.is_10() {
            let mut out = url_keyed_registries_leave(dir, from)?;
            out.extend(apart);
            return Ok(out);
        }
        // Surely pnpm's when pnpm 10 read them, or when package.json says the project uses
        // pnpm; else they may be npm's own (`engine-strict`). The same answer in convert
        // and doctor, so the same finding has the same severity everywhere.
        let surely_pnpm = from == Manager::Pnpm(PnpmMajor::V10) || major_of_project(dir).is_some();
        let mut out = npmrc_settings_ignored(self, dir, surely_pnpm)?;
        // pnpm 10, the source, still reads the yaml: its `registries`, which the conversion
        // writes for the root's routes, replace a member's `.npmrc` scopes there.
        let yaml_routes_now = crate::discover::read_text(&dir.join("pnpm-workspace.yaml"))
            .ok()
            .flatten()
            .and_then(|text| Format::PnpmWorkspace.settings(&text).ok())
            .is_some_and(|held| held.iter().any(|s| s.path[0] == "registries"));
        let replaces_member_scopes = from == Manager::Pnpm(PnpmMajor::V10)
            && !yaml_routes_now
            && (written.registry.is_some()
                || written.scopes.values().any(|s| s.registry.is_some()));
        let members = if listed_here {
            super::workspaces::members(dir)
        } else {
            workspace::members(dir)
        };
        out.extend(member_npmrcs_ignored(
            self,
            dir,
            members,
            replaces_member_scopes,
        ));
        out.extend(apart);
        Ok(out)
    }
}

/// The `.npmrc` of each project a `pnpm-workspace.yaml` in `dir` lists, which pnpm 11 and 12
/// never read (pnpm 10 reads it run in the member, over the root's). From a trial: a
/// conversion from pnpm 10 to 11 at the root said nothing of one, and real pnpm 11 run in
/// the member then sent its scope to the root's registry with the root's token.
fn member_npmrcs_ignored(
    pnpm: &Pnpm,
    dir: &Path,
    members: Vec<PathBuf>,
    yaml_replaces_scopes: bool,
) -> Vec<Warning> {
    super::workspaces::member_npmrcs(dir, members)
        .map(|(member, shown)| {
            let member_dir = shown.parent().unwrap_or(Path::new("")).display();
            // From a trial: after pnpm 10 -> 11 at the root, real pnpm 10 in the member sent
            // its `@tools` package to the root's registry with the user's token.
            let pnpm10_too = if yaml_replaces_scopes
                && std::fs::read_to_string(member.join(".npmrc")).is_ok_and(|t| {
                    t.lines()
                        .any(|l| l.trim_start().starts_with('@') && l.contains(":registry"))
                }) {
                format!(
                    "; and pnpm 10, run in {member_dir}, takes the `registries` this conversion writes into pnpm-workspace.yaml instead of that file's scope registries, so it sends those scopes elsewhere than now"
                )
            } else {
                String::new()
            };
            super::workspaces::at_member_file(
                Code::PnpmMemberNpmrc,
                format!(
                    "{} ignores {}, a workspace member's .npmrc (pnpm 10 reads it run in {member_dir}): only this root's counts, so its settings are not used{pnpm10_too}",
                    pnpm.label(),
                    shown.display(),
                ),
                &shown,
            )
        })
        .collect()
}

/// Whether pnpm (10.34+, 11, 12) uses a credential: not when it is an environment reference
/// in a project `.npmrc` (it warns and sends nothing).
pub(super) fn usable(c: &Credentials) -> bool {
    !c.secrets()
        .chain(c.username.iter())
        .any(|v| v.level() == Level::Project && v.value.has_env())
}

/// The pnpm major `dir`'s package.json names (its `packageManager` or `engines`), if it
/// names one pmrc knows.
pub(super) fn named_major(dir: &Path) -> Option<PnpmMajor> {
    let (major, _) = major_of_project(dir)?;
    PnpmMajor::from_major(&major.to_string())
}

impl Pnpm {
    /// pnpm 10 and 12 take no `cafile` from pnpm-workspace.yaml or config.yaml; pnpm 11 does,
    /// under any `.npmrc`'s `cafile` or `ca` (real pnpm 10.34.9, 11.28.11 and 12.21.0
    /// against a loopback registry with its own CA: 11 alone trusted the yaml's file, and
    /// not with another `cafile` in `.npmrc`).
    fn yaml_cafile(&self, merged: &Model, read: &mut Model, warnings: &mut Vec<Warning>) {
        let Some(cafile) = read.tls.cafile.take() else {
            return;
        };
        let from_npmrc = |v: &Value| {
            v.origin
                .as_ref()
                .is_some_and(|o| o.file.extension().is_none_or(|e| e != "yaml"))
        };
        let npmrc_ca = merged
            .tls
            .cafile
            .as_ref()
            .filter(|v| from_npmrc(v))
            .is_some()
            || merged.tls.ca.iter().any(from_npmrc);
        if self.0 == PnpmMajor::V11 && !npmrc_ca {
            read.tls.cafile = Some(cafile);
            return;
        }
        let path = cafile.value.render(crate::template::Dialect::Npm).0;
        let why = match self.0 {
            PnpmMajor::V11 => {
                "pnpm 11 takes the `cafile` or `ca` of an .npmrc over this one".to_string()
            }
            major => format!(
                "pnpm {} reads no `cafile` from its yaml files",
                major.number()
            ),
        };
        // The `.npmrc` that would hold it is the one at the yaml's level.
        let npmrc = if cafile
            .origin
            .as_ref()
            .is_some_and(|o| o.level == Level::User)
        {
            if self.is_10() {
                "~/.npmrc"
            } else {
                "pnpm's auth.ini"
            }
        } else {
            "the project's .npmrc"
        };
        let message = if npmrc_ca {
            format!(
                "{why}, so the line does nothing (an .npmrc's CA is used); remove it, or make `{path}` that .npmrc's `cafile` if it is the CA to trust"
            )
        } else {
            format!("{why}; put `cafile={path}` in {npmrc}, where every pnpm major reads it")
        };
        warnings.push(Warning::new(
            Code::PnpmYamlCafileIgnored,
            message,
            cafile.origin,
        ));
    }
}

/// pnpm expands no variable in a proxy setting of the project's files: it goes without the
/// proxy (spec pnpm-bun-deno.md §1.7; from a trial: real pnpm 11.28.11 and 12.21.0 went
/// direct with `https-proxy=${PROXY_URL}` in `.npmrc` and `httpsProxy: ${PROXY_URL}` in the
/// yaml, the variable set, where npm used the proxy).
fn ignore_proxy_references(read: &mut Model, warnings: &mut Vec<Warning>) {
    for v in read.proxy.take_where(|v| v.value.as_literal().is_none()) {
        warnings.push(Warning::new(
            Code::PnpmEnvProxyIgnored,
            "pnpm ignores a proxy setting holding an environment variable in the project's files, and goes without it; put it in ~/.npmrc or pnpm's global config.yaml, or set HTTPS_PROXY/HTTP_PROXY where pnpm runs",
            v.origin,
        ));
    }
}

/// The pnpm major a project names in package.json (`packageManager`, or
/// `devEngines.packageManager`), with where it was found.
pub(super) fn major_of_project(dir: &Path) -> Option<(u8, String)> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    major_in(&json)
}

fn major_in(json: &serde_json::Value) -> Option<(u8, String)> {
    let major = |spec: &str| -> Option<u8> {
        let digits: String = spec
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    if let Some(spec) = json["packageManager"]
        .as_str()
        .and_then(|s| s.strip_prefix("pnpm@"))
    {
        return major(spec).map(|m| (m, format!("package.json packageManager \"pnpm@{spec}\"")));
    }
    let dev = &json["devEngines"]["packageManager"];
    let entries: Vec<&serde_json::Value> = match dev {
        serde_json::Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    entries.into_iter().find_map(|e| {
        (e["name"].as_str() == Some("pnpm"))
            .then(|| e["version"].as_str())
            .flatten()
            .and_then(|v| {
                major(v).map(|m| {
                    (
                        m,
                        format!("package.json devEngines.packageManager version \"{v}\""),
                    )
                })
            })
    })
}

/// pnpm's major from the project's package.json, else the newest; the note says which.
pub(super) fn settle(dir: &Path) -> Result<(Manager, Option<Warning>)> {
    // A package.json that does not parse is said, not taken for one naming no version.
    let path = dir.join("package.json");
    if let Ok(bytes) = std::fs::read(&path)
        && let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes)
    {
        let major = PnpmMajor::NEWEST.number();
        return Ok((
            Manager::Pnpm(PnpmMajor::NEWEST),
            Some(Warning::new(
                Code::PackageJsonUnreadable,
                format!(
                    "package.json does not parse ({e}), so pmrc cannot read the pnpm version there and uses the rules of pnpm {major}; name the version with pnpm@N"
                ),
                Some(Origin {
                    file: Origin::shared("package.json"),
                    line: e.line().max(1),
                    level: Level::Project,
                }),
            )),
        ));
    }
    let (major, why) = major_named_for(dir).unwrap_or((
        PnpmMajor::NEWEST.number(),
        "no pnpm version in package.json, so the newest".to_string(),
    ));
    let Some(settled) = PnpmMajor::from_major(&major.to_string()) else {
        return Err(Error::Usage(format!(
            "{why} asks for pnpm {major}; pmrc knows pnpm 10, 11 and 12 (name one with pnpm@N)"
        )));
    };
    let note = Warning::note(
        Code::PnpmVersion,
        format!("using the rules of pnpm {major} ({why})"),
        None,
    );
    Ok((Manager::Pnpm(settled), Some(note)))
}

/// The pnpm major the project's package.json names, or its workspace root's, and where.
pub(super) fn major_named_for(dir: &Path) -> Option<(u8, String)> {
    // A member's package.json seldom names the manager: the workspace root's does, which
    // Corepack then runs in the member.
    let above = || {
        let folder =
            super::package_manager_folder(dir).filter(|f| !crate::discover::same_folder(f, dir))?;
        let (major, why) = major_of_project(&folder)?;
        let file = super::package_json_named_from(dir, &folder);
        Some((
            major,
            format!(
                "{} in {file}, the nearest package.json that names a manager, as Corepack finds it",
                why.trim_start_matches("package.json ")
            ),
        ))
    };
    major_of_project(dir).or_else(above)
}

/// pnpm 11+ reads only auth, registry and network keys from `.npmrc`: everything else in the
/// project `.npmrc` (`node-linker`, `auto-install-peers`...) is silently ignored. Migrating a
/// pnpm project (pnpm 10's, or package.json names pnpm), these are surely pnpm's (a warning);
/// else they may be npm's own (a note).
fn npmrc_settings_ignored(pnpm: &Pnpm, dir: &Path, surely_pnpm: bool) -> Result<Vec<Warning>> {
    let path = dir.join(".npmrc");
    let Some(text) = crate::discover::read_text(&path)? else {
        return Ok(Vec::new());
    };
    let doc = crate::formats::npmrc::Document::parse(&text);
    Ok(doc
        .other_keys()
        .into_iter()
        .map(|(line, key)| {
            let yaml_key = camel_case(&key);
            let message = format!(
                "{} ignores `{key}` in .npmrc; if it is a pnpm setting, move it to pnpm-workspace.yaml as `{yaml_key}` (pmrc does not move settings it does not own)",
                pnpm.label()
            );
            let origin = Some(Origin {
                file: Origin::shared(".npmrc"),
                line,
                level: Level::Project,
            });
            if surely_pnpm {
                Warning::new(Code::PnpmNpmrcSettingIgnored, message, origin)
            } else {
                Warning::note(Code::PnpmNpmrcSettingIgnored, message, origin)
            }
        })
        .collect())
}

/// `node-linker` → `nodeLinker`, the spelling pnpm-workspace.yaml uses.
fn camel_case(key: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in key.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// pnpm 11/12's refusal of a `registries` map that mixes `<scope>: <url>` entries with
/// URL-keyed declarations (spec/pnpm-bun-deno.md §1.6: "they cannot be mixed").
fn mixed_registries(file: &ConfigFile) -> Result<Option<Warning>> {
    let Some(text) = file.text.as_deref().filter(|t| t.contains("registries")) else {
        return Ok(None);
    };
    let held = file
        .format
        .settings(text)
        .map_err(|e| e.in_file(&file.path))?;
    let in_registries = |len: usize| {
        held.iter()
            .find(|s| s.path.len() == len && s.path[0] == "registries")
    };
    let (Some(scope_entry), Some(_)) = (in_registries(2), in_registries(3)) else {
        return Ok(None);
    };
    Ok(Some(Warning::error(
        Code::PnpmMixedRegistries,
        format!(
            "`registries` mixes `{}:` with URL-keyed declarations: pnpm 11 and 12 stop every command (ERR_PNPM_INVALID_SETTING)",
            scope_entry.path[1]
        ),
        Some(Origin {
            file: Origin::shared(&file.display),
            line: scope_entry.line,
            level: file.level,
        }),
    )))
}

/// pnpm's own reading of `${VAR:-default}` and `${VAR-default}` in its user-level files,
/// which npm's notation takes as text ([`Dialect::PnpmUser`]). Real pnpm 11.28 and 12.21
/// expand `registry=${REG:-http://…/}` in `~/.npmrc` (errata).
fn read_defaults(model: &mut Model) {
    for (_, value) in model.fields_mut() {
        let holds_default = value.value.pieces.iter().any(|p| match p {
            Piece::Text { text } => text.contains("${"),
            Piece::Env { .. } | Piece::FromVariable { .. } => false,
        });
        if !holds_default {
            continue;
        }
        let pieces: Vec<Piece> = value
            .value
            .pieces
            .iter()
            .flat_map(|p| match p {
                Piece::Text { text } => crate::template::pnpm_defaults(text),
                other => vec![other.clone()],
            })
            .collect();
        value.value = Template::from_pieces(pieces);
    }
}

/// Converting into pnpm 10 from a project whose `pnpm-workspace.yaml` has URL-keyed
/// `registries`: the block goes (pnpm 10 cannot read it), with what it held beyond routing.
fn url_keyed_registries_leave(dir: &Path, from: Manager) -> Result<Vec<Warning>> {
    let path = dir.join(MARKER_FILE);
    let Some(text) = crate::discover::read_text(&path)? else {
        return Ok(Vec::new());
    };
    if from == Manager::Pnpm(PnpmMajor::V10) {
        // Doctor on pnpm 10 itself: reading the file said it already.
        return Ok(Vec::new());
    }
    let Ok(held) = Format::PnpmWorkspace.settings(&text) else {
        return Ok(Vec::new());
    };
    Ok(held
        .iter()
        .find(|s| s.path.len() == 3 && s.path[0] == "registries")
        .map(|s| {
            Warning::new(
                Code::Pnpm10UrlKeyedRegistries,
                "pnpm 10 cannot read URL-keyed `registries`: the routing goes to .npmrc and the block leaves pnpm-workspace.yaml, with any `prefix`, `serverType` or `supportsTimeField` in it (pnpm 10 has none)",
                Some(Origin {
                    file: Origin::shared(MARKER_FILE),
                    line: s.line,
                    level: Level::Project,
                }),
            )
        })
        .into_iter()
        .collect())
}

/// pnpm 11/12's `pnpm_config__auth`: one JSON object, registry URL → `"@"` (unscoped) or
/// `"@scope"` → `{authToken}`, that sets routes and tokens alike and beats the project's
/// files (spec/pnpm-bun-deno.md §1.9). A registry without a token for unscoped packages goes
/// in `pnpm_config_registry`; the structured form holds bearer tokens only, so basic auth
/// for unscoped packages takes `pnpm_config_//host/path/:_auth`-style variables, and a scope
/// without a bearer token cannot be given by variables at all.
fn pnpm_auth_json(routes: &[Route]) -> std::result::Result<crate::env_config::EnvForm, String> {
    use crate::env_config::{EnvValue, EnvVar, Json, RouteSet, credential_key, registry_url};
    let set = RouteSet::of(routes);
    let mut by_url: Vec<(String, Vec<(String, Json)>)> = Vec::new();
    let mut variables = Vec::new();
    let mut entry =
        |url: String, key: String, body: Json| match by_url.iter_mut().find(|(u, _)| *u == url) {
            Some((_, entries)) => entries.push((key, body)),
            None => by_url.push((url, vec![(key, body)])),
        };
    let mut others = Vec::new();
    if let Some(route) = set.unscoped {
        let url = registry_url(route.registry.as_deref(), PUBLIC_REGISTRY);
        match &route.authorization {
            Some(Authorization::Bearer(t)) => entry(
                url,
                "@".into(),
                Json::Object(vec![("authToken".into(), Json::String(t.when_set()))]),
            ),
            Some(_) => {
                if set.custom_default_registry().is_some() {
                    variables.push(EnvVar::registry("pnpm_config_registry", &url));
                }
                others.push((url, route));
            }
            None if set.custom_default_registry().is_some() => {
                variables.push(EnvVar::registry("pnpm_config_registry", &url));
            }
            None => {}
        }
    }
    for (scope, route) in &set.scopes {
        let url = registry_url(route.registry.as_deref(), PUBLIC_REGISTRY);
        // Every entry needs its `authToken` ("must be a string", seen with pnpm 11), and no
        // other variable routes a scope: a scope without a bearer token needs a file.
        let Some(Authorization::Bearer(t)) = &route.authorization else {
            return Err(format!(
                "pnpm 11 and 12 route a scope from a variable only through a pnpm_config__auth entry, which needs a bearer token; {} has none",
                crate::env_config::scope_key(scope)
            ));
        };
        let body = Json::Object(vec![("authToken".into(), Json::String(t.when_set()))]);
        entry(url, crate::env_config::scope_key(scope), body);
    }
    for (url, route) in others {
        let key = credential_key(&url).ok_or_else(|| format!("`{url}` is not an http(s) URL"))?;
        let auth = route
            .authorization
            .as_ref()
            .expect("only routes with credentials");
        for (suffix, value) in crate::env_config::npm_credential_fields(route, auth)? {
            variables.push(EnvVar::text(format!("pnpm_config_{key}{suffix}"), value));
        }
    }
    // A JSON key is text: a `${NAME}` there would reach pnpm unexpanded.
    if let Some((url, _)) = by_url
        .iter()
        .find(|(url, _)| Template::parse(url, Dialect::Npm).has_env())
    {
        return Err(format!(
            "pnpm_config__auth keys its entries by registry URL, and `{url}` holds a reference, which a key cannot"
        ));
    }
    if !by_url.is_empty() {
        let json = Json::Object(
            by_url
                .into_iter()
                .map(|(url, entries)| (url, Json::Object(entries)))
                .collect(),
        );
        variables.insert(
            0,
            EnvVar {
                name: "pnpm_config__auth".into(),
                value: EnvValue::Json(json),
            },
        );
    }
    Ok(crate::env_config::EnvForm {
        variables,
        warnings: Vec::new(),
    })
}

/// Two registry values pnpm routes alike: the same text, but for a trailing slash (pnpm adds
/// one to each).
fn same_registry(a: &Template, b: &Template) -> bool {
    a == b
        || matches!((a.as_literal(), b.as_literal()), (Some(a), Some(b)) if a.trim_end_matches('/') == b.trim_end_matches('/'))
}

#[cfg(test)]
mod env_tests {
    use super::*;
    use crate::env_config::{EnvValue, names, test_route};

    #[test]
    fn pnpm_majors_read_different_prefixes() {
        let v10 = Pnpm(PnpmMajor::V10);
        let v11 = Pnpm(PnpmMajor::V11);
        assert!(matches!(
            v10.reads_variable("npm_config_//r/:_authToken"),
            Some(EnvRead::Ignored(_))
        ));
        assert_eq!(
            v11.reads_variable("npm_config_//r/:_authToken"),
            Some(EnvRead::Setting("//r/:_authToken".into()))
        );
        assert!(matches!(
            v11.reads_variable("NPM_CONFIG_REGISTRY"),
            Some(EnvRead::Ignored(_))
        ));
        assert_eq!(
            v10.reads_variable("NPM_CONFIG_REGISTRY"),
            Some(EnvRead::Setting("registry".into()))
        );
        assert!(matches!(
            v11.reads_variable("pnpm_config__auth"),
            Some(EnvRead::Json(s)) if s == "_auth"
        ));
        assert!(matches!(
            v10.reads_variable("pnpm_config_registry"),
            Some(EnvRead::Ignored(_))
        ));
        // pnpm 10 keeps a scope's case from the name (real pnpm 10.34.9); npm does not.
        for name in ["NPM_CONFIG_@ACME:REGISTRY", "npm_config_@Acme:registry"] {
            assert!(
                matches!(v10.reads_variable(name), Some(EnvRead::Ignored(why)) if why.contains("@acme")),
                "{name}"
            );
        }
        for name in ["NPM_CONFIG_@acme:REGISTRY", "npm_config_@acme:registry"] {
            assert_eq!(
                v10.reads_variable(name),
                Some(EnvRead::Setting("@acme:registry".into())),
                "{name}"
            );
        }
    }

    #[test]
    fn pnpm_10_cannot_take_a_token_and_11_puts_it_in_json() {
        let routes = [
            test_route(None, "https://r.example/", None),
            test_route(
                Some("acme"),
                "https://npm.pkg.github.com/",
                Some("GH_TOKEN"),
            ),
        ];
        assert!(Pnpm(PnpmMajor::V10).env_form(&routes).is_err());
        let form = Pnpm(PnpmMajor::V12).env_form(&routes).unwrap();
        assert_eq!(names(&form), ["pnpm_config__auth", "pnpm_config_registry"]);
        let EnvValue::Json(json) = &form.variables[0].value else {
            panic!("JSON expected");
        };
        let text = serde_json::to_string(json).unwrap();
        assert_eq!(
            text,
            r#"[["https://npm.pkg.github.com/",[["@acme",[["authToken","${GH_TOKEN}"]]]]]]"#
        );
        // An entry without authToken stops pnpm 11: a token-less scope needs a file.
        let tokenless = [test_route(
            Some("acme"),
            "https://npm.pkg.github.com/",
            None,
        )];
        assert!(Pnpm(PnpmMajor::V11).env_form(&tokenless).is_err());
        let routes = [test_route(None, "https://r.example/", None)];
        let form = Pnpm(PnpmMajor::V10).env_form(&routes).unwrap();
        assert_eq!(names(&form), ["npm_config_registry"]);
    }
}

#[cfg(test)]
mod sharing_tests {
    use super::*;
    use crate::template::Template;

    fn project_npmrc(text: &str) -> (ConfigFile, Model) {
        let file = ConfigFile {
            path: "/project/.npmrc".into(),
            display: ".npmrc".into(),
            level: Level::Project,
            format: Format::Npmrc,
            text: Some(text.into()),
        };
        let (model, _) = crate::discover::read_model(&file).unwrap();
        (file, model)
    }

    fn literal(text: &str) -> Option<Value> {
        Some(Value::new(Template::literal(text), None))
    }

    /// A project `.npmrc`'s references are dropped only where a file below has the setting;
    /// with nothing below, the read stays shared with the other readers' copies (issue 20).
    #[test]
    fn env_references_are_dropped_only_over_a_usable_setting() {
        let (file, read) = project_npmrc("@a:registry=${REG}\n//r.example/:_authToken=${TOKEN}\n");
        let token_key = AuthKey::Url("//r.example/".into());
        assert!(read.scopes["a"].registry.is_some() && read.auth.contains_key(&token_key));
        let pnpm = Pnpm(PnpmMajor::V11);
        let mut warnings = Vec::new();
        let mut kept = read.clone();
        pnpm.adjust_file(&file, &mut Model::default(), &mut kept, &mut warnings)
            .unwrap();
        assert_eq!(kept, read);
        assert!(kept.scopes.is_shared_with(&read.scopes));
        assert!(kept.auth.is_shared_with(&read.auth));
        let mut below = Model::default();
        below.scopes.entry("a".into()).or_default().registry = literal("https://b.example/");
        below.auth.entry(token_key.clone()).or_default().token = literal("fake-token");
        let mut dropped = read.clone();
        pnpm.adjust_file(&file, &mut below, &mut dropped, &mut warnings)
            .unwrap();
        assert!(dropped.scopes["a"].registry.is_none());
        assert!(!dropped.auth.contains_key(&token_key));
        // The copy it came from is as it was.
        assert!(read.scopes["a"].registry.is_some() && read.auth.contains_key(&token_key));
    }
}

#[cfg(test)]
mod dropped_file_tests {
    use super::*;

    /// Each line checked against real pnpm 10.34.9 `config list` (unset NOPE): the file is
    /// dropped, or read.
    #[test]
    fn pnpm_10_drops_an_npmrc_as_its_env_replace_fails() {
        let unset = |name: &str| name == "SET";
        let dropped = |text: &str, level: Level| {
            Manager::Pnpm(PnpmMajor::V10)
                .rules()
                .drops_file_here(Format::Npmrc, level, text, &unset)
                .map(|d| (d.variable, d.line, d.error))
        };
        let kept = [
            "cache=${NOPE}/npm\ncache=/tmp/npm-cache\n",
            "registry=https://r.example/  # mirror of ${NOPE}\n",
            "x[]=${NOPE}\n",
            "y=\\\\${NOPE}\n",
            "[sec]\nz=${NOPE}\n",
            "t=${NOPE:-fallback}\n",
            "t=${NOPE-fallback}\n",
            "t=${SET}\n",
            "# t=${NOPE}\n",
        ];
        for text in kept {
            assert_eq!(dropped(text, Level::Project), None, "{text}");
        }
        assert_eq!(
            dropped(
                "registry=https://r.example/\n//r.example/:_authToken=${NOPE}\n",
                Level::Project
            ),
            Some((
                "NOPE".to_string(),
                2,
                "Failed to replace env in config: ${NOPE}".to_string()
            ))
        );
        assert_eq!(
            dropped("cache=${a.b}/npm\n", Level::User).map(|d| d.0),
            Some("a.b".to_string())
        );
        assert_eq!(
            dropped("//${NOPE}/:_authToken=x\n", Level::User).map(|d| d.0),
            Some("NOPE".to_string())
        );
        assert_eq!(
            dropped("y=\\\\\\${NOPE}\n", Level::User).map(|d| d.2),
            Some("Failed to replace env in config: \\\\${NOPE}".to_string())
        );
        // ini 1.3.8 reads ` [sec]` as a key, so what follows stays at the top level; a
        // section's own name is replaced in.
        assert_eq!(
            dropped(" [sec]\nt=${NOPE}\n", Level::Project).map(|d| d.1),
            Some(2)
        );
        assert_eq!(
            dropped("[${NOPE}]\nt=1\n", Level::Project).map(|d| d.0),
            Some("NOPE".to_string())
        );
        // A file dropped whatever the environment is said by reading it, not here.
        assert!(dropped("a=${NOPE}\nb=${NOPE?}\n", Level::User).is_none());
        // pnpm 11 and 12 read an unset reference as empty.
        assert!(
            Manager::Pnpm(PnpmMajor::V11)
                .rules()
                .drops_file_here(Format::Npmrc, Level::User, "t=${NOPE}\n", &unset)
                .is_none()
        );
    }
}

#[cfg(test)]
mod key_form_tests {
    use super::*;

    /// From a review, checked with real pnpm 10.34.9 and 11.28.11 (`pnpm add`): a key without
    /// its trailing slash gets pnpm 11/12 the token for a packument, pnpm 10 none (spec §2
    /// a18). (`pnpm view` in pnpm 10 runs npm, which does send it.)
    #[test]
    fn pnpm_10_takes_no_slashless_key_for_a_packument() {
        let file = ConfigFile {
            path: "/project/.npmrc".into(),
            display: ".npmrc".into(),
            level: Level::Project,
            format: Format::Npmrc,
            text: Some(
                "@acme:registry=http://127.0.0.1:4873/npm/private/\n//127.0.0.1:4873/npm/private:_authToken=fake-token-aaa\n"
                    .into(),
            ),
        };
        let (model, _) = crate::discover::read_model(&file).unwrap();
        let sends = |major| {
            let routes = crate::resolve::routes(&model, Manager::Pnpm(major));
            routes
                .iter()
                .find(|r| r.packages == Packages::Scope("acme".into()))
                .unwrap()
                .authorization
                .is_some()
        };
        assert!(!sends(PnpmMajor::V10));
        assert!(sends(PnpmMajor::V11));
        assert!(sends(PnpmMajor::V12));
    }
}
