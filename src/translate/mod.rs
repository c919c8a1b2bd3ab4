//! Turns a model read with one manager's rules into a model that makes another manager
//! send the same credentials to the same registries, and reports what cannot be kept.
//! Works on routes (what the source manager actually does), not on keys as written. Split by
//! concern: [`scopes`], [`credentials`], [`network`]; here the pipeline and its self-check.

mod credentials;
mod network;
mod scopes;

use std::collections::BTreeMap;

use crate::diagnostics::Code;
use crate::managers::{Manager, WrittenAs};
use crate::model::{AuthKey, Credentials, Level, Model, Origin, Value};
use crate::resolve::{self, Authorization, Packages, Route};
use crate::template::{Piece, Template};
use crate::warning::Warning;

pub struct Translation {
    pub model: Model,
    /// Credentials that must also be written at user level (pnpm reads `${VAR}`
    /// credentials only there); they stay in the project file for npm-run commands.
    pub user_credentials: Model,
    pub warnings: Vec<Warning>,
}

struct Translator<'a> {
    source: &'a Model,
    from: Manager,
    to: Manager,
    /// User-level files may be written (`--user`).
    user: bool,
    /// The manager that reads a file pmrc writes whole at user level (`pmrc env`'s rc
    /// file): such a file may hold `//${HOST}/…/` keys, where that manager expands them.
    key_reader: Option<Manager>,
    /// The `//${HOST}/…/` credentials the target already reads from its own files (a line
    /// pmrc advised and the user added): kept as they are, never written.
    held_reference_keys: BTreeMap<String, Credentials>,
    /// Run from a workspace member: the workspace root as the member names it (`../..`),
    /// whose files are the project's, not a folder above it.
    workspace_root_shown: Option<&'a str>,
    warnings: Vec<Warning>,
    /// The credentials the target ignores in the project file, with the lines that give
    /// them to it from its user file (pnpm): one finding for all, at `advice_at`.
    advice: Vec<Advice>,
    advice_at: Option<usize>,
    /// Where basic auth the target's own file cannot hold stays in the `.npmrc` it reads too:
    /// the plan checks what it sends there in the final files.
    kept_in_npmrc: Vec<Origin>,
    /// What the target reads now, where it may send credentials keyed elsewhere (Yarn 1):
    /// whether a copy can be spared depends on it.
    target_reading: Option<&'a TargetReading>,
}

/// What a target reads now from its files: all of them, and those pmrc does not write (Yarn
/// 1's `.yarnrc`), which can route its requests whatever the written files say.
pub struct TargetReading {
    pub all: Model,
    pub unwritten: Model,
    /// Every file the target reads was read (no user file left unread without `--user`).
    pub complete: bool,
}

/// A credential to copy to the target's user file ([`Translator::say_advice`]).
struct Advice {
    origin: Option<Origin>,
    /// The lines to add, a literal secret in them masked.
    lines: Vec<String>,
    /// The sentence naming `pmrc env` for CI, where it can do it (one for all).
    ci: Option<std::rc::Rc<str>>,
}

impl Translator<'_> {
    /// How the target spells things.
    fn target(&self) -> WrittenAs {
        self.to.rules().written_as()
    }
}

/// Moves a value to `level` (a value read without an origin takes `fallback`'s place).
fn move_to(v: &mut Value, level: Level, fallback: &Option<Origin>) {
    match (&mut v.origin, fallback) {
        (Some(o), _) => o.level = level,
        (None, Some(f)) => v.origin = Some(Origin { level, ..f.clone() }),
        (None, None) => {
            v.origin = Some(Origin {
                file: Origin::shared(""),
                line: 0,
                level,
            })
        }
    }
}

/// Translates `source` (read with `from`'s rules) for `to`; `user` allows moving
/// credentials to user-level files where the target cannot read them from the project.
pub fn translate(source: &Model, from: Manager, to: Manager, user: bool) -> Translation {
    let routes = resolve::routes(source, from);
    translate_with(
        (source, &routes),
        from,
        to,
        user,
        None,
        (BTreeMap::new(), None),
        None,
    )
}

