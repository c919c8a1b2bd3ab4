//! `doctor --ci`'s findings for one job: a variable the config references that the job does
//! not set, setup-node's `.npmrc` given to a manager that never reads it, Yarn 1 stopping on
//! setup-node v7's unset `NODE_AUTH_TOKEN`, pnpm 11/12 tokens left in the project
//! `.npmrc` as `${VAR}`, and what the manager's own rules find of a variable the job gives
//! it as credentials (Yarn's `YARN_NPM_AUTH_TOKEN` spreading). Each fix is a line to add or
//! a command, written for this job.

use rustc_hash::FxHashSet as HashSet;
use std::path::Path;

use super::jobs::{self, NODE_AUTH_TOKEN, Provided, Run};
use super::workflows::{Job, Var, Workflow};
use super::{CiFinding, Configs, File};
use crate::diagnostics::Code;
use crate::env_layer::{Source, Variable};
use crate::error::Result;
use crate::formats::Format;
use crate::managers::{self, Manager, Place};
use crate::model::{AuthKey, Level, Model};
use crate::registry_url::RegistryUrl;
use crate::resolve::Packages;
use crate::template::{Piece, Unset};
use crate::warning::Warning;

pub(super) fn job(file: &File, job: &Job, configs: &mut Configs) -> Result<Vec<CiFinding>> {
    let (runs, unclear_runs) = jobs::runs(configs.dir, &file.project, job);
    let mut out: Vec<CiFinding> = unclear_runs
        .into_iter()
        .map(|u| file.unclear(u.line, u.message))
        .collect();
    out.extend(super::shell_names::job(file, job, &runs, configs.dir));
    let mut said = HashSet::default();
    for run in &runs {
        let model = match configs.of(run.manager) {
            Ok(model) => model.clone(),
            Err(e) => {
                out.push(file.unclear(
                    run.line,
                    format!(
                        "job `{}` runs {} here, whose config pmrc could not read ({e})",
                        job.id,
                        run.manager.label()
                    ),
                ));
                continue;
            }
        };
        let found = missing_variables(file, job, run, &model)
            .into_iter()
            .chain(pnpm_project_tokens(file, job, run, &model))
            .chain(variables_as_config(file, job, run, &model, configs.dir)?);
        for f in found {
            // Once per job, manager and variable: at the first step that lacks it.
            if said.insert((f.warning.code, run.manager, f.warning.message.clone())) {
                out.push(f);
            }
        }
    }
    for (i, step) in job.steps.iter().enumerate() {
        let Some(registry_line) = jobs::setup_node_registry(step) else {
            continue;
        };
        // A setup action's own run needs no registry, so never setup-node's registry either.
        let later: Vec<&Run> = runs
            .iter()
            .filter(|r| r.step > i && r.by_action.is_none())
            .collect();
        out.extend(npmrc_ignored(file, job, i, registry_line, &later, configs)?);
        // setup-node writes its `.npmrc` before its `cache:` runs the manager (src/main.ts),
        // which stops on it as any later step does.
        let reading: Vec<&Run> = runs
            .iter()
            .filter(|r| r.step > i || (r.step == i && r.by_action.is_some()))
            .collect();
        out.extend(yarn_classic_token_unset(file, job, registry_line, &reading));
        out.extend(private_registry_token_unset(
            file,
            (job, step),
            registry_line,
            &later,
            configs,
        ));
    }
    Ok(out)
}

/// How a job's manager is named in messages: `yarn (Yarn 4: package.json packageManager
/// "yarn@4.5.0")`.
fn runs_what(job: &Job, run: &Run) -> String {
    format!(
        "job `{}` runs {} here{} ({})",
        job.id,
        run.manager.rules().programs()[0],
        run.by_action
            .as_ref()
            .map(|a| format!(", for {a}"))
            .unwrap_or_default(),
        which(run)
    )
}

/// `Yarn 4: package.json packageManager "yarn@4.5.0"`, or just `Deno 2`.
fn which(run: &Run) -> String {
    if run.why.is_empty() {
        run.manager.label().to_string()
    } else {
        format!("{}: {}", run.manager.label(), run.why)
    }
}

