//! Registry URL arithmetic the managers disagree on: npm's nerf darts and path walk-up,
//! Yarn Berry's exact keys, hostnames for allow-lists. Pure string work, no I/O.

/// The parts of an absolute `http(s)` URL that matter for credential matching.
#[derive(Debug, Clone)]
pub struct RegistryUrl {
    /// `http` or `https`, lowercased.
    pub scheme: &'static str,
    /// `host:port` lowercased as written, then the path as written, starting with `/`
    /// (query and fragment dropped). The three hosts are prefixes of it, so a URL parsed for
    /// each of a large config's thousands of routes allocates once (issue 20).
    text: String,
    host_len: usize,
    hostname_len: usize,
    written_len: usize,
    /// Where the path starts in `text`: the authority's length.
    path_start: usize,
}

impl RegistryUrl {
    pub fn parse(url: &str) -> Option<RegistryUrl> {
        let (scheme, rest) = split_scheme(url)?;
        let scheme = if scheme.eq_ignore_ascii_case("https") {
            "https"
        } else if scheme.eq_ignore_ascii_case("http") {
            "http"
        } else {
            return None;
        };
        let authority_end = find_outside_references(rest, b"/?#").unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if host_port.is_empty() {
            return None;
        }
        let rest_after = &rest[authority_end..];
        let path_end = find_outside_references(rest_after, b"?#").unwrap_or(rest_after.len());
        let path = match &rest_after[..path_end] {
            "" => "/",
            path => path,
        };
        let text = lowercase_outside_references(host_port, path);
        let path_start = host_port.len();
        let lower = &text[..path_start];
        let default_port = if scheme == "https" { "443" } else { "80" };
        let (hostname_len, host_len, written_len) =
            match lower.rfind(':').filter(|&i| !lower[i..].contains(']')) {
                None => (lower.len(), lower.len(), lower.len()),
                Some(i) => {
                    let port = &lower[i + 1..];
                    let host = if port != default_port && !port.is_empty() {
                        lower.len()
                    } else {
                        i
                    };
                    let written = if port.is_empty() { i } else { lower.len() };
                    (i, host, written)
                }
            };
        Some(RegistryUrl {
            scheme,
            text,
            host_len,
            hostname_len,
            written_len,
            path_start,
        })
    }

    /// This URL with its host in the case `url`, the text it was parsed from, writes it:
    /// Yarn 1 and pnpm 12 compare credential keys with the registry's host byte for byte
    /// (from a trial: real Yarn 1.22.22 and pnpm 12.21.0 sent no `//registry.test:4873/`
    /// token to `http://REGISTRY.test:4873/`, where npm, pnpm 10/11 and Bun did).
    pub fn with_host_case_of(mut self, url: &str) -> RegistryUrl {
        // Nearly every URL is lower-case: one scan, where finding the host costs a route
        // of a large config 1 % (issue 20).
        if !url.bytes().any(|b| b.is_ascii_uppercase()) {
            return self;
        }
        let rest = split_scheme(url).map_or(url, |(_, rest)| rest);
        let authority_end = find_outside_references(rest, b"/?#").unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let written = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if written.len() == self.path_start && !written.bytes().all(|b| !b.is_ascii_uppercase()) {
            self.text.replace_range(..self.path_start, written);
        }
        self
    }

    /// Lowercased host with the port when it is not the scheme's default.
    pub fn host(&self) -> &str {
        &self.text[..self.host_len]
    }

    /// Lowercased host without any port.
    pub fn hostname(&self) -> &str {
        &self.text[..self.hostname_len]
    }

    /// Lowercased host with the port exactly as written, a default one included: Yarn 1
    /// compares credential keys with the registry URL as written (errata: default ports).
    pub fn host_as_written(&self) -> &str {
        &self.text[..self.written_len]
    }

    /// The path as written, starting with `/` (query and fragment dropped).
    pub fn path(&self) -> &str {
        &self.text[self.path_start..]
    }

    /// The parts compared: `h:` and `h` are one host, as they were when each was kept apart.
    fn parts(&self) -> (&str, &str, &str, &str, &str) {
        let (host, hostname, written) = (self.host(), self.hostname(), self.host_as_written());
        (self.scheme, host, hostname, written, self.path())
    }

    /// The same URL with no port at all (npm's second walk for a tarball, pnpm's for a route).
    pub fn without_port(&self) -> RegistryUrl {
        RegistryUrl {
            host_len: self.hostname_len,
            written_len: self.hostname_len,
            ..self.clone()
        }
    }

