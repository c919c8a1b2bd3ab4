//! Prints `pmrc env`: the variables (and the rc file a job writes where variables cannot say
//! it) as a shell script, a GitHub Actions `env:` block, GitLab `variables:`, a dotenv file
//! or JSON. Values never hold a secret: each credential is a reference to a CI variable,
//! spelled as the format expands it; JSON values are quoted for the format around them.

use std::io;

use serde_json::json;

use super::{JSON_VERSION, Output, print_json, print_stderr, print_stdout, warning_text};
use crate::commands::env::{EnvPlan, Target};
use crate::env_config::{EnvValue, EnvVar, Json};
use crate::template::{Piece, Template};

/// A value as a run of literal text and references, the one shape every format quotes.
#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Text(String),
    /// `$NAME` inside the value.
    Ref(String),
    /// A whole JSON string that is one reference: its quotes are the format's to write
    /// (GitHub's `toJSON` writes them and escapes the secret).
    JsonStringRef(String),
}

fn segments(value: &EnvValue) -> Vec<Segment> {
    let mut out = Vec::new();
    match value {
        EnvValue::Text(t) => template_segments(t, false, &mut out),
        EnvValue::Json(j) => json_segments(j, &mut out),
    }
    out
}

fn push_text(out: &mut Vec<Segment>, text: &str) {
    match out.last_mut() {
        Some(Segment::Text(last)) => last.push_str(text),
        _ => out.push(Segment::Text(text.to_string())),
    }
}

fn template_segments(t: &Template, in_json: bool, out: &mut Vec<Segment>) {
    for piece in t.pieces.iter() {
        match piece {
            Piece::Text { text } if in_json => {
                let quoted = serde_json::to_string(text).expect("a string");
                push_text(out, &quoted[1..quoted.len() - 1]);
            }
            Piece::Text { text } => push_text(out, text),
            Piece::Env { name, .. } => out.push(Segment::Ref(name.clone())),
            // A credential the environment gave is printed nowhere; `pmrc env` reads files,
            // so this is only the guard.
            Piece::FromVariable { name, .. } => push_text(out, &format!("(from ${name})")),
        }
    }
}

fn json_segments(j: &Json, out: &mut Vec<Segment>) {
    match j {
        Json::Object(entries) => {
            push_text(out, "{");
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    push_text(out, ",");
                }
                push_text(out, &serde_json::to_string(key).expect("a string"));
                push_text(out, ":");
                json_segments(value, out);
            }
            push_text(out, "}");
        }
        Json::String(t) => match &t.pieces[..] {
            [Piece::Env { name, .. }] => out.push(Segment::JsonStringRef(name.clone())),
            _ => {
                push_text(out, "\"");
                template_segments(t, true, out);
                push_text(out, "\"");
            }
        },
    }
}

/// `"…"` for a POSIX shell (and dotenv): `\`, `"`, `$` and `` ` `` escaped, references as
/// `${NAME}`.
fn double_quoted(segs: &[Segment]) -> String {
    let mut s = String::from("\"");
    for seg in segs {
        match seg {
            Segment::Text(t) => {
                for c in t.chars() {
                    if matches!(c, '\\' | '"' | '$' | '`') {
                        s.push('\\');
                    }
                    s.push(c);
                }
            }
            Segment::Ref(n) => s.push_str(&format!("${{{n}}}")),
            Segment::JsonStringRef(n) => s.push_str(&format!("\\\"${{{n}}}\\\"")),
        }
    }
    s.push('"');
    s
}

/// `'…'` for YAML, with references as `reference` spells them and text as `text` escapes it
/// for the CI that reads the value.
fn yaml_single_quoted(
    segs: &[Segment],
    reference: impl Fn(&str, bool) -> String,
    text: impl Fn(&str) -> String,
) -> String {
    let mut s = String::from("'");
    for seg in segs {
        let part = match seg {
            Segment::Text(t) => text(t),
            Segment::Ref(n) => reference(n, false),
            Segment::JsonStringRef(n) => reference(n, true),
        };
        s.push_str(&part.replace('\'', "''"));
    }
    s.push('\'');
    s
}

/// The value with references as `${NAME}` (JSON output, and the rc file's own notation).
fn plain(segs: &[Segment]) -> String {
    segs.iter()
        .map(|seg| match seg {
            Segment::Text(t) => t.clone(),
            Segment::Ref(n) => format!("${{{n}}}"),
            Segment::JsonStringRef(n) => format!("\"${{{n}}}\""),
        })
        .collect()
}

