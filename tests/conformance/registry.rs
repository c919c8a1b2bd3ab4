//! A loopback npm registry for the conformance tests: serves any package, logs every request.
//!
//! Each listener is one "host" (`R1`, `R2`, … = 127.0.0.1 on its own ephemeral port). A
//! listener carries mounts: a path prefix such as `/` or `/npm/private/` under which it serves
//! a packument for any package name (`@s%2fname` and `@s/name` alike) and the tarballs. A mount
//! can demand one exact `Authorization` value (401 otherwise) and can point its tarball URLs
//! at another listener, to play a registry whose files live on another host.
//!
//! A mount can instead serve a fixed set of packages as they were packed ([`Published`]: their
//! own manifest, version and tarball), and nothing else: `tests/npm_install.rs` serves pmrc's
//! npm packages that way.
//!
//! A listener can speak HTTPS instead, with a certificate for 127.0.0.1 from the suite's own CA
//! (`tls.rs`).
//!
//! A separate guard listener stands in for an HTTP proxy: managers are told to use it for
//! anything that is not loopback, so a request that would have left the machine is refused
//! and logged as an escape instead. Yarn 4 has no no-proxy list and sends every https request
//! through its proxy, so the guard tunnels a `CONNECT` to one of this registry's own listeners
//! (logged, not compared) and refuses every other target, loopback or not.
//!
//! Plain std threads; HTTP/1.1 with keep-alive because npm and Yarn reuse sockets.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::tarball::{self, Packed};
use super::tls;

/// Every package is served in this one version; cases depend on it.
pub const VERSION: &str = "1.0.0";

/// A path prefix on one listener that serves packages.
#[derive(Clone, Debug)]
pub struct Mount {
    /// 1-based listener number (`R1` is 1).
    pub listener: usize,
    /// Starts and ends with `/`.
    pub prefix: String,
    /// The exact `Authorization` header value this mount accepts; `None` serves anyone.
    pub require: Option<String>,
    /// Where `dist.tarball` points: listener and prefix. `None` means this mount itself.
    pub tarballs: Option<(usize, String)>,
    /// `Some`: exactly these packages, by name, and 404 for any other (a platform package
    /// left out must look unpublished). `None`: any name, made up by `tarball::pack`.
    pub packages: Option<Arc<HashMap<String, Published>>>,
}

/// A package served as it was packed: its `package.json` (what a packument's version carries:
/// `bin`, `os`, `cpu`, `optionalDependencies`, ...) and its tarball.
#[derive(Clone)]
pub struct Published {
    pub manifest: serde_json::Value,
    pub packed: Packed,
}

impl Published {
    fn version(&self) -> &str {
        self.manifest["version"]
            .as_str()
            .expect("a published manifest has a version")
    }
}

impl std::fmt::Debug for Published {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the tarball's bytes: a pmrc binary is megabytes.
        write!(f, "Published({} {})", self.manifest["name"], self.version())
    }
}

impl Mount {
    pub fn new(listener: usize, prefix: &str) -> Self {
        assert!(
            prefix.starts_with('/') && prefix.ends_with('/'),
            "a mount prefix starts and ends with '/': {prefix:?}"
        );
        Mount {
            listener,
            prefix: prefix.to_string(),
            require: None,
            tarballs: None,
            packages: None,
        }
    }
}

/// What a logged request was, as far as the registry could tell from its path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Packument {
        name: String,
    },
    Tarball {
        name: String,
    },
    /// A path no mount knows, or that is not a package path.
    Other,
    /// A request that reached the guard proxy: it would have left the machine.
    Escape,
}

/// One request as the registry saw it.
#[derive(Clone, Debug)]
pub struct Request {
    /// 1-based listener number; 0 for the guard.
    pub listener: usize,
    pub method: String,
    /// The request target as sent (for the guard: the CONNECT authority or absolute URL).
    pub path: String,
    pub authorization: Option<String>,
    pub status: u16,
    pub kind: Kind,
}

struct Shared {
    ports: Vec<u16>,
    /// Per listener (index 0 is R1): whether it speaks HTTPS.
    tls: Vec<bool>,
    mounts: Vec<Mount>,
    log: Mutex<Vec<Request>>,
    tarballs: Mutex<HashMap<String, Arc<Packed>>>,
    stopping: AtomicBool,
}

/// A running registry. Dropping it stops the listeners.
pub struct Registry {
    shared: Arc<Shared>,
    guard_port: u16,
    accept_threads: Vec<thread::JoinHandle<()>>,
}

