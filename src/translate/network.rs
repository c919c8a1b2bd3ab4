//! TLS, proxies and per-host network settings in the target.

use super::Translator;
use crate::diagnostics::Code;
use crate::managers::WrittenAs;
use crate::model::{AuthKey, Level, Model, Origin, Value};
use crate::registry_url::RegistryUrl;
use crate::resolve::{Packages, Route};
use crate::template::Template;
use crate::warning::Warning;

impl Translator<'_> {
    pub(super) fn network(&mut self, routes: &[Route], model: &mut Model) {
        let src = self.source;
        model.tls.strict_ssl = src.tls.strict_ssl.as_ref().map(|v| {
            let mut v = self.carry(v, "strict-ssl");
            if let Some(lit) = v.value.as_literal() {
                v.value = Template::literal(
                    match lit.as_str() {
                        "1" => "true",
                        "0" => "false",
                        other => other,
                    }
                    .to_string(),
                );
            }
            v
        });
        model.tls.cafile = src.tls.cafile.as_ref().map(|v| self.carry(v, "cafile"));
        if self.from.rules().reads_npmrc_always_auth()
            && self.to.rules().keeps_global_always_auth_for_yarn_classic()
        {
            // Kept for Yarn 1, which shares the `.npmrc`; npm ignores it.
            model.always_auth = src.always_auth.clone();
        }
        match self.target() {
            WrittenAs::Bunfig => {
                model.tls.ca = src.tls.ca.clone();
                let unsupported = [
                    (
                        &src.tls.strict_ssl,
                        "strict-ssl (Bun has no setting for it)",
                    ),
                    (&src.tls.cert, "a client certificate"),
                    (
                        &src.proxy.http,
                        "a proxy (Bun takes HTTP_PROXY/HTTPS_PROXY from the environment)",
                    ),
                    (
                        &src.proxy.https,
                        "a proxy (Bun takes HTTP_PROXY/HTTPS_PROXY from the environment)",
                    ),
                    (
                        &src.proxy.noproxy,
                        "noproxy (Bun takes NO_PROXY from the environment)",
                    ),
                ];
                for (value, what) in unsupported {
                    if let Some(v) = value {
                        self.warnings.push(Warning::new(
                            Code::LossyNetworkSettings,
                            format!("bunfig.toml cannot hold {what}; it is not carried over"),
                            v.origin.clone(),
                        ));
                    }
                }
                model.tls.strict_ssl = None;
                self.no_per_host_settings();
                // bunfig's `cafile` is a path as written (from a trial: real Bun 1.4.5 looked
                // for a file named `$CA_FILE` and stopped); `.npmrc`'s, which Bun expands and
                // reads beside it, stays there for a source that has it in one.
                if let Some(v) = model.tls.cafile.take_if(|v| v.value.as_literal().is_none())
                    && self.from.rules().written_as() != WrittenAs::Npmrc
                {
                    self.warnings.push(Warning::new(
                        Code::LossyEnvReference,
                        "Bun does not expand an environment variable in `cafile`; write the CA file's path itself",
                        v.origin.clone(),
                    ));
                }
            }
            WrittenAs::Npmrc => {
                model.tls.ca = src.tls.ca.clone();
                // A source that read them from `.npmrc` holds them as its inline PEM: they go
                // over as they are (from a test: npm's own `cert`/`key` to pnpm 12 were called
                // file paths `.npmrc` could not take, while pnpm reads the lines as npm does).
                if self.from.rules().written_as() == WrittenAs::Npmrc {
                    model.tls.cert = src.tls.cert.clone();
                    model.tls.key = src.tls.key.clone();
                } else if src.tls.cert.is_some() || src.tls.key.is_some() {
                    self.warnings.push(Warning::new(
                        Code::LossyClientCertificate,
                        "`.npmrc` takes a global client certificate only as inline PEM (`cert`/`key`), not as the file paths httpsCertFilePath/httpsKeyFilePath hold",
                        src.tls.cert.as_ref().or(src.tls.key.as_ref()).and_then(|v| v.origin.clone()),
                    ));
                }
                self.no_per_host_settings();
                if self.to.rules().proxy_per_scheme() {
                    self.proxies_per_scheme(model);
                } else {
                    self.proxies_to_npm(model);
                }
                if let Some(instead) = self.to.rules().npmrc_strict_ssl_ignored()
                    && let Some(v) = model.tls.strict_ssl.take()
                    && v.value.as_literal().as_deref() != Some("true")
                {
                    self.warnings.push(Warning::new(
                        Code::LossyNetworkSettings,
                        format!("{} {instead}", self.to),
                        v.origin,
                    ));
                }
            }
            WrittenAs::YarnrcYml => {
                for ca in &src.tls.ca {
                    self.warnings.push(Warning::new(
                        Code::LossyInlineCa,
                        "Yarn reads CA certificates only from a file (httpsCaFilePath); put this `ca` in a file and set cafile",
                        ca.origin.clone(),
                    ));
                }
                if let Some(v) = src.tls.cert.as_ref().or(src.tls.key.as_ref()) {
                    self.warnings.push(Warning::new(
                        Code::LossyClientCertificate,
                        "Yarn reads client certificates only from files (httpsCertFilePath/httpsKeyFilePath); npm's inline `cert`/`key` are not carried over",
                        v.origin.clone(),
                    ));
                }
                model.hosts = src.hosts.clone();
                // Per-registry client certificates become per-host settings.
                for route in routes {
                    let Some(source_key @ AuthKey::Url(_)) = &route.credential_key else {
                        continue;
                    };
                    let key = self.target_key(route, source_key);
                    let Some(creds) = model.auth.get_mut(&key) else {
                        continue;
                    };
                    let (Some(cert), Some(keyfile)) = (creds.certfile.take(), creds.keyfile.take())
                    else {
                        continue;
                    };
                    if let Some(url) = route.registry.as_deref().and_then(RegistryUrl::parse) {
                        let h = model.hosts.entry(url.hostname().to_string()).or_default();
                        h.cert_file = Some(cert);
                        h.key_file = Some(keyfile);
                    }
                }
                model.auth.retain(|_, c| !c.is_empty());
                self.proxies_per_scheme(model);
                let mut allowed: Vec<Value> = src.http_allowed.clone();
                for route in routes {
                    let Some(url) = route.registry.as_deref().and_then(RegistryUrl::parse) else {
                        continue;
                    };
                    let known = allowed
                        .iter()
                        .any(|v| v.value.as_literal().as_deref() == Some(url.hostname()));
                    if url.is_http() && !known && crate::template::holds_reference(url.hostname()) {
                        // A whitelist entry is a hostname pattern, and the variable may hold
                        // a port too: pmrc cannot write one for it.
                        self.warnings.push(Warning::new(
                            Code::LossyEnvReference,
                            format!(
                                "{}: {} allows plain http only to hosts listed in unsafeHttpWhitelist, and this registry's host comes from an environment variable ({}); list the host it holds there",
                                route.packages,
                                self.to,
                                url.hostname()
                            ),
                            self.registry_origin(route),
                        ));
                    } else if url.is_http() && !known {
                        allowed.push(Value::new(
                            Template::literal(url.hostname()),
                            self.registry_origin(route),
                        ));
                    }
                }
                model.http_allowed = allowed;
            }
        }
        if !self.to.rules().reads_npmrc_network_settings() {
            self.network_from_environment_only(model);
        }
        // Written where it was read: a user-level file's line goes to the target's user file.
        if let Some(instead) = self.to.rules().project_proxy_reference_ignored() {
            let in_project = |v: &Value| v.origin.as_ref().is_none_or(|o| o.level != Level::User);
            for v in model
                .proxy
                .take_where(|v| v.value.as_literal().is_none() && in_project(v))
            {
                self.warnings.push(Warning::new(
                    Code::LossyEnvReference,
                    format!(
                        "{} expands no environment variable in a proxy setting of the project's files and would go without the proxy; {instead}",
                        self.to
                    ),
                    v.origin,
                ));
            }
        }
    }

    /// Each of the source's per-host network settings (Yarn's `networkSettings`), which the
    /// target has no place for.
    fn no_per_host_settings(&mut self) {
        for (host, h) in &self.source.hosts {
            let origin = [
                &h.ca_file,
                &h.cert_file,
                &h.key_file,
                &h.http_proxy,
                &h.https_proxy,
            ]
            .into_iter()
            .flatten()
            .find_map(|v| v.origin.clone());
            self.warnings.push(Warning::new(
                Code::LossyNetworkSettings,
                format!("{} has no per-host network settings; networkSettings[\"{host}\"] is not carried over", self.to),
                origin,
            ));
        }
    }

    /// A target that takes no TLS or proxy setting from its files (Deno): each one the
    /// source has is reported with the variable that carries it, and none is written.
    fn network_from_environment_only(&mut self, model: &mut Model) {
        let src = self.source;
        let tls = &src.tls;
        let proxy = &src.proxy;
        let settings = [
            (tls.cafile.as_ref(), "cafile", "DENO_CERT=<file>"),
            (tls.ca.first(), "ca", "DENO_CERT=<file holding it>"),
            (
                // `true` is what Deno does anyway.
                tls.strict_ssl
                    .as_ref()
                    .filter(|v| v.value.as_literal().as_deref() != Some("true")),
                "strict-ssl",
                "--unsafely-ignore-certificate-errors",
            ),
            (tls.cert.as_ref().or(tls.key.as_ref()), "cert/key", "--cert"),
            (proxy.http.as_ref(), "proxy", "HTTP_PROXY"),
            (proxy.https.as_ref(), "https-proxy", "HTTPS_PROXY"),
            (proxy.noproxy.as_ref(), "noproxy", "NO_PROXY"),
        ];
        for (value, key, instead) in settings {
            let Some(v) = value else { continue };
            self.warnings.push(Warning::new(
                Code::DenoIgnoresNetworkSettings,
                format!(
                    "{} does not read `{key}` from .npmrc; where it runs, use {instead} instead",
                    self.to
                ),
                v.origin.clone(),
            ));
        }
        model.tls = Default::default();
        model.proxy = Default::default();
        model.hosts.clear();
    }

    pub(super) fn registry_origin(&self, route: &Route) -> Option<Origin> {
        let v = match &route.packages {
            Packages::Scope(s) => self.source.scopes.get(s).and_then(|s| s.registry.as_ref()),
            Packages::Unscoped => None,
        };
        v.or(self.source.registry.as_ref())
            .and_then(|v| v.origin.clone())
    }

    /// For targets with one proxy per scheme (Yarn, pnpm 11/12, Yarn 1).
    pub(super) fn proxies_per_scheme(&mut self, model: &mut Model) {
        let p = &self.source.proxy;
        let (http, https) = crate::managers::proxies_by_scheme(self.from, p);
        let (mut http, mut https) = (http.cloned(), https.cloned());
        match (self.to.rules().noproxy_unsupported(), &p.noproxy) {
            (None, noproxy) => model.proxy.noproxy = noproxy.clone(),
            (Some(why), Some(noproxy)) => {
                self.warnings.push(Warning::new(
                    Code::LossyNoproxy,
                    why,
                    noproxy.origin.clone(),
                ));
                // Yarn 1 shares the source's `.npmrc`: no proxy line is added there that would
                // send a host `noproxy` skips through the proxy (from a trial: a `proxy=`
                // written for http took a token to the proxy in clear text).
                if self.target() == WrittenAs::Npmrc {
                    (http, https) = (p.http.clone(), p.https.clone());
                }
            }
            (Some(_), None) => {}
        }
        if self.to.rules().https_proxy_falls_back_to_proxy()
            && https.is_none()
            && let Some(h) = &http
        {
            self.warnings.push(Warning::new(
                Code::LossyProxy,
                format!(
                    "{} sends https requests through `proxy` where there is no `https-proxy`, while {} sends them without a proxy",
                    self.to, self.from
                ),
                h.origin.clone(),
            ));
        }
        // The source's own `proxy` line stays in the `.npmrc` it shares with the target, and
        // serves the target's http requests where the source sends them through `https-proxy`
        // (from a trial: npm went through 8080, Yarn 1 through `proxy=`8081, same token).
        if self.target() == WrittenAs::Npmrc
            && self.from.rules().one_proxy_for_both_schemes()
            && let (Some(own), Some(both)) = (&p.http, &p.https)
            && own.value != both.value
        {
            self.warnings.push(Warning::new(
                Code::LossyProxy,
                format!(
                    "{} sends http requests through `proxy` (this .npmrc's, left as written), while {} sends every request through `https-proxy`",
                    self.to, self.from
                ),
                own.origin.clone(),
            ));
        }
        model.proxy.http = http.map(|v| self.carry(&v, "proxy"));
        model.proxy.https = https.map(|v| self.carry(&v, "https-proxy"));
    }

    /// Yarn proxies http and https targets separately; npm has one proxy for both. Said only
    /// where the source's own proxies differ by scheme.
    pub(super) fn proxies_to_npm(&mut self, model: &mut Model) {
        let p = &self.source.proxy;
        let (http, https) = crate::managers::proxies_by_scheme(self.from, p);
        if http == https {
            model.proxy.http = p.http.clone();
            model.proxy.https = p.https.clone();
            return;
        }
        match (&p.http, &p.https) {
            (Some(h), Some(s)) if h == s => model.proxy.http = Some(h.clone()),
            (Some(h), Some(s)) => {
                self.warnings.push(Warning::new(
                    Code::LossyProxy,
                    format!(
                        "{} sends http and https requests through one proxy (`https-proxy`, else `proxy`); the http and https proxies differ, so it will use the https one for both",
                        self.to
                    ),
                    h.origin.clone(),
                ));
                model.proxy.http = Some(h.clone());
                model.proxy.https = Some(s.clone());
            }
            (Some(one), None) | (None, Some(one)) => {
                self.warnings.push(Warning::new(
                    Code::LossyProxy,
                    format!(
                        "{} uses its one proxy for http and https requests alike, while {} proxied only one scheme",
                        self.to, self.from
                    ),
                    one.origin.clone(),
                ));
                model.proxy.http = Some(one.clone());
            }
            (None, None) => {}
        }
    }
}
