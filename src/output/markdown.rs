//! `--format markdown`: a plan or doctor's findings as a pull-request comment body (GitHub
//! flavoured), secrets masked as in every other output. Builds text only; printing is
//! `report`'s job.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::doctor::Finding;
use crate::output::diff;
use crate::plan::Mode;
use crate::plan::{FileChange, Plan, Status};
use crate::warning::{Severity, Warning};

/// The plan of `convert` / `sync`: a headline, one collapsible diff per changed file, and the
/// warnings as a table.
pub fn plan(plan: &Plan, mode: Mode, written: &[PathBuf], show_secrets: bool) -> String {
    let (from_rules, to_rules) = plan.rule_names();
    let targets: Vec<String> = plan
        .to
        .iter()
        .zip(to_rules)
        .map(|(m, rules)| format!("{m} ({rules})"))
        .collect();
    let mut out = format!(
        "### pmrc: {} ({from_rules}) → {}\n\n",
        plan.from,
        targets.join(", ")
    );
    let pending: Vec<&FileChange> = plan.pending().collect();
    let headline = match mode {
        _ if pending.is_empty() && plan.read_apart => format!(
            "❌ The files hold what pmrc would write, but a target reads some of their lines otherwise than {} (see the findings); pmrc leaves those lines as written.",
            plan.from
        ),
        _ if pending.is_empty() && plan.falls_short().is_some() => format!(
            "❌ The files hold what pmrc would write, but a target cannot do what {} does with them and nothing pmrc can write mends that (see {} in the findings).",
            plan.from,
            plan.falls_short().map_or("", |w| w.code.diagnostic().id)
        ),
        _ if pending.is_empty() && plan.routes_differ() => format!(
            "❌ The files hold what pmrc would write, but a target would still request other registries than {} (see route-differs in the findings).",
            plan.from
        ),
        _ if pending.is_empty() => "✅ Every target file is in sync.".to_string(),
        Mode::Write => format!("Wrote {}.", names(&pending)),
        Mode::Check => format!(
            "❌ {} file(s) out of sync: {}. Run pmrc again with `--write` to update them.",
            pending.len(),
            names(&pending)
        ),
        Mode::Diff => format!(
            "{} file(s) would change: {}.",
            pending.len(),
            names(&pending)
        ),
    };
    out.push_str(&headline);
    out.push_str("\n\n");
    for change in &pending {
        let what = match change.status() {
            Status::Create => "new file",
            Status::Modify => "modified",
            Status::Unchanged => "unchanged",
        };
        let done = if written.contains(&change.path) {
            ", written"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<details open><summary><code>{}</code> ({what}, for {}{done})</summary>\n\n{}\n</details>\n\n",
            html_escape(&change.display),
            change.manager,
            fenced("diff", &diff::unified(change, show_secrets, false)),
        );
    }
    out.push_str(&warnings_table(&plan.warnings, show_secrets));
    out.push_str(&footer(show_secrets));
    out
}

/// `doctor`: the findings as a table, and the diff of each proposed fix.
pub fn doctor(findings: &[Finding], fixes: &[FileChange], show_secrets: bool) -> String {
    let mut out = String::from("### pmrc doctor\n\n");
    if findings.is_empty() {
        out.push_str("✅ No findings.\n\n");
    } else {
        out.push_str("| | Rule | Where | Finding | Fix |\n|---|---|---|---|---|\n");
        let mut blocks = String::new();
        for f in findings {
            let (fix, block) = lines_to_paste(&f.fix);
            let below = if block.is_some() { " (below)" } else { "" };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {}{below} |",
                icon(f.severity),
                f.rule,
                place(f.origin.as_ref()),
                cell(&f.message, show_secrets),
                cell(fix, show_secrets)
            );
            if let Some(block) = block {
                let _ = write!(
                    blocks,
                    "<details open><summary>Fix for <code>{}</code>{}</summary>\n\n{}\n</details>\n\n",
                    f.rule,
                    f.origin.as_ref().map_or_else(String::new, |o| format!(
                        " at <code>{}</code>",
                        html_escape(&o.to_string())
                    )),
                    fenced("", &block),
                );
            }
        }
        out.push('\n');
        out.push_str(&blocks);
    }
    for change in fixes {
        let _ = write!(
            out,
            "<details><summary>Fix for <code>{}</code></summary>\n\n{}\n</details>\n\n",
            html_escape(&change.display),
            fenced("diff", &diff::unified(change, show_secrets, false)),
        );
    }
    out.push_str(&footer(show_secrets));
    out
}

fn warnings_table(warnings: &[Warning], show_secrets: bool) -> String {
    if warnings.is_empty() {
        return String::new();
    }
    let mut out = String::from("| | Code | Where | Message |\n|---|---|---|---|\n");
    for w in warnings {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            icon(w.severity),
            w.code,
            place(w.origin.as_ref()),
            cell(&w.message, show_secrets)
        );
    }
    out.push('\n');
    out
}

