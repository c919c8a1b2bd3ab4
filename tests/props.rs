//! Properties of the `.npmrc` editor: an edit that wants what the file already holds is the
//! identity, and changing one owned key leaves every other line byte for byte.

use pmrc::formats::npmrc::Document;
use pmrc::formats::{SettingValue, Wanted};
use proptest::prelude::*;

/// Lines people really write: comments, blanks, unknown keys, owned keys in odd spellings.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[;#][ -~]{0,20}".prop_map(|s| s),
        "[a-z-]{1,12}=[ -~&&[^;#\\\\\"']]{0,16}".prop_map(|s| s),
        Just("registry = https://r.example/npm/ ; main".to_string()),
        Just("@acme:registry=\"https://npm.pkg.example/\"".to_string()),
        Just("//npm.pkg.example/:_authToken=${NPM_TOKEN}".to_string()),
        Just("strict-ssl".to_string()),
        Just("  proxy='http://p.example:3128/'  ".to_string()),
    ]
}

fn file() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec((line(), prop_oneof![Just("\n"), Just("\r\n")]), 0..12),
        any::<bool>(),
    )
        .prop_map(|(lines, final_newline)| {
            let mut text: String = lines.iter().map(|(l, e)| format!("{l}{e}")).collect();
            if !final_newline {
                text.truncate(text.trim_end_matches(['\r', '\n']).len());
            }
            text
        })
}

fn held(text: &str) -> Wanted {
    Document::parse(text)
        .settings()
        .unwrap()
        .into_iter()
        .map(|s| (s.path, s.value))
        .collect()
}

proptest! {
    #[test]
    fn wanting_what_is_held_changes_nothing(text in file()) {
        let doc = Document::parse(&text);
        prop_assert_eq!(doc.edit(&held(&text)), text);
    }

    #[test]
    fn changing_one_key_keeps_every_other_line(text in file(), token in "[A-Za-z0-9_-]{1,20}") {
        let key = "//npm.pkg.example/:_authToken".to_string();
        let mut wanted = held(&text);
        wanted.retain(|(p, _)| p[0] != key);
        wanted.push((vec![key.clone()], SettingValue::Scalar(format!("${{{token}}}"))));
        let after = Document::parse(&text).edit(&wanted);
        // Read back: exactly the wanted settings.
        prop_assert!(pmrc::formats::same_settings(&Document::parse(&after).settings().unwrap(), &wanted));
        // Every line that is not the edited key survives, in order.
        let others = |t: &str| -> Vec<String> {
            t.split_inclusive('\n')
                .map(|l| l.trim_end_matches(['\r', '\n']).to_string())
                .filter(|l| !l.contains(":_authToken"))
                .collect()
        };
        prop_assert_eq!(others(&after), others(&text));
        // And a second edit is a no-op.
        prop_assert_eq!(Document::parse(&after).edit(&wanted), after);
    }
}
