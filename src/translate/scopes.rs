//! Routing in the target: the default registry, each scope's registry and where it
//! publishes.

use super::{Translator, target_scope};
use crate::diagnostics::Code;
use crate::managers::WrittenAs;
use crate::model::{Model, Scope, Value};
use crate::registry_url::{normalize_yarn_key, registry_with_slash};
use crate::resolve::{Packages, Route};
use crate::template::Template;
use crate::warning::Warning;

impl Translator<'_> {
    /// Registry URLs: npm wants the trailing slash (its nerf dart drops the last segment
    /// otherwise); Yarn strips one itself, and writes them without. Yarn matches its
    /// `npmRegistries` keys with the URL as written, and pmrc keys them without a default
    /// port, so the URL goes without one too.
    pub(super) fn registry_value(&mut self, v: &Value) -> Value {
        // Bun cannot expand a reference inside a URL, but pmrc writes a URL's userinfo to
        // bunfig.toml as fields of their own, where a whole `$VAR` is expanded.
        let mut v = if self.target() == WrittenAs::Bunfig
            && crate::formats::bunfig::keeps_url_references(&v.value)
        {
            v.clone()
        } else {
            self.carry(v, "registry")
        };
        if let Some(url) = v.value.as_literal() {
            let url = match self.target() {
                WrittenAs::Npmrc | WrittenAs::Bunfig => registry_with_slash(&url),
                WrittenAs::YarnrcYml => super::registry_without_slash_or_port(&url),
            };
            v.value = Template::literal(url);
        }
        v
    }

    pub(super) fn scopes(&mut self, routes: &[Route], model: &mut Model) {
        let from = self.from;
        let by_scope: rustc_hash::FxHashMap<&str, &Route> = routes
            .iter()
            .filter_map(|r| match &r.packages {
                Packages::Scope(s) => Some((s.as_str(), r)),
                Packages::Unscoped => None,
            })
            .collect();
        for (name, scope) in &self.source.scopes {
            // A key the source never matches routes nothing: its packages follow the other
            // routes, and writing it as a scope would send them somewhere the source did not.
            if !from.rules().routes_scope_key(name) {
                continue;
            }
            let route = by_scope[name.as_str()];
            let registry = match &scope.registry {
                // Left where Bun reads and expands it; said once the credentials are known
                // (`scopes_left_in_npmrc`).
                Some(r)
                    if self.target() == WrittenAs::Bunfig
                        && crate::formats::bunfig::left_in_npmrc(r, None) =>
                {
                    Some(r.clone())
                }
                Some(r) => Some(self.registry_value(r)),
                None => {
                    let url = route.registry.clone().unwrap_or_default();
                    if from.rules().scope_without_registry_uses_public() {
                        self.warnings.push(Warning::new(
                            Code::YarnScopeWithoutRegistry,
                            format!(
                                "npmScopes.{name} has no npmRegistryServer, so Yarn sends @{name}/* to {url}, not to the top-level npmRegistryServer; pmrc keeps that"
                            ),
                            None,
                        ));
                    }
                    let value = Value::new(Template::literal(url), None);
                    Some(self.registry_value(&value))
                }
            };
            let publish_registry = match self.target() {
                // Other managers publish a scope to its registry; Yarn never consults the
                // scope's npmRegistryServer for publishing, so it needs npmPublishRegistry.
                WrittenAs::YarnrcYml => match &scope.publish_registry {
                    Some(p) => Some(self.registry_value(p)),
                    None if from.rules().publishes_scope_to_its_registry() => registry.clone(),
                    None => None,
                },
                WrittenAs::Npmrc | WrittenAs::Bunfig => {
                    if let Some(p) = &scope.publish_registry {
                        let same = scope
                            .registry
                            .as_ref()
                            .map(|r| normalize_yarn_key(&r.value.render(from.dialect()).0))
                            == Some(normalize_yarn_key(&p.value.render(from.dialect()).0));
                        if !same {
                            self.warnings.push(Warning::new(
                                Code::LossyPublishRegistry,
                                format!(
                                    "{} cannot publish @{name} to a registry other than the scope's from its config; set publishConfig.registry in package.json",
                                    self.to
                                ),
                                p.origin.clone(),
                            ));
                        }
                    }
                    None
                }
            };
            model.scopes.insert(
                target_scope(name),
                Scope {
                    registry,
                    publish_registry,
                },
            );
        }
        if let Some(p) = &self.source.publish_registry {
            match self.target() {
                WrittenAs::YarnrcYml => model.publish_registry = Some(self.registry_value(p)),
                WrittenAs::Npmrc | WrittenAs::Bunfig => self.warnings.push(Warning::new(
                    Code::LossyPublishRegistry,
                    format!(
                        "{} has no config setting for a separate publish registry; set publishConfig.registry in package.json",
                        self.to
                    ),
                    p.origin.clone(),
                )),
            }
        }
    }

    /// The scopes [`Self::scopes`] kept as read for Bun: left in `.npmrc` when nothing else
    /// goes with them into `bunfig.toml`, else written there and lossy as any other.
    pub(super) fn scopes_left_in_npmrc(&mut self, model: &Model) {
        if self.target() != WrittenAs::Bunfig {
            return;
        }
        for (name, scope) in &model.scopes {
            let Some(r) = scope
                .registry
                .as_ref()
                .filter(|r| crate::formats::bunfig::left_in_npmrc(r, None))
            else {
                continue;
            };
            let creds = model.auth.get(&crate::model::AuthKey::Scope(name.clone()));
            if creds.is_some() {
                self.carry(r, "registry");
                continue;
            }
            self.warnings.push(Warning::note(
                Code::BunScopeLeftInNpmrc,
                format!(
                    "@{name}: the registry `{}` holds a variable, which Bun expands in .npmrc but not inside a URL in bunfig.toml, so the scope stays in .npmrc, which Bun reads, and is not written to bunfig.toml",
                    r.value.render(crate::template::Dialect::Npm).0
                ),
                r.origin.clone(),
            ));
        }
    }
}
