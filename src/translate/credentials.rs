//! Credentials in the target: keyed the way the target looks them up, in the kinds it can
//! express, at the level it reads them from.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::{Translator, move_to, target_scope};
use crate::diagnostics::Code;
use crate::managers::{Place, WrittenAs};
use crate::model::{AuthKey, Credentials, Level, Model, Origin, PasswordEncoding, Value};
use crate::registry_url::{RegistryUrl, normalize_yarn_key, with_trailing_slash};
use crate::resolve::{Authorization, Packages, Route, decode_base64_lossy, split_ident};
use crate::template::{Dialect, Piece, Template, Unset};
use crate::warning::Warning;

impl Translator<'_> {
    /// Where a route's credentials go in the target: keyed by the registry the target
    /// will look up, so path walk-up and exact matching agree.
    pub(super) fn target_key(&self, route: &Route, source_key: &AuthKey) -> AuthKey {
        match (self.target(), source_key, &route.packages) {
            (WrittenAs::YarnrcYml, AuthKey::Scope(s), _) => return AuthKey::Scope(target_scope(s)),
            // pnpm 11/12 have per-scope tokens too (`//host/:@scope:_authToken`).
            (WrittenAs::Npmrc, AuthKey::Scope(s), _) if self.to.rules().reads_scope_tokens() => {
                return AuthKey::Scope(target_scope(s));
            }
            // A scope left in the project `.npmrc` for Bun (`bunfig::left_in_npmrc`) keeps
            // the credentials keyed there by host and path, which Bun matches in `.npmrc`.
            (WrittenAs::Bunfig, AuthKey::Url(_), Packages::Scope(s))
                if self.stays_in_npmrc_for_bun(s, source_key) =>
            {
                return source_key.clone();
            }
            // Bun binds credentials to the registry entry they are written with.
            (WrittenAs::Bunfig, _, Packages::Scope(s)) => return AuthKey::Scope(target_scope(s)),
            (WrittenAs::Bunfig, _, Packages::Unscoped) => return AuthKey::DefaultRegistry,
            _ => {}
        }
        // A key names the registry's address: never the URL's userinfo.
        let registry = route.registry.as_deref().map_or_else(
            || self.to.public_registry().to_string(),
            |r| crate::registry_url::without_userinfo(r).into_owned(),
        );
        match RegistryUrl::parse(&registry) {
            Some(url) => AuthKey::Url(match self.target() {
                WrittenAs::Npmrc => self
                    .to
                    .rules()
                    .npmrc_key_for(&registry)
                    .unwrap_or_else(|| url.registry_nerf_dart()),
                WrittenAs::Bunfig => url.registry_nerf_dart(),
                WrittenAs::YarnrcYml => url.with_host_case_of(&registry).yarn_key(),
            }),
            // A registry held in an environment variable: key by its text as written.
            None => AuthKey::Url(registry),
        }
    }

    /// Whether the scope's registry stays in the project `.npmrc` for Bun and the
    /// credentials at `key` with it: keyed by a host and path written out in that same file,
    /// where Bun matches them against the registry it expands.
    fn stays_in_npmrc_for_bun(&self, scope: &str, key: &AuthKey) -> bool {
        let in_project_npmrc = |origin: Option<&crate::model::Origin>| {
            origin.is_some_and(|o| {
                o.level == Level::Project
                    && o.file.file_name() == Some(std::ffi::OsStr::new(".npmrc"))
            })
        };
        !key.is_by_reference()
            && self
                .source
                .scopes
                .get(scope)
                .and_then(|s| s.registry.as_ref())
                .is_some_and(|r| crate::formats::bunfig::left_in_npmrc(r, None))
            && self
                .source
                .auth
                .get(key)
                .is_some_and(|creds| creds.values().all(|v| in_project_npmrc(v.origin.as_ref())))
    }

    /// A model of the source's routing line for `route`'s group alone (its `registry`, or its
    /// scope's), for a trial of what a reader makes of one key beside it; `None` for a scope
    /// the source does not name.
    fn source_routing_of(&self, route: &Route) -> Option<Model> {
        let mut trial = Model::default();
        match &route.packages {
            Packages::Unscoped => trial.registry = self.source.registry.clone(),
            Packages::Scope(s) => {
                let scope = self.source.scopes.get(s)?;
                trial.scopes = BTreeMap::from([(s.clone(), scope.clone())]).into();
            }
        }
        Some(trial)
    }

    /// Whether the reader of the written `.npmrc`, given the source's literal key alone,
    /// takes it for the route's registry that holds a variable: `//host/` for
    /// `https://host/${ORG}/` (Deno walks up the path, Bun takes the longest prefix; Yarn 1
    /// takes only the registry's own key; npm's own line is kept by the arm before). The key then serves whatever the
    /// variable holds, as it did for the source.
    fn reader_takes_source_key(
        &self,
        route: &Route,
        source_key: &AuthKey,
        creds: &Credentials,
    ) -> bool {
        if self.target() != WrittenAs::Npmrc
            || !matches!(source_key, AuthKey::Url(_))
            || source_key.is_by_reference()
        {
            return false;
        }
        let reader = self.key_reader.unwrap_or(self.to);
        let auth = BTreeMap::from([(source_key.clone(), creds.clone())]);
        self.takes_source_key_given(reader, route, auth, source_key)
    }

    /// Whether `reader`, given the source's routing line for `route` and only the
    /// credentials in `auth`, sends those at `source_key`.
    fn takes_source_key_given(
        &self,
        reader: crate::managers::Manager,
        route: &Route,
        auth: BTreeMap<AuthKey, Credentials>,
        source_key: &AuthKey,
    ) -> bool {
        let Some(mut trial) = self.source_routing_of(route) else {
            return false;
        };
        trial.auth = auth.into();
        reader
            .rules()
            .routes(&trial, vec![route.packages.clone()])
            .first()
            .is_some_and(|r| r.credential_key.as_ref() == Some(source_key))
    }

    /// Whether the target sends the credentials at the source's key for this route, given
    /// only always-auth at its own `key` (Yarn 1 sends npm's registry's credentials to its
    /// own default registry): it reads that line now as the source does, no file pmrc does
    /// not write routes the group (a `.yarnrc` `registry` spelled otherwise than Yarn's
    /// default), and no credentials of its own sit at `key` (a copy an earlier run wrote,
    /// which would win and go stale; it is written anew instead). From a review.
    fn target_sends_source_key(
        &self,
        route: &Route,
        source_key: &AuthKey,
        creds: &Credentials,
        key: &AuthKey,
    ) -> bool {
        if !self.to.rules().sends_credentials_keyed_elsewhere()
            || !self.target_reads_source_line_alone(route, source_key, creds, key)
        {
            return false;
        }
        let always_auth = Credentials {
            always_auth: Some(Value::new(Template::literal("true"), None)),
            ..Credentials::default()
        };
        let auth = BTreeMap::from([
            (source_key.clone(), creds.clone()),
            (key.clone(), always_auth),
        ]);
        self.takes_source_key_given(self.to, route, auth, source_key)
    }

    /// Whether the target reads the source's own line for this route and takes it for the
    /// route's registry as it is (Deno and pnpm walk up the path from the registry to
    /// `//host/`, as npm does): nothing is written at the registry's own key, where a copy
    /// would make Yarn 1, which takes only that key, send the token where it sent none, and
    /// would go stale when the token is renewed (from a trial: npm -> deno added
    /// `//host/acme/:_authToken` under `//host/:_authToken`, with no finding).
    fn target_takes_source_key(
        &self,
        route: &Route,
        source_key: &AuthKey,
        creds: &Credentials,
        key: &AuthKey,
    ) -> bool {
        if !self.target_reading.is_some_and(|r| r.complete)
            || !self.target_reads_source_line_alone(route, source_key, creds, key)
        {
            return false;
        }
        let auth = BTreeMap::from([(source_key.clone(), creds.clone())]);
        self.takes_source_key_given(self.to, route, auth, source_key)
    }

    /// What [`Self::target_sends_source_key`] and [`Self::target_takes_source_key`] ask
    /// first: the target reads the source's line for the route with the same credentials,
    /// has none of its own at `key`, and no file pmrc does not write routes the group.
    fn target_reads_source_line_alone(
        &self,
        route: &Route,
        source_key: &AuthKey,
        creds: &Credentials,
        key: &AuthKey,
    ) -> bool {
        let Some(reading) = self.target_reading else {
            return false;
        };
        if self.target() != WrittenAs::Npmrc || !matches!(source_key, AuthKey::Url(_)) {
            return false;
        }
        let same = |a: &Option<Value>, b: &Option<Value>| {
            a.as_ref().map(|v| &v.value) == b.as_ref().map(|v| &v.value)
        };
        let reads_source_line = reading.all.auth.get(source_key).is_some_and(|held| {
            same(&held.token, &creds.token)
                && same(&held.ident, &creds.ident)
                && same(&held.username, &creds.username)
                && same(&held.password, &creds.password)
        });
        // Not `Credentials::authenticates`: Yarn 1 takes each field from the registry's key
        // or else the unscoped ones, so a lone `_password` there joins a global `username`.
        let own_credentials = reading
            .all
            .auth
            .get(key)
            .is_some_and(|c| c.token.is_some() || c.ident.is_some() || c.password.is_some());
        let routed_elsewhere = match &route.packages {
            Packages::Unscoped => reading.unwritten.registry.is_some(),
            Packages::Scope(s) => {
                reading.unwritten.registry.is_some()
                    || reading
                        .unwritten
                        .scopes
                        .get(s)
                        .is_some_and(|s| s.registry.is_some())
            }
        };
        reads_source_line && !own_credentials && !routed_elsewhere
    }

    /// Whether the source's `//${HOST}/…/` line, which pmrc never rewrites, goes on serving
    /// the target where it is: an `.npmrc` the target reads and expands keys in.
    fn keeps_reference_key(&self, creds: &Credentials) -> bool {
        if self.target() != WrittenAs::Npmrc {
            return false;
        }
        // A file written whole: the key goes in, for a reader that expands it there.
        if let Some(reader) = self.key_reader {
            return reader.rules().expands_variables_in_keys(Level::User);
        }
        let level = creds.origin().map_or(Level::Project, |o| o.level);
        self.from.rules().expands_variables_in_keys(level)
            && self.to.rules().expands_variables_in_keys(level)
    }

    /// The finding for credentials whose target key would hold a variable (`location`, the
    /// key's registry part as written): the target does not expand it there, or pmrc, which
    /// never writes such a key, cannot write it.
    fn key_reference_lost(&self, route: &Route, location: &str, creds: &Credentials) -> Warning {
        if let Some(reader) = self.key_reader {
            return Warning::new(
                Code::LossyEnvReference,
                format!(
                    "{}: the registry comes from an environment variable ({location}), and {reader} does not expand a variable in a credential key: the credentials are not carried over; key them by the host and path the variable holds",
                    route.packages
                ),
                creds.origin().cloned(),
            );
        }
        let rules = self.to.rules();
        let file = if rules.expands_variables_in_keys(Level::Project) {
            Some(".npmrc")
        } else if rules.expands_variables_in_keys(Level::User) {
            Some("~/.npmrc (it expands a variable in a key only in its user file)")
        } else {
            None
        };
        let message = match file {
            // A `//host/path/` key the target would match: the line itself, its value shown
            // only when it is a reference (never a literal secret).
            Some(file) if self.target() == WrittenAs::Npmrc && location.starts_with("//") => {
                let value = match &creds.token {
                    Some(t) if !t.value.has_literal_text() => {
                        format!("_authToken={}", t.value.render(Dialect::Npm).0)
                    }
                    _ => "_authToken=... (or _auth=...)".to_string(),
                };
                format!(
                    "{}: the registry comes from an environment variable, so {} needs its credentials keyed by the same variables, a line pmrc does not write (it could not keep it in sync); add it to {file} yourself: {location}:{value}",
                    route.packages, self.to
                )
            }
            _ => format!(
                "{}: the registry comes from an environment variable ({location}), and {} needs its credentials keyed by a host and path written out, which pmrc cannot write for it; the credentials are not carried over: key them by the host and path the variable holds (`//host/path/:_authToken=...`)",
                route.packages, self.to
            ),
        };
        Warning::new(Code::LossyEnvReference, message, creds.origin().cloned())
    }

    pub(super) fn credentials(&mut self, routes: &[Route], model: &mut Model) {
        let mut assigned: BTreeMap<AuthKey, (Credentials, Packages)> = BTreeMap::new();
        for route in routes {
            let Some(source_key) = &route.credential_key else {
                continue;
            };
            // What the source sends of what is written there (pnpm 10: the last written).
            let written = &self.source.auth[source_key];
            let sent = self.from.rules().credentials_sent(written);
            let creds = sent.as_ref().unwrap_or(written);
            let mut key = self.target_key(route, source_key);
            // A key naming its registry through a variable: only npm (and pnpm in its user
            // file) expand one, and pmrc never writes one into a file it edits
            // (`Format::edits`). Yarn can carry a scope's credentials in the scope.
            let written_location = match &key {
                AuthKey::Url(location) => Some(location.clone()),
                // pnpm's scope token is keyed by the scope's registry.
                AuthKey::Scope(_) if self.target() == WrittenAs::Npmrc => route
                    .registry
                    .as_deref()
                    .and_then(RegistryUrl::parse)
                    .map(|u| u.registry_nerf_dart()),
                _ => None,
            };
            if let Some(location) = written_location
                .as_deref()
                .filter(|l| crate::template::holds_reference(l))
            {
                if let Some(held) = self.held_reference_keys.get(location) {
                    // The target's own line: what it sends is compared with the source's.
                    assigned
                        .entry(AuthKey::Url(location.to_string()))
                        .or_insert((held.clone(), route.packages.clone()));
                    continue;
                }
                match (self.target(), &route.packages) {
                    (WrittenAs::YarnrcYml, Packages::Scope(scope)) => {
                        key = AuthKey::Scope(target_scope(scope));
                    }
                    // The source's own line, which the target reads too, stays as written.
                    _ if (source_key == &key || self.key_reader.is_some())
                        && self.keeps_reference_key(creds) => {}
                    // A literal key before the variable part, which the reader takes for
                    // this registry whatever the variable holds.
                    _ if self.reader_takes_source_key(route, source_key, creds) => {
                        key = source_key.clone();
                    }
                    _ => {
                        self.warnings
                            .push(self.key_reference_lost(route, location, creds));
                        continue;
                    }
                }
            }
            // The target sends the source's own line for this registry already (Yarn 1 and
            // `npm login`'s token): the credentials stay there, as the source has them (a copy
            // at the target's key would go stale when the token is renewed), and only what it
            // needs besides, always-auth, is written at its key.
            let mut always_auth_at = None;
            if key != *source_key && self.target_sends_source_key(route, source_key, creds, &key) {
                always_auth_at = Some(std::mem::replace(&mut key, source_key.clone()));
            } else if key != *source_key
                && self.target_takes_source_key(route, source_key, creds, &key)
            {
                key = source_key.clone();
            }
            // Only where this route's credentials are the ones written at `key`.
            let default_split = if assigned.contains_key(&key) {
                None
            } else {
                self.default_as_parent_key(creds, &key)
            };
            let creds = match &default_split {
                Some((optional, _)) => optional,
                None => creds,
            };
            let mut converted = self.convert(creds, &route.registry);
            if converted.is_empty() {
                continue;
            }
            if let Some((_, (parent, fallback))) = &default_split {
                assigned
                    .entry(parent.clone())
                    .or_insert((fallback.clone(), route.packages.clone()));
            }
            // A client certificate goes with every request; an always-auth entry without a
            // header to send makes Yarn stop the request.
            if self.to.rules().unscoped_credentials_need_always_auth()
                && route.packages == Packages::Unscoped
                && route
                    .authorization
                    .as_ref()
                    .is_some_and(|a| *a != Authorization::ClientCertificate)
            {
                let always_auth = Value::new(Template::literal("true"), creds.origin().cloned());
                match &always_auth_at {
                    Some(at) => {
                        let only = Credentials {
                            always_auth: Some(always_auth),
                            ..Credentials::default()
                        };
                        assigned
                            .entry(at.clone())
                            .or_insert((only, route.packages.clone()));
                    }
                    None => converted.always_auth = Some(always_auth),
                }
            }
            match assigned.get_mut(&key) {
                None => {
                    assigned.insert(key, (converted, route.packages.clone()));
                }
                Some((existing, first)) => {
                    let mut a = existing.clone();
                    let mut b = converted.clone();
                    a.always_auth = None;
                    b.always_auth = None;
                    if a != b {
                        self.warnings.push(Warning::new(
                            Code::LossySharedRegistryCredentials,
                            format!(
                                "{} and {} use different credentials for the same registry ({key}); {} keys credentials by registry only, so {} keeps those of {first}",
                                first, route.packages, self.to, self.to
                            ),
                            creds.origin().cloned(),
                        ));
                    } else if converted.always_auth.is_some() {
                        existing.always_auth = converted.always_auth;
                    }
                }
            }
        }
        // Credentials no route uses (tarball hosts, registries only used for publishing)
        // are carried over under the target's spelling of the same key.
        let used: rustc_hash::FxHashSet<&AuthKey> = routes
            .iter()
            .filter_map(|r| r.credential_key.as_ref())
            .collect();
        for (key, written) in &self.source.auth {
            if used.contains(&key) {
                continue;
            }
            // pnpm 10 picks among a key's credentials for a tarball host as for a registry.
            let sent = self.from.rules().credentials_sent(written);
            let creds = sent.as_ref().unwrap_or(written);
            match key {
                // A registry in use that the source sends nothing from this key (pnpm's ignored
                // `${VAR}`): the source's own finding says so, and the check compares what Bun,
                // reading the line in `.npmrc`, sends.
                AuthKey::Url(location)
                    if self.target() == WrittenAs::Bunfig
                        && routes.iter().any(|r| {
                            crate::registry_url::RegistryUrl::parse(r.requested_registry(self.from))
                                .is_some_and(|url| url.is_named_by_key(location))
                        }) => {}
                AuthKey::Url(_) if self.target() == WrittenAs::Bunfig => {
                    self.warnings.push(Warning::note(
                        Code::UnusedCredential,
                        format!("the credentials at {key} are not used for any registry in use; bunfig.toml can only hold a registry's own credentials"),
                        creds.origin().cloned(),
                    ))
                }
                // Matched by no route here, but it may be once the variable is set (npm
                // puts it in before matching): kept where the target reads it, else reported.
                AuthKey::Url(location) if crate::template::holds_reference(location) => {
                    // Written as it is into a file pmrc writes whole.
                    if self.key_reader.is_some() && self.keeps_reference_key(creds) {
                        let converted = self.convert(creds, &None);
                        if !converted.is_empty() {
                            assigned.insert(key.clone(), (converted, Packages::Unscoped));
                        }
                    } else if !self.keeps_reference_key(creds) {
                        self.warnings.push(Warning::new(
                            Code::LossyEnvReference,
                            format!("`{location}` names its registry through an environment variable, which {} does not expand in a credential key; if the variable holds a registry in use, key its credentials by that registry's host and path", self.key_reader.unwrap_or(self.to)),
                            creds.origin().cloned(),
                        ));
                    }
                }
                AuthKey::Url(location) => {
                    let target = AuthKey::Url(self.url_key(location));
                    if let std::collections::btree_map::Entry::Vacant(e) = assigned.entry(target) {
                        let converted = self.convert(creds, &None);
                        if !converted.is_empty() {
                            e.insert((converted, Packages::Unscoped));
                        }
                    }
                }
                // A pnpm scope token no other manager reads: kept in `.npmrc`, where it is
                // harmless to them and still serves pnpm.
                AuthKey::Scope(scope)
                    if self.target() == WrittenAs::Npmrc
                        && self.from.rules().keeps_unused_scope_tokens()
                        && self.source.scopes.contains_key(scope) =>
                {
                    let converted = self.convert(creds, &None);
                    if !converted.is_empty() {
                        assigned.insert(key.clone(), (converted, Packages::Scope(scope.clone())));
                    }
                }
                AuthKey::Scope(_) | AuthKey::Fallback | AuthKey::DefaultRegistry => self.warnings.push(Warning::note(
                    Code::UnusedCredential,
                    format!("the credentials at {key} are not used for any registry in use, so pmrc does not carry them over"),
                    creds.origin().cloned(),
                )),
            }
        }
        // The target's own `//${HOST}/…/` lines stay in its files (pmrc never writes them),
        // so they are part of what it reads: the check then sees credentials the target
        // sends where the source, which ignores such a line, sends none. Nothing is written
        // from them, so they have no secret to report as written.
        for (location, held) in &self.held_reference_keys {
            let key = AuthKey::Url(location.clone());
            if !assigned.contains_key(&key) {
                model.auth.insert(key, held.clone());
            }
        }
        for (key, (creds, _)) in assigned {
            for secret in creds.secrets() {
                // `user:${PASS}` (Yarn's npmAuthIdent): the literal part is the user name.
                let user_name_only = creds.ident.as_ref() == Some(secret)
                    && secret.value.literal_is_a_user_name_only();
                // In the notation it was read in: an escaped `\${X}` is a literal on purpose.
                let read_in = self.from.rules().shown_dialect_at(secret.origin.as_ref());
                if secret.value.has_literal_text()
                    && secret.value.has_literal_secret_in(read_in)
                    && !user_name_only
                    && !self.target_writes_where_read(&secret.origin)
                {
                    // From a folder above the project, it was in no file of the project.
                    let from_above = match secret.origin.as_ref().filter(|o| self.above_project(o))
                    {
                        Some(o) => format!(
                            ", read from {} in a folder above the project (in none of the project's files, which are often committed),",
                            o.file.display()
                        ),
                        None => String::new(),
                    };
                    self.warnings.push(Warning::new(
                        Code::PlainTextSecret,
                        format!(
                            "a literal secret for {key}{from_above} is written as plain text into the {} config; prefer an environment reference such as ${{NPM_TOKEN}}",
                            self.to
                        ),
                        secret.origin.clone(),
                    ));
                }
            }
            model.auth.insert(key, creds);
        }
    }

    /// Whether `origin` is a file in a folder above the project; run from a workspace member,
    /// the workspace root's files (named from the member, `../../.npmrc`) are the project's
    /// (from a trial: the root's `.npmrc` was called "a folder above the project").
    fn above_project(&self, origin: &Origin) -> bool {
        origin.in_a_parent_folder()
            && self
                .workspace_root_shown
                .is_none_or(|root| origin.file.parent() != Some(std::path::Path::new(root)))
    }

    /// Whether the target keeps its settings in the very file `origin` names (a `.npmrc`
    /// that npm, Yarn 1, pnpm and Deno all read): a literal secret from there is not copied
    /// anywhere new, so it is no news to report as written.
    fn target_writes_where_read(&self, origin: &Option<Origin>) -> bool {
        let Some(origin) = origin.as_ref().filter(|o| !self.above_project(o)) else {
            return false;
        };
        self.to.rules().targets().iter().any(|spec| {
            origin.file.file_name() == Some(std::ffi::OsStr::new(spec.name))
                && (spec.place == Place::Project) == (origin.level == Level::Project)
        })
    }

    /// Yarn's `${VAR:-default}` token for a target that walks up the URL past an empty
    /// credential (npm): `${VAR?}` at `key` (empty when unset, so npm goes on) and the
    /// default one level up, at `key` without its trailing slash, where npm then finds it.
    /// Returns the credentials to write at `key` and the parent key's.
    fn default_as_parent_key(
        &mut self,
        creds: &Credentials,
        key: &AuthKey,
    ) -> Option<(Credentials, (AuthKey, Credentials))> {
        let (WrittenAs::Npmrc, AuthKey::Url(location)) = (self.target(), key) else {
            return None;
        };
        let token = creds.token.as_ref()?;
        let (
            [
                Piece::Env {
                    name,
                    unset: Unset::Default(default),
                },
            ],
            true,
        ) = (
            &token.value.pieces[..],
            self.to.rules().empty_credential_walks_up() && location.ends_with('/'),
        )
        else {
            return None;
        };
        let parent = location.trim_end_matches('/');
        if parent.len() <= 2 {
            return None;
        }
        let optional = Credentials {
            token: Some(Value::new(
                Template::env(name.clone(), Unset::Empty),
                token.origin.clone(),
            )),
            ..creds.clone()
        };
        let fallback = Credentials {
            token: Some(Value::new(
                Template::literal(default.clone()),
                token.origin.clone(),
            )),
            ..Credentials::default()
        };
        self.warnings.push(Warning::note(
            Code::DefaultAsParentKey,
            format!(
                "the default of ${{{name}:-…}} goes to `{parent}:_authToken` and the variable to `{location}:_authToken` as ${{{name}?}}: {} has no default syntax, but when {name} is unset or empty it goes on up to `{parent}`",
                self.to
            ),
            token.origin.clone(),
        ));
        Some((optional, (AuthKey::Url(parent.to_string()), fallback)))
    }

    /// A URL credential key as the target spells it.
    pub(super) fn url_key(&self, location: &str) -> String {
        let without_scheme = match location.find("//") {
            Some(i) if i > 0 && location[..i].ends_with(':') => &location[i..],
            _ => location,
        };
        match self.target() {
            WrittenAs::Npmrc | WrittenAs::Bunfig => with_trailing_slash(without_scheme),
            WrittenAs::YarnrcYml => normalize_yarn_key(location),
        }
    }

    /// One credentials entry in the kinds the target can express.
    pub(super) fn convert(&mut self, c: &Credentials, registry: &Option<String>) -> Credentials {
        let mut out = Credentials {
            token: c.token.as_ref().map(|t| self.carry(t, "token")),
            ..Credentials::default()
        };
        // Bun reads a whole-value `$NAME` as a variable and has no way to write it as text:
        // such a literal token is not written (the loss was reported by `carry`).
        if self.target() == WrittenAs::Bunfig
            && out
                .token
                .as_ref()
                .is_some_and(|t| t.value.bun_reads_as_variable())
        {
            out.token = None;
        }
        match self.target() {
            WrittenAs::Npmrc => self.convert_to_npmrc(c, &mut out),
            WrittenAs::YarnrcYml => {
                out.ident = c.ident.as_ref().map(|i| self.carry(i, "_auth"));
                if c.username.is_some()
                    && let Some((user, password)) = self.plain_basic(c)
                {
                    let colon = Piece::Text { text: ":".into() };
                    let ident = Template::from_pieces(
                        user.pieces
                            .iter()
                            .cloned()
                            .chain([colon])
                            .chain(password.pieces.iter().cloned()),
                    );
                    out.ident = Some(Value::new(
                        ident,
                        c.password.as_ref().and_then(|p| p.origin.clone()),
                    ));
                }
                if let (Some(cert), Some(key)) = (&c.certfile, &c.keyfile) {
                    let host = registry
                        .as_deref()
                        .and_then(RegistryUrl::parse)
                        .map(|u| u.hostname().to_string());
                    if let Some(host) = host {
                        self.warnings.push(Warning::note(
                            Code::ClientCertificatePerHost,
                            format!("Yarn picks client certificates by hostname, so this one applies to every registry on {host}"),
                            cert.origin.clone(),
                        ));
                    }
                    // Stored as host settings by `network`, which sees the route.
                    out.certfile = Some(cert.clone());
                    out.keyfile = Some(key.clone());
                }
            }
            WrittenAs::Bunfig => {
                if out.token.is_none()
                    && (c.ident.is_some() || c.username.is_some())
                    && let Some((user, password)) = self.plain_basic(c)
                {
                    let origin = c
                        .password
                        .as_ref()
                        .or(c.ident.as_ref())
                        .and_then(|v| v.origin.clone());
                    out.username = Some(self.carry(&Value::new(user, origin.clone()), "username"));
                    out.password = Some(self.carry(&Value::new(password, origin), "password"));
                    out.password_encoding = Some(PasswordEncoding::Plain);
                }
                if let Some(cert) = &c.certfile {
                    self.warnings.push(Warning::new(
                        Code::LossyClientCertificate,
                        "Bun does not support per-registry client certificates (certfile/keyfile)",
                        cert.origin.clone(),
                    ));
                }
            }
        }
        if out.certfile.is_none()
            && out.token.is_none()
            && out.ident.is_none()
            && out.username.is_none()
        {
            return Credentials::default();
        }
        out
    }

    /// `.npmrc` kinds: token, `_auth`, `username` + base64 `_password`, cert files.
    pub(super) fn convert_to_npmrc(&mut self, c: &Credentials, out: &mut Credentials) {
        if let Some(ident) = &c.ident {
            match split_ident(&ident.value) {
                None => {
                    if ident.value.has_env() && self.from.rules().encodes_idents_itself() {
                        self.warnings.push(Warning::note(
                            Code::EnvIdentAssumedBase64,
                            format!(
                                "npmAuthIdent {} becomes `_auth`, which {} sends as it is: the variable must hold base64(user:password), not user:password",
                                ident.value.render(self.to.dialect()).0,
                                self.to
                            ),
                            ident.origin.clone(),
                        ));
                    }
                    out.ident = Some(self.carry(ident, "_auth"));
                }
                Some((user, password)) => match password.as_literal() {
                    Some(p) => {
                        out.username = Some(Value::new(user, ident.origin.clone()));
                        out.password = Some(Value::new(Template::literal(BASE64.encode(p)), ident.origin.clone()));
                        out.password_encoding = Some(PasswordEncoding::Base64);
                    }
                    None => self.warnings.push(Warning::new(
                        Code::LossyBasicAuth,
                        "`.npmrc` needs `_password` as base64 of the password, which cannot be built from an environment reference; set `_auth` to base64(user:password) yourself",
                        ident.origin.clone(),
                    )),
                },
            }
        }
        if out.username.is_none()
            && let (Some(u), Some(p)) = (&c.username, &c.password)
        {
            match c.password_encoding {
                    Some(PasswordEncoding::Base64) => {
                        out.username = Some(u.clone());
                        out.password = Some(p.clone());
                        out.password_encoding = Some(PasswordEncoding::Base64);
                    }
                    _ => match p.value.as_literal() {
                        Some(plain) => {
                            out.username = Some(u.clone());
                            out.password = Some(Value::new(Template::literal(BASE64.encode(plain)), p.origin.clone()));
                            out.password_encoding = Some(PasswordEncoding::Base64);
                        }
                        None => self.warnings.push(Warning::new(
                            Code::LossyBasicAuth,
                            "`.npmrc` needs `_password` as base64 of the password, which cannot be built from an environment reference; set `_auth` to base64(user:password) yourself",
                            p.origin.clone(),
                        )),
                    },
                }
        }
        out.certfile = c.certfile.clone();
        out.keyfile = c.keyfile.clone();
        // npm ignores always-auth, but a `.npmrc` that Yarn 1 shares still needs it (the
        // shared-file planning keeps Yarn 1's own lines for a target that drops it).
        if self.from.rules().reads_npmrc_always_auth() && self.to.rules().keeps_always_auth() {
            out.always_auth = c.always_auth.clone();
        }
    }

    /// Basic credentials as user and plain password, decoding what `.npmrc` encodes.
    pub(super) fn plain_basic(&mut self, c: &Credentials) -> Option<(Template, Template)> {
        if let (Some(u), Some(p)) = (&c.username, &c.password) {
            if c.password_encoding != Some(PasswordEncoding::Base64) {
                return Some((u.value.clone(), p.value.clone()));
            }
            let Some(encoded) = p.value.as_literal() else {
                let to = self.to;
                let cannot = format!(
                    "`_password` comes from an environment variable holding base64, which {to} cannot decode in its own file"
                );
                // Read from an `.npmrc` the target reads too, the lines stay there for it (from a
                // trial: real Bun 1.4.5 sent the kept username and `_password` as basic auth).
                match self.kept_in_target_npmrc(p.origin.as_ref()) {
                    Some(kept) => {
                        self.warnings.push(Warning::note(
                            Code::LossyBasicAuth,
                            format!("{cannot}, so it stays in this .npmrc, where {to} reads it"),
                            p.origin.clone(),
                        ));
                        self.kept_in_npmrc.push(kept);
                        self.kept_in_npmrc.extend(u.origin.clone());
                    }
                    // Yarn takes a pre-encoded ident as it is: the pair as one `_auth` in the
                    // source is what it can be given (from a trial: Azure's `_password=${…}`
                    // left Yarn 4 with no credentials and no line to write instead).
                    None if self.target() == WrittenAs::YarnrcYml => {
                        self.warnings.push(Warning::new(
                            Code::LossyBasicAuth,
                            format!(
                                "{cannot}; write the user and password in .npmrc as one `_auth` at the same key instead, from a variable holding base64 of `user:password` (`:_auth=${{NPM_AUTH_B64}}`, which npm sends alike), and pmrc carries it to {to} as npmAuthIdent"
                            ),
                            p.origin.clone(),
                        ))
                    }
                    None => self.warnings.push(Warning::new(
                        Code::LossyBasicAuth,
                        format!("{cannot}; give {to} the plain password in its own variable"),
                        p.origin.clone(),
                    )),
                }
                return None;
            };
            return match String::from_utf8(decode_base64_lossy(&encoded)) {
                Ok(plain) => Some((u.value.clone(), Template::literal(plain))),
                Err(_) => {
                    self.warnings.push(Warning::new(
                        Code::InvalidPasswordBase64,
                        "`_password` is not base64 of a text password (npm sends garbage for it); pmrc does not carry it over",
                        p.origin.clone(),
                    ));
                    None
                }
            };
        }
        let ident = c.ident.as_ref()?;
        if let Some(parts) = split_ident(&ident.value) {
            return Some(parts);
        }
        let decoded = ident
            .value
            .as_literal()
            .and_then(|b64| String::from_utf8(decode_base64_lossy(&b64)).ok())
            .and_then(|pair| {
                pair.split_once(':')
                    .map(|(u, p)| (Template::literal(u), Template::literal(p)))
            });
        if decoded.is_none() {
            let target_reads_npmrc = self.target_reads_npmrc();
            // Read from an `.npmrc` the target reads too, the line stays there for it.
            let kept = self.kept_in_target_npmrc(ident.origin.as_ref());
            let to = self.to;
            let cannot = format!(
                "{to} needs basic auth as a username and password in its own file; this pre-encoded value (`_auth`/npmAuthIdent) cannot be split"
            );
            let (noted, then) = match (&kept, target_reads_npmrc) {
                // Nothing is lost: said so that the missing entry in its own file is explained.
                (Some(_), _) => (
                    true,
                    format!(", so it stays in this .npmrc, where {to} reads it"),
                ),
                (None, true) => (
                    false,
                    format!("; put it in .npmrc as `//host/:_auth=...`, which {to} also reads"),
                ),
                (None, false) => (
                    false,
                    format!(
                        "; give {to} the user name and the plain password (each in its own variable)"
                    ),
                ),
            };
            let message = format!("{cannot}{then}");
            let warning = if noted {
                Warning::note(Code::LossyBasicAuth, message, ident.origin.clone())
            } else {
                Warning::new(Code::LossyBasicAuth, message, ident.origin.clone())
            };
            self.warnings.push(warning);
            self.kept_in_npmrc.extend(kept);
        }
        decoded
    }

    fn target_reads_npmrc(&self) -> bool {
        self.to
            .rules()
            .sources()
            .iter()
            .any(|f| f.format == crate::formats::Format::Npmrc)
    }

    /// Where a value read from an `.npmrc` stays for a target that reads that file too.
    fn kept_in_target_npmrc(&self, origin: Option<&Origin>) -> Option<Origin> {
        origin
            .filter(|o| o.file.file_name().is_some_and(|n| n == ".npmrc"))
            .filter(|_| self.target_reads_npmrc())
            .cloned()
    }

    /// Credentials the target ignores in the project file (pnpm and `${VAR}` tokens), yet
    /// `pnpm publish` and `login` run npm, which reads them there: they stay, and a copy goes
    /// to the user-level file with `--user`; without it pmrc says exactly what to add where.
    pub(super) fn env_credentials_for_user_file(
        &mut self,
        model: &Model,
        user_file: &str,
    ) -> Model {
        let to = self.to;
        let mut user = Model::default();
        // Not where `pmrc env` would refuse the config (a literal credential in a URL): the
        // advice must work as printed. Asked once, when first needed: it walks every URL.
        let source = self.source;
        let env_can = std::cell::LazyCell::new(|| {
            crate::env_config::url_with_literal_credential(source).is_none()
        });
        let ci_sentence: std::rc::Rc<str> = format!(
            " In CI, `pmrc env --from {} --to {to} --format github` prints the job variables that do it instead.",
            self.from
        )
        .into();
        for (key, creds) in &model.auth {
            if !matches!(key, AuthKey::Url(_) | AuthKey::Scope(_))
                || to.rules().uses_credentials(creds)
            {
                continue;
            }
            if self.user {
                let mut copy = creds.clone();
                for v in copy.values_mut() {
                    let mut origin = v.origin.clone().unwrap_or(Origin {
                        file: Origin::shared(".npmrc"),
                        line: 0,
                        level: Level::User,
                    });
                    origin.level = Level::User;
                    v.origin = Some(origin);
                }
                // A scope token's key is spelled from the scope's registry, which the user
                // model holds for it; the plan writes that routing into the user file only
                // where the project does not route the scope (`plan::routing_only_for_keys`).
                if let AuthKey::Scope(scope) = key
                    && let Some(mut registry) =
                        model.scopes.get(scope).and_then(|s| s.registry.clone())
                {
                    if let Some(origin) = registry.origin.as_mut() {
                        origin.level = Level::User;
                    }
                    user.scopes.entry(scope.clone()).or_default().registry = Some(registry);
                }
                user.auth.insert(key.clone(), copy);
                continue;
            }
            // The lines to add, with a literal secret in them masked: the user has it.
            let mut lines: Vec<String> = Vec::new();
            let mut token_key = None;
            crate::formats::npmrc::each_credential_setting(
                key,
                creds,
                &model.scopes,
                to.dialect(),
                |key, v| {
                    if !key.starts_with("//") {
                        return;
                    }
                    let line = format!("{key}={}", v.value.render(to.dialect()).0);
                    // Parsed for its secrets only where it has one: thousands of references
                    // in a large config have none (issue 20).
                    // Masked as the value's literal parts, so a reference in it stays to be
                    // read (a whole-value mask lost `${SUFFIX}` of `literal-${SUFFIX}`).
                    let masked = v.value.has_literal_secret()
                        && !crate::formats::npmrc::Document::parse(&line)
                            .secret_spans()
                            .is_empty();
                    lines.push(if masked {
                        format!("{key}={}", v.value.redacted().render(to.dialect()).0)
                    } else {
                        line
                    });
                    if token_key.is_none() && key.ends_with(":_authToken") {
                        token_key = Some(key);
                    }
                },
            );
            // A `pnpm_config_//host/:_authToken` name is one `export` and GitLab cannot
            // set; `pmrc env` prints the form every CI can hold (pnpm's `_auth` JSON).
            let ci = token_key
                .filter(|_| *env_can)
                .and_then(|k| to.rules().ci_credential_variable(&k))
                .map(|_| ci_sentence.clone());
            self.advice_at.get_or_insert(self.warnings.len());
            self.advice.push(super::Advice {
                origin: creds.origin().cloned(),
                lines,
                ci,
            });
        }
        self.env_registries_for_user_file(model, user_file, &mut user);
        user
    }

    /// A `${VAR}` registry URL the target does not expand in a project file (pnpm): with
    /// `--user` a copy goes to the user-level file, where it is expanded and where pnpm 10/11
    /// take it from when the project's line is a reference (npm keeps that line); without it
    /// pmrc says which line to add.
    fn env_registries_for_user_file(&mut self, model: &Model, user_file: &str, user: &mut Model) {
        if self.to.rules().expands_project_registry_references() {
            return;
        }
        let project_reference = |v: &Option<Value>| {
            v.clone()
                .filter(|r| r.level() == Level::Project && r.value.has_env())
        };
        let mut found: Vec<(Option<String>, Value)> = Vec::new();
        found.extend(project_reference(&model.registry).map(|r| (None, r)));
        for (name, scope) in &model.scopes {
            found.extend(project_reference(&scope.registry).map(|r| (Some(name.clone()), r)));
        }
        for (scope, mut registry) in found {
            let origin = registry.origin.clone();
            if self.user {
                move_to(&mut registry, Level::User, &origin);
                match scope {
                    None => user.registry = Some(registry),
                    Some(s) => user.scopes.entry(s).or_default().registry = Some(registry),
                }
                continue;
            }
            let key = match &scope {
                None => "registry".to_string(),
                Some(s) => format!("{}:registry", crate::model::scope_label(s)),
            };
            let line = format!("{key}={}", registry.value.render(self.to.dialect()).0);
            self.warnings.push(Warning::new(
                Code::PnpmEnvRegistryNeedsUserFile,
                format!(
                    "{} does not expand a registry URL that is an environment reference in a project file. Add to {user_file}: `{line}`, or run pmrc again with --user to write it.",
                    self.to.label()
                ),
                origin,
            ));
        }
    }

    /// Bun keeps a registry's credentials inside its entry (`{ url, token }`), and the
    /// project bunfig's entry for a scope hides the user bunfig's whole entry for it. So the
    /// URL and the credentials of one entry must be written at one level: a literal secret
    /// stays in the user file (and its URL moves there with it); an environment reference,
    /// safe to commit, joins its URL.
    pub(super) fn bun_entries_at_one_level(&mut self, model: &mut Model) {
        let keys: Vec<AuthKey> = model.auth.keys().cloned().collect();
        for key in keys {
            let url = match &key {
                AuthKey::DefaultRegistry => model.registry.as_mut(),
                AuthKey::Scope(s) => model.scopes.get_mut(s).and_then(|s| s.registry.as_mut()),
                _ => None,
            };
            let Some(url) = url else { continue };
            let creds = model.auth.get_mut(&key).expect("key from the map");
            let url_level = url.level();
            if creds.values_mut().iter().all(|v| v.level() == url_level) {
                continue;
            }
            let origin = creds.origin().cloned();
            let literal_user_secret = creds
                .secrets()
                .any(|v| v.level() == Level::User && v.value.has_literal_text());
            let entry = match &key {
                AuthKey::Scope(s) => format!("scope {}", crate::model::scope_label(s)),
                _ => "the default registry".to_string(),
            };
            if literal_user_secret {
                move_to(url, Level::User, &origin);
                for v in creds.values_mut() {
                    move_to(v, Level::User, &origin);
                }
                self.warnings.push(Warning::new(
                    Code::BunEntryMovedToUser,
                    format!("Bun keeps a registry's token with its URL, and a project bunfig.toml entry would hide the user one: {entry} goes to the user bunfig.toml with its literal secret, so the project no longer routes it for others (an environment reference instead would keep it in the project)"),
                    origin,
                ));
            } else {
                for v in creds.values_mut() {
                    move_to(v, url_level, &origin);
                }
                self.warnings.push(Warning::note(
                    Code::BunEntryCredentialsMoved,
                    format!("Bun keeps a registry's credentials with its URL: the credentials of {entry} are written in the {} bunfig.toml with it (they hold only environment references)", match url_level { Level::Project => "project", Level::User => "user" }),
                    origin,
                ));
            }
        }
    }
}
