//! `pmrc explain`: for one package, what each manager will request and which credential it
//! sends, from which file and line, and the rule that decided it. Reads the routes that
//! `resolve` computes; adds the tarball rules, which differ per manager.

use std::borrow::Cow;

use serde::Serialize;

use crate::env_layer::VariablesHere;
use crate::managers::{Manager, TarballRequest};
use crate::model::{AuthKey, Level, Model, Origin, Value};
use crate::registry_url::RegistryUrl;
use crate::resolve::{self, Authorization, Packages, Route};
use crate::template::{Dialect, Piece, Template, Unset};

/// One manager's answer for one package.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub manager: Manager,
    pub rules: &'static str,
    /// The packument request.
    pub url: String,
    pub authorization: Option<Authorization>,
    /// The manager refuses the request's URL (pnpm 11 and credentials in it, or a URL with no
    /// scheme): nothing is sent.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fails: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Variables the credentials come from that are not set in this environment.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unset: Vec<String>,
    /// A reference that stops every command of the manager before any request (Yarn 4 on an
    /// unset variable, Yarn 1 on an unset one or on npm's `${VAR?}`): the rest says what it
    /// would do once fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stops: Option<Stop>,
    /// Why: the registry's source, then the credential rule.
    pub why: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tarball: Option<TarballExplanation>,
}

