//! Every target resolved against the final files: what a shared file makes it do otherwise
//! than its translation meant is reported like any other loss.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;

use super::*;

/// A file and a line in it, as a finding's origin names them.
type LineAt = (std::rc::Rc<std::path::PathBuf>, usize);

/// Every target, resolved against the final files (its own and those it shares), must do
/// what its translation meant; where a shared file makes it do otherwise, the difference
/// from the source is reported like any other loss. True when a target reads a line apart
/// from npm where the source does not (or otherwise), which pmrc leaves as written.
pub(super) fn check_targets(
    req: &Request,
    sources: &[ConfigFile],
    source_model: &Model,
    drafts: &[Draft],
    changes: &[FileChange],
    warnings: &mut Vec<Warning>,
) -> Result<(bool, crate::plan::pins::Wanted)> {
    let planned: HashMap<&Path, String> = changes
        .iter()
        .map(|c| (c.path.as_path(), c.after.clone()))
        .collect();
    let is_read_apart = |w: &Warning| {
        matches!(
            w.code,
            Code::NpmrcSectionReadApart | Code::NpmrcValueReadApart
        )
    };
    // Where the source itself parts from npm (a key Yarn 1 reads after `[s] `), a target that
    // parts alike reads the line as the source does.
    let at = |w: &Warning| w.origin.as_ref().map(|o| (o.file.clone(), o.line));
    let source_apart: HashSet<(Code, Option<LineAt>)> = warnings
        .iter()
        .filter(|w| is_read_apart(w))
        .map(|w| (w.code, at(w)))
        .collect();
    let mut read_apart = false;
    let mut pins = crate::plan::pins::Wanted::default();
    for &to in req.to {
        let files = discover::locate(to, req.dir, req.user, req.env)?;
        // Only a file the target shares (with the source's lines or another target's), or
        // one it reads but does not write, can make it do more than its translation says.
        let shared = drafts.iter().any(|d| {
            d.writers.iter().any(|(m, _)| *m == to)
                && (d.writers.len() > 1
                    || sources
                        .iter()
                        .any(|f| f.path == d.file.path && f.text.is_some()))
        });
        let unwritten = files.iter().any(|f| {
            f.text.is_some()
                && !drafts
                    .iter()
                    .any(|d| d.file.path == f.path && d.writers.iter().any(|(m, _)| *m == to))
        });
        if !shared && !unwritten {
            continue;
        }
        let (model, read_warnings) = read_with_warnings(to, &files, &planned)?;
        // A key the target reads after a section line npm takes as one is the user's line,
        // kept as written: the translation cannot speak for it, the finding does.
        let mut apart_here = false;
        for w in read_warnings
            .iter()
            .filter(|w| is_read_apart(w) || w.code == Code::PnpmAuthStops)
        {
            apart_here |= is_read_apart(w) && !source_apart.contains(&(w.code, at(w)));
            if !warnings.contains(w) {
                warnings.push(w.clone());
            }
        }
        // Only where the lines change what the target does: not a registry the workspace
        // yaml overrides, nor a `${VAR}` credential pnpm ignores in a project file anyway.
        if apart_here {
            let as_npm = discover::read_merged_in(
                to,
                &with_planned(&files, &planned),
                crate::formats::npmrc::IniDialect::Npm,
            )?
            .0;
            let groups = resolve::groups_of(&model, &as_npm);
            let own = resolve::routes_for(&model, to, groups.clone());
            let npms = resolve::routes_for(&as_npm, to, groups);
            read_apart |= own.iter().zip(&npms).any(|(a, b)| !a.acts_like(b));
        }
        // A file the target ignores as a whole (pnpm 10 and `${VAR?}`) undoes all its
        // translation, which was worked out line by line: say so, and compare every group.
        let dropped: Vec<Warning> = read_warnings
            .into_iter()
            .filter(|w| w.code.ignores_whole_file())
            .collect();
        let whole_file_ignored = !dropped.is_empty();
        for w in dropped {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        // What the target would read from the files it writes, had it them to itself: what
        // the translation could express, losses included (they are reported already).
        let mut alone = HashMap::default();
        for draft in drafts {
            let Some((_, wanted)) = draft.writers.iter().find(|(m, _)| *m == to) else {
                continue;
            };
            let before = draft.file.text.as_deref().unwrap_or_default();
            if let Ok(text) = draft.file.format.edit(before, wanted) {
                alone.insert(draft.file.path.as_path(), text);
            }
        }
        // Files the target reads but does not write count as empty here: what they do to
        // it is the shared files' doing, and is reported below.
        let own: Vec<ConfigFile> = files
            .iter()
            .map(|f| ConfigFile {
                text: alone
                    .get(f.path.as_path())
                    .map(|t| crate::formats::kept::shared_text(t)),
                ..f.clone()
            })
            .collect();
        // Where the target's files alone are the final files, it reads what it read above.
        let same_texts = own
            .iter()
            .zip(with_planned(&files, &planned))
            .all(|(own, planned)| own.text.as_deref() == planned.text.as_deref());
        let meant_apart;
        let meant = if same_texts {
            &model
        } else {
            meant_apart = discover::read_merged(to, &own)?.0;
            &meant_apart
        };
        // The source's groups, and every scope the final files give the target besides.
        let covered: HashSet<&str> = source_model
            .scopes
            .keys()
            .map(|s| s.trim_start_matches('@'))
            .collect();
        let extra: Vec<resolve::Packages> = model
            .scopes
            .keys()
            .filter(|t| !covered.contains(&t.as_str()))
            .map(|t| resolve::Packages::Scope(t.clone()))
            .collect();
        let mut groups = resolve::groups_of(source_model, &Model::default());
        groups.extend(extra);
        let target_groups: Vec<resolve::Packages> = groups
            .iter()
            .map(|g| match g {
                resolve::Packages::Scope(s) => {
                    resolve::Packages::Scope(s.trim_start_matches('@').to_string())
                }
                resolve::Packages::Unscoped => resolve::Packages::Unscoped,
            })
            .collect();
        // A request the final files make the target stop (Yarn's YN0033), which its own files
        // alone would send: a file it reads but pmrc does not write (a parent folder's) does
        // it, and comparing where requests go would not show it (from a review).
        if to.rules().may_stop_requests(&model) {
            let rules = to.rules();
            let final_routes = resolve::routes_for(&model, to, target_groups.clone());
            let stopped: Vec<(&Route, String)> = final_routes
                .iter()
                .filter_map(|f| Some((f, rules.request_fails(&model, f)?)))
                .collect();
            let meant_routes = match stopped.is_empty() {
                true => Vec::new(),
                false => resolve::routes_for(
                    meant,
                    to,
                    stopped.iter().map(|(f, _)| f.packages.clone()).collect(),
                ),
            };
            for ((f, why), m) in stopped.iter().zip(&meant_routes) {
                if rules.request_fails(meant, m).is_some() {
                    continue;
                }
                let origin = f
                    .credential_key
                    .as_ref()
                    .and_then(|k| model.auth.get(k))
                    .and_then(|c| c.always_auth.as_ref())
                    .and_then(|v| v.origin.clone());
                let stop = Warning::new(
                    Code::TargetStopsRequest,
                    format!(
                        "{}: {} sends this request, but {to} would stop it: {why}",
                        f.packages, req.from
                    ),
                    origin,
                );
                if !warnings.contains(&stop) {
                    warnings.push(stop);
                }
            }
        }
        // The source's routes of the groups the shared files change, only: most do not, and
        // where the target reads the same values from the same lines none does.
        let changed: Vec<resolve::Packages> = if !whole_file_ignored && meant.same_reading(&model) {
            Vec::new()
        } else {
            let meant_routes = resolve::routes_for(meant, to, target_groups.clone());
            let final_routes = resolve::routes_for(&model, to, target_groups);
            groups
                .into_iter()
                .zip(meant_routes.iter().zip(&final_routes))
                .filter(|(_, (m, f))| whole_file_ignored || !m.acts_like(f))
                .map(|(g, _)| g)
                .collect()
        };
        let before: Vec<Route> = resolve::routes_for(source_model, req.from, changed);
        // A large config has thousands of findings: look them up, not along the list (and
        // borrow their messages rather than copy them).
        let differences =
            crate::translate::route_differences((req.from, source_model), to, &before, &model);
        // Where no route differs, no group is unsettled: a large config's routes are not
        // compared twice (issue 20).
        let any_differ = !differences.is_empty();
        let mut new = Vec::new();
        {
            let known: HashSet<(Code, &str)> = warnings
                .iter()
                .map(|k| (k.code, k.message.as_str()))
                .collect();
            let mut added: HashSet<(Code, String)> = HashSet::default();
            for w in differences {
                if !known.contains(&(w.code, w.message.as_str()))
                    && added.insert((w.code, w.message.clone()))
                {
                    new.push(w);
                }
            }
        }
        warnings.extend(new);
        // A group the target would request elsewhere by a line in a file pmrc does not write:
        // the source's registry written out in one it does may win over that line. (An
        // origin names its file as it is shown.)
        let written_here = |file: &Path| {
            drafts.iter().any(|d| {
                d.file.display.as_str() == file.as_os_str()
                    && d.writers.iter().any(|(m, _)| *m == to)
            })
        };
        let unsettled = match any_differ {
            true => crate::translate::unsettled_routes(to, &before, &model),
            false => Vec::new(),
        };
        for u in unsettled {
            if let Some(line) = &u.line
                && !written_here(&line.file)
                && (u.pin.is_some() || u.withheld)
            {
                let pin = crate::plan::pins::Pin {
                    target: to,
                    group: u.group.clone(),
                    url: u.pin.clone().unwrap_or_default(),
                    overridden: line.clone(),
                    requested: u.requested.clone(),
                    written_to: Vec::new(),
                    unread_credentials: Vec::new(),
                };
                match u.pin {
                    Some(_) => pins.pins.push(pin),
                    None => pins.withheld.push(pin),
                }
            }
            pins.unsettled.push(crate::plan::pins::Open {
                target: to,
                group: u.group,
                requests_alike: u.requests_alike,
            });
        }
    }
    Ok((read_apart, pins))
}
