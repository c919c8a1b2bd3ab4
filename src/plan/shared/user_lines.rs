//! A user-level file a run writes (`--user`) serves every project of its user: which of its
//! lines stay, and which go with a finding.

use super::*;

/// A user-level file serves every project of its user (`--user`): a line of it the
/// translation has no need to remove stays, such as a `registry=` this project's own file
/// overrides or a token for a registry this project never uses. A line a target must not read
/// for this project to do what the source does is removed, and said: the user's other
/// projects lose it too. The lines of one entry (a scope's `url` and `token`, a registry's
/// `username` and `_password`) stay or go together: half an entry is another entry.
pub(super) fn keep_user_lines(
    req: &Request,
    drafts: &[Draft],
    composed: &mut [Composed],
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    for d in 0..drafts.len() {
        let file = &drafts[d].file;
        let Some(text) = file.text.as_deref().filter(|_| file.level == Level::User) else {
            continue;
        };
        let held = file
            .format
            .settings(text)
            .map_err(|e| e.in_file(&file.path))?;
        let targets: Vec<Manager> = drafts[d].writers.iter().map(|(m, _)| *m).collect();
        let removed = |path: &SettingPath, line: usize, why: String| {
            Warning::new(
                Code::UserFileLineRemoved,
                format!(
                    "`{}` is removed: {why}, and every other project of this user that reads this file loses it too",
                    path.join("."),
                ),
                Some(crate::model::Origin {
                    file: crate::model::Origin::shared(&file.display),
                    line,
                    level: Level::User,
                }),
            )
        };
        // Candidates by entry, in the file's order.
        let mut groups: Vec<(Vec<String>, Vec<HeldAt>)> = Vec::new();
        for setting in held {
            let entries = &mut composed[d].entries;
            let at = entries.iter().position(|e| e.path == setting.path);
            let taken = |i: usize| groups.iter().flat_map(|(_, g)| g).any(|&(j, _)| j == i);
            if at.is_some_and(|i| entries[i].keep || taken(i)) || !file.format.edits(&setting.path)
            {
                continue;
            }
            if let Some(refusing) = targets.iter().find(|m| {
                m.rules()
                    .refuses_setting(file, &setting.path, &setting.value)
                    .is_some()
            }) {
                warnings.push(removed(
                    &setting.path,
                    setting.line,
                    format!("{refusing} refuses a file holding it"),
                ));
                continue;
            }
            let i = at.unwrap_or_else(|| {
                entries.push(Entry {
                    path: setting.path.clone(),
                    value: setting.value.clone(),
                    owner: Owner::Held {
                        used: false,
                        wanted: false,
                    },
                    keep: false,
                });
                entries.len() - 1
            });
            let entry = entry_of(file.format, &setting.path);
            match groups.iter_mut().find(|(e, _)| *e == entry) {
                Some((_, members)) => members.push((i, setting.line)),
                None => groups.push((entry, vec![(i, setting.line)])),
            }
        }
        if groups.is_empty() {
            continue;
        }
        let mut readers = Vec::new();
        for &to in req.to {
            let files = discover::locate(to, req.dir, req.user, req.env)?;
            if files.iter().any(|f| f.path == file.path) {
                readers.push((to, files));
            }
        }
        let read = |composed: &[Composed]| -> Result<Vec<Model>> {
            let texts = planned_texts_where(drafts, composed, |_| true)?;
            readers
                .iter()
                .map(|(to, files)| read_with(*to, files, &texts))
                .collect()
        };
        let alike = |a: &[Model], b: &[Model]| {
            readers
                .iter()
                .zip(a.iter().zip(b))
                .all(|((to, _), (a, b))| difference(*to, a, b) == Difference::None)
        };
        let without = read(composed)?;
        let keep = |composed: &mut [Composed], members: &[HeldAt], keep: bool| {
            for &(i, _) in members {
                composed[d].entries[i].keep = keep;
            }
        };
        for (_, members) in &groups {
            keep(composed, members, true);
        }
        if alike(&without, &read(composed)?) {
            continue;
        }
        // Entry by entry, each beside those kept before it: what stays, stays together.
        for (_, members) in &groups {
            keep(composed, members, false);
        }
        let readers_named =
            crate::plan::readers_moved::listed(&readers.iter().map(|r| r.0).collect::<Vec<_>>());
        for (_, members) in &groups {
            keep(composed, members, true);
            if alike(&without, &read(composed)?) {
                continue;
            }
            keep(composed, members, false);
            for &(i, line) in members {
                warnings.push(removed(
                    &composed[d].entries[i].path,
                    line,
                    format!(
                        "{readers_named} must not read it for this project to do what {} does",
                        req.from
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A held setting's place in its file's planned entries, and its line.
type HeldAt = (usize, usize);

/// The entry a setting belongs to, whose settings stay or go together: a `.npmrc` key's
/// registry location (`//host/path/:`), or a structured file's map holding the field
/// (`install.scopes.acme`, `npmRegistries."//host"`).
fn entry_of(format: crate::formats::Format, path: &[String]) -> Vec<String> {
    match (format, path) {
        (crate::formats::Format::Npmrc, [key]) if key.starts_with("//") => {
            vec![
                key.rsplit_once(':')
                    .map_or(key.as_str(), |(at, _)| at)
                    .to_string(),
            ]
        }
        (crate::formats::Format::Npmrc, _) => path.to_vec(),
        _ if path.len() >= 3 => path[..path.len() - 1].to_vec(),
        _ => path.to_vec(),
    }
}
