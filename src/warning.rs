//! Findings pmrc reports: read-time problems in a source file and what a translation could
//! not keep. Data with a stable code, never printed from here.

use serde::Serialize;

use crate::diagnostics::Code;
use crate::model::Origin;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Note,
    Warning,
    /// The manager fails or refuses the configuration (doctor only).
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// What it is; serialised as its stable id, e.g. `lossy-env-reference`.
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl Warning {
    pub fn new(code: Code, message: impl Into<String>, origin: Option<Origin>) -> Self {
        Warning {
            code,
            severity: Severity::Warning,
            message: message.into(),
            origin,
        }
    }

    pub fn error(code: Code, message: impl Into<String>, origin: Option<Origin>) -> Self {
        Warning {
            severity: Severity::Error,
            ..Warning::new(code, message, origin)
        }
    }

    pub fn note(code: Code, message: impl Into<String>, origin: Option<Origin>) -> Self {
        Warning {
            severity: Severity::Note,
            ..Warning::new(code, message, origin)
        }
    }
}