/// The manager's own error and the value whose reference causes it.
#[derive(Debug, Clone, Serialize)]
pub struct Stop {
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// The files the manager reads in this environment, and what was left out: pnpm 10 ignores a
/// whole `.npmrc` one of whose keys or values references an unset variable.
pub fn files_read_here(
    manager: Manager,
    files: Vec<crate::discover::ConfigFile>,
    vars: VariablesHere,
) -> (
    Vec<crate::discover::ConfigFile>,
    Vec<crate::warning::Warning>,
) {
    let rules = manager.rules();
    let mut read = Vec::new();
    let mut left_out = Vec::new();
    for file in files {
        let text = file.text.as_deref().unwrap_or_default();
        if let Some(dropped) =
            rules.drops_file_here(file.format, file.level, text, &|n| vars.is_set(n))
        {
            left_out.push(crate::warning::Warning::new(
                crate::diagnostics::Code::EnvUnset,
                format!(
                    "{} is unset here: {} ignores the whole of {} (\"{}\"): nothing in it is read",
                    dropped.variable,
                    manager.label(),
                    file.display,
                    dropped.error
                ),
                Some(dropped.origin(&file.display, file.level)),
            ));
            continue;
        }
        read.push(file);
    }
    (read, left_out)
}

/// The value the manager reads first whose reference stops it here: the first in its file,
/// as the manager reads a file from the top. Across files the model keeps no reading order,
/// so the file is the one whose value comes first in the model.
fn stop(model: &Model, manager: Manager, at: Major, vars: VariablesHere) -> Option<Stop> {
    let rules = manager.rules();
    let stops: Vec<Stop> = model
        .fields()
        .into_iter()
        .filter_map(|(field, v)| {
            let on_reference = v
                .value
                .references_met(&|n| vars.is_set(n))
                .into_iter()
                .find_map(|(name, unset)| {
                    rules.stops_on_reference(&name, &unset, vars.is_set(&name))
                });
            // A form the manager lacks is met before the npm references inside it (Yarn 1
            // takes `${A:-${B}` for a name and never looks B up).
            let error = rules
                .stops_on_value(&v.value, v.origin.as_ref(), field.is_secret())
                .or(on_reference)?;
            Some(Stop {
                error,
                origin: v.origin.clone(),
            })
        })
        .collect();
    let on_model = || {
        let (error, origin) =
            rules.stops_on_model(model, at.major, at.files, &|t| is_empty_here(t, vars))?;
        Some(Stop { error, origin })
    };
    let Some(file) = stops
        .first()
        .map(|s| s.origin.as_ref().map(|o| o.file.clone()))
    else {
        return on_model();
    };
    stops
        .into_iter()
        .filter(|s| s.origin.as_ref().map(|o| &o.file) == file.as_ref())
        .min_by_key(|s| s.origin.as_ref().map_or(0, |o| o.line))
}

/// Whether the registry URL `manager` requests has no scheme: neither a URL nor a reference
/// in the manager's notation (Bun expands a whole `$REG`: from a trial, doctor's own fix
/// wrote one and then called it an error).
pub(crate) fn lacks_a_scheme(manager: Manager, registry: &str) -> bool {
    // Empty where a variable is unset here: what the manager does then is the unset
    // variable's finding.
    !registry.is_empty()
        && crate::registry_url::RegistryUrl::parse(registry).is_none()
        && !crate::template::holds_reference(registry)
        && !Template::parse(registry, manager.rules().dialect()).has_env()
}

/// Why no request is sent to a registry URL with no scheme (`registry.test:4873/`), from a
/// trial: no manager sends one (`doctor` says so as `registry-url-without-scheme`).
fn without_scheme(manager: Manager, registry: &str) -> Option<String> {
    lacks_a_scheme(manager, registry).then(|| {
        format!(
            "`{registry}` is no https:// or http:// URL, so {manager} cannot request it: it {}",
            manager.rules().on_registry_url_without_scheme()
        )
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct TarballExplanation {
    pub url: String,
    pub authorization: Option<Authorization>,
    pub why: String,
}

/// `@scope/name` → the scope.
pub fn scope_of(package: &str) -> Option<&str> {
    package.strip_prefix('@')?.split_once('/').map(|(s, _)| s)
}

/// `react@19.0.0` → `react`, `@acme/widgets@^2` → `@acme/widgets`: the registry is asked for
/// the package, whatever version is wanted.
pub fn package_name(spec: &str) -> &str {
    let from = usize::from(spec.starts_with('@'));
    match spec[from..].find('@') {
        Some(at) => &spec[..from + at],
        None => spec,
    }
}

/// The variables a header is made from that are not set here, and that no default stands in
/// for: the most common cause of a 401.
fn unset_variables(a: Option<&Authorization>, vars: VariablesHere) -> Vec<String> {
    let templates: Vec<&crate::template::Template> = match a {
        Some(Authorization::Bearer(t) | Authorization::Basic(t)) => vec![t],
        Some(Authorization::BasicParts { user, password, .. }) => vec![user, password],
        _ => Vec::new(),
    };
    // An unset variable with a default is no matter: the default is sent (and its own
    // references are met next).
    templates
        .into_iter()
        .flat_map(|t| t.references_met(&|n| vars.is_set(n)))
        .filter(|(name, unset)| !vars.is_set(name) && unset.default_value().is_none())
        .map(|(name, _)| name)
        .collect()
}

/// The major a manager's rules are asked at ([`crate::managers::Rules::majors`]; `None`:
/// what every major they stand for does), and the files the model was read from, for what
/// one major refuses that the model does not hold (npm 12 and a top-level `email`).
#[derive(Clone, Copy)]
pub struct Major<'a> {
    pub major: Option<u8>,
    pub files: &'a [crate::discover::ConfigFile],
}

pub fn explain(
    model: &Model,
    manager: Manager,
    at: Major,
    package: &str,
    tarball: Option<&str>,
    vars: VariablesHere,
) -> Explanation {
    let package = package_name(package);
    let packages = match scope_of(package) {
        Some(s) => Packages::Scope(s.to_string()),
        None => Packages::Unscoped,
    };
    let stops = stop(model, manager, at, vars);
    let (here, written_keys) = variables_set_here(model, manager, vars);
    // The URL and the key are printed as written: a variable's value is not (it may be a
    // secret, as a token in the path is); the route is taken with the values put in.
    let shown_registry = match &here {
        Cow::Owned(_) => Some(
            resolve::route(model, manager, packages.clone())
                .requested_registry(manager)
                .to_string(),
        ),
        Cow::Borrowed(_) => None,
    };
    let (route, model) = route_in_this_environment(&here, manager, packages.clone(), vars);
    let model = &model;
    let registry = route.requested_registry(manager);
    let without_scheme = without_scheme(manager, registry);
    let url = as_requested(&format!(
        "{}/{}",
        resolve::sent_under(manager, shown_registry.as_deref().unwrap_or(registry))
            .trim_end_matches('/'),
        package.replace('/', "%2f")
    ));
    let rules = manager.rules();
    let how = rules.url_userinfo();
    let shown_route = {
        let mut shown = route.clone();
        if let Some(registry) = &shown_registry {
            shown.registry = Some(registry.clone());
        }
        if let Some((_, written)) = written_keys
            .iter()
            .find(|(put_in, _)| Some(put_in) == route.credential_key.as_ref())
        {
            shown.credential_key = Some(written.clone());
        }
        shown
    };
    let why = vec![
        registry_reason(model, manager, &packages, &shown_route)
            + &query_left_out(manager, registry),
        match how {
            _ if let Some(why) = &without_scheme => why.clone(),
            _ if route.credential_in_url => how.reason(manager),
            resolve::UrlUserinfo::Ignored
                if route
                    .registry
                    .as_deref()
                    .and_then(crate::registry_url::url_userinfo)
                    .is_some() =>
            {
                format!(
                    "{}; {}",
                    how.reason(manager),
                    rules.credential_reason(&shown_route)
                )
            }
            _ => rules
                .request_fails(model, &route)
                .unwrap_or_else(|| rules.credential_reason(&shown_route)),
        } + &near_misses(model, manager, &route),
    ];
    let (tarball_route, packument_only) = tarball_route(model, manager, &route);
    let tarball = tarball.map(|t| {
        let registry = with_set_variables(registry, vars);
        let mut explained =
            tarball_explanation(model, manager, at, vars, &tarball_route, &registry, t);
        // The keys as written, as in the packument's reason: a variable's value is not printed.
        for (put_in, written) in &written_keys {
            if let (AuthKey::Url(put_in), AuthKey::Url(written)) = (put_in, written) {
                explained.why = explained.why.replace(put_in.as_str(), written);
            }
        }
        if packument_only {
            explained.why = format!(
                "the URL's userinfo goes with the packument request only; {}",
                explained.why
            );
        }
        explained
    });
    Explanation {
        manager,
        rules: at
            .major
            .map_or(manager.label(), |m| rules.label_at_major(m)),
        url,
        authorization: route.authorization.clone(),
        fails: without_scheme.is_some()
            || (route.credential_in_url && route.authorization.is_none()),
        origin: route
            .authorization
            .as_ref()
            .and(route.credential_origin.clone()),
        unset: unset_variables(route.authorization.as_ref(), vars),
        stops,
        why,
        tarball,
    }
}

/// Each route as [`explain`] takes it in this environment (variables put into registry URLs
/// and credential keys, empty optional credentials passed over), with the registry and key
/// as written, since a variable's value is not printed: what `show --env` lists. From a
/// trial: `show --env` gave `${D_HOST}`'s scope no credentials, where `explain --env` and
/// real npm sent the token. One routing of the whole model: an empty credential is never
/// the one sent, so all of them are passed over at once (routing each group apart, a copy
/// of the model each, made a 5,000-scope `show --env` take 9 s, from a review).
pub fn routes_here(model: &Model, manager: Manager, vars: VariablesHere) -> Vec<Route> {
    let (here, written_keys) = variables_set_here(model, manager, vars);
    let here = without_empty_credentials(here, manager, vars);
    let as_written: rustc_hash::FxHashMap<Packages, Route> = match &here {
        Cow::Owned(_) => resolve::routes(model, manager)
            .into_iter()
            .map(|r| (r.packages.clone(), r))
            .collect(),
        Cow::Borrowed(_) => Default::default(),
    };
    let written_of: rustc_hash::FxHashMap<&AuthKey, &AuthKey> = written_keys
        .iter()
        .map(|(put_in, written)| (put_in, written))
        .collect();
    let mut routes = resolve::routes(&here, manager);
    for route in &mut routes {
        if let Some(written) = as_written.get(&route.packages) {
            route.registry.clone_from(&written.registry);
            route.registry_read.clone_from(&written.registry_read);
        }
        if let Some(written) = route
            .credential_key
            .as_ref()
            .and_then(|k| written_of.get(k))
        {
            route.credential_key = Some((*written).clone());
        }
    }
    routes
}

/// `model` without the credentials that are empty here, for a manager that takes an empty
/// one for none ([`route_in_this_environment`] passes them over one route at a time).
fn without_empty_credentials<'m>(
    model: Cow<'m, Model>,
    manager: Manager,
    vars: VariablesHere,
) -> Cow<'m, Model> {
    let empty = |v: &Option<Value>| v.as_ref().is_some_and(|v| is_empty_here(&v.value, vars));
    let any_empty = manager.rules().empty_credential_is_none()
        && model.auth.values().any(|c| {
            empty(&c.token)
                || empty(&c.ident)
                || (c.username.is_some() && c.password.is_some())
                    && (empty(&c.username) || empty(&c.password))
        });
    if !any_empty {
        return model;
    }
    let mut model = model.into_owned();
    for creds in model.auth.values_mut() {
        if empty(&creds.token) {
            creds.token = None;
        }
        if empty(&creds.ident) {
            creds.ident = None;
        }
        if creds.username.is_some() && (empty(&creds.username) || empty(&creds.password)) {
            creds.password = None;
        }
    }
    Cow::Owned(model)
}

/// The route as the manager takes it here: a manager that goes on up the path past an
/// empty credential (npm and `${VAR?}` with VAR unset) finds the next key, e.g. a default
/// pmrc wrote one level up.
fn route_in_this_environment(
    model: &Model,
    manager: Manager,
    packages: Packages,
    vars: VariablesHere,
) -> (Route, Model) {
    let mut model = model.clone();
    loop {
        let route = resolve::route(&model, manager, packages.clone());
        // npm goes on past an empty token or `_auth` alike (conformance:
        // yarn_token_default_to_npm, npm_optional_auth_walks_up).
        let walks_up = manager.rules().empty_credential_is_none();
        let empty_here = match (&route.authorization, &route.credential_key) {
            (Some(Authorization::Bearer(token)), Some(key))
                if walks_up && is_empty_here(token, vars) =>
            {
                model.auth.get_mut(key).and_then(|c| c.token.take())
            }
            (Some(Authorization::Basic(ident)), Some(key))
                if walks_up && is_empty_here(ident, vars) =>
            {
                model.auth.get_mut(key).and_then(|c| c.ident.take())
            }
            // A username with an empty `_password`, or the reverse, is no credential either
            // (conformance: npm_optional_password_walks_up).
            (Some(Authorization::BasicParts { user, password, .. }), Some(key))
                if walks_up && (is_empty_here(user, vars) || is_empty_here(password, vars)) =>
            {
                model.auth.get_mut(key).and_then(|c| c.password.take())
            }
            _ => None,
        };
        if empty_here.is_none() {
            return (route, model);
        }
    }
}

/// Whether a value is empty in this environment: only `${VAR?}` references to variables
/// that are unset or empty.
fn is_empty_here(value: &Template, vars: VariablesHere) -> bool {
    value.pieces.iter().all(|p| match p {
        Piece::Env {
            name,
            unset: Unset::Empty,
        } => vars.is_unset_or_empty(name),
        _ => false,
    })
}

/// Why the URL requested has no query where the registry's has one.
fn query_left_out(manager: Manager, registry: &str) -> String {
    if resolve::sent_under(manager, registry).len() < registry.len() {
        format!("; {manager} leaves the registry URL's query out of its requests")
    } else {
        String::new()
    }
}

fn registry_reason(model: &Model, manager: Manager, packages: &Packages, route: &Route) -> String {
    let scope = match packages {
        Packages::Scope(s) => model.scopes.get(s).map(|entry| (s, entry)),
        Packages::Unscoped => None,
    };
    let at = |o: Option<&Origin>| o.map(|o| format!(" ({o})")).unwrap_or_default();
    match scope {
        Some((s, entry)) if entry.registry.is_some() => format!(
            "registry of scope @{s}{}",
            at(entry.registry.as_ref().and_then(|v| v.origin.as_ref()))
        ),
        Some((s, _)) if manager.rules().scope_without_registry_uses_public() => format!(
            "npmScopes.{s} sets no npmRegistryServer, so Yarn uses its default registry for it, not the top-level one"
        ),
        _ => match (&model.registry, &route.registry) {
            (Some(v), Some(_)) => format!("the default registry{}", at(v.origin.as_ref())),
            _ => format!("no registry configured: {}'s public registry", manager),
        },
    }
}

/// The route a package's tarballs take: its own, except where the manager sends the
/// registry URL's userinfo with the packument request only; the tarball URLs in the
/// packument carry none, so such a manager sends tarballs what its keys alone would
/// (conformance: pnpm 12 sends a matching key's token there). The flag says which.
fn tarball_route(model: &Model, manager: Manager, route: &Route) -> (Route, bool) {
    let packument_only = route.credential_in_url
        && matches!(
            manager.rules().url_userinfo(),
            resolve::UrlUserinfo::Basic {
                to_tarballs: false,
                ..
            }
        );
    if packument_only {
        let keys_alone = resolve::route_from_keys(model, manager, route.packages.clone());
        (keys_alone, true)
    } else {
        (route.clone(), false)
    }
}

/// What `manager` sends with a tarball its registry serves (`<registry>/-/package.tgz`), for
/// a route it took reading `model`: the translation's check compares this where a registry
/// URL's userinfo makes the managers' tarball rules differ.
pub fn registry_tarball_authorization(
    model: &Model,
    manager: Manager,
    route: &Route,
) -> Option<Authorization> {
    let registry = route.requested_registry(manager);
    let tarball = format!(
        "{}/-/package.tgz",
        crate::registry_url::without_userinfo(registry).trim_end_matches('/')
    );
    let (route, _) = tarball_route(model, manager, route);
    let at = Major {
        major: None,
        files: &[],
    };
    let vars = VariablesHere::new(&[]);
    tarball_explanation(model, manager, at, vars, &route, registry, &tarball).authorization
}

/// A URL as an HTTP client requests it: no fragment (a `#` and what follows is never sent),
/// blanks percent-encoded. Only a registry a manager reads with its inline comment has
/// either: real pnpm 12.21 asked `/top/%20` for `registry=https://host/top/ # main`.
fn as_requested(url: &str) -> String {
    let sent = url.split_once('#').map_or(url, |(before, _)| before);
    sent.replace(' ', "%20")
}

/// The model as the manager takes it here: the variables that a `//${HOST}/…/` key or a
/// registry URL names, when set, put into the keys and into the registry URLs, as npm does
/// in both before it matches (spec/npm.md §3; every manager expands a registry URL's). A
/// key written through a variable then matches the registry it holds, written out or not,
/// and a registry written through one matches a key written out. Other references stay: a
/// token's is shown as one, and so is a registry URL the manager does not expand (pnpm's
/// in a project file), which its rules then set aside.
///
/// Also each key as changed, with the key as written, for printing.
fn variables_set_here<'m>(
    model: &'m Model,
    manager: Manager,
    vars: VariablesHere,
) -> (Cow<'m, Model>, Vec<(AuthKey, AuthKey)>) {
    let expanded = |v: &Value| {
        manager.rules().expands_project_registry_references() || v.level() == Level::User
    };
    let registries = || {
        model
            .registry
            .iter()
            .chain(model.scopes.values().filter_map(|s| s.registry.as_ref()))
            .filter(|v| expanded(v))
    };
    let keys = || {
        model.auth.keys().filter_map(|k| match k {
            AuthKey::Url(location) if k.is_by_reference() => Some(location),
            _ => None,
        })
    };
    if keys().next().is_none() && !registries().any(|r| r.value.has_env()) {
        return (Cow::Borrowed(model), Vec::new());
    }
    let mut set: Vec<(String, String)> = Vec::new();
    let mut note = |name: &str| {
        if !set.iter().any(|(n, _)| n == name)
            && let Some(value) = vars.value(name)
        {
            set.push((name.to_string(), value));
        }
    };
    for location in keys() {
        for name in Template::parse(location, Dialect::Npm).env_names() {
            note(name);
        }
    }
    for registry in registries() {
        for name in registry.value.env_names() {
            note(name);
        }
    }
    // Yarn 1 and Deno read `${X}` alone (Yarn 1 looks up a variable named `X?` and stops).
    let optional_forms = !matches!(manager.dialect(), Dialect::YarnClassic | Dialect::Deno);
    // A form with a text of its own when unset (`${X?}`, `${X:-d}`) means something here too.
    let has_optional_form = |t: &Template| {
        t.pieces
            .iter()
            .any(|p| matches!(p, Piece::Env { unset, .. } if *unset != Unset::Strict))
    };
    let optional_here = optional_forms
        && (registries().any(|r| has_optional_form(&r.value))
            || keys().any(|k| has_optional_form(&Template::parse(k, Dialect::Npm))));
    if set.is_empty() && !optional_here {
        return (Cow::Borrowed(model), Vec::new());
    }
    let value_of = |name: &str| set.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let mut here = model.clone();
    here.auth = Default::default();
    let mut written_keys = Vec::new();
    for (written, creds) in &model.auth {
        let key = match written {
            AuthKey::Url(l) if written.is_by_reference() => {
                let location = put_in(&Template::parse(l, Dialect::Npm), value_of, optional_forms);
                let key = AuthKey::Url(location.render(Dialect::Npm).0);
                written_keys.push((key.clone(), written.clone()));
                key
            }
            _ => written.clone(),
        };
        // A key written out and one that becomes it once its variables are put in: npm
        // keeps the later line (a project file's over the user file's), not the first one
        // in pmrc's key order.
        let read_later =
            |c: &crate::model::Credentials| c.origin().map(|o| (o.level == Level::Project, o.line));
        match here.auth.get(&key) {
            Some(held) if read_later(held) > read_later(creds) => {}
            _ => {
                here.auth.insert(key, creds.clone());
            }
        }
    }
    let registries = here
        .registry
        .iter_mut()
        .chain(here.scopes.values_mut().filter_map(|s| s.registry.as_mut()));
    for r in registries.filter(|v| expanded(v)) {
        r.value = put_in(&r.value, value_of, optional_forms);
    }
    (Cow::Owned(here), written_keys)
}