/// (a) `${VAR}` in the config the job's manager reads, with `VAR` set nowhere the step sees.
fn missing_variables(file: &File, job: &Job, run: &Run, model: &Model) -> Vec<CiFinding> {
    let w = &file.workflow;
    let rules = run.manager.rules();
    // Credentials the manager ignores where they are (pnpm's `${VAR}` in a project .npmrc)
    // are the business of `ci-pnpm-project-token` and the file rules, not this one.
    let ignored: HashSet<(String, usize)> = model
        .auth
        .values()
        .filter(|c| !rules.uses_credentials(c))
        .flat_map(|c| c.secrets().chain(c.username.iter()))
        .filter_map(|v| v.origin.as_ref())
        .map(|o| (o.file.display().to_string(), o.line))
        .collect();
    let mut out = Vec::new();
    for (_, value) in model.fields() {
        let Some(o) = value.origin.clone() else {
            continue;
        };
        if ignored.contains(&(o.file.display().to_string(), o.line)) {
            continue;
        }
        for piece in value.value.pieces.iter() {
            let Piece::Env {
                name,
                unset: Unset::Strict,
            } = piece
            else {
                continue;
            };
            let (placeholder, line) = match jobs::provided(w, job, run.step, &run.inline_env, name)
            {
                Provided::Yes => continue,
                Provided::Unknown(line, reason) => {
                    out.push(file.unclear(line,
                            format!(
                                "whether {name}, which {o} references, reaches {} in job `{}` cannot be told: {reason} here may set it",
                                run.manager.label(),
                                job.id
                            ),
                        ));
                    continue;
                }
                Provided::Placeholder => (true, run.line),
                Provided::No => (false, run.line),
            };
            let fatal = rules
                .stops_on_reference(name, &Unset::Strict, false)
                .is_some();
            // A setup action's own run reads no registry: only a stop fails it.
            if run.by_action.is_some() && !fatal {
                continue;
            }
            let consequence = if fatal {
                format!(
                    "{} stops every command{}",
                    run.manager.label(),
                    if run.by_action.is_some() {
                        ", and the setup step fails with it"
                    } else {
                        ""
                    }
                )
            } else {
                format!("{} gets no value from it", run.manager.label())
            };
            let others = token_like(w, job, run.step, name);
            let also = match others.first() {
                Some(v) => format!(
                    " (the workflow sets {} at {}: is that the one meant?)",
                    v.name,
                    file.line_name(v.line)
                ),
                None => String::new(),
            };
            let message = format!(
                "{}, but {name}, which {o} references, is set by no `env:` of the workflow, the job or the step, nor written to $GITHUB_ENV before it{}: {consequence}{also}",
                runs_what(job, run),
                if placeholder {
                    " (setup-node exports only a placeholder for it)"
                } else {
                    ""
                }
            );
            let secret = others.iter().find_map(|v| v.secret.clone()).map_or_else(
                || {
                    format!(
                        "${{{{ secrets.{name} }}}}` (naming the repository secret that holds it)"
                    )
                },
                |s| format!("${{{{ secrets.{s} }}}}`"),
            );
            let fix = format!(
                "add `{name}: {secret} to the `env:` of job `{}` ({})",
                job.id,
                file.line_name(job.line)
            );
            let warning = if fatal {
                Warning::error(Code::CiVariableNotProvided, message, file.origin(line))
            } else {
                Warning::new(Code::CiVariableNotProvided, message, file.origin(line))
            };
            out.push(CiFinding {
                warning,
                manager: Some(run.manager),
                fix,
            });
        }
    }
    out
}