/// [`translate`] beside the `//${HOST}/…/` credentials `held` the target already reads from
/// its files (`held_reference_keys`), with the source's routes already worked out.
pub fn translate_beside(
    source: (&Model, &[Route]),
    (from, to): (Manager, Manager),
    user: bool,
    held: BTreeMap<String, Credentials>,
    target_reading: Option<&TargetReading>,
    workspace_root_shown: Option<&str>,
) -> Translation {
    translate_with(
        source,
        from,
        to,
        user,
        None,
        (held, target_reading),
        workspace_root_shown,
    )
}

/// [`translate`] for a user-level file pmrc writes whole, in `to`'s format, that `reader`
/// reads (`pmrc env`'s rc file; Bun's is written as npm reads it).
pub fn translate_rc_file(
    source: &Model,
    from: Manager,
    to: Manager,
    reader: Manager,
) -> Translation {
    let routes = resolve::routes(source, from);
    translate_with(
        (source, &routes),
        from,
        to,
        true,
        Some(reader),
        (BTreeMap::new(), None),
        None,
    )
}

fn translate_with(
    (source, routes): (&Model, &[Route]),
    from: Manager,
    to: Manager,
    user: bool,
    key_reader: Option<Manager>,
    (held_reference_keys, target_reading): (BTreeMap<String, Credentials>, Option<&TargetReading>),
    workspace_root_shown: Option<&str>,
) -> Translation {
    let mut tr = Translator {
        source,
        from,
        to,
        user,
        key_reader,
        held_reference_keys,
        workspace_root_shown,
        warnings: Vec::new(),
        advice: Vec::new(),
        advice_at: None,
        kept_in_npmrc: Vec::new(),
        target_reading,
    };
    let mut model = Model {
        registry: source.registry.as_ref().map(|r| tr.registry_value(r)),
        ..Model::default()
    };
    tr.scopes(routes, &mut model);
    tr.credentials(routes, &mut model);
    tr.scopes_left_in_npmrc(&model);
    if model.auth.contains_key(&AuthKey::DefaultRegistry) && model.registry.is_none() {
        // Bun keeps the default registry's credentials with its URL, so it must be written.
        let public = Value::new(Template::literal(to.public_registry()), None);
        model.registry = Some(public);
    }
    tr.network(routes, &mut model);
    if tr.target() == WrittenAs::Bunfig {
        tr.bun_entries_at_one_level(&mut model);
    }
    let user_credentials = match to.rules().user_credentials_file() {
        Some(user_file) => tr.env_credentials_for_user_file(&model, user_file),
        None => Model::default(),
    };
    to.rules()
        .fit_translation(&mut model, target_reading.map(|r| &r.all), &mut tr.warnings);
    let mut effective = model.clone();
    effective.overlay(user_credentials.clone());
    tr.verify(routes, &effective);
    if !user && let Some(user_file) = to.rules().user_credentials_file() {
        tr.withdraw_advice_that_would_leak(routes, &model, user_file);
        tr.say_advice(user_file);
    }
    Translation {
        model,
        user_credentials,
        warnings: tr.warnings,
    }
}

