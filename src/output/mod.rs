//! The only printer: everything pmrc prints, as text, JSON, Markdown ([`markdown`]), SARIF
//! ([`sarif`]) or GitHub workflow commands ([`github`]), with secrets masked unless
//! `--show-secrets`. The diff goes to stdout;
//! warnings and summaries to stderr. Commands hand their results here as data.

pub mod diagnostic;
pub mod diff;
mod env;
pub mod github;
mod init;
pub mod markdown;
mod sarif;

pub use env::print_env;
pub use init::print_init;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::PathBuf;

use serde_json::json;

use crate::commands::show::Shown;
use crate::discover::ConfigFile;
use crate::model::{AuthKey, Field, Origin, Value, scope_label};
use crate::plan::{Mode, Plan, Status};
use crate::redact;
use crate::resolve::{Authorization, Route};
use crate::template::{Dialect, Template};
use crate::warning::Warning;

/// Version of the JSON output; bumped when a field changes meaning or goes away.
pub const JSON_VERSION: u32 = 1;

/// How results are printed: text for people, JSON for scripts, Markdown for a pull-request
/// comment, GitHub workflow commands for annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Text,
    Json,
    Markdown,
    Github,
}

/// How much goes to stderr besides errors: `--quiet` nothing, `--verbose` also which files
/// were read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

pub struct Output {
    pub style: Style,
    pub show_secrets: bool,
    /// Colour on stdout (the diff, doctor's findings).
    pub color: bool,
    /// Colour on stderr (warnings and summaries), decided for that stream: `pmrc convert >
    /// plan.diff` in a terminal still colours the warnings it shows there.
    pub color_stderr: bool,
    /// The width findings are wrapped to ([`diagnostic::terminal_width`]).
    pub width: usize,
    pub verbosity: Verbosity,
    /// Where the files annotated by `--format github` are.
    pub places: github::Places,
}

impl Output {
    pub fn json(&self) -> bool {
        self.style == Style::Json
    }

    fn quiet(&self) -> bool {
        self.verbosity == Verbosity::Quiet
    }

    /// How findings printed on stdout are laid out.
    fn layout(&self) -> diagnostic::Layout {
        diagnostic::Layout {
            width: self.width,
            color: self.color,
        }
    }

    /// How findings printed on stderr are laid out.
    fn layout_stderr(&self) -> diagnostic::Layout {
        diagnostic::Layout {
            width: self.width,
            color: self.color_stderr,
        }
    }
}

/// Text to stdout; unless `--show-secrets`, every URL in it loses its credentials first
/// (the net under every message, diff, hint and JSON string pmrc prints).
fn print_stdout(out: &Output, text: &str) -> io::Result<()> {
    if out.show_secrets {
        print_raw(text.as_bytes())
    } else {
        print_raw(redact::urls_in(text).as_bytes())
    }
}

/// A JSON document (schema v1) on stdout, pretty-printed with a final line break.
fn print_json(out: &Output, doc: &serde_json::Value) -> io::Result<()> {
    let text = serde_json::to_string_pretty(doc).expect("serialisable");
    print_stdout(out, &format!("{text}\n"))
}

/// Bytes to stdout as they are (also completion scripts and the man page), flushed so that a
/// full disk is seen here and not lost at exit. A closed pipe (`pmrc show | head`) is not an
/// error worth reporting; any other failure is.
pub fn print_raw(bytes: &[u8]) -> io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    quiet_on_closed_pipe(stdout.write_all(bytes).and_then(|()| stdout.flush()))
}

fn quiet_on_closed_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// `--verbose`: the files a plan read and the files it would write, on stderr.
pub fn print_files(plan: &Plan, written: &[PathBuf], out: &Output) -> io::Result<()> {
    if out.verbosity != Verbosity::Verbose {
        return Ok(());
    }
    let mut err = String::new();
    for f in &plan.sources {
        let state = if f.text.is_some() { "read" } else { "absent" };
        err.push_str(&format!(
            "verbose: {} source {} ({} level): {state}\n",
            plan.from,
            f.display,
            level_name(f.level)
        ));
    }
    for c in &plan.changes {
        let state = match c.status() {
            Status::Unchanged => "in sync",
            _ if written.contains(&c.path) => "written",
            Status::Create => "would be created",
            Status::Modify => "would change",
        };
        err.push_str(&format!(
            "verbose: {} target {} ({} level): {state}\n",
            c.manager,
            c.display,
            level_name(c.level)
        ));
    }
    print_stderr(out, &err)?;
    Ok(())
}

