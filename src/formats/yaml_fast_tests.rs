//! The one-pass YAML reader ([`super::yaml_block`]) against serde-saphyr, its reference:
//! every answer the fast path gives must be the one the reference path gives, through the
//! public readers of every YAML format and through the unowned-settings guard's tree.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;

use super::yaml_block::{self, FAST_TYPED_READS, REFERENCE_ONLY};
use super::{
    SettingValue, dependabot_yml, kept, pnpm_workspace, yaml, yaml_maps, yaml_pruned, yarnrc_yml,
};
use crate::model::Level;

/// Everything pmrc reads from a YAML text, each result printed (errors included).
fn readings(text: &str) -> Vec<String> {
    let file = Path::new("x.yml");
    vec![
        format!("{:?}", yarnrc_yml::settings(text)),
        format!("{:?}", yarnrc_yml::secret_spans(text)),
        format!("{:?}", yarnrc_yml::read(text, file, Level::Project)),
        format!("{:?}", pnpm_workspace::settings(text)),
        format!("{:?}", pnpm_workspace::secret_spans(text)),
        format!("{:?}", pnpm_workspace::read(text, file, Level::User)),
        format!("{:?}", dependabot_yml::settings(text)),
        format!("{:?}", dependabot_yml::secret_spans(text)),
        format!("{:?}", crate::ci::workflows::parse(text)),
        format!("{:?}", crate::ci::gitlab::check(text, file)),
        format!("{:?}", crate::ci::dependabot::check(text, file, &[])),
        format!("{:?}", yaml::parse::<Value>(text)),
    ]
}

/// The readings the reference way and the fast way, and how many typed reads went fast.
fn both_ways(text: &str) -> (Vec<String>, Vec<String>, usize) {
    kept::forget();
    REFERENCE_ONLY.set(true);
    let reference = readings(text);
    REFERENCE_ONLY.set(false);
    kept::forget();
    let before = FAST_TYPED_READS.get();
    let fast = readings(text);
    kept::forget();
    (reference, fast, FAST_TYPED_READS.get() - before)
}

/// The guard's tree both ways, without nothing and without the settings pmrc owns here;
/// `None` when the fast way does not answer.
fn guard_both_ways(text: &str) -> Option<Vec<(Value, Value)>> {
    let owned: Vec<crate::formats::SettingPath> = yarnrc_yml::settings(text)
        .into_iter()
        .chain(pnpm_workspace::settings(text))
        .flatten()
        .map(|s| s.path)
        .collect();
    let owned: Vec<&[String]> = owned.iter().map(|p| &p[..]).collect();
    [&[][..], &owned[..]]
        .iter()
        .map(|owned| {
            let owned = yaml_pruned::Owned::new(owned);
            let fast = yaml_pruned::fast_without(text, &owned)?;
            let reference = yaml_pruned::parse_without(text, &owned)
                .unwrap_or_else(|e| panic!("the fast path read what serde-saphyr refuses: {e}"));
            Some((fast, reference))
        })
        .collect()
}

fn assert_same(text: &str, what: &str) -> (bool, usize) {
    let (reference, fast, fast_reads) = both_ways(text);
    for (r, f) in reference.iter().zip(&fast) {
        assert_eq!(f, r, "{what}: the fast path differs\n{text}");
    }
    // The positions of the owned maps' entries, for the text edit.
    let maps = [
        "npmScopes",
        "npmRegistries",
        "networkSettings",
        "registries",
    ];
    if let Some(fast) = yaml_maps::block_maps(text, &maps) {
        let reference = yaml_maps::yaml_edit_maps(text, &maps);
        assert_eq!(
            Some(fast),
            reference,
            "{what}: the owned maps' positions differ\n{text}"
        );
    }
    let guard = guard_both_ways(text);
    for (f, r) in guard.iter().flatten() {
        assert_eq!(f, r, "{what}: the guard's tree differs\n{text}");
    }
    (guard.is_some(), fast_reads)
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
}

/// An edit's planned text: the guard reads it too, and the settings are read back from it.
fn planned(text: &str) -> Option<String> {
    let mut wanted: crate::formats::Wanted = yarnrc_yml::settings(text)
        .ok()?
        .into_iter()
        .map(|s| (s.path, s.value))
        .collect();
    wanted.pop()?;
    if let Some((_, SettingValue::Scalar(v))) = wanted.first_mut() {
        v.push_str("/changed");
    }
    wanted.push((
        ["npmAlwaysAuth".into()].into(),
        SettingValue::Scalar("true".into()),
    ));
    yarnrc_yml::edit(text, &wanted).ok()
}

/// Project fixtures outside the fast reader's shape: a broken file, a sequence of mappings
/// (`plugins:`), flow sequences (`scopes: ["@"]`).
const SLOW_FIXTURES: [&str; 4] = [
    "error-broken-yaml/",
    "npm-to-yarn-existing-yarnrc/",
    "pnpm11-to-pnpm10-url-keyed/",
    "pnpm11-to-pnpm12-url-keyed/",
];

