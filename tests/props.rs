//! Properties of the `.npmrc` editor: an edit that wants what the file already holds is the
//! identity, and changing one owned key leaves every other line byte for byte.

use pmrc::formats::npmrc::Document;
use pmrc::formats::{SettingValue, Wanted, wanted_from};
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

/// `wanted` and settings near it (one fewer, one twice, one value changed): what
/// `Format::holds` must tell apart exactly as `same_settings` over `Format::settings` does.
fn near(wanted: &Wanted) -> Vec<Wanted> {
    let mut out = vec![wanted.clone()];
    if let Some((first, rest)) = wanted.split_first() {
        out.push(rest.to_vec());
        out.push([wanted.clone(), vec![first.clone()]].concat());
        let changed = match &first.1 {
            SettingValue::Scalar(s) => SettingValue::Scalar(format!("{s}x")),
            SettingValue::List(items) => {
                SettingValue::List([items.clone(), vec!["x".into()]].concat())
            }
        };
        out.push([vec![(first.0.clone(), changed)], rest.to_vec()].concat());
    }
    out
}

fn held(text: &str) -> Wanted {
    wanted_from(&Document::parse(text).settings().unwrap())
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
        wanted.push(([key.clone()].into(), SettingValue::Scalar(format!("${{{token}}}"))));
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

/// YAML blocks joined with one occurrence of each top-level key, as YAML needs.
fn one_of_each_key(blocks: Vec<String>) -> String {
    let mut seen = std::collections::HashSet::new();
    blocks
        .into_iter()
        .filter(|b| {
            let key = b.split(':').next().unwrap_or_default().to_string();
            b.starts_with(['#', '\n']) || seen.insert(key)
        })
        .collect()
}

/// `.yarnrc.yml`: unrelated keys, comments and quoting survive an edit of an owned key; the
/// edit reads back as wanted and a second edit changes nothing.
mod yarnrc_yml {
    use pmrc::formats::{Format, SettingValue, Wanted, same_settings};
    use proptest::prelude::*;

    fn block() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{1,8}: [a-z0-9][a-z0-9-]{0,9}( # [a-z ]{0,10})?\n".prop_map(|s| s),
            Just("# a comment line\n".to_string()),
            Just("\n".to_string()),
            Just(
                "npmScopes:\n  acme:\n    npmRegistryServer: \"https://a.example\" # a\n"
                    .to_string()
            ),
            Just(
                "npmRegistries:\n  \"//r.example:4873\":\n    npmAuthToken: \"${T}\"\n".to_string()
            ),
            Just("plugins:\n  - path: .yarn/plugins/x.cjs\n".to_string()),
            Just("unsafeHttpWhitelist:\n  - localhost\n".to_string()),
        ]
    }

    fn file() -> impl Strategy<Value = String> {
        proptest::collection::vec(block(), 0..6).prop_map(super::one_of_each_key)
    }

    fn held(text: &str) -> Wanted {
        pmrc::formats::wanted_from(&Format::YarnrcYml.settings(text).unwrap())
    }

    proptest! {
        #[test]
        fn edits_keep_the_rest_and_are_idempotent(text in file(), token in "[A-Z_]{1,12}") {
            prop_assert_eq!(Format::YarnrcYml.edit(&text, &held(&text)).unwrap(), text.clone());
            let mut wanted = held(&text);
            let path: pmrc::formats::SettingPath = ["npmScopes", "acme", "npmAuthToken"].map(String::from).into();
            wanted.retain(|(p, _)| *p != path);
            wanted.push((path, SettingValue::Scalar(format!("${{{token}}}"))));
            let after = Format::YarnrcYml.edit(&text, &wanted).unwrap();
            prop_assert!(same_settings(&Format::YarnrcYml.settings(&after).unwrap(), &wanted));
            for doc in [&text, &after] {
                for probe in super::near(&wanted).iter().chain(&super::near(&held(&text))) {
                    let by_settings = same_settings(&Format::YarnrcYml.settings(doc).unwrap(), probe);
                    prop_assert_eq!(Format::YarnrcYml.holds(doc, probe), by_settings, "{:?}", probe);
                }
            }
            prop_assert_eq!(Format::YarnrcYml.edit(&after, &wanted).unwrap(), after.clone());
            // Every line of the original that is not an owned setting is still there.
            for line in text.lines().filter(|l| l.starts_with('#') || l.starts_with("plugins") || l.starts_with("  - path")) {
                prop_assert!(after.contains(line), "lost {:?}", line);
            }
        }
    }
}

/// `bunfig.toml`: the same properties with other sections around `[install]`.
mod bunfig {
    use pmrc::formats::{Format, SettingValue, Wanted, same_settings};
    use proptest::prelude::*;