    /// npm's nerf dart (`@npmcli/config` nerf-dart.js): everything after the last `/` of the
    /// path is dropped, so `https://h/npm` gives `//h/`.
    pub fn nerf_dart(&self) -> String {
        let path = self.path();
        let dir = &path[..=path.rfind('/').unwrap_or(0)];
        format!("//{}{}", self.host(), dir)
    }

    /// The nerf dart a user means for this registry: with a trailing slash added first, so a
    /// registry written without one keeps its last path segment.
    pub fn registry_nerf_dart(&self) -> String {
        let slash = if self.path().ends_with('/') { "" } else { "/" };
        ["//", self.host(), self.path(), slash].concat()
    }

    /// [`Self::registry_nerf_dart`] with the port as written, a default one included.
    pub fn registry_nerf_dart_as_written(&self) -> String {
        format!(
            "//{}{}",
            self.host_as_written(),
            with_trailing_slash(self.path())
        )
    }

    /// Whether a credential key (`//host[:port]/…`, a scheme allowed) names this URL's
    /// host and port, the default port being the same as none.
    pub fn is_named_by_key(&self, key: &str) -> bool {
        RegistryUrl::of_key(key, self.scheme).is_some_and(|k| k.host() == self.host())
    }

    /// A credential key (`//host[:port]/path/`, a scheme allowed) read as a URL of `scheme`.
    pub fn of_key(key: &str, scheme: &str) -> Option<RegistryUrl> {
        let without_scheme = key.find("//").map_or(key, |i| &key[i..]);
        RegistryUrl::parse(&format!("{scheme}:{without_scheme}"))
    }

    /// Yarn Berry's scheme-less `npmRegistries` key for this registry (one trailing `/` gone).
    pub fn yarn_key(&self) -> String {
        let path = self.path().strip_suffix('/').unwrap_or(self.path());
        ["//", self.host(), path].concat()
    }

    pub fn is_http(&self) -> bool {
        self.scheme == "http"
    }
}

impl PartialEq for RegistryUrl {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}
impl Eq for RegistryUrl {}

/// The positions of `text`'s bytes that lie outside its `${…}` references (an unclosed
/// `${` runs to the end). One pass over the bytes: this runs for every URL of a large config
/// (issue 20).
fn outside_references(text: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while text.get(i) == Some(&b'$') && text.get(i + 1) == Some(&b'{') {
            i = text[i + 2..]
                .iter()
                .position(|&c| c == b'}')
                .map_or(text.len(), |close| i + close + 3);
        }
        (i < text.len()).then(|| {
            i += 1;
            i - 1
        })
    })
}

/// The first of `bytes` in `text` that is not inside a `${…}` reference: npm's optional
/// `${HOST?}` holds a `?` that does not start a query.
fn find_outside_references(text: &str, bytes: &[u8]) -> Option<usize> {
    let b = text.as_bytes();
    outside_references(b).find(|&i| bytes.contains(&b[i]))
}

/// A host lowercased as npm's nerf darts and every manager's URL parser do, except inside
/// `${NAME}`: a variable's name is case-sensitive, and its value, unknown here, is what the
/// manager lowercases. A key and a URL that name the same variable then compare equal, as
/// they do once npm has put the value in both (spec/npm.md §3, "Keys are substituted").
/// `host` lowercased outside its `${…}` references, then `path` as it is, in one buffer.
fn lowercase_outside_references(host: &str, path: &str) -> String {
    let mut out = String::with_capacity(host.len() + path.len());
    out.push_str(host);
    if memchr::memchr(b'$', host.as_bytes()).is_none() {
        out.make_ascii_lowercase();
    } else {
        let mut bytes = out.into_bytes();
        for i in outside_references(host.as_bytes()) {
            bytes[i].make_ascii_lowercase();
        }
        out = String::from_utf8(bytes).expect("ASCII case changes keep UTF-8 valid");
    }
    out.push_str(path);
    out
}