impl Translator<'_> {
    /// Without `--user`, pmrc says which line to add to the user file; where that line would
    /// make the target send the credential where the source sends none (pnpm and a key
    /// without the port), the advice is withdrawn and the reason given instead.
    fn withdraw_advice_that_would_leak(
        &mut self,
        routes: &[Route],
        model: &Model,
        user_file: &str,
    ) {
        let advised = {
            let mut as_if_user = Translator {
                source: self.source,
                from: self.from,
                to: self.to,
                user: true,
                key_reader: self.key_reader,
                held_reference_keys: self.held_reference_keys.clone(),
                workspace_root_shown: self.workspace_root_shown,
                warnings: Vec::new(),
                advice: Vec::new(),
                advice_at: None,
                kept_in_npmrc: Vec::new(),
                target_reading: self.target_reading,
            };
            as_if_user.env_credentials_for_user_file(model, user_file)
        };
        let mut followed = model.clone();
        followed.overlay(advised);
        let source = (self.from, self.source);
        let mut leaks = route_differences(source, self.to, routes, &followed);
        leaks.retain(|w| {
            matches!(
                w.code,
                Code::CredentialSentElsewhere | Code::CredentialsDiffer
            )
        });
        // A credential sent where the source sends none, or another one than the source's,
        // that only following the advice brings (from a trial: Yarn 1 sent no token for keys
        // that pnpm 11, given them in auth.ini, sent). Compared only where there is one: a
        // large config's routes are many (issue 20).
        if leaks.iter().any(|w| w.code == Code::CredentialsDiffer) {
            let unfollowed = route_differences(source, self.to, routes, model);
            leaks.retain(|w| w.code == Code::CredentialSentElsewhere || !unfollowed.contains(w));
        }
        for leak in leaks {
            // The copy keeps the line it came from; only its level differs.
            let same_line = |o: &Option<Origin>| {
                o.as_ref().map(|o| (&o.file, o.line))
                    == leak.origin.as_ref().map(|o| (&o.file, o.line))
            };
            let Some(withdrawn) = self.advice.iter().position(|a| same_line(&a.origin)) else {
                continue;
            };
            self.advice.remove(withdrawn);
            let at = self.advice_at.unwrap_or(self.warnings.len());
            self.advice_at = Some(at + 1);
            let consequence = match leak.code {
                // `<packages>: <what would be sent where><NOT_WRITTEN>`
                Code::CredentialSentElsewhere => format!(
                    "there, {}",
                    leak.message
                        .strip_suffix(NOT_WRITTEN)
                        .and_then(|m| m.split_once(": "))
                        .map_or(leak.message.as_str(), |(_, sent)| sent)
                ),
                _ => format!("with it there, {}", leak.message),
            };
            let said = Warning::new(
                Code::PnpmEnvCredentialNeedsUserFile,
                format!(
                    "{} ignores this credential in the project .npmrc, and pmrc does not suggest copying it to {user_file}: {consequence}",
                    self.to.label(),
                ),
                leak.origin.clone(),
            );
            self.warnings.insert(at, said);
        }
    }

    /// The advice for every credential the target ignores in the project file, in one
    /// finding where the source's `.npmrc` had a great many (thousands in a large config,
    /// issue 20): the lines to add, one a line, ready to paste.
    fn say_advice(&mut self, user_file: &str) {
        let mut advice = std::mem::take(&mut self.advice);
        // In the file's order, the finding at the first of them.
        advice.sort_by(|a, b| {
            let at = |o: &Option<Origin>| o.as_ref().map(|o| (o.file.clone(), o.line));
            at(&a.origin).cmp(&at(&b.origin))
        });
        let Some(first) = advice.first() else {
            return;
        };
        let label = self.to.label();
        // `pmrc env` is named when it can do it for every one of them.
        let ci = match advice.iter().all(|a| a.ci == first.ci) {
            true => first.ci.as_deref().unwrap_or_default(),
            false => "",
        };
        let message = match &advice[..] {
            [one] => format!(
                "{label} ignores credentials that are environment references in a project .npmrc (pmrc keeps them there for npm-run commands such as `pnpm publish`). Add to {user_file}: `{}`, or run pmrc again with --user to write it.{ci}",
                one.lines.join("` and `")
            ),
            many => {
                let lines: String = many
                    .iter()
                    .flat_map(|a| &a.lines)
                    .map(|l| format!("\n`{l}`"))
                    .collect();
                format!(
                    "{label} ignores the {} credentials that are environment references in a project .npmrc (pmrc keeps them there for npm-run commands such as `pnpm publish`). Add these lines to {user_file}, or run pmrc again with --user to write them.{ci}{lines}",
                    many.len()
                )
            }
        };
        let at = self
            .advice_at
            .unwrap_or(self.warnings.len())
            .min(self.warnings.len());
        self.warnings.insert(
            at,
            Warning::new(
                Code::PnpmEnvCredentialNeedsUserFile,
                message,
                first.origin.clone(),
            ),
        );
    }

    /// A value for the target, with a warning for anything its interpolation cannot keep.
    fn carry(&mut self, v: &Value, what: &str) -> Value {
        let losses = v.value.render(self.to.dialect()).1;
        // A secret's losses are told from its masked form: the literal parts stay unsaid.
        let secret = matches!(what, "token" | "_auth" | "password");
        let told: Vec<String> = if secret && !losses.is_empty() {
            // Masked as read: an escaped `\${X}` is a literal secret in the source's notation.
            let read_in = self.from.rules().shown_dialect_at(v.origin.as_ref());
            let masked = v.value.redacted_in(read_in).render(self.to.dialect()).1;
            if masked.len() == losses.len() {
                masked.into_iter().map(|l| l.what).collect()
            } else {
                vec!["its literal text as it is (not shown: it is a secret)".to_string()]
            }
        } else {
            losses.into_iter().map(|l| l.what).collect()
        };
        for what_lost in told {
            self.warnings.push(Warning::new(
                Code::LossyEnvReference,
                format!("{what}: {} cannot keep {what_lost}", self.to),
                v.origin.clone(),
            ));
        }
        v.clone()
    }

    /// Re-resolves the result with the target's rules; any route that now behaves
    /// differently is reported, so nothing lossy passes silently.
    fn verify(&mut self, before: &[Route], model: &Model) {
        // A credential pnpm ignores in the project file already has its finding, which says
        // what a route's "would send no credentials" would and what to do: one finding for
        // it, not two (a large config had thousands of each, issue 20).
        // So has basic auth the target's own file cannot hold, kept in the `.npmrc` it reads
        // too: the plan checks what the target reads there in the final files (from a review,
        // real Bun 1.4.5 sent the kept `_auth`, and this said it would send nothing).
        let explained: Explained = self
            .advice
            .iter()
            .filter_map(|a| a.origin.as_ref())
            .chain(&self.kept_in_npmrc)
            .map(|o| (o.file.as_path(), o.line))
            .collect();
        // A file written for another reader (`pmrc env`'s rc file, which Bun reads as an
        // `.npmrc`) is checked as that reader takes it.
        let reader = self.key_reader.unwrap_or(self.to);
        let differences = differences((self.from, self.source), reader, before, model, &explained);
        self.warnings.extend(differences);
    }
}