fn level_name(level: crate::model::Level) -> &'static str {
    match level {
        crate::model::Level::Project => "project",
        crate::model::Level::User => "user",
    }
}

/// Text to stderr, masked as [`print_stdout`] masks.
fn print_stderr(out: &Output, text: &str) -> io::Result<()> {
    let text = if out.show_secrets {
        Cow::Borrowed(text)
    } else {
        redact::urls_in(text)
    };
    let mut stderr = std::io::stderr().lock();
    quiet_on_closed_pipe(
        stderr
            .write_all(text.as_bytes())
            .and_then(|()| stderr.flush()),
    )
}

/// One warning as wrapped text ([`diagnostic`]), for stderr.
pub fn warning_text(w: &Warning, out: &Output) -> String {
    diagnostic::Diagnostic {
        severity: w.severity,
        code: w.code.id(),
        origin: w.origin.as_ref(),
        message: &w.message,
        fix: None,
    }
    .render(out.layout_stderr())
}

/// The error that ends a run, as `error: ...` wrapped like a finding (the binary prints it;
/// URLs in it lose their credentials).
pub fn error_text(message: &str, color: bool) -> String {
    let message = redact::urls_in(message);
    let text = diagnostic::wrap("error: ", &message, "    ", diagnostic::terminal_width());
    if color {
        let style = diagnostic::severity_style(crate::warning::Severity::Error);
        format!("{style}error{style:#}{}", &text["error".len()..])
    } else {
        text
    }
}

/// `a` masked as printed in `dialect` (the notation of the file its credential is read from).
fn redact_auth(a: &Authorization, dialect: Dialect) -> Authorization {
    match a {
        Authorization::Bearer(t) => Authorization::Bearer(t.redacted_in(dialect)),
        Authorization::Basic(t) => Authorization::Basic(t.redacted_in(dialect)),
        Authorization::BasicParts {
            user,
            password,
            password_base64,
        } => Authorization::BasicParts {
            user: user.clone(),
            password: password.redacted_in(dialect),
            password_base64: *password_base64,
        },
        Authorization::ClientCertificate => Authorization::ClientCertificate,
    }
}

fn describe_auth(a: &Option<Authorization>, dialect: Dialect, show: bool) -> String {
    let mut text = String::new();
    push_auth(&mut text, a, dialect, show);
    text
}

/// Appends [`describe_auth`]'s text: `show` writes one per route, thousands in a large config.
fn push_auth(text: &mut String, a: &Option<Authorization>, dialect: Dialect, show: bool) {
    let shown = |t: &Template| {
        if show {
            t.shown_as_sent(dialect)
        } else {
            t.redacted_in(dialect).render(dialect).0
        }
    };
    match a {
        None => text.push_str("no credentials"),
        Some(Authorization::Bearer(t)) => {
            text.push_str("Bearer ");
            text.push_str(&shown(t));
        }
        Some(Authorization::Basic(t)) => {
            text.push_str("Basic ");
            text.push_str(&shown(t));
        }
        Some(Authorization::BasicParts { user, password, .. }) => {
            let _ = write!(
                text,
                "Basic (user {}, password {})",
                user.render(dialect).0,
                shown(password)
            );
        }
        Some(Authorization::ClientCertificate) => {
            text.push_str("a client certificate, no Authorization")
        }
    }
}

