//! `doctor --ci`'s findings about what a job's steps write: setup-bun's `registries` (a
//! secret's value written into the checkout's `bunfig.toml`, the committed `bunfig.toml`
//! rewritten, the deprecated `registry-url`/`scope`), and `run:` lines that write a config
//! file or call `<manager> config set`. Only forms read reliably count: a command
//! redirected (`>`, `>>`) or piped to `tee`, with a here-document's lines as its input, and
//! `config set KEY` (see docs/commands.md).

use super::jobs;
use super::workflows::{BunToken, Job, Step};
use super::{CiFinding, Configs, File};
use crate::diagnostics::Code;
use crate::managers::{Manager, SETTLED};
use crate::registry_url::RegistryUrl;
use crate::resolve::Packages;
use crate::warning::Warning;

/// Config files a `run:` line may write that managers read.
const CONFIG_FILES: [&str; 4] = [".npmrc", ".yarnrc.yml", ".yarnrc", "bunfig.toml"];

pub(super) fn job(file: &File, job: &Job, configs: &mut Configs) -> Vec<CiFinding> {
    let mut out = Vec::new();
    let finding = |code: Code, line: usize, message: String, fix: String| CiFinding {
        warning: if code == Code::CiSetupBunDeprecatedInput {
            Warning::note(code, message, file.origin(line))
        } else {
            Warning::new(code, message, file.origin(line))
        },
        manager: None,
        fix,
    };
    // Where setup-node pointed NPM_CONFIG_USERCONFIG, if it did by this step.
    let mut userconfig_from: Option<usize> = job
        .env
        .vars
        .iter()
        .chain(&file.workflow.env.vars)
        .find(|v| v.name.eq_ignore_ascii_case("NPM_CONFIG_USERCONFIG"))
        .map(|v| v.line);
    for step in &job.steps {
        if let Some(rewriter) = rewriting_setup(step) {
            out.extend(setup_bun(file, job, step, rewriter, configs, &finding));
        }
        for command in &step.commands {
            if let Some(key) = &command.config_set {
                let writes_secret = SETTLED.iter().any(|m| {
                    m.rules().programs().contains(&command.program.as_str())
                        && m.rules()
                            .config_set_writes_project_secret(key, command.config_user_level)
                });
                if writes_secret {
                    out.push(finding(
                        Code::CiSecretWrittenToCheckout,
                        command.line,
                        format!(
                            "job `{}`: `{} config set {key}` writes the credential into the project's config file in the checkout, where a later step, cache or artifact can pick it up",
                            job.id, command.program
                        ),
                        format!(
                            "add `-H` (`{} config set -H {key} ...`) to write the user's file instead, or commit `{key}` as a `${{NPM_TOKEN}}` reference and give the job `NPM_TOKEN` in `env:`",
                            command.program
                        ),
                    ));
                }
            }
            for target in &command.writes {
                let name = target.rsplit('/').next().unwrap_or(target);
                if !CONFIG_FILES.contains(&name) {
                    continue;
                }
                let in_home = ["~/", "$HOME/", "${HOME}/"]
                    .iter()
                    .any(|p| target.starts_with(p));
                let elsewhere = in_home || target.starts_with(['/', '$']);
                if command.has_secret_expression && !elsewhere {
                    // Where NPM_CONFIG_USERCONFIG names another file by then, `~/.npmrc` is
                    // never read (`ci-user-npmrc-ignored`): the user's file is that one (from a
                    // CI trial: the two fixes contradicted each other).
                    let user_file = if name == ".npmrc" && userconfig_from.is_some() {
                        "\"$NPM_CONFIG_USERCONFIG\", the one the managers read here".to_string()
                    } else {
                        format!("`~/{name}`")
                    };
                    out.push(finding(
                        Code::CiSecretWrittenToCheckout,
                        command.line,
                        format!(
                            "job `{}`: this line writes a `${{{{ secrets.* }}}}` value into {target} in the checkout (GitHub puts the secret's value in the script before it runs)",
                            job.id
                        ),
                        format!(
                            "write a `${{NAME}}` reference into {target} instead and give the step `env: NAME: ${{{{ secrets.NAME }}}}`, or write the user's file ({user_file})"
                        ),
                    ));
                }
                if in_home
                    && name == ".npmrc"
                    && let Some(at) = userconfig_from
                {
                    out.push(finding(
                        Code::CiUserNpmrcIgnored,
                        command.line,
                        format!(
                            "job `{}` writes {target}, but NPM_CONFIG_USERCONFIG ({}) points the managers that read .npmrc at another file, so they never read this one",
                            job.id,
                            file.line_name(at)
                        ),
                        "append the line to \"$NPM_CONFIG_USERCONFIG\" instead of ~/.npmrc, or remove setup-node's `registry-url`".to_string(),
                    ));
                }
            }
        }
        if let Some(line) = jobs::setup_node_registry(step) {
            userconfig_from.get_or_insert(line);
        }
        if step
            .github_env
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("NPM_CONFIG_USERCONFIG"))
        {
            userconfig_from.get_or_insert(step.line);
        }
    }
    out
}

