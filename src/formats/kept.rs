//! Documents parsed once per run, by type and exact text. One run reads the same file, and
//! reads back the same planned text, several times (each reader and each target checks it),
//! and parsing is most of pmrc's time on a large config (issue 20).

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

type Parsed = (TypeId, String, Rc<dyn Any>);

thread_local! {
    static PARSED: RefCell<VecDeque<Parsed>> = const { RefCell::new(VecDeque::new()) };
}

/// How many documents of one type are kept: the files of one conversion, before and after.
const KEPT_PER_TYPE: usize = 8;

/// `parse(text)`, or the document it gave for the same text earlier in the run. Errors are
/// not kept (an invalid file ends the run).
pub fn parsed<T: 'static, E>(
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Rc<T>, E> {
    let kind = TypeId::of::<T>();
    let hit = PARSED.with_borrow(|parsed| {
        parsed
            .iter()
            .find(|(k, t, _)| *k == kind && t == text)
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
        parsed.push_back((kind, text.to_string(), Rc::clone(&doc) as Rc<dyn Any>));
    });
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_parsed_once_per_type_and_errors_are_not_kept() {
        let calls = std::cell::Cell::new(0);
        let count = |t: &str| {
            calls.set(calls.get() + 1);
            Ok::<_, ()>(t.len())
        };
        assert_eq!(*parsed("abc", count).unwrap(), 3);
        assert_eq!(*parsed("abc", count).unwrap(), 3);
        assert_eq!(calls.get(), 1);
        // Another type of the same text is its own document.
        assert_eq!(
            *parsed("abc", |t| Ok::<_, ()>(t.to_string())).unwrap(),
            "abc"
        );
        assert!(parsed::<u8, _>("bad", |_| Err("no")).is_err());
        assert_eq!(*parsed::<u8, &str>("bad", |_| Ok(1)).unwrap(), 1);
        // The oldest of a type goes when more are kept.
        for i in 0..KEPT_PER_TYPE {
            parsed(&format!("t{i}"), count).unwrap();
        }
        let before = calls.get();
        parsed("abc", count).unwrap();
        assert_eq!(calls.get(), before + 1);
    }
}