/// Where `to`, reading `model`, requests or authenticates a group of packages differently
/// from the routes `from` took reading `source` (`before`): `route-differs` /
/// `credentials-differ`.
pub fn route_differences(
    (from, source): (Manager, &Model),
    to: Manager,
    before: &[Route],
    model: &Model,
) -> Vec<Warning> {
    differences((from, source), to, before, model, &Explained::default())
}

/// A group of packages `to`, reading `model`, would not request and authenticate as `from`
/// did (`before`): [`unsettled_routes`].
pub struct Unsettled {
    /// As the target names it.
    pub group: Packages,
    /// The source's registry for the group, where the target would request another and the
    /// source's is a URL without references, credentials or a query: what [`pin_registry`]
    /// may write out.
    pub pin: Option<String>,
    /// The target would request another registry, and the source's is one pmrc does not copy
    /// into another file (a reference, credentials or a query in it).
    pub withheld: bool,
    /// The target would request the source's registry: only the credentials differ.
    pub requests_alike: bool,
    /// The line that gives the target its registry for the group.
    pub line: Option<Origin>,
    /// The registry the target would request (`None`: the public registry).
    pub requested: Option<String>,
}

/// The groups of `before` (the source's routes) that `to`, reading `model`, would not
/// request or authenticate alike. Where the registry differs by a line in a file pmrc does
/// not write, the source's registry written out in one it does may win over that line (Yarn
/// 1 takes any `.npmrc` registry over `.yarnrc`'s, Yarn a project's `.yarnrc.yml` over a
/// parent folder's): `plan::pins` tries it.
pub fn unsettled_routes(to: Manager, before: &[Route], model: &Model) -> Vec<Unsettled> {
    let groups = before.iter().map(|b| target_group(&b.packages)).collect();
    let after = resolve::routes_for(model, to, groups);
    let after: rustc_hash::FxHashMap<&Packages, &Route> =
        after.iter().map(|a| (&a.packages, a)).collect();
    let mut out = Vec::new();
    for b in before {
        let group = target_group(&b.packages);
        let Some(a) = after.get(&group) else {
            continue;
        };
        if b.resolved_alike(a) {
            continue;
        }
        let (_, breg, bauth) = b.observable();
        let (_, areg, aauth) = a.observable();
        let requests_apart = !b.requests_alike_as_spelled(a, (&breg, &areg));
        if !requests_apart && bauth == aauth {
            continue;
        }
        let source_url = match &breg {
            None => Some(to.rules().public_registry_written().to_string()),
            // A URL with credentials in it (or a token in its query) is the translation's to
            // carry, not a line's: a line would copy the secret into another file.
            Some(_) => b
                .registry_read
                .as_ref()
                .and_then(|t| t.as_literal())
                .filter(|u| {
                    crate::registry_url::url_userinfo(u).is_none() && !u.contains(['?', '#'])
                }),
        };
        out.push(Unsettled {
            withheld: requests_apart && source_url.is_none(),
            requests_alike: !requests_apart,
            pin: source_url.filter(|_| requests_apart),
            line: registry_line(model, a),
            requested: areg,
            group,
        });
    }
    out
}

