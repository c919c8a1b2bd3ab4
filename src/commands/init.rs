//! `pmrc init`: writes a new `pmrc.toml` naming the source (the one manager whose file holds
//! registry or auth settings) and the targets (the manager package.json's `packageManager`
//! names, and every other manager whose own file or lockfile is here). It never guesses: an
//! existing pmrc.toml, a source that is not clear, no target, or a `packageManager` beside
//! other managers' files (leftovers, or managers to keep?) stop it with a message that says
//! what it found and what to pass. A preview by default, written with `--write`, like
//! `convert`.

use std::path::{Path, PathBuf};

use crate::apply;
use crate::discover::{self, Candidate};
use crate::error::{Error, Result};
use crate::formats::Format;
use crate::managers::{self, ALL, ManagerArg};
use crate::model::Level;
use crate::plan::{FileChange, Mode};
use crate::sync_config::{self, SyncConfig};
use crate::warning::Warning;

pub struct Request {
    pub dir: PathBuf,
    /// `--from`; else the one manager whose file holds settings.
    pub from: Option<ManagerArg>,
    /// `--to`; else found from package.json and the managers' files.
    pub to: Vec<ManagerArg>,
    /// `--user`: `user = true` in the file.
    pub user: bool,
    /// `Diff` or `Write` (`--check` means nothing for a file that does not exist yet).
    pub mode: Mode,
    /// `-C`/`--dir` as given, which the commands it prints keep: run as printed from where
    /// the user is, they must init the same folder (from a trial, a member's printed
    /// `pmrc init -C ROOT` was answered with commands without it).
    pub dir_flag: Option<PathBuf>,
}

impl Request {
    /// ` -C DIR` where the user gave one, for the commands init prints.
    fn dir_arg(&self) -> String {
        self.dir_flag
            .as_ref()
            .map(|d| {
                format!(
                    " -C {}",
                    crate::doctor::shell_word(&d.display().to_string())
                )
            })
            .unwrap_or_default()
    }
}

pub struct Initialised {
    pub config: SyncConfig,
    /// Why each manager is in the file, e.g. `npm: .npmrc holds 2 registry/auth settings`.
    pub found: Vec<String>,
    /// The new pmrc.toml, before = none.
    pub change: FileChange,
    pub written: Vec<PathBuf>,
    /// Notes for the user (the project root pmrc walked up to).
    pub warnings: Vec<Warning>,
}

pub fn run(req: &Request) -> Result<Initialised> {
    let path = req.dir.join(sync_config::FILE_NAME);
    if discover::read_text(&path)?.is_some() {
        return Err(Error::Refused {
            path,
            reason: "already exists, and pmrc init does not overwrite it (check it with `pmrc sync --check`, or remove it and run pmrc init again)".into(),
        });
    }
    // A member's own files are not all its managers read: pmrc.toml there would name a
    // source and targets from part of the config, and `sync` run there stops where a
    // manager reads the root's (from a review). The workspace is where it belongs.
    if let Some((managers, root)) = managers::workspace_root_above(&req.dir) {
        return Err(Error::Usage(format!(
            "{} is a workspace member: {}, run in it, {} from the workspace root {}, whose config init would not see from here; initialise the workspace instead:\n  pmrc init -C {}",
            req.dir.display(),
            crate::plan::listed(&managers),
            if managers.len() == 1 { "works" } else { "work" },
            root.display(),
            crate::doctor::shell_word(&root.display().to_string()),
        )));
    }
    let candidates = discover::candidates(&req.dir, &ALL)?;
    let mut found = Vec::new();
    let from = match req.from {
        Some(m) => {
            found.push(format!("{m}: named with --from"));
            m
        }
        None => {
            let m = source(&req.dir, &candidates, &req.dir_arg())?;
            found.push(holds(m, &candidates));
            m
        }
    };
    let to = if req.to.is_empty() {
        targets(&req.dir, from, &candidates, &mut found, &req.dir_arg())?
    } else {
        found.push(format!("{}: named with --to", list(&req.to)));
        req.to.clone()
    };
    let mut kept: Vec<ManagerArg> = Vec::new();
    for m in to {
        if m != from && !kept.contains(&m) {
            kept.push(m);
        }
    }
    let to = kept;
    if to.is_empty() {
        return Err(Error::Usage(format!(
            "--to names only the source manager ({from}); pass --to M[,M...] with the managers to keep in sync with it"
        )));
    }
    let config = SyncConfig {
        from,
        to,
        user: req.user,
    };
    let text = render(&config, &found);
    // Read back like every planned file: what is written is what sync will read.
    let read = sync_config::parse(&text).map_err(|e| e.in_file(&path))?;
    if read != config {
        return Err(Error::Edit {
            path,
            message: format!(
                "pmrc init would write {read:?} but meant {config:?}; nothing was written (a bug in pmrc)"
            ),
        });
    }
    let change = FileChange {
        path,
        display: sync_config::FILE_NAME.into(),
        // The manager pmrc.toml makes the source: the one the file is about.
        manager: from.settle(&req.dir)?.0,
        format: Format::PmrcToml,
        level: Level::Project,
        before: None,
        after: text,
        masked_after: Vec::new(),
    };
    let written = if req.mode == Mode::Write {
        apply::apply(std::slice::from_ref(&change))?
    } else {
        Vec::new()
    };
    Ok(Initialised {
        config,
        found,
        change,
        written,
        warnings: Vec::new(),
    })
}