/// `show --format json`: every manager's files, model, routes and findings in one document.
pub fn print_show_json(shown: &[Shown], out: &Output) -> io::Result<()> {
    let managers: Vec<serde_json::Value> = shown
        .iter()
        .map(|s| {
            let rules = s.manager.rules();
            let model = if out.show_secrets {
                s.model.clone()
            } else {
                s.model.redacted_in(|o| rules.shown_dialect_at(o))
            };
            let routes: Vec<Route> = s
                .routes
                .iter()
                .map(|r| Route {
                    registry: r.registry.as_ref().map(|u| {
                        if out.show_secrets {
                            u.clone()
                        } else {
                            redact::url(u).into_owned()
                        }
                    }),
                    authorization: r.authorization.as_ref().map(|a| {
                        if out.show_secrets {
                            a.clone()
                        } else {
                            redact_auth(a, rules.shown_dialect_at(r.credential_origin.as_ref()))
                        }
                    }),
                    ..r.clone()
                })
                .collect();
            json!({
                "manager": s.manager,
                "rules": s.rules,
                "files": s.files.iter().map(file_json).collect::<Vec<_>>(),
                "model": model,
                "routes": routes,
                "warnings": s.warnings,
            })
        })
        .collect();
    let doc = json!({ "version": JSON_VERSION, "managers": managers });
    print_json(out, &doc)
}

/// One manager's `show` table, laid out and with every URL's credentials masked (unless
/// `--show-secrets`), and the findings printed after all the tables.
pub struct ShownTable {
    pub manager: crate::managers::Manager,
    text: String,
    pub warnings: Vec<Warning>,
}

/// Lays out `shown` as `show` prints it. The model, routes and files go once laid out, so a
/// run holds one manager's model at a time, not every manager's (each a copy of the same
/// large config: most of a 5,000-line `show`'s memory, issue 20).
pub fn show_table(shown: Shown, out: &Output) -> ShownTable {
    let mut text = String::new();
    show_text(&shown, out.show_secrets, &mut text);
    if !out.show_secrets
        && let Cow::Owned(masked) = redact::urls_in(&text)
    {
        text = masked;
    }
    ShownTable {
        manager: shown.manager,
        text,
        warnings: shown.warnings,
    }
}

/// `show`: the tables, a blank line between two, then each manager's findings on stderr.
pub fn print_show(tables: &[ShownTable], out: &Output) -> io::Result<()> {
    {
        let mut stdout = std::io::stdout().lock();
        let written = tables.iter().enumerate().try_for_each(|(i, t)| {
            if i > 0 {
                stdout.write_all(b"\n")?;
            }
            stdout.write_all(t.text.as_bytes())
        });
        quiet_on_closed_pipe(written.and_then(|()| stdout.flush()))?;
    }
    if out.quiet() {
        return Ok(());
    }
    // Each manager's warnings, the same problem seen by several of them printed once.
    let each = tables.iter().flat_map(|t| {
        t.warnings
            .iter()
            .map(|w| (Some(t.manager.to_string()), w.clone()))
    });
    let merged = crate::warning::merge_by_manager(
        each.collect(),
        |w| {
            (
                w.code,
                w.severity,
                w.origin.as_ref().map(ToString::to_string),
            )
        },
        |w| &mut w.message,
    );
    for (_, w) in merged {
        print_stderr(out, &warning_text(&w, out))?;
    }
    Ok(())
}

fn file_json(f: &ConfigFile) -> serde_json::Value {
    json!({ "path": f.display, "level": f.level, "exists": f.text.is_some() })
}

/// One row of `show`'s table. The label is kept in two parts (`@scope` and ` token`, say)
/// and the origin as it is, so that a large config's thousands of rows are each written
/// once, straight into the output (issue 20).
struct Row<'a> {
    subject: Cow<'a, str>,
    what: &'static str,
    value: String,
    origin: Option<&'a Origin>,
}

/// Characters, which is what the columns are padded by; most text is ASCII.
fn width_of(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// A value with line breaks (an inline certificate, `ca="-----BEGIN…\n…"`) written as the
/// file escapes them, so that a row stays one line of the table.
fn on_one_line(value: String) -> String {
    if !value.contains(['\n', '\r']) {
        return value;
    }
    value.replace('\r', "\\r").replace('\n', "\\n")
}

fn scope_subject(name: &str) -> Cow<'_, str> {
    if name.starts_with('@') {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(scope_label(name))
    }
}