/// Writes `url` out as the registry of `group` in `model`, the translation for `to`, spelled
/// as `to` writes registries ([`Unsettled::pin`]).
pub fn pin_registry(model: &mut Model, to: Manager, group: &Packages, url: &str) {
    let url = match to.rules().written_as() {
        WrittenAs::Npmrc | WrittenAs::Bunfig => crate::registry_url::registry_with_slash(url),
        WrittenAs::YarnrcYml => registry_without_slash_or_port(url),
    };
    let value = Some(Value::new(Template::literal(url), None));
    match group {
        Packages::Unscoped => model.registry = value,
        Packages::Scope(scope) => {
            model
                .scopes
                .entry(target_scope(scope))
                .or_default()
                .registry = value
        }
    }
}

/// A registry URL as Yarn's files name it (Yarn strips the slash; its `npmRegistries` keys
/// carry no default port).
fn registry_without_slash_or_port(url: &str) -> String {
    crate::registry_url::registry_without_slash(&crate::registry_url::without_default_port(url))
}

/// A group of packages as the target names it (a scope without its `@`).
pub(crate) fn target_group(packages: &Packages) -> Packages {
    match packages {
        Packages::Scope(s) => Packages::Scope(target_scope(s)),
        Packages::Unscoped => Packages::Unscoped,
    }
}

/// Source lines whose credential already has a finding that says the target sends nothing.
type Explained<'a> = rustc_hash::FxHashSet<(&'a std::path::Path, usize)>;

/// Where the target's registry for `route` is set, when the route was read from that setting:
/// the line that makes the target go elsewhere, often one pmrc does not write (a Yarn 1
/// `--registry` flag line in `.yarnrc`).
fn registry_line(model: &Model, route: &Route) -> Option<Origin> {
    let read = route.registry_read.as_ref()?;
    let scope = match &route.packages {
        Packages::Scope(s) => model.scopes.get(s).and_then(|s| s.registry.as_ref()),
        Packages::Unscoped => None,
    };
    scope
        .or(model.registry.as_ref())
        .filter(|v| v.value == *read)
        .and_then(|v| v.origin.clone())
}

