//! Why a registry was not written out for a target: the reasons a trial finds, and the
//! sentence each `registry-not-written-out` note says.

use crate::managers::Manager;
use crate::resolve::{self, Packages};

/// Why a pin was not written.
#[derive(Debug, Clone)]
pub(super) enum Refusal {
    /// User-level files pmrc did not read (no `--user`) that set a registry, for a manager
    /// that reads the file the line goes into; named as shown.
    UserFilesUnread(Vec<String>),
    /// Its group would then be requested from the source's registry, with other credentials.
    OtherCredentials,
    /// Its group would still be requested elsewhere, by a line the target takes over it.
    StillElsewhere,
    /// The target would then request (or, `credentials_only`, authenticate) this other
    /// group otherwise than the source does, and than before.
    MovesGroup {
        group: Packages,
        credentials_only: bool,
    },
    /// These other managers, reading these files the line goes into, would then do otherwise.
    MovesManagers(Vec<Manager>, Vec<String>),
    /// With several targets, it would go into a file the source reads.
    SourceFile,
    /// Managers pmrc.toml names, one of which would then do otherwise (none: the plan was
    /// refused for another reason).
    MovesBystander(Vec<Manager>),
    /// The source's registry URL holds credentials, a query or a reference.
    NotCopied,
    /// Refused with this many others, too many to try one at a time, for this reason.
    InBatch(Box<Refusal>, usize),
}

impl Refusal {
    /// This reason, given to a batch of `n` refused together: said as the batch's where it
    /// may hold of one line and not another; a user file's holds of every line there.
    pub(super) fn of_batch(self, n: usize) -> Refusal {
        match self {
            Refusal::UserFilesUnread(_) => self,
            _ if n == 1 => self,
            _ => Refusal::InBatch(Box::new(self), n),
        }
    }
}

impl Refusal {
    /// Whether the note names the registry: not where it is not the one written (a user file
    /// pmrc did not read may set another), nor where it holds a secret.
    pub(super) fn names_the_registry(&self) -> bool {
        match self {
            Refusal::UserFilesUnread(_) | Refusal::NotCopied => false,
            Refusal::InBatch(why, _) => why.names_the_registry(),
            _ => true,
        }
    }

    pub(super) fn sentence(&self, from: Manager, to: Manager) -> String {
        match self {
            Refusal::UserFilesUnread(files) => format!(
                "{} {} a registry, and pmrc reads user files only with --user: pass --user to read {} (pmrc may then write user files too; the preview shows what)",
                files.join(" and "),
                if files.len() == 1 { "sets" } else { "set" },
                if files.len() == 1 { "it" } else { "them" },
            ),
            Refusal::OtherCredentials => format!(
                "{to} would then request them from it, but not with the credentials {from} sends"
            ),
            Refusal::StillElsewhere => format!(
                "{to} would still request them elsewhere, by a line it takes over the one written"
            ),
            Refusal::MovesGroup {
                group,
                credentials_only: true,
            } => format!(
                "{to} would then send other credentials with {} than {from} does",
                group_label(group)
            ),
            Refusal::MovesGroup { group, .. } => format!(
                "{to} would then request {} elsewhere than {from} does",
                group_label(group)
            ),
            Refusal::MovesManagers(others, files) => format!(
                "{}, which {} {} too, would then request packages otherwise",
                names(others),
                if others.len() == 1 { "reads" } else { "read" },
                match files.as_slice() {
                    [] => "the file it goes into".to_string(),
                    files => files.join(" and "),
                }
            ),
            Refusal::SourceFile => format!(
                "it would go into a file {from} reads, which with several targets would change what the others are converted from; to have it, write this conversion, then convert to {to} alone with --write, then write this one again"
            ),
            Refusal::MovesBystander(named) if named.is_empty() => {
                "the plan with it was refused (two managers reading one file would need different values in it)".into()
            }
            Refusal::MovesBystander(named) => format!(
                "{}{}, which pmrc.toml names, would then do otherwise with the file the line goes into",
                if named.len() == 1 { "" } else { "one of " },
                names(named),
            ),
            Refusal::NotCopied => {
                "its URL holds credentials, a query or a variable, which pmrc does not copy into another file".into()
            }
            Refusal::InBatch(why, with) => format!(
                "{}, for this line or one of the {} others tried with it (too many to try one at a time)",
                why.sentence(from, to),
                with - 1
            ),
        }
    }
}

fn names(managers: &[Manager]) -> String {
    let names: Vec<String> = managers.iter().map(ToString::to_string).collect();
    match names.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => names.concat(),
    }
}

/// A group as a note names it: the marker for scopes no config names, in words.
fn group_label(group: &Packages) -> String {
    match group {
        Packages::Scope(s)
            if s.trim_start_matches('@') == resolve::UNNAMED_SCOPE.trim_start_matches('@') =>
        {
            "the packages of scopes no config names".into()
        }
        g => g.to_string(),
    }
}