/// `url` without its scheme's default port (`http://h:80/npm` → `http://h/npm`): the same
/// server for every manager, but Yarn compares registry URLs with keys as written.
pub fn without_default_port(url: &str) -> String {
    // Most URLs name no port at all: nothing to parse then.
    let authority = split_scheme(url).map_or(url, |(_, rest)| {
        &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())]
    });
    if !authority.contains(':') {
        return url.to_string();
    }
    let Some(parsed) = RegistryUrl::parse(url) else {
        return url.to_string();
    };
    if parsed.host() == parsed.host_as_written() {
        return url.to_string();
    }
    let written = format!(
        ":{}",
        &parsed.host_as_written()[parsed.hostname().len() + 1..]
    );
    let authority_start = split_scheme(url).map_or(0, |(scheme, _)| scheme.len() + 3);
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    let authority = &url[authority_start..authority_end];
    match authority.to_ascii_lowercase().rfind(&written) {
        Some(i) if i + written.len() == authority.len() => {
            format!("{}{}", &url[..authority_start + i], &url[authority_end..])
        }
        _ => url.to_string(),
    }
}

/// `url` without its userinfo (`https://user:pass@host/` → `https://host/`).
pub fn without_userinfo(url: &str) -> std::borrow::Cow<'_, str> {
    match url_userinfo(url) {
        None => url.into(),
        Some((user, password)) => {
            let start = url.find("://").map_or(0, |i| i + 3);
            let len = user.len() + password.map_or(0, |p| p.len() + 1) + 1;
            format!("{}{}", &url[..start], &url[start + len..]).into()
        }
    }
}

/// The userinfo of a URL as written: `(user, password)`, the password `None` without a colon.
pub fn url_userinfo(url: &str) -> Option<(&str, Option<&str>)> {
    // Asked of every route several times over (issue 20): most URLs have no `@` at all.
    memchr::memchr(b'@', url.as_bytes())?;
    let authority_start = url.find("://")? + 3;
    let rest = &url[authority_start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    let info = &authority[..at];
    Some(match info.split_once(':') {
        Some((user, password)) => (user, Some(password)),
        None => (info, None),
    })
}

/// `url` split at its first `://`, as `split_once("://")` would: found by its `:` (a
/// character search), since URLs are split tens of thousands of times in a large config.
pub fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let colon = url
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| url[i + 1..].starts_with("//"))?;
    Some((&url[..colon], &url[colon + 3..]))
}

pub fn with_trailing_slash(s: &str) -> String {
    if s.ends_with('/') {
        s.to_string()
    } else {
        format!("{s}/")
    }
}

/// The keys npm tries, deepest first, for a request to `url` (`regFromURI` in
/// npm-registry-fetch): `//h/a/b` → `//h/a/` → `//h/a` → `//h/` → `//h`.
pub fn npm_walk_up(url: &RegistryUrl) -> Vec<String> {
    let mut key = format!("//{}{}", url.host(), url.path());
    let mut keys = Vec::new();
    while key.len() > 2 {
        keys.push(key.clone());
        npm_walk_up_step(&mut key);
    }
    keys
}

/// One step of [`npm_walk_up`] in place: `//h/a/` → `//h/a` → `//h/`. False once the key is
/// no longer one npm tries (`//` and shorter).
pub fn npm_walk_up_step(key: &mut String) -> bool {
    if key.ends_with('/') {
        key.pop();
    } else {
        let cut = key.rfind('/').map_or(0, |i| i + 1);
        key.truncate(cut);
    }
    key.len() > 2
}

/// Yarn Berry's lookup keys for a registry, in order: the URL as written with one trailing
/// `/` stripped, then the same without a leading lowercase scheme.
pub fn yarn_lookup_keys(registry: &str) -> Vec<String> {
    let exact = normalize_yarn_key(registry);
    let mut keys = vec![exact.clone()];
    if let Some(colon) = exact.find(':')
        && colon > 0
        && exact[..colon].bytes().all(|b| b.is_ascii_lowercase())
    {
        keys.push(exact[colon + 1..].to_string());
    }
    keys
}

/// `url` up to its query, where it has one (`https://h/npm/?channel=beta` →
/// `https://h/npm/`): what a manager that leaves a registry URL's query out of its requests
/// requests under. A `?` inside `${HOST?}` is the reference's, and one after a `#` the
/// fragment's.
pub fn without_query(url: &str) -> Option<&str> {
    let at = find_outside_references(url, b"?#")?;
    (url.as_bytes()[at] == b'?').then(|| &url[..at])
}

/// Yarn normalises `npmRegistries` keys and registry URLs by stripping one trailing `/`.
/// A registry URL as `.npmrc` and `bunfig.toml` are written: one trailing slash on its path,
/// unless it has a query or fragment, whose last value a slash would change (a token).
pub fn registry_with_slash(url: &str) -> String {
    if url.contains(['?', '#']) {
        url.to_string()
    } else {
        with_trailing_slash(url)
    }
}