/// [`route_differences`], except that a target sending nothing where `explained` names the
/// source credential's line is left to that finding.
fn differences(
    (from, source): (Manager, &Model),
    to: Manager,
    before: &[Route],
    model: &Model,
    explained: &Explained,
) -> Vec<Warning> {
    let groups: Vec<Packages> = before.iter().map(|b| target_group(&b.packages)).collect();
    let after = resolve::routes_for(model, to, groups);
    let after: rustc_hash::FxHashMap<&Packages, &Route> =
        after.iter().map(|a| (&a.packages, a)).collect();
    let mut out = Vec::new();
    let queries_kept_apart =
        from.rules().keeps_registry_query() != to.rules().keeps_registry_query();
    for b in before {
        let Some(a) = after.get(&target_group(&b.packages)) else {
            continue;
        };
        if queries_kept_apart {
            out.extend(query_kept_apart(from, (to, model), b, a));
        }
        if b.resolved_alike(a) {
            // Only a registry URL's userinfo makes two managers that send one packument
            // request alike send its tarballs differently (Bun sends the userinfo there too,
            // the others do not); the other routes skip the tarball rules (issue 20).
            if b.credential_in_url || a.credential_in_url {
                out.extend(tarball_difference((from, source), (to, model), b, a));
            }
            continue;
        }
        let (bp, breg, bauth) = b.observable();
        let (_, areg, aauth) = a.observable();
        if !b.requests_alike_as_spelled(a, (&breg, &areg)) {
            // Spelled alike, read apart: one expands a `${…}` the other sends as text.
            let read_apart = if breg == areg {
                ", the same text, which only one of them expands"
            } else {
                ""
            };
            out.push(Warning::new(
                Code::RouteDiffers,
                format!(
                    "{bp}: {from} requests {} but {to} would request {}{read_apart}",
                    breg.as_deref().unwrap_or("the public registry"),
                    areg.as_deref().unwrap_or("the public registry")
                ),
                registry_line(model, a),
            ));
        } else if bauth.is_none() && aauth.is_some() && !names_its_registry(a, to) {
            out.push(Warning::error(
                Code::CredentialSentElsewhere,
                format!(
                    "{bp}: {to} would send {} to {}, whose host and port `{}` does not name; {from} sends no credentials there{NOT_WRITTEN}",
                    describe(&aauth),
                    breg.as_deref().unwrap_or("the public registry"),
                    a.credential_key
                        .as_ref()
                        .map_or_else(String::new, ToString::to_string),
                ),
                a.credential_origin.clone(),
            ));
        } else if bauth == aauth {
            // Alike as requests, written differently (a trailing slash, Yarn's spelling).
            if b.credential_in_url || a.credential_in_url {
                out.extend(tarball_difference((from, source), (to, model), b, a));
            }
        } else {
            let told = aauth.is_none()
                && b.credential_origin
                    .as_ref()
                    .is_some_and(|o| explained.contains(&(&*o.file, o.line)));
            if told {
                continue;
            }
            let (mut sent_before, mut sent_after) =
                (describe_route(b, &bauth), describe_route(a, &aauth));
            // Values are never shown: where they read alike, say where each comes from.
            if sent_before == sent_after {
                let line = |r: &Route| {
                    r.credential_origin
                        .as_ref()
                        .map(|o| format!(" (from {}:{})", o.file.display(), o.line))
                        .unwrap_or_default()
                };
                sent_before.push_str(&line(b));
                sent_after = format!("a different one{}", line(a));
            }
            out.push(Warning::new(
                Code::CredentialsDiffer,
                format!(
                    "{bp}: {from} sends {sent_before} but {to} would send {sent_after}{}{}",
                    userinfo_read_differently(b, a),
                    why_nothing_is_sent((from, b), (to, a)),
                ),
                b.credential_origin.clone().or(a.credential_origin.clone()),
            ));
        }
    }
    out
}

/// `route-differs` for a group both would request under one registry URL with a query,
/// where only one of them keeps the query in its requests (`Rules::keeps_registry_query`):
/// the registry sees another request, though the files name the same URL. The routes are
/// compared on as usual after it, since the credentials may differ too.
fn query_kept_apart(
    from: Manager,
    (to, model): (Manager, &Model),
    b: &Route,
    a: &Route,
) -> Option<Warning> {
    let registry = b.registry.as_deref()?;
    crate::registry_url::without_query(registry)?;
    let (bp, breg, _) = b.observable();
    let (_, areg, _) = a.observable();
    if breg != areg {
        return None;
    }
    let shown = breg.as_deref().unwrap_or(registry);
    let message = if from.rules().keeps_registry_query() {
        format!(
            "{bp}: {from} requests {shown} with its query, but {to} leaves a registry URL's query out of its requests and would request {}",
            resolve::sent_under(to, registry)
        )
    } else {
        format!(
            "{bp}: {from} leaves the query of {shown} out of its requests ({}), but {to} would send it",
            resolve::sent_under(from, registry)
        )
    };
    Some(Warning::new(
        Code::RouteDiffers,
        message,
        registry_line(model, a),
    ))
}

/// `credentials-differ` for the tarballs of a group whose packument requests are alike: what
/// each manager sends with a tarball on the registry's own host.
fn tarball_difference(
    (from, source): (Manager, &Model),
    (to, model): (Manager, &Model),
    before: &Route,
    after: &Route,
) -> Option<Warning> {
    let sent = |model, manager, route: &Route| {
        let authorization = crate::explain::registry_tarball_authorization(model, manager, route);
        Route {
            authorization,
            ..route.clone()
        }
    };
    let (b, a) = (sent(source, from, before), sent(model, to, after));
    let (bp, breg, bauth) = b.observable();
    let (_, _, aauth) = a.observable();
    (bauth != aauth).then(|| {
        Warning::new(
            Code::CredentialsDiffer,
            format!(
                "{bp}: with the tarballs of {}, {from} sends {} but {to} would send {}{}",
                breg.as_deref().unwrap_or("the public registry"),
                describe(&bauth),
                describe(&aauth),
                userinfo_to_tarballs(from, to),
            ),
            before
                .credential_origin
                .clone()
                .or(after.credential_origin.clone()),
        )
    })
}