/// (e) The job's variables that the manager reads as its credentials (Yarn's
/// `YARN_NPM_AUTH_TOKEN`, the top-level npmAuthToken), applied over its files as
/// `doctor --env` applies them, and what the manager's own rules then find of them and not
/// of the files alone: Yarn sends that token to a scope's registry on another host without
/// an npmRegistries entry (spec/ci-env.md C9; from a CI trial, real Yarn 4 did, and
/// `doctor --ci` said nothing). Names only: each stands as a reference to itself, and one
/// whose setting would take its value (a registry URL) is not applied.
fn variables_as_config(
    file: &File,
    job: &Job,
    run: &Run,
    model: &Model,
    dir: &Path,
) -> Result<Vec<CiFinding>> {
    // Setup actions' own runs ask no registry.
    if run.by_action.is_some() {
        return Ok(Vec::new());
    }
    let m = run.manager;
    let rules = m.rules();
    let shown = file.display.display().to_string();
    let variables: Vec<(Variable, usize)> =
        jobs::set_for(&file.workflow, job, run.step, (&run.inline_env, run.line))
            .into_iter()
            .filter(|(name, _)| {
                matches!(
                    rules.reads_variable(name),
                    Some(crate::env_config::EnvRead::Setting(_))
                )
            })
            .map(|(name, line)| {
                let var = Variable {
                    value: format!("${{{name}}}"),
                    name,
                    source: Source::File {
                        path: shown.clone().into(),
                        line,
                    },
                };
                (var, line)
            })
            .filter(|(var, _)| {
                let mut alone = Model::default();
                crate::env_layer::apply(&mut alone, m, std::slice::from_ref(var));
                let fields = alone.fields();
                !fields.is_empty() && fields.iter().all(|(_, v)| !v.value.has_literal_text())
            })
            .collect();
    if variables.is_empty() {
        return Ok(Vec::new());
    }
    let vars: Vec<Variable> = variables.iter().map(|(v, _)| v.clone()).collect();
    let mut given = model.clone();
    crate::env_layer::apply(&mut given, m, &vars);
    let before = rules.lint(dir, model, &crate::resolve::routes(model, m))?;
    let after = rules.lint(dir, &given, &crate::resolve::routes(&given, m))?;
    let mut out = Vec::new();
    for w in after {
        if before
            .iter()
            .any(|b| b.code == w.code && b.message == w.message)
        {
            continue;
        }
        let Some((var, line)) = variables.iter().find(|(v, _)| {
            w.origin.as_ref().is_some_and(|o| {
                o.file
                    .to_string_lossy()
                    .starts_with(&format!("{} (", v.name))
            })
        }) else {
            continue;
        };
        out.push(CiFinding {
            warning: Warning {
                message: format!(
                    "{}, with {} set at {}: {}",
                    runs_what(job, run),
                    var.name,
                    file.line_name(*line),
                    w.message
                ),
                origin: file.origin(*line),
                ..w.clone()
            },
            manager: Some(m),
            fix: w.code.diagnostic().fix.to_string(),
        });
    }
    Ok(out)
}

/// Variables the step gets whose names say they hold a token, other than `name`.
fn token_like<'a>(w: &'a Workflow, job: &'a Job, step: usize, name: &str) -> Vec<&'a Var> {
    [&job.steps[step].env, &job.env, &w.env]
        .into_iter()
        .flat_map(|e| e.vars.iter())
        .filter(|v| v.name != name)
        .filter(|v| {
            let upper = v.name.to_ascii_uppercase();
            upper.contains("TOKEN") || upper.contains("AUTH")
        })
        .collect()
}

