//! How pnpm reads credentials where its majors part from npm: path-form scope tokens (11,
//! 12), the `_auth`/`_password` it cannot decode and stops on (11, 12), and which of a key's
//! credentials pnpm 10 sends.

use super::{PnpmMajor, usable};
use crate::diagnostics::Code;
use crate::model::{AuthKey, Credentials, Model, Origin, Value};
use crate::registry_url::RegistryUrl;
use crate::resolve::{Authorization, Lookup};
use crate::warning::Warning;

/// Of two keys that differ only by the trailing slash (`//host/reg/` and `//host/reg`), npm
/// takes the slashed one at its level of the walk up; pnpm 11 takes the one the file writes
/// last: real 11.28.11 sent it for the packument and the tarball, in both orders (a trial, and
/// the conformance case `pnpm11_last_of_slash_twins`). `found` is the walk's key; the twin
/// written after it in the same file, if pnpm 11 takes that instead.
pub(super) fn later_slash_twin<'a>(
    found: &str,
    found_creds: &Credentials,
    credential_of: impl Fn(&str) -> Option<&'a Credentials>,
) -> Option<(String, &'a Credentials)> {
    let bare = found.strip_suffix('/').filter(|k| k.len() > 2)?;
    let twin = credential_of(bare).filter(|c| c.authenticates() && usable(c))?;
    let later = match (twin.origin(), found_creds.origin()) {
        (Some(t), Some(f)) => t.file == f.file && t.line > f.line,
        _ => false,
    };
    later.then(|| (bare.to_string(), twin))
}

