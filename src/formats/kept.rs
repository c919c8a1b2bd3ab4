//! Documents parsed, edits made and files read into models, once per run, by exact text. One
//! run reads the same file, and reads back the same planned text, several times (each reader
//! and each target checks it), and plans the same edit for the source's check, the change and
//! each target's check: parsing and editing are most of pmrc's time on a large config
//! (issue 20).

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::mem::ManuallyDrop;
use std::rc::Rc;

type Parsed = (TypeId, Rc<str>, Rc<dyn Any>);

/// A run's kept values, never dropped: they live until the process ends, and freeing a
/// large config's documents and models one by one at exit was 7% of a `show` (issue 20).
/// A thread that ends (a test's) leaves its few kept values behind.
type Kept<T> = RefCell<ManuallyDrop<VecDeque<T>>>;

thread_local! {
    static PARSED: Kept<Parsed> = const { RefCell::new(ManuallyDrop::new(VecDeque::new())) };
    static TEXTS: Kept<Rc<str>> = const { RefCell::new(ManuallyDrop::new(VecDeque::new())) };
}

/// The one kept copy of `text`. The kept documents, edits and reads hold their texts through
/// it, so a large file and its planned edit are held once however many of them keep one
/// (each its own copy was megabytes at a 5,000-line config, issue 20).
pub fn shared_text(text: &str) -> Rc<str> {
    TEXTS.with_borrow_mut(|texts| {
        if let Some(kept) = texts.iter().find(|kept| ***kept == *text) {
            return Rc::clone(kept);
        }
        // A text none of them holds any more is forgotten.
        texts.retain(|kept| Rc::strong_count(kept) > 1);
        let kept: Rc<str> = Rc::from(text);
        texts.push_back(Rc::clone(&kept));
        kept
    })
}

/// How many documents of one type are kept: the files of one conversion, before and after.
const KEPT_PER_TYPE: usize = 8;

/// Texts shorter than this (in bytes) are parsed again rather than kept.
const SHORT_TEXT: usize = 1024;

/// `parse(text)`, or the document it gave for the same text earlier in the run. Errors are
/// not kept (an invalid file ends the run).
pub fn parsed<T: 'static, E>(
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Rc<T>, E> {
    // A short text (one line a finding quotes) costs less to parse than to look up, and
    // keeping it would push a large file's document out of the few kept.
    if text.len() < SHORT_TEXT {
        return parse(text).map(Rc::new);
    }
    let kind = TypeId::of::<T>();
    let hit = PARSED.with_borrow(|parsed| {
        parsed
            .iter()
            .find(|(k, t, _)| *k == kind && **t == *text)
            .map(|(_, _, doc)| Rc::clone(doc))
    });
    if let Some(doc) = hit.and_then(|doc| doc.downcast::<T>().ok()) {
        return Ok(doc);
    }
    let doc = Rc::new(parse(text)?);
    PARSED.with_borrow_mut(|parsed| {
        if parsed.iter().filter(|(k, _, _)| *k == kind).count() == KEPT_PER_TYPE
            && let Some(oldest) = parsed.iter().position(|(k, _, _)| *k == kind)
        {
            parsed.remove(oldest);
        }
        parsed.push_back((kind, shared_text(text), Rc::clone(&doc) as Rc<dyn Any>));
    });
    Ok(doc)
}

/// Forgets every document and edit, for tests that read the same text two ways.
#[cfg(test)]
pub fn forget() {
    PARSED.with_borrow_mut(|kept| kept.clear());
    TEXTS.with_borrow_mut(|kept| kept.clear());
    EDITS.with_borrow_mut(|kept| kept.clear());
    READS.with_borrow_mut(|kept| kept.clear());
}

type Edit = (
    super::Format,
    Rc<str>,
    super::Wanted,
    Result<Rc<str>, String>,
);

thread_local! {
    static EDITS: Kept<Edit> = const { RefCell::new(ManuallyDrop::new(VecDeque::new())) };
}

/// How many edits are kept: the files of one conversion.
const EDITS_KEPT: usize = 8;