impl Registry {
    /// Binds `listeners` loopback http ports plus the guard and starts serving `mounts`.
    #[cfg(test)]
    pub fn start(listeners: usize, mounts: Vec<Mount>) -> Registry {
        Registry::start_with_tls(listeners, mounts, &[])
    }

    /// Like [`Registry::start`]; the listeners numbered in `tls` speak HTTPS.
    pub fn start_with_tls(listeners: usize, mounts: Vec<Mount>, tls: &[usize]) -> Registry {
        for m in &mounts {
            assert!(
                (1..=listeners).contains(&m.listener),
                "mount on unknown listener: {m:?}"
            );
            if let Some((l, p)) = &m.tarballs {
                assert!(
                    (1..=listeners).contains(l),
                    "tarballs on unknown listener: {m:?}"
                );
                assert!(
                    mounts
                        .iter()
                        .any(|o| o.listener == *l && p.starts_with(&o.prefix)),
                    "tarballs point at R{l}{p}, which no mount serves"
                );
            }
        }
        let bound: Vec<TcpListener> = (0..=listeners)
            .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0"))
            .collect();
        let ports: Vec<u16> = bound
            .iter()
            .map(|l| l.local_addr().unwrap().port())
            .collect();
        let shared = Arc::new(Shared {
            ports: ports[1..].to_vec(),
            tls: (1..=listeners).map(|n| tls.contains(&n)).collect(),
            mounts,
            log: Mutex::new(Vec::new()),
            tarballs: Mutex::new(HashMap::new()),
            stopping: AtomicBool::new(false),
        });
        let accept_threads = bound
            .into_iter()
            .enumerate()
            .map(|(index, listener)| {
                let shared = Arc::clone(&shared);
                thread::spawn(move || accept_loop(listener, index, shared))
            })
            .collect();
        Registry {
            shared,
            guard_port: ports[0],
            accept_threads,
        }
    }

    /// `http(s)://127.0.0.1:<port>` of listener `n` (1-based), no trailing slash.
    pub fn url(&self, n: usize) -> String {
        self.shared.origin(n)
    }

    /// `127.0.0.1:<port>` of listener `n` (1-based).
    pub fn host(&self, n: usize) -> String {
        format!("127.0.0.1:{}", self.shared.ports[n - 1])
    }

    pub fn listeners(&self) -> usize {
        self.shared.ports.len()
    }

    /// `http://127.0.0.1:<port>` of the guard proxy.
    pub fn guard_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.guard_port)
    }

    /// Everything logged so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.log.lock().unwrap().clone()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake each blocking accept() so its loop sees the flag.
        let mut ports = vec![self.guard_port];
        ports.extend(&self.shared.ports);
        for port in ports {
            let _ = TcpStream::connect(("127.0.0.1", port));
        }
        for t in self.accept_threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Shared {
    fn origin(&self, n: usize) -> String {
        let scheme = if self.tls[n - 1] { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.ports[n - 1])
    }
}

fn accept_loop(listener: TcpListener, index: usize, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(&shared);
        // Connection threads are detached: they end when the client hangs up or goes idle.
        thread::spawn(move || {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            if index == 0 {
                guard_connection(stream, &shared);
            } else if shared.tls[index - 1] {
                let Ok(conn) = rustls::ServerConnection::new(Arc::clone(&tls::pki().server)) else {
                    return;
                };
                serve_connection(rustls::StreamOwned::new(conn, stream), index, &shared);
            } else {
                serve_connection(stream, index, &shared);
            }
        });
    }
}

struct Head {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one request head and skips its body. `None` at end of stream or on garbage.
fn read_head(reader: &mut impl BufRead) -> Option<Head> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let head = Head {
        method,
        target,
        headers,
    };
    let len: u64 = head
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    std::io::copy(&mut reader.by_ref().take(len), &mut std::io::sink()).ok()?;
    Some(head)
}

fn serve_connection(stream: impl Read + Write, listener: usize, shared: &Shared) {
    let mut reader = BufReader::new(stream);
    while let Some(head) = read_head(&mut reader) {
        let (status, content_type, body, kind) = route(&head, listener, shared);
        shared.log.lock().unwrap().push(Request {
            listener,
            method: head.method.clone(),
            path: head.target.clone(),
            authorization: head.header("authorization").map(str::to_string),
            status,
            kind,
        });
        let reason = match status {
            200 => "OK",
            401 => "Unauthorized",
            404 => "Not Found",
            _ => "Error",
        };
        let mut out = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n",
            body.len()
        )
        .into_bytes();
        if head.method != "HEAD" {
            out.extend_from_slice(&body);
        }
        let writer = reader.get_mut();
        if writer
            .write_all(&out)
            .and_then(|()| writer.flush())
            .is_err()
        {
            return;
        }
    }
}