fn show_text<'s>(s: &'s Shown, show_secrets: bool, text: &mut String) {
    let rules = s.manager.rules();
    let _ = write!(text, "{} ({} rules), from ", s.manager, s.rules);
    for (i, f) in s.files.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&f.display);
        if f.text.is_none() {
            text.push_str(" (missing)");
        }
    }
    text.push('\n');
    let mut rows: Vec<Row<'s>> = Vec::new();
    let mut row = |subject: Cow<'s, str>, what: &'static str, v: &'s Value, secret: bool| {
        let dialect = rules.shown_dialect_at(v.origin.as_ref());
        let value = if secret {
            v.value.display(dialect, true, show_secrets)
        } else if show_secrets {
            v.value.render(dialect).0
        } else {
            v.value.url_redacted().render(dialect).0
        };
        let value = on_one_line(value);
        rows.push(Row {
            subject,
            what,
            value,
            origin: v.origin.as_ref(),
        });
    };
    let m = &s.model;
    if let Some(v) = &m.registry {
        row("registry".into(), "", v, false);
    }
    if let Some(v) = &m.publish_registry {
        row("publish registry".into(), "", v, false);
    }
    for (name, scope) in &m.scopes {
        if let Some(v) = &scope.registry {
            row(scope_subject(name), " registry", v, false);
        }
        if let Some(v) = &scope.publish_registry {
            row(scope_subject(name), " publish registry", v, false);
        }
    }
    for (key, c) in &m.auth {
        let at: Cow<str> = match key {
            AuthKey::Url(u) => Cow::Borrowed(u),
            AuthKey::Scope(s) => scope_subject(s),
            AuthKey::DefaultRegistry => "(default registry)".into(),
            AuthKey::Fallback => "(top level)".into(),
        };
        let fields = [
            (" token", &c.token, Field::Token),
            (" auth ident", &c.ident, Field::Ident),
            (" username", &c.username, Field::Username),
            (" password", &c.password, Field::Password),
            (" certfile", &c.certfile, Field::Certfile),
            (" keyfile", &c.keyfile, Field::Keyfile),
            (" always-auth", &c.always_auth, Field::CredentialAlwaysAuth),
        ];
        for (name, v, field) in fields {
            if let Some(v) = v {
                row(at.clone(), name, v, field.is_secret());
            }
        }
    }
    if let Some(v) = &m.always_auth {
        row("always-auth".into(), "", v, false);
    }
    for v in &m.tls.ca {
        row("ca".into(), "", v, false);
    }
    let singles = [
        ("cafile", &m.tls.cafile, Field::Cafile),
        ("strict-ssl", &m.tls.strict_ssl, Field::StrictSsl),
        ("client cert", &m.tls.cert, Field::Cert),
        ("client key", &m.tls.key, Field::Key),
        ("http proxy", &m.proxy.http, Field::HttpProxy),
        ("https proxy", &m.proxy.https, Field::HttpsProxy),
        ("noproxy", &m.proxy.noproxy, Field::Noproxy),
    ];
    for (label, v, field) in singles {
        if let Some(v) = v {
            row(label.into(), "", v, field.is_secret());
        }
    }
    for (host, h) in &m.hosts {
        for (label, v) in [
            (" ca file", &h.ca_file),
            (" cert file", &h.cert_file),
            (" key file", &h.key_file),
            (" http proxy", &h.http_proxy),
            (" https proxy", &h.https_proxy),
        ] {
            if let Some(v) = v {
                row(host.as_str().into(), label, v, false);
            }
        }
    }
    for v in &m.http_allowed {
        row("http allowed".into(), "", v, false);
    }
    // Columns padded by hand: `format!`'s padding writes a large config's thousands of
    // rows a fill character at a time.
    let label_width = |r: &Row| width_of(&r.subject) + r.what.len();
    let width = rows.iter().map(label_width).max().unwrap_or(0);
    let value_width = rows.iter().map(|r| width_of(&r.value)).max().unwrap_or(0);
    let pad = |text: &mut String, n: usize| text.extend(std::iter::repeat_n(' ', n));
    for r in &rows {
        let start = text.len();
        text.push_str("  ");
        text.push_str(&r.subject);
        text.push_str(r.what);
        pad(text, width - label_width(r) + 2);
        text.push_str(&r.value);
        pad(text, value_width - width_of(&r.value) + 2);
        if let Some(origin) = r.origin {
            origin.push_to(text);
        }
        text.truncate(start + text[start..].trim_end().len());
        text.push('\n');
    }
    text.push_str("  requests:\n");
    for r in &s.routes {
        let _ = write!(text, "    {} -> ", r.packages);
        match &r.registry {
            Some(u) if show_secrets => text.push_str(u),
            // Masked here, as a URL: the printed text's own masking ends a URL where prose
            // would, at a comma or a quote, and a query value may hold either. The route's
            // URL is already in the manager's notation (`${NAME}` a reference): not escaped.
            Some(u) => text.push_str(&crate::redact::url(u)),
            None => {
                let _ = write!(text, "{} (default)", s.manager.public_registry());
            }
        }
        text.push_str(": ");
        if r.credential_in_url && r.authorization.is_none() {
            text.push_str("fails: the URL has credentials in it, which this manager refuses");
        } else {
            let dialect = rules.shown_dialect_at(r.credential_origin.as_ref());
            push_auth(text, &r.authorization, dialect, show_secrets);
        }
        if let Some(o) = r
            .credential_origin
            .as_ref()
            .filter(|_| r.authorization.is_some() || r.credential_in_url)
        {
            text.push_str(if r.credential_in_url {
                " (the URL's userinfo, "
            } else {
                " ("
            });
            o.push_to(text);
            text.push(')');
        }
        text.push('\n');
    }
}