/// `edit()`, or what it gave earlier in the run for the same format, text and wanted
/// settings (an edit is a function of those alone).
pub fn edited(
    format: super::Format,
    text: &str,
    wanted: &super::Wanted,
    edit: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    let hit = EDITS.with_borrow(|edits| {
        edits
            .iter()
            .find(|(f, t, w, _)| *f == format && **t == *text && w == wanted)
            .map(|(_, _, _, out)| out.as_deref().map(str::to_string).map_err(String::clone))
    });
    if let Some(out) = hit {
        return out;
    }
    let out = edit();
    EDITS.with_borrow_mut(|edits| {
        keep_newest(
            edits,
            EDITS_KEPT,
            (
                format,
                shared_text(text),
                wanted.clone(),
                out.as_deref().map(shared_text).map_err(String::clone),
            ),
        )
    });
    out
}

/// Adds `item`, forgetting the oldest when `cap` are kept already.
fn keep_newest<T>(kept: &mut VecDeque<T>, cap: usize, item: T) {
    if kept.len() == cap {
        kept.pop_front();
    }
    kept.push_back(item);
}

/// What reading a file gave: its model and findings.
type ReadModel = (crate::model::Model, Vec<crate::warning::Warning>);

/// A read by format, file name (as findings quote it), level and exact text.
type Read = (
    super::Format,
    String,
    crate::model::Level,
    Rc<str>,
    ReadModel,
);

thread_local! {
    static READS: Kept<Read> = const { RefCell::new(ManuallyDrop::new(VecDeque::new())) };
}

/// How many reads are kept: each file of one conversion, as it is and as planned.
const READS_KEPT: usize = 8;