/// A registry URL (`${NAME}` its references) with every variable set here put in: the
/// tarball URL a user gives is one the manager got with its variables put in. The keys
/// already have theirs (`variables_set_here`).
fn with_set_variables(registry: &str, vars: VariablesHere) -> String {
    if !crate::template::holds_reference(registry) {
        return registry.to_string();
    }
    // The optional forms were put in with the route (`variables_set_here`).
    put_in(
        &Template::parse(registry, Dialect::Npm),
        |name| vars.value(name),
        false,
    )
    .render(Dialect::Npm)
    .0
}

/// `t` with its references put in as the manager does when `value_of` says which variables
/// are set and to what: a set variable's value, and for an unset one (or an empty one, for
/// `${X:-d}`) the form's own text, empty or its default; a `${X}` stays while unset.
/// Without `optional_forms` (Yarn 1, which looks up a variable named `X?` and stops) only
/// `${X}` is put in.
fn put_in(
    t: &Template,
    value_of: impl Fn(&str) -> Option<String>,
    optional_forms: bool,
) -> Template {
    Template::from_pieces(t.pieces.iter().map(|piece| {
        let Piece::Env { name, unset } = piece else {
            return piece.clone();
        };
        let value = value_of(name);
        let text = match (unset, value) {
            (Unset::Strict, Some(v)) => v,
            (Unset::Strict, None) => return piece.clone(),
            _ if !optional_forms => return piece.clone(),
            (Unset::Default(d), v) => v.filter(|v| !v.is_empty()).unwrap_or_else(|| d.clone()),
            (Unset::DefaultIfUnset(d), v) => v.unwrap_or_else(|| d.clone()),
            (Unset::Empty, v) => v.unwrap_or_default(),
        };
        Piece::Text { text }
    }))
}