/// `rerun` is the command that writes what `--check` found out of sync.
pub fn print_convert(
    plan: &Plan,
    mode: Mode,
    written: &[PathBuf],
    out: &Output,
    rerun: &str,
) -> io::Result<()> {
    let pending = plan.pending().count();
    if out.json() {
        let files: Vec<serde_json::Value> = plan
            .changes
            .iter()
            .map(|c| {
                json!({
                    "path": c.display,
                    "manager": c.manager,
                    "level": c.level,
                    "status": c.status(),
                    "written": written.contains(&c.path),
                    "diff": (c.status() != Status::Unchanged).then(|| diff::unified(c, out.show_secrets, false)),
                })
            })
            .collect();
        let doc = json!({
            "version": JSON_VERSION,
            "from": plan.from,
            "to": plan.to,
            "rules": { "from": plan.rule_names().0, "to": plan.rule_names().1 },
            "files": files,
            "warnings": plan.warnings,
            "in_sync": plan.in_sync(),
            "routes_differ": plan.routes_differ(),
            "read_apart": plan.read_apart,
        });
        print_json(out, &doc)?;
        return Ok(());
    }
    if out.style == Style::Markdown {
        print_stdout(out, &markdown::plan(plan, mode, written, out.show_secrets))?;
        return Ok(());
    }
    if out.quiet() {
        return Ok(());
    }
    // GitHub's annotations carry the diff and the warnings; the summary stays in the log.
    let github = out.style == Style::Github;
    let mut text = String::new();
    if github {
        text = github::plan(plan, (mode, rerun), written, &out.places, out.show_secrets);
    } else {
        for change in plan.pending() {
            text.push_str(&diff::unified(change, out.show_secrets, out.color));
        }
    }
    print_stdout(out, &text)?;
    let mut err = String::new();
    for w in plan.warnings.iter().filter(|_| !github) {
        err.push_str(&warning_text(w, out));
    }
    let (from_rules, to_rules) = plan.rule_names();
    let targets: Vec<String> = plan
        .to
        .iter()
        .zip(to_rules)
        .map(|(m, rules)| format!("{m} ({rules})"))
        .collect();
    let rules = format!("{} ({from_rules}) -> {}", plan.from, targets.join(", "));
    let names = |files: Vec<&str>| files.join(", ");
    let refused = plan.refuses_write();
    let summary = match mode {
        // Same manager, same rules: the note has said there is nothing to change.
        _ if plan.to.is_empty() => String::new(),
        _ if refused && pending == 0 => {
            format!("{rules}: every target file is already in sync, but see the error above\n")
        }
        _ if refused && mode == Mode::Write => {
            format!("{rules}: nothing was written because of the error above\n")
        }
        _ if refused => format!(
            "{rules}: {pending} file(s) would change, but --write refuses because of the error above\n"
        ),
        _ if pending == 0 && plan.read_apart => format!(
            "{rules}: the files hold what pmrc would write, but a target reads some of their lines otherwise than {} (see above), which pmrc leaves as written\n",
            plan.from
        ),
        // Nothing left to write is not "in sync" where a finding says the target cannot do
        // what the source does (npm's escaped `\${VAR}` token, which Yarn 1 sends with the
        // backslash): no spelling pmrc could write mends it, a change to the source does.
        _ if pending == 0 && plan.falls_short().is_some() => format!(
            "{rules}: the files hold what pmrc would write, but {} cannot do what {} does with them, and nothing pmrc can write mends that (see {} above)\n",
            who_falls_short(plan),
            plan.from,
            plan.falls_short().map_or("", |w| w.code.diagnostic().id)
        ),
        _ if pending == 0 && plan.routes_differ() => format!(
            "{rules}: the files hold what pmrc would write, but a target would still request other registries than {} (see route-differs above)\n",
            plan.from
        ),
        _ if pending == 0 && plan.has(crate::diagnostics::Code::DependabotNoUpdate) => format!(
            "{rules}: nothing to write: dependabot.yml has no update for this project's folder, so it is left as it is (see dependabot-no-update above)\n"
        ),
        _ if pending == 0 => format!("{rules}: every target file is already in sync\n"),
        Mode::Write => format!(
            "{rules}: wrote {}\n",
            names(plan.pending().map(|c| c.display.as_str()).collect())
        ),
        Mode::Check => format!(
            "{rules}: {pending} file(s) out of sync: {}; `{rerun}` updates them\n",
            names(plan.pending().map(|c| c.display.as_str()).collect())
        ),
        Mode::Diff => {
            format!("{rules}: {pending} file(s) would change; run again with --write to apply\n",)
        }
    };
    if github {
        // A workflow log is not a terminal: its lines stay whole.
        err.push_str(&summary);
    } else if !summary.is_empty() {
        err.push_str(&diagnostic::wrap("", summary.trim_end(), "    ", out.width));
    }
    print_stderr(out, &err)?;
    Ok(())
}