/// (d) pnpm 11/12: a `${VAR}` token in the project `.npmrc`, which pnpm ignores; the job
/// can hand it over as `pnpm_config_//host/:_authToken` instead.
fn pnpm_project_tokens(file: &File, job: &Job, run: &Run, model: &Model) -> Vec<CiFinding> {
    // `pnpm test`, `pnpm run build`: real pnpm 11.28 asked no registry (from a trial).
    if !fetches(run) {
        return Vec::new();
    }
    let w = &file.workflow;
    let rules = run.manager.rules();
    let trusted = jobs::provided(w, job, run.step, &run.inline_env, "NPM_CONFIG_USERCONFIG");
    if trusted == Provided::Yes {
        // The job names the project .npmrc as the user's file: pnpm expands it then.
        return Vec::new();
    }
    // setup-node's `.npmrc` is the user's file (NPM_CONFIG_USERCONFIG), where pnpm expands
    // `${NODE_AUTH_TOKEN}`: its key sends that token where the project's is ignored (real
    // pnpm 12.21 did, from a helper's review).
    let node_auth_token = rules.reads_setup_node_npmrc()
        && jobs::provided(w, job, run.step, &run.inline_env, NODE_AUTH_TOKEN) == Provided::Yes;
    let setup_node_keys: Vec<String> = job.steps[..run.step]
        .iter()
        .filter(|_| node_auth_token)
        .filter(|step| jobs::setup_node_registry(step).is_some())
        .filter_map(|step| RegistryUrl::parse(step.inputs["registry-url"].value.trim()))
        .map(|url| {
            format!(
                "//{}{}",
                url.host(),
                crate::registry_url::with_trailing_slash(url.path())
            )
        })
        .collect();
    let mut out = Vec::new();
    for (key, creds) in &model.auth {
        let AuthKey::Url(url) = key else { continue };
        if rules.uses_credentials(creds) || setup_node_keys.iter().any(|k| url.starts_with(k)) {
            continue;
        }
        let (field, value) = match (&creds.token, &creds.ident) {
            (Some(t), _) => ("_authToken", t),
            (None, Some(i)) => ("_auth", i),
            (None, None) => continue,
        };
        if value.level() != Level::Project {
            continue;
        }
        let Some(variable) = rules.ci_credential_variable(&format!("{url}:{field}")) else {
            continue;
        };
        if jobs::provided(w, job, run.step, &run.inline_env, &variable) == Provided::Yes {
            continue;
        }
        let Some(referenced) = value.value.env_names().first().map(|n| n.to_string()) else {
            continue;
        };
        let at = value
            .origin
            .as_ref()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default();
        let set = [&job.steps[run.step].env, &job.env, &w.env]
            .into_iter()
            .flat_map(|e| e.vars.iter())
            .find(|v| v.name == referenced);
        let expression = match set {
            Some(Var {
                secret: Some(s), ..
            }) => format!("${{{{ secrets.{s} }}}}`"),
            Some(_) => format!("${{{{ env.{referenced} }}}}`"),
            None => format!(
                "${{{{ secrets.{referenced} }}}}` (naming the repository secret that holds it)"
            ),
        };
        out.push(CiFinding {
            warning: Warning::new(
                Code::CiPnpmProjectToken,
                format!(
                    "{}, and its credential for {url} is `${{{referenced}}}` in the project .npmrc{at}, which {} ignores: it sends no credentials there",
                    runs_what(job, run),
                    run.manager.label()
                ),
                file.origin(run.line),
            ),
            manager: Some(run.manager),
            fix: format!(
                "add `\"{variable}\": {expression} to the `env:` of job `{}` ({})",
                job.id,
                file.line_name(job.line)
            ),
        });
    }
    out
}