/// A registry URL as Yarn writes it: no trailing slash, with the same exception as
/// [`registry_with_slash`].
pub fn registry_without_slash(url: &str) -> String {
    if url.contains(['?', '#']) {
        url.to_string()
    } else {
        normalize_yarn_key(url)
    }
}

pub fn normalize_yarn_key(key: &str) -> String {
    key.strip_suffix('/').unwrap_or(key).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_cut_off_outside_references_and_fragments() {
        assert_eq!(
            without_query("https://h/npm/?channel=beta"),
            Some("https://h/npm/")
        );
        assert_eq!(without_query("https://h/npm/"), None);
        assert_eq!(without_query("https://${HOST?}/npm/"), None);
        assert_eq!(without_query("https://h/npm/#a?b"), None);
    }

    #[test]
    fn userinfo_is_read_and_taken_out() {
        assert_eq!(
            url_userinfo("https://u:p%40w@h.example:8443/a?x=@"),
            Some(("u", Some("p%40w")))
        );
        assert_eq!(
            url_userinfo("https://TOKEN@h.example/"),
            Some(("TOKEN", None))
        );
        assert_eq!(url_userinfo("https://h.example/a@b"), None);
        assert_eq!(url_userinfo("https://h.example/?x=@"), None);
        assert_eq!(
            without_userinfo("https://u:p@h.example:8443/a"),
            "https://h.example:8443/a"
        );
        assert_eq!(
            without_userinfo("https://:tok@h.example/"),
            "https://h.example/"
        );
        assert_eq!(
            without_userinfo("https://h.example/a@b"),
            "https://h.example/a@b"
        );
    }

    fn url(s: &str) -> RegistryUrl {
        RegistryUrl::parse(s).unwrap()
    }

    #[test]
    fn a_colon_or_capital_in_the_path_is_the_paths_not_the_hosts() {
        let u = url("https://Reg.Example:8443/Team:A/npm/?q=1");
        assert_eq!(
            (u.host(), u.hostname(), u.host_as_written(), u.path()),
            (
                "reg.example:8443",
                "reg.example",
                "reg.example:8443",
                "/Team:A/npm/"
            )
        );
        let u = url("http://${HOST}:80/a:80/");
        assert_eq!((u.host(), u.path()), ("${HOST}", "/a:80/"));
        assert_eq!(url("https://h").path(), "/");
    }

    #[test]
    fn split_scheme_is_split_once_at_the_first_separator() {
        for url in [
            "https://h/a",
            "h:1//x://y",
            "a:b://c://d",
            "://",
            "no separator",
            "x:/y",
            ":",
            "",
        ] {
            assert_eq!(split_scheme(url), url.split_once("://"), "{url}");
        }
    }

    /// The three hosts, each a prefix of the one authority kept.
    #[test]
    fn hosts_with_and_without_ports() {
        // URL, then host, hostname and host as written.
        for (written, expected) in [
            (
                "https://R.example/npm",
                ["r.example", "r.example", "r.example"],
            ),
            (
                "https://r.example:443/",
                ["r.example", "r.example", "r.example:443"],
            ),
            (
                "http://r.example:8080/",
                ["r.example:8080", "r.example", "r.example:8080"],
            ),
            (
                "https://r.example:/",
                ["r.example", "r.example", "r.example"],
            ),
            (
                "https://u:p@[::1]:4873/",
                ["[::1]:4873", "[::1]", "[::1]:4873"],
            ),
        ] {
            let u = url(written);
            assert_eq!(
                [u.host(), u.hostname(), u.host_as_written()],
                expected,
                "{written}"
            );
        }
        let bare = url("http://r.example:8080/npm/").without_port();
        assert_eq!(
            (bare.host(), bare.hostname(), bare.path()),
            ("r.example", "r.example", "/npm/")
        );
        // An empty port is no port: the same URL, as when each host was kept on its own.
        assert_eq!(url("https://r.example:/npm"), url("https://r.example/npm"));
        assert_ne!(
            url("https://r.example:443/npm"),
            url("https://r.example/npm")
        );
    }

    /// npm's `${HOST?}` in a URL and in a key: the `?` is the reference's, not a query's.
    #[test]
    fn an_optional_reference_is_not_a_query() {
        let u = url("https://${CI_SERVER_HOST?}/npm/?token=x");
        assert_eq!(u.host(), "${CI_SERVER_HOST?}");
        assert_eq!(u.path(), "/npm/");
        assert_eq!(url("https://${H}/a${P?}b/").path(), "/a${P?}b/");
        assert_eq!(
            url("https://H.Example/${Up}/").nerf_dart(),
            "//h.example/${Up}/"
        );
        assert_eq!(url("https://${Up}.Example/").host(), "${Up}.example");
        // An unclosed `${` runs to the end, as npm leaves such text alone.
        assert_eq!(url("https://H${X/npm/").host(), "h${X/npm/");
    }

    #[test]
    fn nerf_darts_follow_npm() {
        // spec/npm.md §4.1
        assert_eq!(
            url("https://registry.npmjs.org").nerf_dart(),
            "//registry.npmjs.org/"
        );
        assert_eq!(
            url("https://reg.example.com/npm/").nerf_dart(),
            "//reg.example.com/npm/"
        );
        assert_eq!(
            url("https://reg.example.com/npm").nerf_dart(),
            "//reg.example.com/"
        );
        assert_eq!(
            url("https://Registry.Example.COM/npm/").nerf_dart(),
            "//registry.example.com/npm/"
        );
        assert_eq!(
            url("https://reg.example.com:443/npm/").nerf_dart(),
            "//reg.example.com/npm/"
        );
        assert_eq!(
            url("http://reg.example.com:443/").nerf_dart(),
            "//reg.example.com:443/"
        );
        assert_eq!(
            url("https://user:pass@reg.example.com/x/?q=1#f").nerf_dart(),
            "//reg.example.com/x/"
        );
        assert_eq!(url("https://[::1]:8080/").nerf_dart(), "//[::1]:8080/");
        assert!(RegistryUrl::parse("reg.example.com/npm/").is_none());
        assert!(RegistryUrl::parse("//reg.example.com/").is_none());
    }

    #[test]
    fn default_ports_are_dropped_only_when_default() {
        assert_eq!(without_default_port("http://h:80/npm/"), "http://h/npm/");
        assert_eq!(without_default_port("https://H:443"), "https://H");
        assert_eq!(
            without_default_port("https://u:p@h:443/x"),
            "https://u:p@h/x"
        );
        assert_eq!(without_default_port("http://h:443/"), "http://h:443/");
        assert_eq!(without_default_port("http://h:4874/"), "http://h:4874/");
        assert_eq!(without_default_port("${REG}"), "${REG}");
        // A colon outside the authority is not a port.
        assert_eq!(without_default_port("https://h/a:443"), "https://h/a:443");
        assert_eq!(without_default_port("https://u:p@h/x"), "https://u:p@h/x");
        assert_eq!(
            url("http://h:80/npm/").registry_nerf_dart_as_written(),
            "//h:80/npm/"
        );
    }

    #[test]
    fn keys_name_a_host_and_port() {
        let scoped = url("http://h:4874/");
        assert!(!scoped.is_named_by_key("//h/"));
        assert!(scoped.is_named_by_key("//h:4874/npm/"));
        assert!(url("http://h/npm/").is_named_by_key("//h:80/"));
        assert!(url("https://h/").is_named_by_key("https://h/"));
        assert!(!url("https://h/").is_named_by_key("//other/"));
    }

    #[test]
    fn registry_nerf_dart_keeps_last_segment() {
        assert_eq!(
            url("https://h.example/npm").registry_nerf_dart(),
            "//h.example/npm/"
        );
    }

    #[test]
    fn walk_up_alternates_segment_and_slash() {
        assert_eq!(
            npm_walk_up(&url("http://h/a/b")),
            vec!["//h/a/b", "//h/a/", "//h/a", "//h/", "//h"]
        );
    }

    #[test]
    fn yarn_keys_strip_one_slash_and_scheme() {
        assert_eq!(
            yarn_lookup_keys("http://127.0.0.1:18081/"),
            vec!["http://127.0.0.1:18081", "//127.0.0.1:18081"]
        );
        // An uppercase scheme is not stripped (spec/yarn.md A4).
        assert_eq!(yarn_lookup_keys("HTTP://h"), vec!["HTTP://h"]);
        assert_eq!(url("https://h.example/npm/").yarn_key(), "//h.example/npm");
        assert_eq!(url("http://h.example:4873/").yarn_key(), "//h.example:4873");
    }
}