/// The target a falling-short finding is about, where the plan has one.
fn who_falls_short(plan: &Plan) -> String {
    match plan.to.as_slice() {
        [one] => one.to_string(),
        _ => "a target".to_string(),
    }
}

/// `pmrc explain`: one block per manager.
pub fn print_explain(
    package: &str,
    answers: &[crate::explain::Explanation],
    warnings: &[Warning],
    out: &Output,
) -> io::Result<()> {
    let mask = |a: &Option<Authorization>, dialect: Dialect| {
        a.as_ref().map(|a| {
            if out.show_secrets {
                a.clone()
            } else {
                redact_auth(a, dialect)
            }
        })
    };
    // A URL's own credentials (userinfo, a secret query value) are masked here, as the
    // text below masks them: the masking of printed text finds URLs by their ends, which a
    // character such as `,` or `(` in a password ends too early.
    let url = |url: &str| {
        if out.show_secrets {
            url.to_string()
        } else {
            crate::redact::url(url).into_owned()
        }
    };
    if out.json() {
        let managers: Vec<serde_json::Value> = answers
            .iter()
            .map(|e| {
                let mut e = e.clone();
                let dialect = e.manager.rules().shown_dialect_at(e.origin.as_ref());
                e.url = url(&e.url);
                e.authorization = mask(&e.authorization, dialect);
                if let Some(t) = e.tarball.as_mut() {
                    t.url = url(&t.url);
                    t.authorization = mask(&t.authorization, dialect);
                }
                serde_json::to_value(e).expect("serialisable")
            })
            .collect();
        let doc = json!({
            "version": JSON_VERSION,
            "package": package,
            "managers": managers,
            "warnings": warnings,
        });
        print_json(out, &doc)?;
        return Ok(());
    }
    let mut text = format!("{package}\n");
    for e in answers {
        let dialect = e.manager.rules().shown_dialect_at(e.origin.as_ref());
        let from = e
            .origin
            .as_ref()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default();
        text.push_str(&format!("  {} ({} rules)\n", e.manager, e.rules));
        if let Some(stop) = &e.stops {
            let at = stop
                .origin
                .as_ref()
                .map(|o| format!(" ({o})"))
                .unwrap_or_default();
            text.push_str(&format!(
                "    stops: every command, with \"{}\"{at}, before requesting any of the project's packages; once that is fixed:\n",
                stop.error
            ));
        }
        if e.fails {
            // The manager refuses the URL before it sends anything: no GET line, which would
            // read as a request made.
            text.push_str(&format!(
                "    no request (it would be GET {})\n",
                url(&e.url)
            ));
            text.push_str("    sends: nothing, the request fails\n");
        } else {
            text.push_str(&format!("    GET {}\n", url(&e.url)));
            text.push_str(&format!(
                "    sends: {}{from}\n",
                describe_auth(&e.authorization, dialect, out.show_secrets)
            ));
        }
        if !e.unset.is_empty() {
            let names: Vec<String> = e.unset.iter().map(|n| format!("${n}")).collect();
            text.push_str(&format!(
                "    unset here: {} (then no usable credential is sent: a 401 or 404)\n",
                names.join(", ")
            ));
        }
        text.push_str(&format!("    why: {}\n", e.why.join("; ")));
        if let Some(t) = &e.tarball {
            text.push_str(&format!(
                "    tarball {}: {} ({})\n",
                url(&t.url),
                describe_auth(&t.authorization, dialect, out.show_secrets),
                t.why
            ));
        }
    }
    print_stdout(out, &text)?;
    if out.quiet() {
        return Ok(());
    }
    for w in warnings {
        print_stderr(out, &warning_text(w, out))?;
    }
    Ok(())
}