/// `fresh()`, or a copy of what it gave earlier in the run for the same format, file name,
/// level and text (a read is a function of those alone). Every reader in play and every
/// check reads the same files again; copying a model costs a fraction of reading it.
pub fn read<E>(
    format: super::Format,
    text: &str,
    name: &str,
    level: crate::model::Level,
    fresh: impl FnOnce() -> Result<ReadModel, E>,
) -> Result<ReadModel, E> {
    if text.len() < SHORT_TEXT {
        return fresh();
    }
    let hit = READS.with_borrow(|reads| {
        reads
            .iter()
            .find(|(f, n, l, t, _)| *f == format && *l == level && n == name && **t == *text)
            .map(|(.., out)| out.clone())
    });
    if let Some(out) = hit {
        return Ok(out);
    }
    let out = fresh()?;
    READS.with_borrow_mut(|reads| {
        keep_newest(
            reads,
            READS_KEPT,
            (
                format,
                name.to_string(),
                level,
                shared_text(text),
                out.clone(),
            ),
        )
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text long enough to be kept.
    fn long(name: &str) -> String {
        format!("{name}{}", " ".repeat(SHORT_TEXT))
    }

    #[test]
    fn a_text_is_parsed_once_per_type_and_errors_are_not_kept() {
        let calls = std::cell::Cell::new(0);
        let count = |t: &str| {
            calls.set(calls.get() + 1);
            Ok::<_, ()>(t.len())
        };
        let abc = long("abc");
        assert_eq!(*parsed(&abc, count).unwrap(), abc.len());
        assert_eq!(*parsed(&abc, count).unwrap(), abc.len());
        assert_eq!(calls.get(), 1);
        // Another type of the same text is its own document.
        assert_eq!(*parsed(&abc, |t| Ok::<_, ()>(t.to_string())).unwrap(), abc);
        let bad = long("bad");
        assert!(parsed::<u8, _>(&bad, |_| Err("no")).is_err());
        assert_eq!(*parsed::<u8, &str>(&bad, |_| Ok(1)).unwrap(), 1);
        // The oldest of a type goes when more are kept.
        for i in 0..KEPT_PER_TYPE {
            parsed(&long(&format!("t{i}")), count).unwrap();
        }
        let before = calls.get();
        parsed(&abc, count).unwrap();
        assert_eq!(calls.get(), before + 1);
    }

    #[test]
    fn a_short_text_is_parsed_each_time_and_pushes_nothing_out() {
        let calls = std::cell::Cell::new(0);
        let count = |t: &str| {
            calls.set(calls.get() + 1);
            Ok::<_, ()>(t.len())
        };
        let file = long("file");
        parsed(&file, count).unwrap();
        for i in 0..2 * KEPT_PER_TYPE {
            parsed(&format!("line {i}"), count).unwrap();
        }
        parsed("line 0", count).unwrap();
        assert_eq!(calls.get(), 2 + 2 * KEPT_PER_TYPE);
        parsed(&file, count).unwrap();
        assert_eq!(
            calls.get(),
            2 + 2 * KEPT_PER_TYPE,
            "the long text is still kept"
        );
    }

    /// A document, an edit and its result keep one copy of each text between them, and a
    /// text none of them keeps any more is let go.
    #[test]
    fn the_kept_values_share_one_copy_of_each_text() {
        forget();
        let text = long("shared");
        let planned = long("planned");
        parsed(&text, |t| Ok::<_, ()>(t.len())).unwrap();
        let out = edited(super::super::Format::Npmrc, &text, &Vec::new(), || {
            Ok(planned.clone())
        });
        assert_eq!(out, Ok(planned.clone()));
        parsed(&planned, |t| Ok::<_, ()>(t.len())).unwrap();
        TEXTS.with_borrow(|texts| assert_eq!(texts.len(), 2));
        PARSED.with_borrow(|docs| {
            EDITS.with_borrow(|edits| {
                let (_, before, _, after) = edits.back().unwrap();
                assert!(Rc::ptr_eq(&docs[0].1, before));
                assert!(Rc::ptr_eq(&docs[1].1, after.as_ref().unwrap()));
            })
        });
        // Documents of one type pushed out by newer ones take their texts with them.
        forget();
        for i in 0..=KEPT_PER_TYPE {
            parsed(&long(&i.to_string()), |t| Ok::<_, ()>(t.len())).unwrap();
        }
        TEXTS.with_borrow(|texts| assert_eq!(texts.len(), KEPT_PER_TYPE));
    }

    #[test]
    fn an_edit_is_made_once_per_format_text_and_wanted() {
        use super::super::{Format, SettingValue};
        let calls = std::cell::Cell::new(0);
        let edit = || {
            calls.set(calls.get() + 1);
            Ok::<_, String>(format!("edit {}", calls.get()))
        };
        let wanted = vec![(
            ["registry".to_string()].into(),
            SettingValue::Scalar("x".into()),
        )];
        let first = edited(Format::Npmrc, "a=1\n", &wanted, edit);
        assert_eq!(edited(Format::Npmrc, "a=1\n", &wanted, edit), first);
        assert_eq!(calls.get(), 1);
        // Any difference in the three is another edit.
        edited(Format::Bunfig, "a=1\n", &wanted, edit).unwrap();
        edited(Format::Npmrc, "a=2\n", &wanted, edit).unwrap();
        edited(Format::Npmrc, "a=1\n", &Vec::new(), edit).unwrap();
        assert_eq!(calls.get(), 4);
    }

    #[test]
    fn a_file_is_read_once_per_format_name_level_and_text_and_errors_are_not_kept() {
        use super::super::Format;
        use crate::model::{Level, Model};
        let calls = std::cell::Cell::new(0);
        let fresh = |fail: bool| {
            calls.set(calls.get() + 1);
            let mut model = Model::default();
            model.registry = Some(crate::model::Value::new(
                crate::template::Template::literal(format!("read {}", calls.get())),
                None,
            ));
            if fail {
                Err(())
            } else {
                Ok((model, Vec::new()))
            }
        };
        let text = long("registry=x");
        let first = read(Format::Npmrc, &text, ".npmrc", Level::Project, || {
            fresh(false)
        });
        let again = read(Format::Npmrc, &text, ".npmrc", Level::Project, || {
            fresh(false)
        });
        assert_eq!(again, first);
        assert_eq!(calls.get(), 1);
        // Any difference in the four is another read.
        read(Format::Yarnrc, &text, ".npmrc", Level::Project, || {
            fresh(false)
        })
        .unwrap();
        read(Format::Npmrc, &text, "a/.npmrc", Level::Project, || {
            fresh(false)
        })
        .unwrap();
        read(Format::Npmrc, &text, ".npmrc", Level::User, || fresh(false)).unwrap();
        read(
            Format::Npmrc,
            &long("registry=y"),
            ".npmrc",
            Level::Project,
            || fresh(false),
        )
        .unwrap();
        assert_eq!(calls.get(), 5);
        let other = long("broken");
        assert!(
            read(Format::Npmrc, &other, ".npmrc", Level::Project, || fresh(
                true
            ))
            .is_err()
        );
        assert!(
            read(Format::Npmrc, &other, ".npmrc", Level::Project, || fresh(
                true
            ))
            .is_err()
        );
        assert_eq!(calls.get(), 7, "a failed read is tried again");
    }
}