/// (b) setup-node's `registry-url` in a job whose manager never reads the `.npmrc` it
/// writes: the registry and the token it sets up do not reach it.
fn npmrc_ignored(
    file: &File,
    job: &Job,
    step: usize,
    registry_line: usize,
    later: &[&Run],
    configs: &mut Configs,
) -> Result<Vec<CiFinding>> {
    let url = job.steps[step].inputs["registry-url"]
        .value
        .trim()
        .to_string();
    let scope = setup_node_scope(&job.steps[step]);
    let Some(parsed) = RegistryUrl::parse(&url) else {
        return Ok(Vec::new());
    };
    // Shown without any user:password a URL may carry.
    let shown = format!("{}://{}{}", parsed.scheme, parsed.host(), parsed.path());
    let mut out = Vec::new();
    let mut said = HashSet::default();
    for run in later {
        let rules = run.manager.rules();
        if rules.reads_setup_node_npmrc() || !said.insert(run.manager) {
            continue;
        }
        let packages = match &scope {
            Some(s) => Packages::Scope(s.clone()),
            None if parsed.hostname() == "npm.pkg.github.com" => {
                out.push(npmrc_ignored_finding(file, job, run, registry_line, &shown,
                    "add `scope:` to this step (setup-node routes the repository owner's scope there), then run `pmrc doctor --ci` again for the lines to add".to_string()));
                continue;
            }
            None => Packages::Unscoped,
        };
        let model = configs.of(run.manager)?;
        let route = crate::resolve::route(model, run.manager, packages.clone());
        let routed_here = route
            .registry
            .as_deref()
            .and_then(RegistryUrl::parse)
            .is_some_and(|r| r.host() == parsed.host() && same_path(r.path(), parsed.path()));
        let fix = if routed_here && route.authorization.is_some() {
            format!(
                "remove `registry-url` (and `scope`) from this step: {} takes {packages} from its own config already",
                run.manager.label()
            )
        } else {
            lines_for(run.manager, &parsed, scope.as_deref(), configs.dir)
        };
        out.push(npmrc_ignored_finding(
            file,
            job,
            run,
            registry_line,
            &shown,
            fix,
        ));
    }
    Ok(out)
}

fn npmrc_ignored_finding(
    file: &File,
    job: &Job,
    run: &Run,
    registry_line: usize,
    shown: &str,
    fix: String,
) -> CiFinding {
    CiFinding {
        warning: Warning::new(
            Code::CiSetupNodeNpmrcIgnored,
            format!(
                "setup-node writes {shown} and `_authToken=${{{NODE_AUTH_TOKEN}}}` to an .npmrc it points NPM_CONFIG_USERCONFIG at, but job `{}` runs {} at {} ({}), which never reads that file: the registry and the token do not reach it",
                job.id,
                run.manager.rules().programs()[0],
                file.line_name(run.line),
                which(run)
            ),
            file.origin(registry_line),
        ),
        manager: Some(run.manager),
        fix,
    }
}