/// Decides the answer to one request: (status, content type, body, what it was).
fn route(head: &Head, listener: usize, shared: &Shared) -> (u16, &'static str, Vec<u8>, Kind) {
    let path = head.target.split(['?', '#']).next().unwrap_or("");
    let json = "application/json";
    let not_found = |kind| (404, json, br#"{"error":"not found"}"#.to_vec(), kind);

    // The longest matching prefix wins, as a real reverse proxy in front of registries would.
    let Some(mount) = shared
        .mounts
        .iter()
        .filter(|m| m.listener == listener && path.starts_with(&m.prefix))
        .max_by_key(|m| m.prefix.len())
    else {
        return not_found(Kind::Other);
    };
    let rest = &path[mount.prefix.len()..];
    // A registry URL with a query (`{R1}/npm/?channel=beta`): npm, Yarn 4 and pnpm 12 append
    // the package after the query (`/npm/?channel=beta/leftpad-fake`).
    let rest = match head.target[path.len()..].strip_prefix('?') {
        Some(query) if rest.is_empty() => query.split_once('/').map_or("", |(_, after)| after),
        _ => rest,
    };
    let Some((name, tarball_file)) = parse_package_path(rest) else {
        return not_found(Kind::Other);
    };
    let kind = match tarball_file {
        Some(_) => Kind::Tarball { name: name.clone() },
        None => Kind::Packument { name: name.clone() },
    };
    if head.method != "GET" && head.method != "HEAD" {
        return (
            405,
            json,
            br#"{"error":"read-only registry"}"#.to_vec(),
            kind,
        );
    }
    if let Some(required) = &mount.require
        && head.header("authorization") != Some(required.as_str())
    {
        return (
            401,
            json,
            br#"{"error":"authentication required"}"#.to_vec(),
            kind,
        );
    }
    let (tl, tp) = mount
        .tarballs
        .clone()
        .unwrap_or((mount.listener, mount.prefix.clone()));
    let tarball_base = format!("{}{tp}", shared.origin(tl));
    if let Some(packages) = &mount.packages {
        return serve_published(packages.get(&name), tarball_file, &tarball_base, kind);
    }
    match tarball_file {
        Some(file) => {
            if file != format!("{}-{VERSION}.tgz", basename(&name)) {
                return not_found(kind);
            }
            let packed = tarball_for(shared, &name);
            (200, "application/octet-stream", packed.bytes.clone(), kind)
        }
        None => {
            let tarball_url = format!("{tarball_base}{name}/-/{}-{VERSION}.tgz", basename(&name));
            let body = packument(
                &serde_json::json!({
                    "name": name,
                    "version": VERSION,
                    "main": "index.js",
                    "license": "MIT",
                }),
                &tarball_url,
                &tarball_for(shared, &name),
            );
            (200, json, body, kind)
        }
    }
}

/// A [`Published`] package's packument or tarball; 404 for a name or file it does not have.
fn serve_published(
    package: Option<&Published>,
    tarball_file: Option<String>,
    tarball_base: &str,
    kind: Kind,
) -> (u16, &'static str, Vec<u8>, Kind) {
    let Some(package) = package else {
        return (
            404,
            "application/json",
            br#"{"error":"not found"}"#.to_vec(),
            kind,
        );
    };
    let name = package.manifest["name"].as_str().unwrap_or_default();
    let file = format!("{}-{}.tgz", basename(name), package.version());
    match tarball_file {
        Some(asked) if asked == file => (
            200,
            "application/octet-stream",
            package.packed.bytes.clone(),
            kind,
        ),
        Some(_) => (
            404,
            "application/json",
            br#"{"error":"not found"}"#.to_vec(),
            kind,
        ),
        None => {
            let url = format!("{tarball_base}{name}/-/{file}");
            (
                200,
                "application/json",
                packument(&package.manifest, &url, &package.packed),
                kind,
            )
        }
    }
}

/// Splits the part of a path below a mount into a package name and, for tarballs, the file.
/// Accepts `name`, `@s/name`, `@s%2fname` (any case), and `<those>/-/<file>.tgz`.
fn parse_package_path(rest: &str) -> Option<(String, Option<String>)> {
    let (name_part, file) = match rest.split_once("/-/") {
        Some((n, f)) if f.ends_with(".tgz") && !f.contains('/') => (n, Some(f.to_string())),
        Some(_) => return None,
        None => (rest, None),
    };
    let name = name_part
        .replace("%2f", "/")
        .replace("%2F", "/")
        .replace("%40", "@");
    let valid_part = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
    };
    let ok = match name.strip_prefix('@') {
        Some(scoped) => {
            matches!(scoped.split_once('/'), Some((s, n)) if valid_part(s) && valid_part(n))
        }
        None => valid_part(&name),
    };
    ok.then_some((name, file))
}