/// Which credential goes with the tarball request, by each manager's own rule.
fn tarball_explanation(
    model: &Model,
    manager: Manager,
    at: Major,
    vars: VariablesHere,
    route: &Route,
    registry: &str,
    tarball: &str,
) -> TarballExplanation {
    let (Some(t), Some(r)) = (RegistryUrl::parse(tarball), RegistryUrl::parse(registry)) else {
        return TarballExplanation {
            url: tarball.into(),
            authorization: None,
            why: "not an http(s) URL".into(),
        };
    };
    // The URL the manager asks for, where it is another (npm's for one on the public
    // registry), is the one whose credentials count.
    let rules = manager.rules();
    let fetched = rules
        .tarball_fetched_at(model, &t, at.major, at.files, vars.layer())
        .and_then(|(url, why)| Some((RegistryUrl::parse(&url)?, why)));
    let (t, fetched) = match fetched {
        Some((rewritten, why)) => (rewritten, Some(format!("{why}; "))),
        None => (t, None),
    };
    let (authorization, why) = rules.tarball_credentials(&TarballRequest {
        model,
        route,
        tarball: t,
        registry: r,
        major: at.major,
        files: at.files,
        env_vars: vars.layer(),
    });
    TarballExplanation {
        url: tarball.into(),
        authorization,
        why: format!("{}{why}", fetched.unwrap_or_default()),
    }
}