#[test]
fn every_yaml_file_of_the_tests_reads_the_same_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    yaml_files(&root.join("tests"), &mut files);
    files.sort();
    assert!(files.len() > 50, "{} files", files.len());
    let mut ordinary_files = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name = path.strip_prefix(root).unwrap().display().to_string();
        let (guard_fast, typed_fast) = assert_same(&text, &name);
        if let Some(out) = planned(&text) {
            assert_same(&out, &format!("{name}, edited"));
        }
        // The project fixtures are ordinary config files: the fast path must read them.
        let ordinary = name.starts_with("tests/fixtures/")
            && (name.ends_with(".yarnrc.yml") || name.ends_with("pnpm-workspace.yaml"));
        if ordinary {
            let known_slow = SLOW_FIXTURES.iter().any(|f| name.contains(f));
            assert_eq!(
                guard_fast && typed_fast > 0,
                !known_slow,
                "{name}: the fast path's answer changed"
            );
            ordinary_files += 1;
        }
    }
    assert!(ordinary_files > 20, "{ordinary_files} project fixtures");
}

#[test]
fn the_benchmarks_large_config_reads_the_same_both_ways() {
    let dir = std::env::temp_dir().join(format!("pmrc-yaml-fast-{}", std::process::id()));
    let generated = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bench/gen.py"))
        .args(["large", dir.to_str().unwrap(), "400", "1"])
        .output();
    let Ok(generated) = generated else {
        eprintln!("python3 is not available: the benchmark's generator cannot run");
        return;
    };
    assert!(generated.status.success(), "{generated:?}");
    let project = String::from_utf8(generated.stdout).unwrap();
    let text = std::fs::read_to_string(Path::new(project.trim()).join(".yarnrc.yml")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let (guard_fast, typed_fast) = assert_same(&text, "the benchmark's .yarnrc.yml");
    assert!(guard_fast && typed_fast > 0);
    let maps = yaml_maps::block_maps(&text, &["npmScopes", "npmRegistries"]).unwrap();
    assert_eq!(maps.len(), 2);
    let out = planned(&text).unwrap();
    assert_same(&out, "the benchmark's .yarnrc.yml, edited");
}

/// Keys: the settings' own names among others, plain or quoted.
fn key() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        8 => prop::sample::select(vec![
            "npmRegistryServer", "npmAuthToken", "npmAuthIdent", "npmAlwaysAuth", "npmScopes",
            "npmRegistries", "networkSettings", "httpProxy", "unsafeHttpWhitelist", "registry",
            "registries", "strictSsl", "httpsProxy", "_auth", "authToken", "scopes", "on",
            "//reg.example:4873/", "a b", "é", "123", "true", "y", "a#b", "a:b", "1.5", "k",
        ])
        .prop_map(String::from),
        1 => prop::sample::select(vec![
            "@scope", "null", "~", "<<", ".inf", "-", "- x", "a #b", "1", "0x1", "+1", "01",
        ])
            .prop_map(String::from),
        2 => "[a-zA-Z@/._-][a-zA-Z0-9@/:.# _-]{0,8}",
    ];
    (name, 0..4u8).prop_map(|(name, style)| quoted(&name, style))
}

/// Scalars of every style, with the characters and words that change their meaning.
fn scalar() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        8 => prop::sample::select(vec![
            "https://registry.example/", "${NPM_TOKEN}", "true", "False", "yes", "off", "n",
            "123", "-5", "0", "~", "null", "NULL", "", "it's", "say \"hi\"", "back\\slash",
            "é ü 中", "a#b", "x, y", ".yarn/releases/yarn.cjs", "node-modules", "@scope",
        ])
        .prop_map(String::from),
        2 => prop::sample::select(vec![
            "007", "1.5", "0x1F", "+1", "-0", "1e3", ".inf", ".5", ".NaN", "a: b", "a:", "a #b",
            "-x", "- x", "?x", ":x", "*x", "&x", "!x", "@x", "%x", "`x", "|", ">", "[x]", "{x}",
            "99999999999999999999", "\u{85}", "tab\there", "\u{2028}", "nul\0",
        ])
        .prop_map(String::from),
        1 => "[ -~]{0,12}",
        1 => "[a-z\u{e9}\u{4e2d}:#'\" .]{1,10}",
    ];
    (text, 0..5u8).prop_map(|(text, style)| quoted(&text, style))
}

/// `s` written plain (0, 1), single-quoted (2), double-quoted (3) or JSON-escaped (4).
fn quoted(s: &str, style: u8) -> String {
    match style {
        2 => format!("'{}'", s.replace('\'', "''")),
        3 => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
        4 => serde_json::to_string(s).unwrap(),
        _ => s.to_string(),
    }
}

/// A comment, trailing spaces or nothing after a line's content.
fn line_end() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        12 => prop::sample::select(vec!["", "", "", "  ", " # note", "\r"]),
        1 => Just("#no"),
    ]
}