fn footer(show_secrets: bool) -> String {
    let secrets = if show_secrets {
        "⚠️ secrets shown (--show-secrets)"
    } else {
        "secrets masked"
    };
    format!(
        "<sub>pmrc {} · {secrets}</sub>\n",
        env!("CARGO_PKG_VERSION")
    )
}

fn names(changes: &[&FileChange]) -> String {
    changes
        .iter()
        .map(|c| format!("`{}`", c.display.replace('`', "'")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "🛑",
        Severity::Warning => "⚠️",
        Severity::Note => "ℹ️",
    }
}

fn place(origin: Option<&crate::model::Origin>) -> String {
    origin.map_or_else(String::new, |o| {
        format!("`{}`", o.to_string().replace('`', "'"))
    })
}

/// A fix's prose and the lines it gives to paste (those after it that start with a blank, a
/// YAML block), without their common indentation: in a table cell the indentation, which
/// is the block's meaning, would be lost, so the block goes in a code block of its own.
fn lines_to_paste(fix: &str) -> (&str, Option<String>) {
    let Some(at) = fix.find("\n ").or_else(|| fix.find("\n\t")) else {
        return (fix, None);
    };
    let block: Vec<&str> = fix[at + 1..].lines().collect();
    let common = block
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let dedented: Vec<&str> = block
        .iter()
        .map(|l| l.get(common..).unwrap_or_default().trim_end())
        .collect();
    (&fix[..at], Some(dedented.join("\n") + "\n"))
}

/// Text for one table cell: no line breaks, no column separators, no stray HTML. Code
/// spans (between backticks) show `<` as it is, so only the text around them is escaped.
/// URLs lose their credentials first: escaped (`@` as `&#64;`), a URL's password no longer
/// looks like one to the net over everything printed.
fn cell(text: &str, show_secrets: bool) -> String {
    let text = match show_secrets {
        true => std::borrow::Cow::Borrowed(text),
        false => crate::redact::urls_in(text),
    };
    let text = text.as_ref();
    // An unpaired backtick opens no code span: then nothing is one.
    if text.matches('`').count() % 2 == 1 {
        return html_escape(text)
            .replace('|', "\\|")
            .replace("\r\n", "<br>")
            .replace('\n', "<br>");
    }
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                part.to_string()
            } else {
                html_escape(part)
            }
        })
        .collect::<Vec<_>>()
        .join("`")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

/// Text outside a code span, made inert: no HTML, and no link, image, mention or emphasis
/// that a key name or value could smuggle into the pull-request comment.
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '[' | ']' | '!' | '*' | '_' | '~' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            other => out.push(other),
        }
    }
    out
}

/// A code block whose fence is longer than any run of backticks inside, so file content
/// cannot close it early.
fn fenced(lang: &str, body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let newline = if body.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{lang}\n{body}{newline}{fence}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_outgrows_backticks_in_the_file() {
        assert_eq!(fenced("diff", "+a\n"), "```diff\n+a\n```\n");
        assert_eq!(
            fenced("diff", "+# ```` here\n"),
            "`````diff\n+# ```` here\n`````\n"
        );
    }

    /// From a helper's review: a YAML block in a fix lost its indentation in the table;
    /// it goes below, in a code block, as it is to be pasted.
    #[test]
    fn a_fix_with_lines_to_paste_shows_them_in_a_code_block() {
        let fix = "add to .yarnrc.yml (the token comes from NODE_AUTH_TOKEN):\n    npmScopes:\n      acme:\n        npmRegistryServer: \"https://npm.pkg.github.com\"";
        let (prose, block) = lines_to_paste(fix);
        assert_eq!(
            prose,
            "add to .yarnrc.yml (the token comes from NODE_AUTH_TOKEN):"
        );
        assert_eq!(
            block.as_deref(),
            Some("npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.pkg.github.com\"\n")
        );
        assert_eq!(
            lines_to_paste("chmod 600 the file"),
            ("chmod 600 the file", None)
        );
    }

    /// Escaping turns `@` into `&#64;`, which hid a URL's password from the net over what
    /// is printed: a cell masks before it escapes.
    #[test]
    fn cells_mask_a_url_password_before_escaping() {
        let text = "sends credentials over plain http to http://u:FAKEPW@h.example/";
        let masked = cell(text, false);
        assert!(!masked.contains("FAKEPW"), "{masked}");
        assert!(masked.contains(r"u:\*\*\*&#64;h.example"), "{masked}");
        assert!(cell(text, true).contains("u:FAKEPW&#64;h.example"));
    }

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a | b\nc <d>", false), "a \\| b<br>c &lt;d&gt;");
        assert_eq!(
            cell("key foo`<img src=x>", false),
            "key foo`&lt;img src=x&gt;"
        );
        assert_eq!(
            cell("run `x --from <a|b>` <now>", false),
            "run `x --from <a\\|b>` &lt;now&gt;"
        );
    }
}