fn basename(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn tarball_for(shared: &Shared, name: &str) -> Arc<Packed> {
    let mut cache = shared.tarballs.lock().unwrap();
    Arc::clone(
        cache
            .entry(name.to_string())
            .or_insert_with(|| Arc::new(tarball::pack(name, VERSION))),
    )
}

/// The packument of one version: `manifest` (the tarball's `package.json`) plus `dist`.
fn packument(manifest: &serde_json::Value, tarball_url: &str, packed: &Packed) -> Vec<u8> {
    let name = &manifest["name"];
    let version = manifest["version"].as_str().expect("manifest version");
    let mut published = manifest.clone();
    published["dist"] = serde_json::json!({
        "tarball": tarball_url,
        "shasum": packed.shasum,
        "integrity": packed.integrity,
    });
    // Published long ago: Yarn 4 hides versions younger than `npmMinimalAgeGate` (1 day).
    let at = "2020-01-01T00:00:00.000Z";
    let doc = serde_json::json!({
        "name": name,
        "dist-tags": { "latest": version },
        "versions": { version: published },
        "time": { "created": at, "modified": at, version: at },
    });
    serde_json::to_vec(&doc).unwrap()
}

/// The guard proxy: tunnel a `CONNECT` to one of the registry's own listeners; log anything
/// else a manager tried to reach, refuse it, hang up.
fn guard_connection(stream: TcpStream, shared: &Shared) {
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    let Some(head) = read_head(&mut reader) else {
        return;
    };
    let own = head.method == "CONNECT"
        && head
            .target
            .parse::<SocketAddr>()
            .is_ok_and(|a| a.ip().is_loopback() && shared.ports.contains(&a.port()));
    shared.log.lock().unwrap().push(Request {
        listener: 0,
        method: head.method.clone(),
        path: head.target.clone(),
        authorization: head.header("authorization").map(str::to_string),
        status: if own { 200 } else { 403 },
        kind: if own { Kind::Other } else { Kind::Escape },
    });
    if own && let Ok(upstream) = TcpStream::connect(&head.target) {
        if writer
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .is_err()
        {
            return;
        }
        let mut up_write = match upstream.try_clone() {
            Ok(u) => u,
            Err(_) => return,
        };
        // Bytes the client sent after the head (normally none before the 200).
        if up_write.write_all(reader.buffer()).is_err() {
            return;
        }
        let mut client_read = reader.into_inner();
        let _ = client_read.set_read_timeout(None);
        let mut up_read = upstream;
        let back = thread::spawn(move || {
            let _ = std::io::copy(&mut up_read, &mut writer);
            let _ = writer.shutdown(Shutdown::Both);
        });
        let _ = std::io::copy(&mut client_read, &mut up_write);
        let _ = up_write.shutdown(Shutdown::Write);
        let _ = back.join();
        return;
    }
    let _ = writer
        .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = writer.shutdown(Shutdown::Both);
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A tiny blocking HTTP/1.1 GET for tests: (status, body).
    pub fn get(url_host: &str, path: &str, auth: Option<&str>) -> (u16, Vec<u8>) {
        let mut s = TcpStream::connect(url_host).unwrap();
        let auth = auth
            .map(|a| format!("Authorization: {a}\r\n"))
            .unwrap_or_default();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {url_host}\r\n{auth}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(s);
        let mut status_line = String::new();
        reader.read_line(&mut status_line).unwrap();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).unwrap();
            if h.trim().is_empty() {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        reader.read_exact(&mut body).unwrap();
        (status, body)
    }

    #[test]
    fn parses_package_paths() {
        let p = |s| parse_package_path(s);
        assert_eq!(p("leftpad-fake"), Some(("leftpad-fake".into(), None)));
        assert_eq!(p("@acme%2fwidget"), Some(("@acme/widget".into(), None)));
        assert_eq!(p("@acme%2Fwidget"), Some(("@acme/widget".into(), None)));
        assert_eq!(p("@acme/widget"), Some(("@acme/widget".into(), None)));
        assert_eq!(
            p("@acme/widget/-/widget-1.0.0.tgz"),
            Some(("@acme/widget".into(), Some("widget-1.0.0.tgz".into())))
        );
        assert_eq!(p("-/npm/v1/security/advisories/bulk"), None);
        assert_eq!(p("a/b"), None);
        assert_eq!(p(""), None);
    }

    #[test]
    fn serves_packuments_and_tarballs_under_a_prefix_and_logs_them() {
        let mut private = Mount::new(1, "/npm/private/");
        private.require = Some("Bearer fake-token-1".into());
        private.tarballs = Some((2, "/files/".into()));
        let reg = Registry::start(2, vec![private, Mount::new(2, "/files/")]);
        let h1 = reg.host(1);

        let (status, _) = get(&h1, "/npm/private/@acme%2fwidget", None);
        assert_eq!(
            status, 401,
            "a mount that requires a token refuses a request without one"
        );
        let (status, body) = get(
            &h1,
            "/npm/private/@acme%2fwidget",
            Some("Bearer fake-token-1"),
        );
        assert_eq!(status, 200);
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let dist = &doc["versions"][VERSION]["dist"];
        let tarball = dist["tarball"].as_str().unwrap();
        let expected_prefix = format!("{}/files/@acme/widget/-/widget-1.0.0.tgz", reg.url(2));
        assert_eq!(
            tarball, expected_prefix,
            "tarballs live on the other listener"
        );

        let (status, bytes) = get(&reg.host(2), "/files/@acme/widget/-/widget-1.0.0.tgz", None);
        assert_eq!(status, 200);
        assert_eq!(
            tarball::integrity_sha512(&bytes),
            dist["integrity"].as_str().unwrap()
        );

        let (status, _) = get(&h1, "/elsewhere/leftpad-fake", None);
        assert_eq!(status, 404, "nothing is served outside a mount");

        let log = reg.requests();
        let seen: Vec<_> = log
            .iter()
            .map(|r| {
                (
                    r.listener,
                    r.path.as_str(),
                    r.authorization.as_deref(),
                    r.status,
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (1, "/npm/private/@acme%2fwidget", None, 401),
                (
                    1,
                    "/npm/private/@acme%2fwidget",
                    Some("Bearer fake-token-1"),
                    200
                ),
                (2, "/files/@acme/widget/-/widget-1.0.0.tgz", None, 200),
                (1, "/elsewhere/leftpad-fake", None, 404),
            ]
        );
        assert_eq!(log[3].kind, Kind::Other);
    }

    #[test]
    fn guard_refuses_and_records_escapes() {
        let reg = Registry::start(1, vec![Mount::new(1, "/")]);
        let guard = reg.guard_url();
        let mut s = TcpStream::connect(guard.trim_start_matches("http://")).unwrap();
        write!(
            s,
            "CONNECT registry.yarnpkg.com:443 HTTP/1.1\r\nHost: registry.yarnpkg.com:443\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        let log = reg.requests();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].kind, Kind::Escape);
        assert_eq!(log[0].path, "registry.yarnpkg.com:443");
    }

    #[test]
    fn guard_tunnels_connect_to_own_listeners_only() {
        let reg = Registry::start(1, vec![Mount::new(1, "/")]);
        let guard = reg.guard_url();
        let guard = guard.trim_start_matches("http://");
        // A loopback port that is not one of this registry's listeners is still refused.
        let stranger = TcpListener::bind("127.0.0.1:0").unwrap();
        let stranger = stranger.local_addr().unwrap();
        let mut s = TcpStream::connect(guard).unwrap();
        write!(s, "CONNECT {stranger} HTTP/1.1\r\nHost: {stranger}\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");

        let own = reg.host(1);
        let mut s = TcpStream::connect(guard).unwrap();
        write!(s, "CONNECT {own} HTTP/1.1\r\nHost: {own}\r\n\r\n").unwrap();
        let mut reader = BufReader::new(s.try_clone().unwrap());
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        let mut blank = String::new();
        reader.read_line(&mut blank).unwrap();
        write!(
            s,
            "GET /leftpad-fake HTTP/1.1\r\nHost: {own}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut through = String::new();
        reader.read_line(&mut through).unwrap();
        assert!(through.starts_with("HTTP/1.1 200"), "{through}");

        let log = reg.requests();
        let kinds: Vec<_> = log.iter().map(|r| (r.listener, r.kind.clone())).collect();
        assert!(kinds.contains(&(0, Kind::Escape)), "{kinds:?}");
        assert!(
            kinds.contains(&(0, Kind::Other)),
            "the tunnel is logged: {kinds:?}"
        );
        assert!(
            kinds.contains(&(
                1,
                Kind::Packument {
                    name: "leftpad-fake".into()
                }
            )),
            "the tunnelled request reached R1: {kinds:?}"
        );
    }
}