/// A block of entries at `indent`, `depth` levels deep.
fn block(indent: usize, depth: u32) -> BoxedStrategy<String> {
    let pad = " ".repeat(indent);
    let leaf = (key(), scalar(), line_end())
        .prop_map({
            let pad = pad.clone();
            move |(k, v, end)| format!("{pad}{k}: {v}{end}\n")
        })
        .boxed();
    let empty = (key(), line_end())
        .prop_map({
            let pad = pad.clone();
            move |(k, end)| format!("{pad}{k}:{end}\n")
        })
        .boxed();
    let list = (
        key(),
        prop::collection::vec((scalar(), line_end()), 0..4),
        0..3usize,
    )
        .prop_map({
            let pad = pad.clone();
            move |(k, items, shift)| {
                let items: String = items
                    .iter()
                    .map(|(v, end)| format!("{pad}{}- {v}{end}\n", " ".repeat(shift)))
                    .collect();
                format!("{pad}{k}:\n{items}")
            }
        })
        .boxed();
    let odd = prop::sample::select(vec![
        "# a comment line\n",
        "\n",
        "x: &a 1\n",
        "y: *a\n",
        "t: !!str 5\n",
        "f: {a: 1}\n",
        "s: [1, 2]\n",
        "b: |\n  text\n",
        "m: first\n  second\n",
        "---\n",
        "? complex\n",
        "\tk: v\n",
        "   misplaced: 1\n",
        "- stray\n",
    ])
    .prop_map(move |s| format!("{pad}{s}"))
    .boxed();
    let entry = if depth == 0 {
        prop_oneof![12 => leaf, 3 => empty, 3 => list, 1 => odd].boxed()
    } else {
        let nested = (key(), 1..4usize, line_end())
            .prop_flat_map(move |(k, step, end)| {
                block(indent + step, depth - 1)
                    .prop_map(move |inner| format!("{}{k}:{end}\n{inner}", " ".repeat(indent)))
            })
            .boxed();
        prop_oneof![12 => leaf, 3 => empty, 3 => list, 5 => nested, 1 => odd].boxed()
    };
    prop::collection::vec(entry, 1..6)
        .prop_map(|entries| entries.concat())
        .boxed()
}

/// A `.yarnrc.yml` of the usual shape: owned maps of entries of fields, comments between.
fn yarnrc() -> impl Strategy<Value = String> {
    let field = (
        prop::sample::select(vec![
            "npmRegistryServer",
            "npmAuthToken",
            "npmAlwaysAuth",
            "httpProxy",
            "other",
        ]),
        scalar(),
        line_end(),
    )
        .prop_map(|(k, v, end)| format!("    {k}: {v}{end}\n"));
    let entry = (
        key(),
        prop::collection::vec(field, 0..4),
        scalar(),
        prop::sample::select(vec!["", "", "  # between\n", "\n", "      # deeper\n"]),
    )
        .prop_map(|(k, fields, value, after)| {
            if fields.is_empty() {
                format!("  {k}: {value}\n{after}")
            } else {
                format!("  {k}:\n{}{after}", fields.concat())
            }
        });
    let map = (
        prop::sample::select(vec!["npmScopes", "npmRegistries", "networkSettings"]),
        prop::collection::vec(entry, 1..5),
    )
        .prop_map(|(name, entries)| format!("{name}:\n{}", entries.concat()));
    (prop::collection::vec(map, 1..4), block(0, 0))
        .prop_map(|(maps, rest)| format!("{}{rest}", maps.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Whenever the fast path answers, it answers as serde-saphyr does.
    #[test]
    fn the_fast_path_answers_as_serde_saphyr(text in block(0, 2)) {
        assert_same(&text, "generated");
        if let Some(out) = planned(&text) {
            assert_same(&out, "generated, edited");
        }
    }

    /// The owned maps read the same from the tree as through yaml-edit, and so does the rest.
    #[test]
    fn a_usual_yarnrc_reads_the_same_both_ways(text in yarnrc()) {
        assert_same(&text, "generated .yarnrc.yml");
        if let Some(out) = planned(&text) {
            assert_same(&out, "generated .yarnrc.yml, edited");
        }
    }

    /// Constructs outside the simple shape leave the document to serde-saphyr.
    #[test]
    fn constructs_outside_the_shape_are_left_to_serde_saphyr(
        text in block(0, 1),
        odd in prop::sample::select(vec![
            "x: &a 1\n", "y: *a\n", "t: !!str 5\n", "f: {a: 1}\n", "s: [1, 2]\n",
            "b: |\n  text\n", "m: first\n  second\n", "q: 'first\n  second'\n", "---\n",
            "? complex\n", "\tk: v\n", "d: \"\\x41\"\n", "%TAG ! x\n",
        ]),
        at_start in any::<bool>(),
    ) {
        let text = if at_start { format!("{odd}{text}") } else { format!("{text}{odd}") };
        prop_assert!(yaml_block::read(&text).is_none(), "{text}");
    }
}
