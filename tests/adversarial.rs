//! Issue 7: odd and huge inputs end in a result or a clear error, never a panic or a hang
//! (speed itself is for benchmarks, not asserted here).

use pmrc::formats::{Format, SettingValue, wanted_from};

fn survives(format: Format, text: &str) {
    let _ = format.secret_spans(text);
    if let Ok(held) = format.settings(text) {
        let wanted = wanted_from(&held);
        if format != Format::Yarnrc {
            let _ = format.edit(text, &wanted);
        }
    }
}

#[test]
fn a_ten_megabyte_npmrc() {
    let mut text = String::with_capacity(10 << 20);
    let mut i = 0;
    while text.len() < 10 << 20 {
        text.push_str(&format!("@scope{i}:registry=https://r{i}.example/npm/\n//r{i}.example/npm/:_authToken=${{TOKEN_{i}}}\n; comment {i}\n"));
        i += 1;
    }
    let held = Format::Npmrc.settings(&text).unwrap();
    assert_eq!(held.len(), 2 * i);
    let wanted = wanted_from(&held);
    assert_eq!(Format::Npmrc.edit(&text, &wanted).unwrap(), text);
}

#[test]
fn ten_thousand_yarn_scopes() {
    let mut text = String::from("npmScopes:\n");
    for i in 0..10_000 {
        text.push_str(&format!("  s{i}:\n    npmRegistryServer: \"https://r{i}.example\"\n    npmAuthToken: \"${{T{i}}}\"\n"));
    }
    let held = Format::YarnrcYml.settings(&text).unwrap();
    assert_eq!(held.len(), 20_000);
    survives(Format::YarnrcYml, &text);
}

#[test]
fn deeply_nested_yaml_and_toml() {
    for depth in [64, 10_000] {
        let yaml = format!("npmScopes: {}{}\n", "[".repeat(depth), "]".repeat(depth));
        survives(Format::YarnrcYml, &yaml);
        survives(
            Format::PnpmWorkspace,
            &format!(
                "registries: {}{}\n",
                "{a: ".repeat(depth),
                "}".repeat(depth)
            ),
        );
        survives(
            Format::Bunfig,
            &format!(
                "[install]\nregistry = {}{}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
        );
    }
}

#[test]
fn long_lines_nul_bytes_bom_and_mixed_line_endings() {
    let long = "x".repeat(1 << 20);
    let cases = [
        format!("registry=https://r.example/{long}\n"),
        "\u{feff}registry=https://r.example/\r\n//r.example/:_authToken=${T}\nproxy=http://p/\rnoproxy=a\0b\n".to_string(),
        "registry=\0\n\0=\0\n".to_string(),
    ];
    for text in &cases {
        for format in [
            Format::Npmrc,
            Format::Yarnrc,
            Format::YarnrcYml,
            Format::Bunfig,
            Format::PnpmWorkspace,
        ] {
            survives(format, text);
        }
    }
    let held = Format::Npmrc.settings(&cases[1]).unwrap();
    assert!(
        held.iter()
            .any(|s| s.path[0] == "proxy" && s.value == SettingValue::Scalar("http://p/".into()))
    );
}

#[test]
fn invalid_utf8_is_a_positioned_error() {
    let dir = assert_fs::TempDir::new().unwrap();
    std::fs::write(
        dir.path().join(".npmrc"),
        b"registry=https://r.example/\n//r/:_authToken=\xff\xfe\n",
    )
    .unwrap();
    let err = pmrc::discover::read_text(&dir.path().join(".npmrc"))
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with(".npmrc:2:17: the file is not valid UTF-8"),
        "{err}"
    );
}
