//! The properties every fuzz target checks, shared with `tests/fuzz_regressions.rs` so that
//! saved inputs keep being checked under `cargo test`. Each function panics on a violation.

use pmrc::formats::{Format, same_settings, wanted_from};
use pmrc::redact;
use pmrc::template::{Dialect, Piece, Template, Unset};

/// Reading never panics; secret spans are valid; an edit toward what the file already holds
/// is the identity; an edit's result reads back as what was wanted.
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
}

fn strict_as_empty(mut t: Template) -> Template {
    for piece in &mut t.pieces {
        if let Piece::Env { unset, .. } = piece
            && *unset == Unset::Strict
        {
            *unset = Unset::Empty;
        }
    }
    t
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
                let back = Template::parse(
                    &rendered,
                    if write == Dialect::YarnClassic {
                        Dialect::Npm
                    } else {
                        write
                    },
                );
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
