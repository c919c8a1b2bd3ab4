//! What a target's own file holds and the source does not, which the planned change removes
//! (a scope added to `.yarnrc.yml` by hand): said where `--check` fails over it, as the
//! command it prints, `--write`, would remove it, where the user may have meant to add it to
//! the source.

use super::{FileChange, Plan, Status};
use crate::diagnostics::Code;
use crate::discover::{self, ConfigFile};
use crate::error::Result;
use crate::model::{AuthKey, Model};
use crate::registry_url::RegistryUrl;
use crate::warning::Warning;

impl Plan {
    /// Each scope, and each host's credentials, that a target's file the source does not
    /// read holds, the source holds none of, and the planned change removes, at its line in
    /// the file as it is.
    pub fn target_only_removed(&self) -> Result<Vec<Warning>> {
        let changed: Vec<&FileChange> = self
            .changes
            .iter()
            .filter(|c| c.status() == Status::Modify)
            .filter(|c| !self.sources.iter().any(|f| f.path == c.path))
            .collect();
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        let (source, _) = discover::read_merged(self.from, &self.sources)?;
        let source_hosts = credential_hosts(&source);
        // Where the source keeps the project's settings, to name in the advice.
        let source_file = self
            .sources
            .iter()
            .find(|f| f.level == crate::model::Level::Project && f.text.is_some())
            .map_or_else(
                || "the source".to_string(),
                |f| format!("the source ({})", f.display),
            );
        let mut out = Vec::new();
        for change in changed {
            let read = |text: &str| {
                discover::read_model(&ConfigFile {
                    path: change.path.clone(),
                    display: change.display.clone(),
                    level: change.level,
                    format: change.format,
                    text: Some(text.into()),
                })
                .map(|(model, _)| model)
            };
            let before = read(change.before.as_deref().unwrap_or_default())?;
            let after = read(&change.after)?;
            let removed = |what: String, origin: Option<crate::model::Origin>| {
                Warning::new(
                    Code::TargetOnlySettingRemoved,
                    format!(
                        "{what} in {}'s file but not in {}'s config, the source: the change removes it; if it is meant to stay, add it to {source_file} and run again",
                        change.manager, self.from
                    ),
                    origin,
                )
            };
            for (name, scope) in before.scopes.iter() {
                let Some(registry) = &scope.registry else {
                    continue;
                };
                let kept = |m: &Model| m.scopes.get(name).is_some_and(|s| s.registry.is_some());
                if !kept(&after) && !kept(&source) {
                    out.push(removed(
                        format!("scope @{name} is"),
                        registry.origin.clone(),
                    ));
                }
            }
            let hosts_after = credential_hosts(&after);
            let mut said = Vec::new();
            for (key, credentials) in before.auth.iter() {
                let Some(host) = host_of(key) else { continue };
                if hosts_after.contains(&host)
                    || source_hosts.contains(&host)
                    || said.contains(&host)
                {
                    continue;
                }
                let AuthKey::Url(written) = key else { continue };
                out.push(removed(
                    format!("the credentials at `{written}` are"),
                    credentials.origin().cloned(),
                ));
                said.push(host);
            }
        }
        Ok(out)
    }
}

/// The hosts a model holds credentials for.
fn credential_hosts(model: &Model) -> Vec<String> {
    model.auth.keys().filter_map(host_of).collect()
}

fn host_of(key: &AuthKey) -> Option<String> {
    let AuthKey::Url(key) = key else { return None };
    Some(RegistryUrl::of_key(key, "https")?.hostname().to_string())
}
