//! `pmrc explain` must predict what the real manager did: after every install of a manager
//! pmrc knows, each dependency's packument request (listener and `Authorization`) is
//! compared with `pmrc explain <dep> --manager <pm>` run on the same project.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::observe::Observation;
use super::sandbox::Pm;

/// Replaces `${NAME}`, `${NAME:-d}`, `${NAME-d}` (pmrc's JSON notation) with the round's
/// values, the way the managers would.
fn substitute(template: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &rest[start + 2..start + end];
        let (name, default) = match inner.split_once(":-").or_else(|| inner.split_once('-')) {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        match (env.get(name), default) {
            (Some(v), _) if !v.is_empty() || default.is_none() => out.push_str(v),
            (_, Some(d)) => out.push_str(d),
            // npm sends an unset `${NAME}` as written.
            (None, None) => out.push_str(&rest[start..=start + end]),
            (Some(v), None) => out.push_str(v),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// `(from $NAME)`, pmrc's stand-in for a token a variable's JSON gives (pnpm's
/// `pnpm_config__auth`, printed nowhere): the token of the entry for `url` (its longest
/// registry key), the scope's own entry before the registry's `"@"`, as pnpm takes them.
fn held(template: &str, env: &BTreeMap<String, String>, url: &str, dep: &str) -> String {
    let Some(start) = template.find("(from $") else {
        return template.to_string();
    };
    let Some(len) = template[start..].find(')') else {
        return template.to_string();
    };
    let name = &template[start + "(from $".len()..start + len];
    let json: serde_json::Value = env
        .get(name)
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default();
    let scope = dep
        .split_once('/')
        .map(|(s, _)| s)
        .filter(|s| s.starts_with('@'));
    let entry = json.as_object().and_then(|urls| {
        let (_, entries) = urls
            .iter()
            .filter(|(key, _)| url.starts_with(key.trim_end_matches('/')))
            .max_by_key(|(key, _)| key.len())?;
        scope
            .and_then(|s| entries.get(s))
            .or_else(|| entries.get("@"))
    });
    let token = entry
        .and_then(|e| e["authToken"].as_str())
        .unwrap_or_default();
    format!(
        "{}{token}{}",
        &template[..start],
        held(&template[start + len + 1..], env, url, dep)
    )
}

/// The header pmrc's JSON `authorization` stands for, on a request to `url` for `dep`.
fn header(
    auth: &serde_json::Value,
    env: &BTreeMap<String, String>,
    url: &str,
    dep: &str,
) -> Option<String> {
    let value = |v: &serde_json::Value| {
        substitute(&held(v.as_str().unwrap_or_default(), env, url, dep), env)
    };
    // A credential that comes out empty (an optional reference, unset) is no credential.
    let non_empty = |v: String| (!v.is_empty()).then_some(v);
    match auth["scheme"].as_str()? {
        "bearer" => non_empty(value(&auth["value"])).map(|v| format!("Bearer {v}")),
        "basic" => non_empty(value(&auth["value"])).map(|v| format!("Basic {v}")),
        "basic-parts" => {
            let parts = &auth["value"];
            let user = value(&parts["user"]);
            let mut password = value(&parts["password"]);
            if parts["password_base64"].as_bool() == Some(true) {
                password =
                    String::from_utf8(B64.decode(password).unwrap_or_default()).unwrap_or_default();
            }
            Some(format!(
                "Basic {}",
                B64.encode(format!("{user}:{password}"))
            ))
        }
        _ => None,
    }
}

/// Checks every dependency of the run against `pmrc explain`.
#[allow(
    clippy::too_many_arguments,
    reason = "the run's parts, passed as they are"
)]
pub fn agrees(
    pm: Pm,
    deps: &[&str],
    project: &Path,
    run_dir: &Path,
    env: &BTreeMap<String, String>,
    hosts: &[String],
    observation: &Observation,
    with_env: bool,
) -> Result<(), String> {
    let explain = |dep: &str, tarball: Option<&str>| -> Result<serde_json::Value, String> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pmrc"));
        cmd.args([
            "explain",
            dep,
            "--manager",
            pm.pmrc_name(),
            "--format",
            "json",
            "--show-secrets",
            "--user",
            "--dir",
        ])
        .arg(project)
        .args(tarball.map(|t| ["--tarball", t]).into_iter().flatten())
        // `--env`: the variables the install got are a config layer (issue 18).
        .args(with_env.then_some("--env"))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", run_dir.join("home"))
        .env("NO_COLOR", "1")
        // The round's variables: explain says what the manager does in this environment
        // (npm goes on up the path past a `${VAR?}` that is unset).
        .envs(env);
        // The environment the install ran in (`sandbox::install`).
        if matches!(pm, Pm::Pnpm10 | Pm::Pnpm11 | Pm::Pnpm12 | Pm::Bun) {
            cmd.env("XDG_CONFIG_HOME", run_dir.join("xdg-config"));
        }
        let out = cmd.output().map_err(|e| format!("run pmrc explain: {e}"))?;
        let mut json: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
            format!(
                "pmrc explain printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
        Ok(json["managers"][0].take())
    };
    for dep in deps {
        let answer = &explain(dep, None)?;
        // A registry written as `${REG}` is printed as written; the manager expands it.
        let url = substitute(answer["url"].as_str().unwrap_or_default(), env);
        // Credentials in the URL (`http://user:pass@host/`) are not part of the request's
        // address: the listener is the host's.
        let url = match url.split_once("://") {
            Some((scheme, rest)) => match rest.split_once('/') {
                Some((authority, path)) => format!(
                    "{scheme}://{}/{path}",
                    authority
                        .rsplit_once('@')
                        .map_or(authority, |(_, host)| host)
                ),
                None => url,
            },
            None => url,
        };
        let listener = hosts
            .iter()
            .position(|h| url.starts_with(&format!("{h}/")))
            .map(|i| i + 1);
        let predicted = header(&answer["authorization"], env, &url, dep);
        let observed: Vec<(usize, Option<String>)> = observation
            .packages
            .get(*dep)
            .into_iter()
            .flatten()
            .filter(|h| h.what == "packument")
            .map(|h| (h.listener, h.auth.clone()))
            .collect();
        let matches = observed
            .iter()
            .any(|(l, a)| Some(*l) == listener && *a == predicted);
        if !matches {
            return Err(format!(
                "pmrc explain {dep} --manager {}: predicts R{} with {:?} (url {url}); the real manager requested {observed:?}",
                pm.pmrc_name(),
                listener.map_or("?".to_string(), |l| l.to_string()),
                predicted
            ));
        }
        // Each tarball the manager fetched, asked about by its URL (`--tarball`): the
        // managers' tarball rules differ more than their packument rules.
        let tarballs = observation
            .packages
            .get(*dep)
            .into_iter()
            .flatten()
            .filter(|h| h.what == "tarball");
        for hit in tarballs {
            let url = format!("{}{}", hosts[hit.listener - 1], hit.path);
            let answer = explain(dep, Some(&url))?;
            let predicted = header(&answer["tarball"]["authorization"], env, &url, dep);
            if predicted != hit.auth {
                return Err(format!(
                    "pmrc explain {dep} --manager {} --tarball {url}: predicts {predicted:?} ({}); the real manager sent {:?}",
                    pm.pmrc_name(),
                    answer["tarball"]["why"],
                    hit.auth
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_like_the_managers() {
        let env: BTreeMap<String, String> = [("T".to_string(), "tok".to_string())].into();
        assert_eq!(substitute("${T}", &env), "tok");
        assert_eq!(substitute("${U:-}", &env), "");
        assert_eq!(substitute("${U:-x}", &env), "x");
        assert_eq!(substitute("${U}", &env), "${U}");
        assert_eq!(substitute("a-${T}-b", &env), "a-tok-b");
    }

    #[test]
    fn takes_a_held_token_from_the_variable_s_entry() {
        let json = r#"{"http://h:1/":{"@":{"authToken":"t-any"},"@acme":{"authToken":"t-acme"}},"http://h:2/":{"@":{"authToken":"t-two"}}}"#;
        let env: BTreeMap<String, String> =
            [("pnpm_config__auth".to_string(), json.to_string())].into();
        let held = |url, dep| held("(from $pnpm_config__auth)", &env, url, dep);
        assert_eq!(held("http://h:1/@acme%2fw", "@acme/w"), "t-acme");
        assert_eq!(held("http://h:1/left", "left"), "t-any");
        assert_eq!(held("http://h:2/@acme%2fw", "@acme/w"), "t-two");
    }
}