    fn file() -> impl Strategy<Value = String> {
        (
            proptest::option::of("# [a-z ]{0,20}\n"),
            proptest::option::of(Just("[test]\ncoverage = true # keep\n\n".to_string())),
            proptest::option::of(Just(
                "[install]\nexact = true\nregistry = \"https://r.example/\" # ours\n".to_string(),
            )),
            proptest::option::of(Just(
                "[install.scopes]\n\"@acme\" = { url = \"https://a.example/\", token = \"$A\" }\n"
                    .to_string(),
            )),
            proptest::option::of(Just("[run]\nbun = true\n".to_string())),
        )
            .prop_map(|(a, b, c, d, e)| [a, b, c, d, e].into_iter().flatten().collect())
    }

    fn held(text: &str) -> Wanted {
        pmrc::formats::wanted_from(&Format::Bunfig.settings(text).unwrap())
    }

    proptest! {
        #[test]
        fn edits_keep_the_rest_and_are_idempotent(text in file(), token in "[A-Z_]{1,12}") {
            prop_assert_eq!(Format::Bunfig.edit(&text, &held(&text)).unwrap(), text.clone());
            let mut wanted = held(&text);
            let base: Vec<String> = ["install", "scopes", "beta"].map(String::from).to_vec();
            wanted.push(([base.clone(), vec!["url".into()]].concat().into(), SettingValue::Scalar("https://b.example/".into())));
            wanted.push(([base, vec!["token".into()]].concat().into(), SettingValue::Scalar(format!("${token}"))));
            let after = Format::Bunfig.edit(&text, &wanted).unwrap();
            prop_assert!(same_settings(&Format::Bunfig.settings(&after).unwrap(), &wanted));
            for doc in [&text, &after] {
                for probe in super::near(&wanted).iter().chain(&super::near(&held(&text))) {
                    let by_settings = same_settings(&Format::Bunfig.settings(doc).unwrap(), probe);
                    prop_assert_eq!(Format::Bunfig.holds(doc, probe), by_settings, "{:?}", probe);
                }
            }
            prop_assert_eq!(Format::Bunfig.edit(&after, &wanted).unwrap(), after.clone());
            for keep in ["coverage = true # keep", "[run]", "exact = true", "# ours"] {
                prop_assert!(!text.contains(keep) || after.contains(keep), "lost {:?}", keep);
            }
        }
    }
}

/// `pnpm-workspace.yaml`: the workspace's own settings (packages, catalogs, overrides) and
/// comments survive an edit of `registries` and the network keys; idempotent.
mod pnpm_workspace {
    use pmrc::formats::{Format, SettingValue, Wanted, same_settings};
    use proptest::prelude::*;

    fn block() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("packages:\n  - 'apps/*'\n  - packages/* # libs\n".to_string()),
            Just("# workspace settings\n".to_string()),
            Just("\n".to_string()),
            Just("catalog:\n  react: ^19.0.0\n".to_string()),
            Just("registries:\n  default: https://r.example/npm/ # mirror\n  \"@acme\": https://a.example/\n".to_string()),
            Just("strictSsl: false\n".to_string()),
            Just("httpsProxy: http://p.example:3128/\n".to_string()),
            "[a-z]{1,8}[A-Z][a-z]{1,5}: (true|false|[0-9]{1,3})\n".prop_map(|s| s),
        ]
    }

    fn file() -> impl Strategy<Value = String> {
        proptest::collection::vec(block(), 0..7).prop_map(super::one_of_each_key)
    }

    fn held(text: &str) -> Wanted {
        pmrc::formats::wanted_from(&Format::PnpmWorkspace.settings(text).unwrap())
    }

    proptest! {
        #[test]
        fn edits_keep_the_rest_and_are_idempotent(text in file(), host in "[a-z]{1,10}") {
            let yaml = Format::PnpmWorkspace;
            prop_assert_eq!(yaml.edit(&text, &held(&text)).unwrap(), text.clone());
            let mut wanted = held(&text);
            let scope: pmrc::formats::SettingPath = ["registries".into(), "@beta".into()].into();
            wanted.retain(|(p, _)| *p != scope && p[0] != "strictSsl");
            wanted.push((scope, SettingValue::Scalar(format!("https://{host}.example/"))));
            let after = yaml.edit(&text, &wanted).unwrap();
            prop_assert!(same_settings(&yaml.settings(&after).unwrap(), &wanted), "{}", after);
            prop_assert_eq!(yaml.edit(&after, &wanted).unwrap(), after.clone());
            for keep in ["  - packages/* # libs", "# workspace settings", "  react: ^19.0.0", "# mirror"] {
                prop_assert!(!text.contains(keep) || after.contains(keep), "lost {:?}:\n{}", keep, after);
            }
            // The workspace's own top-level settings stay, line for line.
            let owned = ["registries", "strictSsl", "httpsProxy", "httpProxy", "noProxy"];
            for line in text.lines().filter(|l| l.contains(": ") && !l.starts_with([' ', '#'])) {
                let key = line.split(':').next().unwrap();
                prop_assert!(owned.contains(&key) || after.contains(line), "lost {:?}:\n{}", line, after);
            }
        }
    }
}

