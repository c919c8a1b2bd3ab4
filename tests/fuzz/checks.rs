//! The properties every fuzz target checks, shared with `tests/fuzz_regressions.rs` so that
//! saved inputs keep being checked under `cargo test`. Each function panics on a violation.

use pmrc::formats::{Format, SettingValue, same_settings, wanted_from};
use pmrc::redact;
use pmrc::template::{Dialect, Piece, Template, Unset};

/// Reading never panics; secret spans are valid; an edit toward what the file already holds
/// is the identity; an edit's result reads back as what was wanted: everything removed,
/// one setting added, or everything replaced by one.
pub fn format(format: Format, text: &str) {
    let spans = format.secret_spans(text);
    for s in &spans {
        assert!(
            s.start <= s.end && s.end <= text.len(),
            "span {s:?} out of bounds"
        );
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "span {s:?} splits a character"
        );
    }
    let _ = redact::mask(text, &spans);
    let Ok(held) = format.settings(text) else {
        return;
    };
    if format == Format::Yarnrc {
        return; // read only
    }
    let wanted = wanted_from(&held);
    if let Ok(after) = format.edit(text, &wanted) {
        assert_eq!(after, text, "an edit that changes nothing changed the text");
    }
    // Dropping every owned setting leaves a file that reads back without them.
    if let Ok(after) = format.edit(text, &Vec::new()) {
        let held = format
            .settings(&after)
            .expect("an edit's result reads back");
        assert!(
            same_settings(&held, &Vec::new()),
            "settings left behind: {held:?}"
        );
    }
    add_and_replace(format, text);
}

/// A setting each editable format can always take, for the add and replace checks.
fn new_setting(format: Format) -> Option<(pmrc::formats::SettingPath, SettingValue)> {
    let path: &[&str] = match format {
        Format::Npmrc => &["//fuzz.example.test/:_authToken"],
        Format::YarnrcYml => &["npmScopes", "fuzz", "npmRegistryServer"],
        Format::Bunfig => &["install", "scopes", "fuzz", "url"],
        Format::PnpmWorkspace => &["registries", "@fuzz"],
        // A dependabot.yml entry counts only with its `type`, so one key alone is no setting.
        Format::Yarnrc | Format::DependabotYml | Format::PmrcToml => return None,
    };
    let value = match format {
        Format::Npmrc => "${FUZZ_TOKEN}",
        _ => "https://fuzz.example.test/",
    };
    Some((
        path.iter().map(|p| p.to_string()).collect(),
        SettingValue::Scalar(value.into()),
    ))
}

/// Adding a setting to what a file holds, or replacing everything it holds with it, gives
/// a file that reads back as exactly what was wanted (when pmrc agrees to edit it at all).
pub fn add_and_replace(format: Format, text: &str) {
    let (Ok(held), Some(new)) = (format.settings(text), new_setting(format)) else {
        return;
    };
    let mut added = wanted_from(&held);
    added.retain(|(p, _)| p[..p.len() - 1] != new.0[..new.0.len() - 1]);
    added.push(new.clone());
    for wanted in [added, vec![new]] {
        if let Ok(after) = format.edit(text, &wanted) {
            let back = format
                .settings(&after)
                .unwrap_or_else(|e| panic!("the edit does not read back ({e:?}):\n{after}"));
            assert!(
                same_settings(&back, &wanted),
                "read back {back:?}, wanted {wanted:?}:\n{after}"
            );
        }
    }
}

fn strict_as_empty(t: Template) -> Template {
    Template::from_pieces(t.pieces.iter().map(|piece| match piece {
        Piece::Env {
            name,
            unset: Unset::Strict,
        } => Piece::Env {
            name: name.clone(),
            unset: Unset::Empty,
        },
        other => other.clone(),
    }))
}

/// A value rendered in a dialect without loss reads back as the same value.
pub fn template(text: &str) {
    for read in [Dialect::Npm, Dialect::Yarn, Dialect::Bun] {
        let t = Template::parse(text, read);
        for write in [
            Dialect::Npm,
            Dialect::Yarn,
            Dialect::YarnClassic,
            Dialect::Bun,
        ] {
            let (rendered, losses) = t.render(write);
            if losses.is_empty() {
                let back = Template::parse(&rendered, write);
                // Bun has one unset rule (empty): an npm/Yarn `${X}` is `$X` there on purpose.
                let (back, expected) = if write == Dialect::Bun {
                    (strict_as_empty(back), strict_as_empty(t.clone()))
                } else {
                    (back, t.clone())
                };
                assert_eq!(
                    back, expected,
                    "{text:?} read as {read:?}, written as {write:?}: {rendered:?}"
                );
            }
        }
    }
}