/// pnpm 12.21.0 sent one or the other of two such twins from run to run, on one project and
/// one file (the conformance sandbox: the slashed one in six runs of eight): where their
/// credentials differ, which one it sends cannot be said.
pub(super) fn slash_twins_either(model: &Model, label: &str) -> Vec<Warning> {
    // The keys without a trailing slash, looked up by text: a large config has thousands of
    // keys with one, and none of their twins (issue 20).
    let bare_keys: rustc_hash::FxHashMap<&str, &Credentials> = model
        .auth
        .iter()
        .filter_map(|(key, creds)| match key {
            AuthKey::Url(k) if !k.ends_with('/') => Some((k.as_str(), creds)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    if bare_keys.is_empty() {
        return out;
    }
    for (key, creds) in &model.auth {
        let AuthKey::Url(slashed) = key else { continue };
        let Some(bare) = slashed.strip_suffix('/').filter(|k| k.len() > 2) else {
            continue;
        };
        let Some(&twin) = bare_keys.get(bare) else {
            continue;
        };
        if !(creds.authenticates() && usable(creds) && twin.authenticates() && usable(twin))
            || crate::resolve::npm_authorization(creds) == crate::resolve::npm_authorization(twin)
        {
            continue;
        }
        let at = |c: &Credentials| c.origin().map(|o| format!(" ({o})")).unwrap_or_default();
        out.push(Warning::new(
            Code::Pnpm12SlashTwins,
            format!(
                "`{slashed}`{} and `{bare}`{} differ only by the trailing slash and hold different credentials: {label} sends one or the other from run to run (npm takes `{slashed}`); keep one of them",
                at(creds),
                at(twin)
            ),
            twin.origin().cloned(),
        ));
    }
    out
}

/// pnpm 11/12 read `//host/path/@scope/:_authToken` as the scope token
/// `//host/path/:@scope:_authToken` (`splitScopeFromRegistryByPath` in pnpm 11.28's config
/// reader), and look a scope's tokens up along the registry URL's walk up, with and without
/// the port: real 11.28.11 and 12.21.0 sent such a token for `@scope/pkg` from a registry
/// at `/npm/` whether the key named `/npm/@scope/` or `/@scope/`.
pub(super) fn path_scope_token<'a>(
    model: &Lookup<'a>,
    registry: &RegistryUrl,
    scope: &str,
) -> Option<(AuthKey, &'a Credentials)> {
    if !model.holds_scope_path_keys() {
        return None;
    }
    let accept = |c: &Credentials| c.authenticates() && usable(c);
    let lookup = |host: &str| {
        let mut walk = ["//", host, registry.path().trim_end_matches('/'), "/pkg"].concat();
        while crate::registry_url::npm_walk_up_step(&mut walk) {
            if !walk.ends_with('/') {
                continue;
            }
            let key = AuthKey::Url([walk.as_str(), "@", scope, "/"].concat());
            if let Some((_, creds)) = model.credential(&key)
                && accept(creds)
            {
                return Some((key, creds));
            }
        }
        None
    };
    lookup(registry.host()).or_else(|| {
        (registry.hostname() != registry.host())
            .then(|| lookup(registry.hostname()))
            .flatten()
    })
}

/// pnpm 11/12 decode every literal `_auth`, or else a `_password` beside a `username`, of
/// their `.npmrc` files while loading the config, and stop every command on one they cannot
/// decode or an `_auth` with no `:` in it (pnpm 11.28's `parseBasicAuth`; real 11.28.11 and
/// 12.21.0 stopped on `_auth=notbase64` and on `YWJj`, base64 of `abc`, even for
/// `config get registry`). npm and pnpm 10 send `_auth` as written.
pub(super) fn undecodable_basic_auth(model: &Model, major: PnpmMajor, label: &str) -> Vec<Warning> {
    let from_ini = |v: &Value| {
        v.origin.as_ref().is_none_or(|o| {
            !matches!(
                o.file.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "toml")
            )
        })
    };
    fn set(v: &Option<Value>) -> Option<&Value> {
        v.as_ref().filter(|v| !v.value.is_empty())
    }
    let mut out = Vec::new();
    for (key, creds) in &model.auth {
        // `_auth` first; a `_password` only with a username and no `_auth`.
        let (value, name, meant, pair) = match (set(&creds.ident), set(&creds.username)) {
            (Some(ident), _) => (ident, "_auth", "base64 of `user:password`", true),
            (None, Some(_)) => match set(&creds.password) {
                Some(password) => (password, "_password", "base64 of the password", false),
                None => continue,
            },
            (None, None) => continue,
        };
        let Some(text) = Some(value)
            .filter(|v| from_ini(v))
            .and_then(|v| v.value.as_literal())
        else {
            continue;
        };
        let problem = match pnpm_base64_decode(&text, major) {
            None => Some(("ERR_PNPM_AUTH_INVALID_BASE64", "is not base64")),
            Some(bytes) if pair && !bytes.contains(&b':') => Some((
                "ERR_PNPM_AUTH_MISSING_SEPARATOR",
                "decodes to text with no `:` between user and password",
            )),
            Some(_) => None,
        };
        if let Some((code, what)) = problem {
            out.push(Warning::error(
                Code::PnpmAuthStops,
                format!(
                    "`{name}` for {} {what}: {label} stops every command here ({code}); set it to {meant}",
                    key_label(key)
                ),
                value.origin.clone(),
            ));
        }
    }
    out
}

/// How pnpm decodes `_auth` and `_password`. pnpm 11.28's `decodeBase64Credential`: WHATWG
/// `atob`, then `atob` again with the padding mended (`normalizeBase64Padding`, which counts
/// blanks in the length). pnpm 12's own decoder is laxer: real 12.21.0 took `dT pw=` and
/// `YTpi===`, which 11.28.11 refused; both refused `YTpiY`, `YTp=iYw==` and `YT-_`.
fn pnpm_base64_decode(text: &str, major: PnpmMajor) -> Option<Vec<u8>> {
    if major == PnpmMajor::V12 {
        let compact: String = text.chars().filter(|&c| !is_ascii_blank(c)).collect();
        return base64_unpadded(compact.trim_end_matches('='));
    }
    atob(text).or_else(|| {
        let without = text.trim_end_matches('=');
        let remainder = without.encode_utf16().count() % 4;
        if without.is_empty() || remainder == 1 {
            return None;
        }
        let mended = format!("{without}{}", "=".repeat((4 - remainder) % 4));
        (mended != text).then(|| atob(&mended)).flatten()
    })
}

/// WHATWG `atob`: ASCII whitespace dropped, one or two final `=` dropped from a length that
/// is a multiple of four, then the alphabet alone, never one character past a multiple of
/// four.
fn atob(text: &str) -> Option<Vec<u8>> {
    let mut compact: String = text.chars().filter(|&c| !is_ascii_blank(c)).collect();
    if compact.len().is_multiple_of(4) {
        for _ in 0..2 {
            if compact.ends_with('=') {
                compact.pop();
            }
        }
    }
    base64_unpadded(&compact)
}

fn is_ascii_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

/// Base64 without padding, its last character's spare bits ignored; `None` past the
/// alphabet or one character past a multiple of four.
fn base64_unpadded(body: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    if body.is_empty() || body.len() % 4 == 1 {
        return None;
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    engine.decode(body).ok()
}

fn key_label(key: &AuthKey) -> String {
    match key {
        AuthKey::Url(url) => format!("`{url}`"),
        AuthKey::Scope(scope) => format!("the @{scope} scope token"),
        AuthKey::DefaultRegistry | AuthKey::Fallback => "the top-level credential".into(),
    }
}

/// pnpm 10 sets a key's header once per credential line, in the order the keys were first
/// written: of a token, `_auth` and `username` (with a `_password`), the last written wins
/// (spec obs u04; real pnpm 10.34.9 sent the username's over an earlier `_auth`), where npm
/// and pnpm 11/12 take the token, then `_auth`. `None` where one form is written, or the
/// forms come from different files (pmrc keeps no order across files). With the line
/// the winner was read from. A key written twice counts at its last line here, where pnpm 10
/// keeps its first place (JavaScript's key order): not modelled.
pub(super) fn pnpm10_authorization(c: &Credentials) -> Option<(Authorization, Option<Origin>)> {
    let pair = match (&c.username, &c.password) {
        (Some(user), Some(password)) => Some((
            user,
            crate::resolve::basic_from_parts(
                &user.value,
                &password.value,
                c.password_encoding == Some(crate::model::PasswordEncoding::Base64),
            ),
        )),
        _ => None,
    };
    let forms: Vec<(&Value, Authorization)> = [
        c.token
            .as_ref()
            .map(|t| (t, Authorization::Bearer(t.value.clone()))),
        c.ident
            .as_ref()
            .map(|i| (i, Authorization::Basic(i.value.clone()))),
        pair,
    ]
    .into_iter()
    .flatten()
    .collect();
    let origins: Vec<&Origin> = forms
        .iter()
        .filter_map(|(v, _)| v.origin.as_ref())
        .collect();
    let one_file =
        origins.len() == forms.len() && origins.windows(2).all(|w| w[0].file == w[1].file);
    if forms.len() < 2 || !one_file {
        return None;
    }
    forms
        .into_iter()
        .max_by_key(|(v, _)| v.origin.as_ref().map_or(0, |o| o.line))
        .map(|(v, authorization)| (authorization, v.origin.clone()))
}

/// What pnpm 10 sends of the credentials written for one key: the form
/// [`pnpm10_authorization`] picks, the others left out (certificates and `always-auth`
/// stay). `None` where only one form is written.
pub(super) fn pnpm10_sent(written: &Credentials) -> Option<Credentials> {
    let (_, origin) = pnpm10_authorization(written)?;
    let from = |v: &Option<Value>| v.as_ref().is_some_and(|v| v.origin == origin);
    let pair = from(&written.username) || from(&written.password);
    Some(Credentials {
        token: written.token.clone().filter(|_| from(&written.token)),
        ident: written.ident.clone().filter(|_| from(&written.ident)),
        username: written.username.clone().filter(|_| pair),
        password: written.password.clone().filter(|_| pair),
        password_encoding: written.password_encoding.filter(|_| pair),
        ..written.clone()
    })
}

/// pnpm's `rescopeUnscopedCreds` (10.34+, 11 and 12; spec pnpm §2.2): credentials written
/// without `//host/` are pinned to the `registry=` of the same file, or to npm's public
/// registry where that file names none, and dropped where its registry is no URL. Real pnpm
/// 10.34.9, 11.28.11 and 12.21.0 sent a top-level `_authToken` to the file's registry (from
/// a helper's review; pmrc had said they send nothing). A key the file writes itself for the
/// same registry wins; a credential pnpm ignores (a `${VAR}` in a project file) stays as read.
pub(super) fn pin_unscoped(read: &mut Model, public_registry: &str) {
    // A `${VAR}` pnpm ignores in a project file sends nothing, pinned or not: left as read,
    // where no route looks.
    let Some(creds) = read
        .auth
        .get(&AuthKey::Fallback)
        .filter(|c| usable(c))
        .cloned()
    else {
        return;
    };
    read.auth.retain(|key, _| *key != AuthKey::Fallback);
    let registry = match &read.registry {
        Some(v) => v.value.as_literal().map(|s| s.to_string()),
        None => Some(public_registry.to_string()),
    };
    let Some(url) = registry.as_deref().and_then(RegistryUrl::parse) else {
        return;
    };
    read.auth
        .entry(AuthKey::Url(url.registry_nerf_dart()))
        .or_insert(creds);
}