fn same_path(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// The lines `manager`'s own project file needs for what setup-node's `.npmrc` says: that
/// `.npmrc` as npm reads it, translated by pmrc like any other.
fn lines_for(manager: Manager, url: &RegistryUrl, scope: Option<&str>, dir: &Path) -> String {
    let npmrc = setup_node_npmrc(url, scope);
    let reader = managers::setup_node_npmrc_reader();
    let Some(target) = manager
        .targets()
        .into_iter()
        .find(|t| t.place == Place::Project && t.format != Format::PnpmWorkspace)
    else {
        return format!("give {} the registry in its own config", manager.label());
    };
    let Ok((model, _)) = Format::Npmrc.read(&npmrc, Path::new(".npmrc"), Level::Project) else {
        return format!("give {} the registry in its own config", manager.label());
    };
    let translated = crate::translate::translate(&model, reader, manager, false);
    let wanted = target.format.wanted(&translated.model, manager);
    let existing = dir.join(target.name).is_file();
    match target.format.edit("", &wanted) {
        Ok(text) => format!(
            "add to {}{} (the token comes from {NODE_AUTH_TOKEN}, which the job must set):\n{}",
            target.name,
            if existing {
                ", merging with the keys it has"
            } else {
                ""
            },
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| format!("    {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        Err(_) => format!("give {} the registry in its own config", manager.label()),
    }
}

/// The lines setup-node appends to the `.npmrc` it writes for `registry-url` (and `scope`,
/// lower-cased, without its `@`): spec ci-env.md §2.1.
fn setup_node_npmrc(url: &RegistryUrl, scope: Option<&str>) -> String {
    let base = format!("{}://{}{}", url.scheme, url.host(), url.path());
    let base = crate::registry_url::with_trailing_slash(&base);
    format!(
        "{}registry={base}\n//{}{}:_authToken=${{{NODE_AUTH_TOKEN}}}\n",
        scope.map(|s| format!("@{s}:")).unwrap_or_default(),
        url.host(),
        crate::registry_url::with_trailing_slash(url.path()),
    )
}

/// setup-node's `scope` input as it writes it: lower-cased, without its `@`.
fn setup_node_scope(step: &super::workflows::Step) -> Option<String> {
    step.inputs
        .get("scope")
        .map(|s| s.value.trim().trim_start_matches('@').to_ascii_lowercase())
        .filter(|s| !s.is_empty())
}

/// (d) setup-node's `registry-url` naming a private registry, and a later step of a manager
/// that reads its `.npmrc` (and goes on without the variable) given no `NODE_AUTH_TOKEN`:
/// what it sends there is setup-node's placeholder or nothing usable. npm's own registry is
/// left out: setup-node's documented recipe runs `npm ci` without the token, which npmjs
/// serves, and gives it to `npm publish` alone (from a review: the private case was silent).
/// A manager that takes a credential for those packages from the project's own config over
/// setup-node's file is left out (from a trial: real npm 11 and 12 sent the project
/// `.npmrc`'s `${NPM_TOKEN}`, whose key beats the user file's `${NODE_AUTH_TOKEN}`); whether
/// that credential's variable reaches it is `ci-variable-not-provided`'s.
fn private_registry_token_unset(
    file: &File,
    (job, setup): (&Job, &super::workflows::Step),
    registry_line: usize,
    later: &[&Run],
    configs: &Configs,
) -> Vec<CiFinding> {
    let w = &file.workflow;
    let url = setup.inputs["registry-url"].value.trim();
    if crate::resolve::is_public_registry(url) {
        return Vec::new();
    }
    let Some(parsed) = RegistryUrl::parse(url) else {
        return Vec::new();
    };
    let scope = setup_node_scope(setup);
    let npmrc = setup_node_npmrc(&parsed, scope.as_deref());
    let packages = scope.map_or(Packages::Unscoped, Packages::Scope);
    let dir = configs.dir;
    // With `scope`, only that scope's packages go there: said where package.json depends
    // on one (from a review: setup-node's GitHub Packages recipe for a project depending on
    // nothing of the scope was flagged).
    if let Some(scope) = setup
        .inputs
        .get("scope")
        .map(|s| s.value.trim())
        .filter(|s| !s.is_empty())
        && !depends_on_scope(dir, scope)
    {
        return Vec::new();
    }
    for run in later {
        let rules = run.manager.rules();
        let stops = rules
            .stops_on_reference(NODE_AUTH_TOKEN, &Unset::Strict, false)
            .is_some();
        if stops || !fetches(run) || !rules.reads_setup_node_npmrc() {
            continue;
        }
        // The job's files as this manager reads them: a project file's credential that it
        // sends for these packages is not setup-node's (a file pmrc cannot read leaves the
        // finding as it was).
        let project_sends = configs
            .with_setup_node_npmrc(run.manager, &npmrc)
            .is_ok_and(|model| {
                let route = crate::resolve::route(&model, run.manager, packages.clone());
                route.authorization.is_some()
                    && route
                        .credential_origin
                        .is_some_and(|o| o.level == Level::Project)
            });
        if project_sends {
            continue;
        }
        let sent = match jobs::provided(w, job, run.step, &run.inline_env, NODE_AUTH_TOKEN) {
            Provided::Yes | Provided::Unknown(..) => continue,
            Provided::Placeholder => "setup-node's placeholder token (XXXXX-XXXXX-XXXXX-XXXXX)",
            Provided::No => "no usable token",
        };
        let secret = if RegistryUrl::parse(url).is_some_and(|u| u.host() == "npm.pkg.github.com") {
            "${{ secrets.GITHUB_TOKEN }}` (with `packages: read` in the job's `permissions:`)"
        } else {
            "${{ secrets.NODE_AUTH_TOKEN }}` (naming the repository secret that holds the registry's token)"
        };
        return vec![CiFinding {
            warning: Warning::new(
                Code::CiRegistryTokenUnset,
                format!(
                    "setup-node writes `_authToken=${{{NODE_AUTH_TOKEN}}}` for {url}, and no {NODE_AUTH_TOKEN} reaches {} at {} in job `{}` ({}): it sends {sent} there, and a registry that needs one answers 401",
                    run.manager.rules().programs()[0],
                    file.line_name(run.line),
                    job.id,
                    which(run)
                ),
                file.origin(registry_line),
            ),
            manager: Some(run.manager),
            fix: format!(
                "add `{NODE_AUTH_TOKEN}: {secret} to the `env:` of job `{}` ({})",
                job.id,
                file.line_name(job.line)
            ),
        }];
    }
    Vec::new()
}

/// Whether the run asks a registry: `npm test`, `npm run build` fetch no package (from a
/// review).
fn fetches(run: &Run) -> bool {
    // setup-node's `cache:` asks for the cache folder only.
    run.by_action.is_none()
        && run
            .subcommand
            .as_deref()
            .is_none_or(|s| FETCHING_SUBCOMMANDS.contains(&s))
}

/// The managers' subcommands that fetch packages or their metadata from a registry (a bare
/// `yarn` or `pnpm` installs too, and is taken as fetching).
const FETCHING_SUBCOMMANDS: &[&str] = &[
    "install", "i", "ci", "add", "update", "up", "upgrade", "dlx", "x", "exec", "view", "info",
    "show", "outdated", "audit", "fetch", "publish",
];

/// Whether the project's package.json names a dependency of `scope` (`@acme` or `acme`).
fn depends_on_scope(dir: &Path, scope: &str) -> bool {
    let prefix = format!("@{}/", scope.trim_start_matches('@'));
    let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else {
        return false;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
    ]
    .iter()
    .filter_map(|k| json.get(k)?.as_object())
    .any(|deps| deps.keys().any(|name| name.starts_with(&prefix)))
}

/// (c) setup-node v7+ with `registry-url` exports no `NODE_AUTH_TOKEN` of its own, and Yarn
/// 1 stops every command on the unset `${NODE_AUTH_TOKEN}` in that `.npmrc`.
fn yarn_classic_token_unset(
    file: &File,
    job: &Job,
    registry_line: usize,
    later: &[&Run],
) -> Vec<CiFinding> {
    let w = &file.workflow;
    for run in later {
        let rules = run.manager.rules();
        let stops = rules
            .stops_on_reference(NODE_AUTH_TOKEN, &Unset::Strict, false)
            .is_some();
        if !stops || !rules.reads_setup_node_npmrc() {
            continue;
        }
        return match jobs::provided(w, job, run.step, &run.inline_env, NODE_AUTH_TOKEN) {
            Provided::Yes | Provided::Placeholder => continue,
            Provided::Unknown(line, reason) => vec![file.unclear(line,
                format!(
                    "whether {NODE_AUTH_TOKEN} is set when job `{}` runs {} at {} cannot be told: {reason}",
                    job.id,
                    run.manager.label(),
                    file.line_name(run.line)
                ),
            )],
            Provided::No => vec![CiFinding {
                warning: Warning::error(
                    Code::CiYarnClassicTokenUnset,
                    format!(
                        "setup-node (v{}+) writes `_authToken=${{{NODE_AUTH_TOKEN}}}` and exports no {NODE_AUTH_TOKEN} unless one is set for its step, and in job `{}` none reaches {} at {}{} ({}): it stops with \"Failed to replace env in config\", as does every yarn command after it",
                        jobs::SETUP_NODE_NO_PLACEHOLDER,
                        job.id,
                        run.manager.rules().programs()[0],
                        file.line_name(run.line),
                        run.by_action
                            .as_ref()
                            .map(|a| format!(", run by {a}"))
                            .unwrap_or_default(),
                        which(run)
                    ),
                    file.origin(registry_line),
                ),
                manager: Some(run.manager),
                fix: format!(
                    "add `{NODE_AUTH_TOKEN}: ''` (or the token's secret, if installs need it) to the `env:` of job `{}` ({}), or give `registry-url` only to a job that does not run yarn",
                    job.id,
                    file.line_name(job.line)
                ),
            }],
        };
    }
    Vec::new()
}