/// Why two managers send a registry's tarballs different credentials, when the reason is
/// that one sends the URL's userinfo there and the other only with the packument.
fn userinfo_to_tarballs(from: Manager, to: Manager) -> String {
    let to_tarballs = |m: Manager| {
        matches!(
            m.rules().url_userinfo(),
            resolve::UrlUserinfo::Basic {
                to_tarballs: true,
                ..
            }
        )
    };
    match (to_tarballs(from), to_tarballs(to)) {
        (false, true) => format!(
            ": {to} sends the registry's own credentials with its tarballs too, {from} sends a URL's userinfo with the package's metadata only"
        ),
        (true, false) => format!(
            ": {from} sends a URL's userinfo with the registry's tarballs too, {to} with the package's metadata only"
        ),
        _ => String::new(),
    }
}

/// How a `credential-sent-elsewhere` message ends.
const NOT_WRITTEN: &str =
    ". Nothing is written: a translation must not send a credential where the source did not";

/// Whether the credentials a route sends are keyed at the host and port it requests: a
/// key without the port (pnpm tries one when no key names the port) or unkeyed credentials
/// (Yarn's top-level token) reach a registry the user never named.
pub fn names_its_registry(route: &Route, manager: Manager) -> bool {
    let registry = route.requested_registry(manager);
    match (
        &route.credential_key,
        crate::registry_url::RegistryUrl::parse(registry),
    ) {
        (Some(AuthKey::Url(key)), Some(url)) => url.is_named_by_key(key),
        (Some(AuthKey::Fallback), _) => false,
        _ => true,
    }
}

/// A scope's name in a target: a Yarn `npmScopes` key written with `@` (which Yarn never
/// matched, and was reported) becomes the scope it was meant to be.
fn target_scope(name: &str) -> String {
    name.trim_start_matches('@').to_string()
}

/// Why two managers that both send a registry URL's userinfo send different headers, when
/// that is the reason: they read its percent escapes, or an empty user, their own ways.
fn userinfo_read_differently(source: &Route, target: &Route) -> &'static str {
    let both = source.credential_in_url
        && target.credential_in_url
        && source.authorization.is_some()
        && target.authorization.is_some();
    let tricky = source
        .registry
        .as_deref()
        .and_then(crate::registry_url::url_userinfo)
        .is_some_and(|(user, password)| {
            user.is_empty() || user.contains('%') || password.is_some_and(|p| p.contains('%'))
        });
    if both && tricky {
        " (the two read the URL's percent escapes, or an empty user, differently)"
    } else {
        ""
    }
}

/// Why the manager that has credentials for a route sends none, in its own terms (as `pmrc
/// explain` says it): "sends no credentials" beside a token the other sends left users to
/// guess which setting made the difference (Yarn's `npmAlwaysAuth`).
fn why_nothing_is_sent(
    (from, before): (Manager, &Route),
    (to, after): (Manager, &Route),
) -> String {
    let silent = [(from, before), (to, after)]
        .into_iter()
        .find(|(_, route)| {
            route.authorization.is_none()
                && route.credential_key.is_some()
                && !route.credential_in_url
        });
    match silent {
        Some((manager, route)) => {
            format!("; {manager}: {}", manager.rules().credential_reason(route))
        }
        None => String::new(),
    }
}

/// What a route sends, and whether it comes from its registry URL's userinfo.
fn describe_route(route: &Route, sent: &Option<Authorization>) -> String {
    match (sent, route.credential_in_url) {
        (None, true) => {
            "nothing: it refuses a registry URL with credentials in it, so every request fails"
                .into()
        }
        (sent, true) => format!("{} from the URL's userinfo", describe(sent)),
        (sent, false) => describe(sent),
    }
}

