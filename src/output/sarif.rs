//! `pmrc doctor --sarif`: findings as SARIF 2.1.0 for code scanning, with doctor's rules as
//! the tool's rule list.

use serde_json::json;

use crate::doctor::Finding;
use crate::output::github::Places;
use crate::warning::Severity;

/// The SARIF document, pretty-printed with a final line break. Files are named as GitHub's
/// annotations name them ([`Places`]): from the repository's folder, not the project's (from a
/// trial: with `-C frontend`, code scanning pinned the alerts on a root `.npmrc`).
pub fn doctor(findings: &[Finding], places: &Places) -> String {
    // Doctor's rules, and any other code a finding carries (a translation note such as
    // `member-config-ignored`): every result's ruleId must be in the list (from a trial).
    let mut listed: Vec<&crate::diagnostics::Diagnostic> = crate::doctor::RULES.iter().collect();
    for f in findings {
        let d = f.rule.diagnostic();
        if !listed.iter().any(|r| r.id == d.id) {
            listed.push(d);
        }
    }
    let rules: Vec<serde_json::Value> = listed
        .iter()
        .map(|r| json!({ "id": r.id, "shortDescription": { "text": r.what }, "help": { "text": r.fix } }))
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            };
            let uri = f
                .origin
                .as_ref()
                .and_then(|o| Some((o, places.file(&o.file.display().to_string(), o.level)?)));
            // A user-level file is not in the repository: the message names it instead.
            let message = match (&f.origin, &uri) {
                (Some(o), None) => format!("{o}: {} Fix: {}", f.message, f.fix),
                _ => format!("{} Fix: {}", f.message, f.fix),
            };
            let mut result = json!({
                "ruleId": f.rule,
                "level": level,
                "message": { "text": message },
            });
            if let Some((o, uri)) = uri {
                let uri = if uri.starts_with('/') {
                    format!("file://{uri}")
                } else {
                    uri
                };
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": { "startLine": o.line.max(1) }
                    }
                }]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "pmrc", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "results": results,
        }],
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).expect("serialisable")
    )
}