/// Issue 8 (linear edits): many scope entries kept, changed, removed and added in one edit
/// of a `.yarnrc.yml` (entries are cut and inserted as text) read back as wanted, keep
/// every line that is not an owned entry's, and a second edit changes nothing.
mod yarnrc_yml_many_entries {
    use pmrc::formats::{Format, SettingValue, Wanted, same_settings};
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Fate {
        Keep,
        Change,
        Remove,
        DropField,
        AddField,
    }

    fn scope(i: usize, host: &str) -> String {
        format!(
            "  s{i}:\n    npmRegistryServer: \"https://{host}.example\"\n    npmAlwaysAuth: true # s{i}\n"
        )
    }

    proptest! {
        #[test]
        fn entries_change_in_bulk(
            fates in proptest::collection::vec(prop_oneof![
                Just(Fate::Keep), Just(Fate::Change), Just(Fate::Remove),
                Just(Fate::DropField), Just(Fate::AddField),
            ], 1..12),
            added in 0usize..5,
            comment_between in any::<bool>(),
            ending in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
            final_newline in any::<bool>(),
            bom in any::<bool>(),
            map_last in any::<bool>(),
        ) {
            let mut text = String::from("# top\nnpmScopes:\n");
            for (i, _) in fates.iter().enumerate() {
                text.push_str(&scope(i, "old"));
            }
            if comment_between {
                text.push_str("\n# between\n");
            }
            if !map_last {
                text.push_str("nodeLinker: node-modules\n");
            }
            // The same document in other line endings, without a final one, after a BOM.
            let mut text = text.replace('\n', ending);
            if !final_newline {
                text.truncate(text.len() - ending.len());
            }
            if bom {
                text.insert(0, '\u{feff}');
            }
            let yaml = Format::YarnrcYml;
            let mut wanted: Wanted = Vec::new();
            let field = |i: usize, f: &str, v: &str| {
                (["npmScopes".to_string(), format!("s{i}"), f.to_string()].into(), SettingValue::Scalar(v.to_string()))
            };
            for (i, fate) in fates.iter().enumerate() {
                match fate {
                    Fate::Keep => {
                        wanted.push(field(i, "npmRegistryServer", "https://old.example"));
                        wanted.push(field(i, "npmAlwaysAuth", "true"));
                    }
                    Fate::Change => {
                        wanted.push(field(i, "npmRegistryServer", "https://new.example"));
                        wanted.push(field(i, "npmAlwaysAuth", "true"));
                    }
                    Fate::Remove => {}
                    Fate::DropField => {
                        wanted.push(field(i, "npmRegistryServer", "https://old.example"));
                    }
                    Fate::AddField => {
                        wanted.push(field(i, "npmRegistryServer", "https://old.example"));
                        wanted.push(field(i, "npmAlwaysAuth", "true"));
                        wanted.push(field(i, "npmAuthToken", "${T}"));
                    }
                }
            }
            for j in 0..added {
                wanted.push(field(100 + j, "npmRegistryServer", "https://added.example"));
                wanted.push(field(100 + j, "npmAuthToken", "${T}"));
            }
            let after = yaml.edit(&text, &wanted).unwrap();
            let back = yaml.settings(&after).map_err(|e| format!("{e:?}\n{after}"));
            prop_assert!(back.is_ok(), "{:?}", back);
            prop_assert!(same_settings(&back.unwrap(), &wanted), "{}", after);
            prop_assert_eq!(yaml.edit(&after, &wanted).unwrap(), after.clone());
            prop_assert!(after.contains("# top"), "lost the top comment:\n{:?}", after);
            prop_assert_eq!(after.contains("nodeLinker: node-modules"), !map_last, "{:?}", after);
            prop_assert_eq!(after.contains("# between"), comment_between, "{:?}", after);
            let lines: Vec<&str> = after.split(['\n', '\r']).collect();
            for (i, fate) in fates.iter().enumerate() {
                let comment = format!("# s{i}");
                let kept = !matches!(fate, Fate::Remove | Fate::DropField);
                prop_assert_eq!(lines.iter().any(|l| l.ends_with(&comment)), kept, "{:?}", after);
            }
            // No line left holding only spaces where an entry was cut.
            prop_assert!(!lines.iter().any(|l| !l.is_empty() && l.trim().is_empty()), "{:?}", after);
            // The file keeps its habits: BOM and final line break.
            prop_assert_eq!(after.starts_with('\u{feff}'), bom, "{:?}", after);
            let ends = after.ends_with(['\n', '\r']);
            prop_assert!(ends == final_newline || after.is_empty(), "{:?}", after);
        }
    }
}
