//! `pmrc doctor --sarif`: findings as SARIF 2.1.0 for code scanning, with doctor's rules as
//! the tool's rule list.

use serde_json::json;

use crate::doctor::Finding;
use crate::warning::Severity;

/// The SARIF document, pretty-printed with a final line break.
pub fn doctor(findings: &[Finding]) -> String {
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
            let mut result = json!({
                "ruleId": f.rule,
                "level": level,
                "message": { "text": format!("{} Fix: {}", f.message, f.fix) },
            });
            if let Some(o) = &f.origin {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": o.file.display().to_string() },
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