/// `pmrc doctor`: findings as text, JSON, or SARIF 2.1.0.
pub fn print_doctor(
    findings: &[crate::doctor::Finding],
    fixes: &[crate::plan::FileChange],
    out: &Output,
    sarif: bool,
) -> io::Result<()> {
    if sarif {
        return print_stdout(out, &sarif::doctor(findings, &out.places));
    }
    if out.json() {
        let fixes: Vec<serde_json::Value> = fixes
            .iter()
            .map(
                |c| json!({ "path": c.display, "diff": diff::unified(c, out.show_secrets, false) }),
            )
            .collect();
        let doc = json!({ "version": JSON_VERSION, "findings": findings, "fixes": fixes });
        print_json(out, &doc)?;
        return Ok(());
    }
    if out.style == Style::Markdown {
        print_stdout(out, &markdown::doctor(findings, fixes, out.show_secrets))?;
        return Ok(());
    }
    if out.quiet() {
        return Ok(());
    }
    if out.style == Style::Github {
        return print_stdout(
            out,
            &github::doctor(findings, &out.places, out.show_secrets),
        );
    }
    let mut text = String::new();
    for f in findings {
        let shown = diagnostic::Diagnostic {
            severity: f.severity,
            code: f.rule.id(),
            origin: f.origin.as_ref(),
            message: &f.message,
            fix: Some(&f.fix),
        };
        text.push_str(&shown.render(out.layout()));
    }
    if findings.is_empty() {
        text.push_str("no findings\n");
    }
    print_stdout(out, &text)?;
    Ok(())
}

/// `doctor --fix`: the diff of each fix (stdout) and what was or would be written (stderr).
pub fn print_fixes(
    changes: &[crate::plan::FileChange],
    written: &[PathBuf],
    out: &Output,
) -> io::Result<()> {
    let mut text = String::new();
    for change in changes {
        text.push_str(&diff::unified(change, out.show_secrets, out.color));
    }
    if out.style == Style::Text && !out.quiet() {
        print_stdout(out, &text)?;
    }
    if out.quiet() {
        return Ok(());
    }
    let names: Vec<&str> = changes.iter().map(|c| c.display.as_str()).collect();
    let summary = match (changes.is_empty(), written.is_empty()) {
        // From a trial: "nothing pmrc can fix" beside a finding whose own fix, a pmrc
        // command, mends it (npm 12's refused `email`, which `convert --from npm@11 --to
        // npm@12` keys) read as "nothing to do".
        (true, _) => "doctor --fix: no line here that --fix mends by itself; each finding's `fix:` says what does\n".to_string(),
        (false, false) => format!("doctor --fix: wrote {}\n", names.join(", ")),
        (false, true) => format!(
            "doctor --fix: {} file(s) would change; run again with --fix --write to apply\n",
            changes.len()
        ),
    };
    print_stderr(out, &summary)?;
    Ok(())
}
