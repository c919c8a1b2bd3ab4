//! A project file's credentials for hosts no registry of the run is on (a tarball host, a
//! publish registry) stay, whatever the translation drops.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::*;

/// A project file's credentials keyed to the location of a host no registry of the files
/// the run writes is on, before the change or after it, stay: a token for the host a
/// registry serves its tarballs from, or for a publish registry. The source may have no way
/// to say it (Yarn sends a registry's token to its tarballs' host), and a review saw one
/// removed (real npm 11.21 then sent no token there). One on a host a registry uses, with
/// or without its port (pnpm also tries a key without the port), goes or stays with the
/// translation: it may be a replaced registry's, whichever file named that registry (pnpm's
/// workspace file). Decided from the texts, without reading the targets again (a large
/// config's file has thousands of such keys, issue 20).
pub(super) fn keep_unrouted_credentials(drafts: &[Draft], composed: &mut [Composed]) -> Result<()> {
    // The hosts of each project file's location keys; then every host a registry is on, in
    // any file the run writes or in what it writes, takes its keys out. Lookups only: a
    // large config's thousands of values are not copied into a set (issue 20).
    let mut keyed: Vec<HashSet<String>> = vec![HashSet::default(); drafts.len()];
    for (draft, candidates) in drafts.iter().zip(keyed.iter_mut()) {
        let file = &draft.file;
        let Some(text) = file.text.as_deref().filter(|_| file.level != Level::User) else {
            continue;
        };
        let read = file.format.each_scalar(text, &mut |path, _, _| {
            if let Some(host) = location_host(file.format, path) {
                insert_host(candidates, &host);
            }
        });
        if let Some(read) = read {
            read.map_err(|e| e.in_file(&file.path))?;
        }
    }
    // Usually every key is on a registry's host, which the first values show: the rest of
    // the values are then not looked at.
    let left = std::cell::Cell::new(keyed.iter().map(HashSet::len).sum::<usize>());
    let mut routed = |host: &str| {
        for candidates in keyed.iter_mut() {
            if candidates.remove(host) {
                left.set(left.get() - 1);
            }
        }
    };
    for (draft, planned) in drafts.iter().zip(composed.iter()) {
        let format = draft.file.format;
        for entry in planned.entries.iter().filter(|e| e.keep && left.get() > 0) {
            if let Some(host) = location_host(format, &entry.path) {
                routed(&host);
            }
            if let SettingValue::Scalar(v) = &entry.value {
                url_hosts(v, &mut routed);
            }
        }
        let Some(text) = draft.file.text.as_deref().filter(|_| left.get() > 0) else {
            continue;
        };
        let each = &mut |_: &[&str], value: &str, _| {
            if left.get() > 0 {
                url_hosts(value, &mut routed);
            }
        };
        match format.each_scalar(text, each) {
            Some(read) => read.map_err(|e| e.in_file(&draft.file.path))?,
            None => {
                let held = format
                    .settings(text)
                    .map_err(|e| e.in_file(&draft.file.path))?;
                for s in held {
                    if let SettingValue::Scalar(v) = &s.value {
                        url_hosts(v, &mut routed);
                    }
                }
            }
        }
    }
    for ((draft, planned), keyed) in drafts.iter().zip(composed.iter_mut()).zip(keyed) {
        let file = &draft.file;
        let Some(text) = file.text.as_deref().filter(|_| !keyed.is_empty()) else {
            continue;
        };
        let format = file.format;
        // Only now, for the few keys on a host nothing routes to, the settings themselves.
        let mut unrouted: Vec<Setting> = Vec::new();
        let read = format.each_scalar(text, &mut |path, value, line| {
            if location_host(format, path).is_some_and(|host| keyed.contains(&*host)) {
                unrouted.push(Setting {
                    path: path.iter().map(|k| k.to_string()).collect(),
                    value: SettingValue::Scalar(value.to_string()),
                    line,
                });
            }
        });
        if let Some(read) = read {
            read.map_err(|e| e.in_file(&file.path))?;
        }
        let index: HashMap<SettingPath, usize> = planned
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.path.clone(), i))
            .collect();
        for setting in unrouted {
            let refused = draft.writers.iter().any(|(m, _)| {
                m.rules()
                    .refuses_setting(file, &setting.path, &setting.value)
                    .is_some()
            });
            if refused || !format.edits(&setting.path) {
                continue;
            }
            match index.get(&setting.path) {
                Some(&i) => planned.entries[i].keep = true,
                None => planned.entries.push(Entry {
                    path: setting.path,
                    value: setting.value,
                    owner: Owner::Held {
                        used: false,
                        wanted: false,
                    },
                    keep: true,
                }),
            }
        }
    }
    Ok(())
}

/// The host of an `http(s)://` URL value to `each`, with its port and without it.
fn url_hosts(value: &str, each: &mut impl FnMut(&str)) {
    let Some(host) = url_host(value) else {
        return;
    };
    if let Some((name, port)) = host.rsplit_once(':')
        && !host.ends_with(']')
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        each(name);
    }
    each(&host);
}

/// The host (and port) of a setting keyed to a registry's location: an `.npmrc`
/// `//host/path/:` key, a `.yarnrc.yml` `npmRegistries` entry's field.
fn location_host<S: AsRef<str>>(
    format: crate::formats::Format,
    path: &[S],
) -> Option<std::borrow::Cow<'_, str>> {
    let location = match (format, path) {
        (crate::formats::Format::Npmrc, [key]) => key.as_ref().strip_prefix("//")?,
        (crate::formats::Format::YarnrcYml, [map, key, _]) if map.as_ref() == "npmRegistries" => {
            let key = key.as_ref();
            let key = key.split_once("://").map_or(key, |(_, rest)| rest);
            key.strip_prefix("//").unwrap_or(key)
        }
        _ => return None,
    };
    let host = location.split('/').next()?;
    // `//host:_authToken`, with no path: the last `:` starts the field.
    let host = match (format, location.contains('/')) {
        (crate::formats::Format::Npmrc, false) => host.rsplit_once(':').map_or(host, |(h, _)| h),
        _ => host,
    };
    Some(lowercase(host))
}

/// The host (and port) of an `http(s)://` URL value.
fn url_host(value: &str) -> Option<std::borrow::Cow<'_, str>> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))?;
    let authority = rest.split('/').next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some(lowercase(host))
}

/// A host in lower case, borrowed where it is already: thousands per large file (issue 20).
fn lowercase(host: &str) -> std::borrow::Cow<'_, str> {
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(host.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(host)
    }
}

/// `host` into `set`, copied only when it is not there yet.
fn insert_host(set: &mut HashSet<String>, host: &str) {
    if !set.contains(host) {
        set.insert(host.to_string());
    }
}