/// Where a request gets no credentials: the keys on its host that hold some and miss it,
/// and how (from a trial: a key whose path differs from the registry's by case alone, a
/// common cause of a 401, was not hinted at). A key for a parent of the registry's path
/// misses only where the manager does not walk up (from a trial: Yarn 1 and GitLab's
/// `//host/api/v4/` token, which the hint left out).
fn near_misses(model: &Model, manager: Manager, route: &Route) -> String {
    if route.authorization.is_some() || route.credential_key.is_some() {
        return String::new();
    }
    let Some(url) = route.registry.as_deref().and_then(RegistryUrl::parse) else {
        return String::new();
    };
    let path = crate::registry_url::with_trailing_slash(url.path());
    let missed: Vec<String> = model
        .auth
        .iter()
        .filter(|(_, c)| c.authenticates())
        .filter_map(|(key, _)| {
            let AuthKey::Url(key) = key else { return None };
            let key_url = RegistryUrl::of_key(key, url.scheme)?;
            if key_url.hostname() != url.hostname() {
                return None;
            }
            let how = if key_url.host() == url.host() {
                let key_path = crate::registry_url::with_trailing_slash(key_url.path());
                if path.starts_with(&key_path) {
                    let not_walked = manager.rules().parent_key_not_walked()?;
                    return (key_path != path).then(|| {
                        format!("`{key}` (a parent of the registry's path; {not_walked})")
                    });
                }
                if path
                    .to_ascii_lowercase()
                    .starts_with(&key_path.to_ascii_lowercase())
                {
                    "its path differs from the request's by case"
                } else {
                    "its path is not a part of the request's"
                }
            } else if key_url.host_as_written() == key_url.hostname() {
                "it names no port"
            } else {
                "it names another port"
            };
            Some(format!("`{key}` ({how})"))
        })
        .take(3)
        .collect();
    if missed.is_empty() {
        return String::new();
    }
    let verb = if missed.len() == 1 { "misses" } else { "miss" };
    format!("; on this host, {} {verb} it", missed.join(", "))
}