fn github_reference(name: &str, json_string: bool) -> String {
    if json_string {
        format!("${{{{ toJSON(secrets.{name}) }}}}")
    } else {
        format!("${{{{ secrets.{name} }}}}")
    }
}

fn gitlab_reference(name: &str, json_string: bool) -> String {
    if json_string {
        format!("\"${{{name}}}\"")
    } else {
        format!("${{{name}}}")
    }
}

/// GitHub reads `${{` as an expression only: the rest of a value's text is its own.
fn github_text(text: &str) -> String {
    text.to_string()
}

/// GitLab expands `$NAME` in a `variables:` value, so a `$` of the text is written `$$`
/// (gitlab-org/gitlab#16442).
fn gitlab_text(text: &str) -> String {
    text.replace('$', "$$")
}

/// A YAML mapping key: plain when it is a plain identifier, else single-quoted.
fn yaml_key(name: &str) -> String {
    if crate::env_config::is_plain_name(name) {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

const HEREDOC_END: &str = "PMRC_EOF";

/// Whether the CI the output is for sets this variable in every job: GitLab's predefined
/// variables, and GitHub's `secrets.GITHUB_TOKEN`.
fn provided_by_ci(target: Target, name: &str) -> bool {
    match target {
        Target::Gitlab => crate::ci::gitlab::PREDEFINED_REGISTRY_VARIABLES.contains(&name),
        Target::Github => name == "GITHUB_TOKEN",
        _ => false,
    }
}

fn join(names: &[&String]) -> String {
    names
        .iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn header(plan: &EnvPlan, comment: &str) -> String {
    let mut s = format!(
        "{comment} pmrc env: {} routed and authenticated as {}'s config says\n",
        plan.to.label(),
        plan.from.label()
    );
    let (provided, secrets): (Vec<&String>, Vec<&String>) = plan
        .secrets
        .iter()
        .partition(|name| provided_by_ci(plan.target, name));
    if !secrets.is_empty() {
        s.push_str(&format!(
            "{comment} CI secrets the job must provide: {}\n",
            join(&secrets)
        ));
    }
    if !provided.is_empty() {
        let ci = if plan.target == Target::Gitlab {
            "GitLab"
        } else {
            "GitHub"
        };
        s.push_str(&format!(
            "{comment} Set by {ci} itself in every job: {}\n",
            join(&provided)
        ));
    }
    if let Some(rc) = &plan.rc_file {
        s.push_str(&format!(
            "{comment} Variables alone cannot do it ({}), so the job writes ~/{}{}.\n",
            rc.reason,
            rc.file.home_path,
            match rc.file.pointer {
                Some(p) => format!(" and points {p} at it"),
                None => format!(", which {} reads on its own", plan.to.label()),
            }
        ));
    }
    s
}

/// The shell lines that write the rc file into the job's home folder. `fail` stops the
/// script where the user's own file is in the way: `exit 1` in a CI step, `false` in a shell
/// the recipe is `eval`ed in, which `exit` would close.
fn write_rc_lines(plan: &EnvPlan, fail: &str) -> Vec<String> {
    let Some(rc) = &plan.rc_file else {
        return Vec::new();
    };
    let path = format!("$HOME/{}", rc.file.home_path);
    let mut lines = Vec::new();
    if let Some((dir, _)) = rc.file.home_path.rsplit_once('/') {
        lines.push(format!("mkdir -p \"$HOME/{dir}\""));
    }
    // A file the manager finds on its own is the user's (`~/.npmrc`, `~/.yarnrc.yml`): on a
    // self-hosted runner or a laptop it holds other registries' tokens and settings, which
    // replacing it would lose (from a trial). The recipe writes it where there is none, leaves
    // it where it already holds this text (a runner's next job, from a review), and otherwise
    // stops with a failing status.
    if rc.file.pointer.is_some() {
        lines.push(format!("cat > \"{path}\" <<'{HEREDOC_END}'"));
        lines.extend(rc.text.lines().map(String::from));
        lines.push(HEREDOC_END.to_string());
        return lines;
    }
    lines.push("pmrc_rc=$(mktemp)".to_string());
    lines.push(format!("cat > \"$pmrc_rc\" <<'{HEREDOC_END}'"));
    lines.extend(rc.text.lines().map(String::from));
    lines.push(HEREDOC_END.to_string());
    lines.push(format!("if [ ! -e \"{path}\" ]; then"));
    lines.push(format!("  mv \"$pmrc_rc\" \"{path}\""));
    lines.push(format!("elif cmp -s \"$pmrc_rc\" \"{path}\"; then"));
    lines.push("  rm -f \"$pmrc_rc\"".to_string());
    lines.push("else".to_string());
    lines.push("  rm -f \"$pmrc_rc\"".to_string());
    lines.push(format!(
        "  echo \"pmrc env: {path} exists with other settings, and this recipe stops rather than replace it: add the lines it would write to that file by hand\" >&2"
    ));
    lines.push(format!("  {fail}"));
    lines.push("fi".to_string());
    lines
}

fn render_shell(plan: &EnvPlan) -> String {
    let mut s = header(plan, "#");
    for line in write_rc_lines(plan, "false") {
        s.push_str(&line);
        s.push('\n');
    }
    if let Some(rc) = &plan.rc_file
        && let Some(p) = rc.file.pointer
    {
        s.push_str(&format!("export {p}=\"$HOME/{}\"\n", rc.file.home_path));
    }
    for v in &plan.variables {
        s.push_str(&format!(
            "export {}={}\n",
            v.name,
            double_quoted(&segments(&v.value))
        ));
    }
    s
}

fn render_dotenv(plan: &EnvPlan) -> String {
    let mut s = header(plan, "#");
    if let Some(rc) = &plan.rc_file {
        s.push_str(&format!(
            "# A dotenv file cannot write files: write ~/{} in the job with this text:\n",
            rc.file.home_path
        ));
        for line in rc.text.lines() {
            s.push_str(&format!("#   {line}\n"));
        }
        if let Some(p) = rc.file.pointer {
            s.push_str(&format!("{p}=\"${{HOME}}/{}\"\n", rc.file.home_path));
        }
    }
    for v in &plan.variables {
        let segs = segments(&v.value);
        s.push_str(&format!("{}={}\n", v.name, dotenv_value(&segs)));
    }
    s
}

/// A dotenv value. JSON that carries references (`pnpm_config__auth`) is single-quoted as it
/// is, its `${NAME}` left for pnpm 11/12 to expand, which they do (real runs): Node's
/// `--env-file` takes no `\"` escape in double quotes, so the JSON came out broken (from a
/// trial), and Bun's loader kept the backslashes. Anything else double-quoted, as before.
fn dotenv_value(segs: &[Segment]) -> String {
    let json = segs.iter().any(|s| matches!(s, Segment::JsonStringRef(_)));
    let text = plain(segs);
    if json && !text.contains(['\'', '\n']) {
        format!("'{text}'")
    } else {
        double_quoted(segs)
    }
}

fn render_github(plan: &EnvPlan) -> String {
    let mut s = header(plan, "#");
    s.push_str("# Paste into the job that runs the install.\n");
    let mut env: Vec<String> = plan
        .variables
        .iter()
        .map(|v| {
            format!(
                "  {}: {}",
                yaml_key(&v.name),
                yaml_single_quoted(&segments(&v.value), github_reference, github_text)
            )
        })
        .collect();
    if plan.rc_file.is_some() {
        // The rc file references the secrets by name; the manager reads them from the env.
        env.extend(
            plan.secrets
                .iter()
                .map(|n| format!("  {n}: {}", github_reference(n, false))),
        );
    }
    if !env.is_empty() {
        s.push_str("env:\n");
        for line in env {
            s.push_str(&line);
            s.push('\n');
        }
    }
    if let Some(rc) = &plan.rc_file {
        s.push_str("steps:\n");
        s.push_str(&format!(
            "  - name: Write ~/{} for {} (pmrc env)\n    run: |\n",
            rc.file.home_path,
            plan.to.label()
        ));
        let mut lines = write_rc_lines(plan, "exit 1");
        if let Some(p) = rc.file.pointer {
            lines.push(format!(
                "echo \"{p}=$HOME/{}\" >> \"$GITHUB_ENV\"",
                rc.file.home_path
            ));
        }
        for line in lines {
            s.push_str(&format!("      {line}\n"));
        }
    }
    s
}

fn render_gitlab(plan: &EnvPlan) -> String {
    let mut s = header(plan, "#");
    s.push_str(
        "# Paste into the job that runs the install; the secrets are masked CI/CD variables.\n",
    );
    if !plan.variables.is_empty() {
        s.push_str("variables:\n");
        for v in &plan.variables {
            s.push_str(&format!(
                "  {}: {}\n",
                v.name,
                yaml_single_quoted(&segments(&v.value), gitlab_reference, gitlab_text)
            ));
        }
    }
    if let Some(rc) = &plan.rc_file {
        s.push_str("before_script:\n");
        let lines = write_rc_lines(plan, "exit 1");
        let (first, heredoc) = match lines.first() {
            Some(l) if l.starts_with("mkdir") => (Some(l.clone()), &lines[1..]),
            _ => (None, &lines[..]),
        };
        if let Some(first) = first {
            s.push_str(&format!("  - {}\n", yaml_single_quoted_line(&first)));
        }
        s.push_str("  - |\n");
        for line in heredoc {
            s.push_str(&format!("    {line}\n"));
        }
        if let Some(p) = rc.file.pointer {
            let export = format!("export {p}=\"$HOME/{}\"", rc.file.home_path);
            s.push_str(&format!("  - {}\n", yaml_single_quoted_line(&export)));
        }
    }
    s
}

fn yaml_single_quoted_line(line: &str) -> String {
    format!("'{}'", line.replace('\'', "''"))
}

fn variable_json(v: &EnvVar) -> serde_json::Value {
    json!({
        "name": v.name,
        "value": plain(&segments(&v.value)),
        "references": v.references(),
    })
}

/// `pmrc env`: the environment on stdout in the chosen form, findings on stderr.
pub fn print_env(plan: &EnvPlan, out: &Output) -> io::Result<()> {
    if plan.target == Target::Json {
        let rc = plan.rc_file.as_ref().map(|rc| {
            json!({
                "path": format!("~/{}", rc.file.home_path),
                "pointer": rc.file.pointer,
                "text": rc.text,
                "reason": rc.reason,
            })
        });
        let doc = json!({
            "version": JSON_VERSION,
            "from": plan.from,
            "to": plan.to,
            "variables": plan.variables.iter().map(variable_json).collect::<Vec<_>>(),
            "rc_file": rc,
            "secrets": plan.secrets,
            "warnings": plan.warnings,
        });
        return print_json(out, &doc);
    }
    let text = match plan.target {
        Target::Shell => render_shell(plan),
        Target::Dotenv => render_dotenv(plan),
        Target::Github => render_github(plan),
        Target::Gitlab => render_gitlab(plan),
        Target::Json => unreachable!("printed above"),
    };
    print_stdout(out, &text)?;
    if !out.quiet() {
        for w in &plan.warnings {
            print_stderr(out, &warning_text(w, out))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Unset;

    fn auth_json() -> EnvValue {
        let token = Template::env("NPM_TOKEN", Unset::Strict);
        EnvValue::Json(Json::Object(vec![(
            "https://r.example/".into(),
            Json::Object(vec![(
                "@".into(),
                Json::Object(vec![("authToken".into(), Json::String(token))]),
            )]),
        )]))
    }

    #[test]
    fn pnpm_auth_json_per_format() {
        let segs = segments(&auth_json());
        assert_eq!(
            double_quoted(&segs),
            r#""{\"https://r.example/\":{\"@\":{\"authToken\":\"${NPM_TOKEN}\"}}}""#
        );
        assert_eq!(
            yaml_single_quoted(&segs, github_reference, github_text),
            r#"'{"https://r.example/":{"@":{"authToken":${{ toJSON(secrets.NPM_TOKEN) }}}}}'"#
        );
        assert_eq!(
            yaml_single_quoted(&segs, gitlab_reference, gitlab_text),
            r#"'{"https://r.example/":{"@":{"authToken":"${NPM_TOKEN}"}}}'"#
        );
        assert_eq!(
            plain(&segs),
            r#"{"https://r.example/":{"@":{"authToken":"${NPM_TOKEN}"}}}"#
        );
    }

    #[test]
    fn shell_escapes_literal_text() {
        let v = EnvValue::Text(Template::literal("a\"b$c`d\\"));
        assert_eq!(double_quoted(&segments(&v)), r#""a\"b\$c\`d\\""#);
        let json = EnvValue::Json(Json::Object(vec![(
            "k".into(),
            Json::String(Template::literal("x\"y")),
        )]));
        assert_eq!(plain(&segments(&json)), r#"{"k":"x\"y"}"#);
        assert_eq!(
            yaml_single_quoted(
                &[Segment::Text("it's".into())],
                github_reference,
                github_text
            ),
            "'it''s'"
        );
    }

    /// GitLab took a literal `$` for the start of a variable: `a$b` reached the job as `a`.
    #[test]
    fn gitlab_doubles_a_literal_dollar() {
        let segs = [
            Segment::Text("https://r.example/?q=a$b&t=".into()),
            Segment::Ref("T".into()),
        ];
        assert_eq!(
            yaml_single_quoted(&segs, gitlab_reference, gitlab_text),
            "'https://r.example/?q=a$$b&t=${T}'"
        );
        assert_eq!(
            yaml_single_quoted(&segs, github_reference, github_text),
            "'https://r.example/?q=a$b&t=${{ secrets.T }}'"
        );
    }
}