/// The manager whose setup action this step is, when that action rewrites a project file.
fn rewriting_setup(step: &Step) -> Option<(Manager, &'static str)> {
    let uses = step.uses.as_ref()?;
    SETTLED.into_iter().find_map(|m| {
        let action = m.rules().setup_action()?;
        let file = m.rules().setup_action_rewrites()?;
        action
            .action
            .eq_ignore_ascii_case(&uses.action)
            .then_some((m, file))
    })
}

fn setup_bun(
    file: &File,
    job: &Job,
    step: &Step,
    (manager, rewritten): (Manager, &'static str),
    configs: &mut Configs,
    finding: &dyn Fn(Code, usize, String, String) -> CiFinding,
) -> Vec<CiFinding> {
    let mut out = Vec::new();
    let deprecated: Vec<(&String, usize)> = ["registry-url", "scope"]
        .iter()
        .filter_map(|k| step.inputs.get_key_value(*k))
        .filter(|(_, v)| !v.value.trim().is_empty())
        .map(|(k, v)| (k, v.line))
        .collect();
    if let Some((_, line)) = deprecated.first() {
        out.push(finding(
            Code::CiSetupBunDeprecatedInput,
            *line,
            format!(
                "job `{}`: {} `{}` is deprecated; it writes the token as `$BUN_AUTH_TOKEN`, which every later step that runs {manager} must have in its env",
                job.id,
                step.uses.as_ref().map_or("", |u| u.action.as_str()),
                deprecated.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join("`/`")
            ),
            "use `registries:` instead, one `@scope:URL|$NPM_TOKEN` per line, and give the steps after it `NPM_TOKEN` in `env:`".to_string(),
        ));
    }
    for r in &step.bun_registries {
        let what = match &r.token {
            BunToken::Secret(name) => format!("the value of secret {name}"),
            BunToken::Expression => "the value of a `${{ }}` expression".to_string(),
            BunToken::Literal => "a literal token".to_string(),
            BunToken::None | BunToken::Variable(_) => continue,
        };
        let name = match &r.token {
            BunToken::Secret(name) => name.clone(),
            _ => "NPM_TOKEN".to_string(),
        };
        out.push(finding(
            Code::CiSecretWrittenToCheckout,
            r.line,
            format!(
                "job `{}`: setup-bun writes {what} for {}{} into {rewritten} in the checkout",
                job.id,
                r.scope.as_ref().map_or(String::new(), |s| format!("@{s} at ")),
                r.url
            ),
            format!(
                "end the line with `|${name}` instead and give the steps that run {manager} `env: {name}: ${{{{ secrets.{name} }}}}` ({manager} expands it when it reads the file)"
            ),
        ));
    }
    let sets_registries = !step.bun_registries.is_empty() || !deprecated.is_empty();
    // The action writes `<cwd>/bunfig.toml`: the repository's root, where the project is.
    // What the job's manager then does differently from the project's own config: a group
    // the config routes is sent to the action's registry instead.
    if file.project.is_empty()
        && let Ok(model) = configs.of(manager)
    {
        for r in &step.bun_registries {
            let (group, configured) = match &r.scope {
                Some(s) => (Packages::Scope(s.clone()), model.scopes.contains_key(s)),
                None => (Packages::Unscoped, model.registry.is_some()),
            };
            if !configured {
                continue;
            }
            let route = crate::resolve::route(model, manager, group.clone());
            let project = route.requested_registry(manager);
            let nerf = |u: &str| RegistryUrl::parse(u).map(|u| u.registry_nerf_dart());
            if nerf(project) != nerf(&r.url) {
                out.push(finding(
                    Code::CiSetupBunRegistryDiffers,
                    r.line,
                    format!(
                        "job `{}`: setup-bun sends {group} to {}, but the project's config sends them to {project}, so {manager} in this job resolves differently from a local install",
                        job.id, r.url
                    ),
                    format!(
                        "make this line's URL {project}, or change the project's config to {}",
                        r.url
                    ),
                ));
            }
        }
    }
    if sets_registries && file.project.is_empty() && configs.dir.join(rewritten).is_file() {
        let sets: Vec<String> = step
            .bun_registries
            .iter()
            .map(|r| match &r.scope {
                Some(s) => format!("@{s} → {}", r.url),
                None => format!("default → {}", r.url),
            })
            .collect();
        out.push(finding(
            Code::CiSetupBunRewritesBunfig,
            step.line,
            format!(
                "job `{}`: setup-bun rewrites the committed {rewritten} as a whole (comments and layout lost; a file it cannot parse is replaced by its own keys only){}",
                job.id,
                if sets.is_empty() {
                    String::new()
                } else {
                    format!(", and {manager} then routes {}", sets.join(", "))
                }
            ),
            format!(
                "put the registries in the committed {rewritten} (with `$NPM_TOKEN` tokens) and drop setup-bun's `registries`, or accept that the job's {rewritten} differs from the committed one"
            ),
        ));
    }
    out
}