/// What `manager` does otherwise over `after` than over `before`, said without values: the
/// first group of packages it requests or authenticates otherwise, then each credential of
/// its files that is replaced or removed (one npm uses only to publish changes no request).
pub(crate) fn what_moved(manager: Manager, before: &Model, after: &Model) -> Vec<String> {
    let groups = resolve::groups_of(before, after);
    let was = resolve::routes_for(before, manager, groups.clone());
    let will = resolve::routes_for(after, manager, groups);
    let public = "the public registry";
    let moved = was
        .iter()
        .zip(&will)
        .find(|(b, a)| b.packages == a.packages && !b.resolved_alike(a))
        .map(|(b, a)| {
            let (packages, was_registry, was_sent) = b.observable();
            let (_, registry, sent) = a.observable();
            if was_registry != registry {
                format!(
                    "{packages} from {} instead of {}",
                    registry.as_deref().unwrap_or(public),
                    was_registry.as_deref().unwrap_or(public)
                )
            } else {
                format!(
                    "{packages}: {} instead of {} to {}",
                    describe_route(a, &sent),
                    describe_route(b, &was_sent),
                    registry.as_deref().unwrap_or(public)
                )
            }
        });
    let lost = before.auth.iter().filter_map(|(key, was)| {
        let now = after.auth.get(key);
        if now == Some(was) {
            return None;
        }
        let at = [&was.token, &was.ident, &was.password, &was.username]
            .into_iter()
            .flatten()
            .find_map(|v| v.origin.as_ref())
            .map(|o| format!(" ({}:{})", o.file.display(), o.line))
            .unwrap_or_default();
        let was_sent = describe(&resolve::npm_authorization(was));
        Some(match now.map(resolve::npm_authorization) {
            Some(sent) => format!(
                "its credential for {key}{at}, {was_sent}, becomes {}",
                describe(&sent)
            ),
            None => format!("its credential for {key}{at}, {was_sent}, is removed"),
        })
    });
    moved.into_iter().chain(lost).collect()
}

/// A header described without its value.
fn describe(a: &Option<Authorization>) -> String {
    let refs = |t: &Template| {
        let names: Vec<String> = t
            .pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Env { name, .. } | Piece::FromVariable { name, .. } => {
                    Some(format!("${name}"))
                }
                Piece::Text { .. } => None,
            })
            .collect();
        if names.is_empty() {
            "a literal value".to_string()
        } else {
            format!("from {}", names.join(", "))
        }
    };
    match a {
        None => "no credentials".into(),
        Some(Authorization::Bearer(t)) => format!("a bearer token ({})", refs(t)),
        Some(Authorization::Basic(t)) => format!("basic auth ({})", refs(t)),
        Some(Authorization::BasicParts { user, password, .. }) => {
            format!(
                "basic auth (user {}, password {})",
                refs(user),
                refs(password)
            )
        }
        Some(Authorization::ClientCertificate) => "a client certificate".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scope;

    /// The self-check fires when a translation would send a group of packages elsewhere.
    /// No known translation does (each would be a bug), so the check is driven directly:
    /// the source's route for @acme is compared with a target model that lost the scope.
    #[test]
    fn verify_reports_a_route_that_moved() {
        let registry = |url: &str| Some(Value::new(Template::literal(url), None));
        let mut source = Model::default();
        source.scopes.insert(
            "acme".into(),
            Scope {
                registry: registry("https://acme.example/"),
                publish_registry: None,
            },
        );
        let before = resolve::routes(&source, Manager::Npm);
        let mut tr = Translator {
            source: &source,
            from: Manager::Npm,
            to: Manager::Yarn,
            user: false,
            key_reader: None,
            held_reference_keys: BTreeMap::new(),
            workspace_root_shown: None,
            warnings: Vec::new(),
            advice: Vec::new(),
            advice_at: None,
            kept_in_npmrc: Vec::new(),
            target_reading: None,
        };
        let mut lost = source.clone();
        lost.scopes.get_mut("acme").unwrap().registry = registry("https://other.example");
        tr.verify(&before, &lost);
        assert_eq!(tr.warnings.len(), 1, "{:?}", tr.warnings);
        assert_eq!(tr.warnings[0].code, Code::RouteDiffers);
        tr.warnings.clear();
        tr.verify(&before, &source);
        assert!(tr.warnings.is_empty(), "{:?}", tr.warnings);
    }
}