/// The one manager whose own file holds settings. Stricter than `convert`, where `.npmrc`
/// gives way to another manager's file: pmrc.toml names the source for good, and after a
/// conversion both files hold the same settings, so only the user can say which is edited.
fn source(dir: &Path, candidates: &[Candidate], dir_arg: &str) -> Result<ManagerArg> {
    let holding: Vec<ManagerArg> = candidates
        .iter()
        .filter(|c| c.settings > 0)
        .map(|c| c.manager)
        .collect();
    match holding.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::Usage(format!(
            "no manager's file in {} holds registry or auth settings{}; pass --from M to name the source",
            dir.display(),
            if candidates.is_empty() {
                " (looked for .npmrc, .yarnrc.yml, .yarnrc, bunfig.toml and pnpm-workspace.yaml)"
                    .to_string()
            } else {
                format!(
                    " (found {})",
                    candidates
                        .iter()
                        .map(|c| c.manager.marker_file())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ))),
        many => Err(Error::Usage(format!(
            "more than one manager's file holds registry or auth settings ({}); say which one people edit: {}",
            many.iter()
                .map(|m| holds(*m, candidates))
                .collect::<Vec<_>>()
                .join("; "),
            many.iter()
                .map(|m| format!("`pmrc init --from {m}{dir_arg}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

/// `npm: .npmrc holds 2 registry/auth settings`.
fn holds(m: ManagerArg, candidates: &[Candidate]) -> String {
    let n = candidates
        .iter()
        .find(|c| c.manager == m)
        .map_or(0, |c| c.settings);
    format!(
        "{m}: {} holds {n} registry/auth setting{}",
        m.marker_file(),
        if n == 1 { "" } else { "s" }
    )
}

/// The targets: `packageManager`'s manager, else every other manager whose file or lockfile
/// is here.
/// Both at once is a question only the user can answer.
fn targets(
    dir: &Path,
    from: ManagerArg,
    candidates: &[Candidate],
    found: &mut Vec<String>,
    dir_arg: &str,
) -> Result<Vec<ManagerArg>> {
    let named = managers::named_by_package_json(dir).map_err(|e| {
        Error::Usage(format!(
            "{e}; pass --to M[,M...] to name the managers to keep in sync"
        ))
    })?;
    let named_arg = named.as_ref().map(|n| n.0);
    // Each other manager with the file that says it is used here: its own config file, else
    // its lockfile (a pnpm project with pnpm-lock.yaml and an `.npmrc` alone).
    let mut others: Vec<(ManagerArg, &str)> = candidates
        .iter()
        .map(|c| (c.manager, c.manager.marker_file()))
        .filter(|(m, _)| *m != from && Some(*m) != named_arg)
        .collect();
    for (m, lockfile) in managers::locked_in(dir) {
        let same = |o: &ManagerArg| o.marker_file() == m.marker_file();
        if !same(&from)
            && !named_arg.as_ref().is_some_and(same)
            && !others.iter().any(|(o, _)| same(o))
        {
            others.push((m, lockfile));
        }
    }
    let files = |ms: &[(ManagerArg, &str)]| {
        ms.iter()
            .map(|(m, file)| format!("{file} ({m})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let here = |ms: &[(ManagerArg, &str)]| if ms.len() == 1 { "is" } else { "are" };
    // A bot that updates the project's packages reads registries of its own, which drift
    // like any manager's (never the source: it says nothing of how the project installs).
    let bots = managers::bots_in(dir)?;
    let with_bots = |mut ms: Vec<ManagerArg>, found: &mut Vec<String>| {
        for (bot, why) in &bots {
            ms.push(*bot);
            found.push(why.clone());
        }
        ms
    };
    match named {
        Some((m, spec)) if m != from => {
            if others.is_empty() {
                found.push(format!("{m}: package.json packageManager \"{spec}\""));
                return Ok(with_bots(vec![m], found));
            }
            let all: Vec<ManagerArg> = std::iter::once(m)
                .chain(others.iter().map(|(o, _)| *o))
                .collect();
            Err(Error::Usage(format!(
                "package.json packageManager \"{spec}\" names {m}, and {} {} here too (leftovers, or managers to keep in sync?); run `pmrc init --to {m}{dir_arg}` to keep only {m} in sync, or `pmrc init --to {}{dir_arg}` to keep them all in sync",
                files(&others),
                here(&others),
                list(&all)
            )))
        }
        _ if others.is_empty() && !bots.is_empty() => Ok(with_bots(Vec::new(), found)),
        named if others.is_empty() => Err(Error::Usage(format!(
            "found only {} ({from}){}: nothing to keep in sync with it; pass --to M[,M...] to name the managers to keep in sync with {from}",
            from.marker_file(),
            match named {
                Some((_, spec)) =>
                    format!(", and package.json packageManager \"{spec}\" names {from} too"),
                None => String::new(),
            }
        ))),
        _ => {
            let names: Vec<&str> = others.iter().map(|(_, file)| *file).collect();
            let managers: Vec<ManagerArg> = others.iter().map(|(m, _)| *m).collect();
            found.push(format!(
                "{}: {} {} here",
                list(&managers),
                names.join(", "),
                here(&others)
            ));
            Ok(with_bots(managers, found))
        }
    }
}

fn list(ms: &[ManagerArg]) -> String {
    ms.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The file: what sync needs, with where each name came from as comments.
fn render(config: &SyncConfig, found: &[String]) -> String {
    let quoted: Vec<String> = config.to.iter().map(|m| format!("\"{m}\"")).collect();
    let mut text = String::from(
        "# pmrc sync keeps the `to` managers' registry and auth config in sync with `from`.\n# Written by pmrc init from what it found:\n",
    );
    for line in found {
        text.push_str(&format!("#   {line}\n"));
    }
    text.push_str(&format!(
        "\n[sync]\nfrom = \"{}\"\nto = [{}]\n",
        config.from,
        quoted.join(", ")
    ));
    if config.user {
        text.push_str("user = true\n");
    }
    text
}
