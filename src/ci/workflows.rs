//! GitHub Actions workflow files read as `doctor --ci` needs them: per job, its steps'
//! actions and inputs, the names of the variables set at each level, the programs its
//! `run:` lines call and the `$GITHUB_ENV` writes it makes, each with its line. Variable
//! values are dropped as they are read (only a `${{ secrets.NAME }}` keeps its name).

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;

use crate::error::SyntaxError;

/// One workflow file.
#[derive(Debug)]
pub struct Workflow {
    /// Variables set in the top-level `env:`.
    pub env: Env,
    pub jobs: Vec<Job>,
}

#[derive(Debug)]
pub struct Job {
    pub id: String,
    /// The line of `<id>:`.
    pub line: usize,
    pub env: Env,
    /// `strategy.matrix`: each key with the scalar values it takes (lists and `include`).
    pub matrix: BTreeMap<String, Vec<String>>,
    pub steps: Vec<Step>,
    /// The line of the job's `container:` value, where it names an image (not an expression,
    /// which may be empty): GitHub runs the job's `run:` steps in it, with `sh` unless told
    /// otherwise.
    pub container: Option<usize>,
    /// `runs-on`'s labels as written (an expression stays as its text).
    pub runs_on: Vec<String>,
}

/// The shell a step's `run:` lines run in, as the workflow says it: the step's `shell:`, else
/// the job's `defaults.run.shell`, else the workflow's.
#[derive(Debug, Clone)]
pub struct Shell {
    /// As written (`sh`, `bash`, `sh -eu {0}`).
    pub command: String,
    pub line: usize,
    pub from: ShellFrom,
}

/// Where a step's shell was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellFrom {
    Step,
    JobDefaults,
    WorkflowDefaults,
}

#[derive(Debug)]
pub struct Step {
    /// The line the step starts on.
    pub line: usize,
    pub uses: Option<Uses>,
    /// The `with:` inputs pmrc reads (see [`INPUTS`]), by name.
    pub inputs: BTreeMap<String, Input>,
    pub env: Env,
    /// Where its `run:` lines run, relative to the repository (`""`: its root), from the
    /// step's `working-directory` or the job's or workflow's `defaults.run`; `None` when it
    /// is an expression.
    pub dir: Option<String>,
    /// The shell its `run:` lines run in, where the workflow names one.
    pub shell: Option<Shell>,
    pub commands: Vec<Command>,
    /// Names written to `$GITHUB_ENV` (for the steps after this one), with their lines.
    pub github_env: Vec<(String, usize)>,
    /// The line of a `$GITHUB_ENV` write pmrc cannot read a name from.
    pub github_env_unread: Option<usize>,
    /// oven-sh/setup-bun's `registries:` input, one entry per line, without any token.
    pub bun_registries: Vec<BunRegistry>,
    /// For a step that uses a local action (`uses: ./…`): every `with:` input by name, for
    /// the action's `${{ inputs.NAME }}`; a published action's inputs are not kept.
    pub action_inputs: BTreeMap<String, String>,
}

/// A composite action: its steps, and the default of each input it declares.
#[derive(Debug)]
pub struct CompositeAction {
    pub steps: Vec<Step>,
    pub input_defaults: BTreeMap<String, String>,
}

/// One line of setup-bun's `registries:` (`[@scope:]URL[|token]`), as pmrc keeps it: the
/// scope, the registry without any `user:password@`, and what kind of token follows.
#[derive(Debug)]
pub struct BunRegistry {
    pub line: usize,
    pub scope: Option<String>,
    /// Scheme, host and path.
    pub url: String,
    pub token: BunToken,
}

/// What follows `|` on a setup-bun `registries:` line; a literal's text is never kept.
#[derive(Debug, PartialEq, Eq)]
pub enum BunToken {
    None,
    /// `$NAME` (or `${NAME}`): Bun expands it when it reads bunfig.toml.
    Variable(String),
    /// `${{ secrets.NAME }}`: GitHub puts the secret's value in the input, so the action
    /// writes the value itself into bunfig.toml.
    Secret(String),
    /// Another `${{ }}` expression: its value lands in the file too.
    Expression,
    /// A literal token (or a password in the URL).
    Literal,
}

/// `uses: owner/name@ref`.
#[derive(Debug)]
pub struct Uses {
    pub action: String,
    /// The major the ref names (`v7`, `v7.0.1`, or a SHA pinned with a `# v7.0.1` comment).
    pub major: Option<u32>,
}

#[derive(Debug)]
pub struct Input {
    pub value: String,
    pub line: usize,
}

/// Variables set by an `env:` map: names only.
#[derive(Debug, Default, Clone)]
pub struct Env {
    pub vars: Vec<Var>,
    /// `env: ${{ fromJSON(...) }}`: names pmrc cannot know, at this line.
    pub expression: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Var {
    pub name: String,
    pub line: usize,
    /// `NAME` when the value is exactly `${{ secrets.NAME }}` (a name, not a secret).
    pub secret: Option<String>,
}

/// One command of a `run:` script: the program it calls and the variables set for it alone
/// (`NPM_TOKEN=x yarn install`).
#[derive(Debug)]
pub struct Command {
    pub program: String,
    /// The word after the program (`corepack yarn`); later words are not kept, since a
    /// command line may carry a secret (`yarn config set npmAuthToken ...`).
    pub first_arg: Option<String>,
    /// With the names exported earlier in the same script (`export NPM_TOKEN=x`), which
    /// reach it as well.
    pub inline_env: Vec<String>,
    pub line: usize,
    /// `npm|yarn|pnpm config set KEY[=value]`: the key (never the value).
    pub config_set: Option<String>,
    /// `-H`/`--home`/`--location=user|global`/`-g` on a `config set`: a user-level write.
    pub config_user_level: bool,
    /// Files the command writes (`> FILE`, `>> FILE`, `tee [-a] FILE`), as written.
    pub writes: Vec<String>,
    /// Whether the command holds a `${{ secrets.X }}`, which GitHub replaces by the secret's
    /// value before the shell runs.
    pub has_secret_expression: bool,
    /// Whether the command's input is a here-document (`cat <<EOF`).
    pub here_document: bool,
}

/// The `with:` inputs pmrc reads; any other input (a `token:`, say) is never kept.
const INPUTS: &[&str] = &[
    "registry-url",
    "scope",
    "always-auth",
    "cache",
    "cache-dependency-path",
    "run_install",
    "version",
    "bun-version",
    "deno-version",
];

pub fn parse(text: &str) -> Result<Workflow, SyntaxError> {
    let raw: std::rc::Rc<RawWorkflow> = crate::formats::yaml::parse(text)?;
    let lines: Vec<&str> = text.lines().collect();
    let mut jobs: Vec<Job> = raw
        .jobs
        .iter()
        .map(|(id, job)| {
            let defaults = RunDefaults {
                dir: working_directory(&raw.defaults),
                shell: default_shell(&raw.defaults, ShellFrom::WorkflowDefaults),
            };
            read_job(id, job, &lines, &defaults)
        })
        .collect();
    jobs.sort_by_key(|j| j.line);
    Ok(Workflow {
        env: env_of(raw.env.as_ref()),
        jobs,
    })
}

/// The steps of a composite action's `action.yml` (`runs: using: composite`), lines as in
/// that file; `None` for any other kind of action (JavaScript, Docker), whose code pmrc does
/// not read. Its `run:` steps start in the repository's root, as GitHub runs them: the
/// workflow's `defaults.run` is not theirs.
pub fn parse_composite_action(text: &str) -> Result<Option<CompositeAction>, SyntaxError> {
    let raw: std::rc::Rc<RawAction> = crate::formats::yaml::parse(text)?;
    let Some(runs) = raw.runs.as_ref().filter(|r| {
        r.using
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case("composite"))
    }) else {
        return Ok(None);
    };
    let lines: Vec<&str> = text.lines().collect();
    Ok(Some(CompositeAction {
        steps: runs
            .steps
            .iter()
            .map(|s| read_step(s, &lines, &RunDefaults::default()))
            .collect(),
        input_defaults: raw
            .inputs
            .iter()
            .filter_map(|(name, input)| Some((name.to_ascii_lowercase(), input.default.clone()?.0)))
            .collect(),
    }))
}

/// A value that is one `${{ inputs.NAME }}` expression: the name, lowercased (GitHub's input
/// names are not case-sensitive).
pub fn input_reference(value: &str) -> Option<String> {
    let inner = value.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let name = inner.strip_prefix("inputs.")?;
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        .then(|| name.to_ascii_lowercase())
}

/// The folder of a local action a step uses (`uses: ./.github/actions/setup`), relative to
/// the repository's root.
pub fn local_action(step: &Step) -> Option<&str> {
    step.uses.as_ref()?.action.strip_prefix("./")
}

impl Step {
    /// This step with every line it holds moved by `by`: where a composite action's steps
    /// are read into a job, their lines are numbered after the workflow's (see
    /// `ci::File::place`). Written out field by field, so that a new line field is not missed.
    pub fn renumbered(self, by: usize) -> Step {
        let Step {
            line,
            uses,
            inputs,
            env,
            dir,
            shell,
            commands,
            github_env,
            github_env_unread,
            bun_registries,
            action_inputs,
        } = self;
        Step {
            line: line + by,
            uses,
            inputs: inputs
                .into_iter()
                .map(|(name, input)| {
                    let Input { value, line } = input;
                    (
                        name,
                        Input {
                            value,
                            line: line + by,
                        },
                    )
                })
                .collect(),
            env: env.renumbered(by),
            dir,
            shell: shell.map(|s| Shell {
                line: s.line + by,
                ..s
            }),
            commands: commands
                .into_iter()
                .map(|c| Command {
                    line: c.line + by,
                    ..c
                })
                .collect(),
            github_env: github_env
                .into_iter()
                .map(|(name, line)| (name, line + by))
                .collect(),
            github_env_unread: github_env_unread.map(|line| line + by),
            bun_registries: bun_registries
                .into_iter()
                .map(|r| BunRegistry {
                    line: r.line + by,
                    ..r
                })
                .collect(),
            action_inputs,
        }
    }
}

impl Env {
    fn renumbered(self, by: usize) -> Env {
        let Env { vars, expression } = self;
        Env {
            vars: vars
                .into_iter()
                .map(|v| Var {
                    line: v.line + by,
                    ..v
                })
                .collect(),
            expression: expression.map(|line| line + by),
        }
    }
}

/// What `defaults.run` gives the steps it covers.
#[derive(Default, Clone)]
struct RunDefaults<'a> {
    dir: Option<&'a str>,
    shell: Option<Shell>,
}

fn read_job(id: &str, job: &Spanned<RawJob>, lines: &[&str], defaults: &RunDefaults) -> Job {
    let body = line_of(&job.referenced);
    // The mapping starts at its first key; its own key is the nearest line above that
    // names it.
    let line = (1..=body)
        .rev()
        .find(|&n| {
            let l = lines.get(n - 1).map_or("", |l| l.trim_start());
            [format!("{id}:"), format!("\"{id}\":"), format!("'{id}':")]
                .iter()
                .any(|k| l.starts_with(k.as_str()))
        })
        .unwrap_or(body);
    let job = &job.value;
    let defaults = RunDefaults {
        dir: working_directory(&job.defaults).or(defaults.dir),
        shell: default_shell(&job.defaults, ShellFrom::JobDefaults).or(defaults.shell.clone()),
    };
    Job {
        id: id.to_string(),
        line,
        env: env_of(job.env.as_ref()),
        matrix: job
            .strategy
            .as_ref()
            .and_then(|s| s.matrix.as_ref())
            .map(matrix_values)
            .unwrap_or_default(),
        steps: job
            .steps
            .iter()
            .map(|s| read_step(s, lines, &defaults))
            .collect(),
        container: job
            .container
            .as_ref()
            .filter(|c| {
                let image = match &c.value {
                    serde_json::Value::Object(map) => map.get("image"),
                    other => Some(other),
                };
                image
                    .and_then(|i| i.as_str())
                    .is_some_and(|i| !i.trim().is_empty() && !i.contains("${{"))
            })
            .map(|c| line_of(&c.referenced)),
        runs_on: match &job.runs_on {
            Some(serde_json::Value::String(label)) => vec![label.clone()],
            Some(serde_json::Value::Array(labels)) => labels
                .iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect(),
            // `group:`/`labels:` of a runner group: the labels.
            Some(serde_json::Value::Object(map)) => match map.get("labels") {
                Some(serde_json::Value::String(label)) => vec![label.clone()],
                Some(serde_json::Value::Array(labels)) => labels
                    .iter()
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        },
    }
}

fn read_step(step: &Spanned<RawStep>, lines: &[&str], defaults: &RunDefaults) -> Step {
    let line = line_of(&step.referenced);
    let raw = &step.value;
    let dir = raw
        .working_directory
        .as_deref()
        .or(defaults.dir)
        .unwrap_or("");
    let uses_local_action = raw.uses.as_ref().is_some_and(|u| u.value.starts_with("./"));
    let uses = raw.uses.as_ref().map(|u| {
        let line = line_of(&u.referenced);
        let (action, reference) = u.value.split_once('@').unwrap_or((&u.value, ""));
        let comment = lines
            .get(line - 1)
            .and_then(|l| l.split_once(" #"))
            .map_or("", |(_, c)| c.trim());
        Uses {
            action: action.to_string(),
            major: major_of(reference).or_else(|| major_of(comment)),
        }
    });
    let inputs = raw
        .with
        .iter()
        .flatten()
        .filter(|(name, _)| INPUTS.contains(&name.as_str()))
        .map(|(name, v)| {
            (
                name.clone(),
                Input {
                    value: v.value.0.clone(),
                    line: line_of(&v.referenced),
                },
            )
        })
        .collect();
    let mut out = Step {
        line,
        uses,
        inputs,
        env: env_of(raw.env.as_ref()),
        dir: (!dir.contains("${{")).then(|| normal_dir(dir)),
        shell: raw
            .shell
            .as_ref()
            .map(|s| Shell {
                command: s.value.trim().to_string(),
                line: line_of(&s.referenced),
                from: ShellFrom::Step,
            })
            .or(defaults.shell.clone()),
        commands: Vec::new(),
        github_env: Vec::new(),
        github_env_unread: None,
        bun_registries: raw
            .with
            .as_ref()
            .and_then(|w| w.get("registries"))
            .map(|v| bun_registries(&v.value.0, line_of(&v.referenced), lines))
            .unwrap_or_default(),
        action_inputs: BTreeMap::new(),
    };
    if uses_local_action {
        out.action_inputs = raw
            .with
            .iter()
            .flatten()
            .map(|(name, v)| (name.to_ascii_lowercase(), v.value.0.clone()))
            .collect();
    }
    if let Some(run) = &raw.run {
        read_script(&run.value, script_start(&run.referenced, lines), &mut out);
    }
    out
}

fn default_shell(defaults: &Option<RawDefaults>, from: ShellFrom) -> Option<Shell> {
    let shell = defaults.as_ref()?.run.as_ref()?.shell.as_ref()?;
    Some(Shell {
        command: shell.value.trim().to_string(),
        line: line_of(&shell.referenced),
        from,
    })
}

fn working_directory(defaults: &Option<RawDefaults>) -> Option<&str> {
    defaults
        .as_ref()?
        .run
        .as_ref()?
        .working_directory
        .as_deref()
}

/// `./packages/app/` → `packages/app`; `.` → `""`.
pub fn normal_dir(dir: &str) -> String {
    dir.trim()
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The line of a `run:` script's first line: the one after `run: |` for a block scalar.
fn script_start(at: &serde_saphyr::Location, lines: &[&str]) -> usize {
    let line = line_of(at);
    let text = lines.get(line - 1).copied().unwrap_or("");
    let after = text
        .split_once("run:")
        .map_or(text, |(_, rest)| rest)
        .trim();
    if after.starts_with(['|', '>']) {
        line + 1
    } else {
        line
    }
}

/// The programs a script calls and what it writes to `$GITHUB_ENV`, line by line. Shell is
/// read only as far as it reads reliably: one command per `&&`, `||`, `;` or `|` piece.
fn read_script(script: &str, first_line: usize, step: &mut Step) {
    // What the script has set so far: every command after an `export` gets its names.
    let mut vars = ScriptVars::default();
    let mut logical = String::new();
    let mut logical_line = first_line;
    // An open here-document: its delimiter, whether tabs before it are stripped (`<<-`),
    // and where its lines go.
    let mut here: Option<(String, bool, HereInput)> = None;
    for (i, line) in script.lines().enumerate() {
        if let Some((delimiter, tabs, input)) = &mut here {
            let end = if *tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if end == delimiter {
                here = None;
                continue;
            }
            match input {
                // The lines are the command's input, not commands; GitHub puts a secret's
                // value in them before the shell runs, and it goes where the command writes.
                HereInput::Command(at) => {
                    if tight_matrix_references(line).contains("${{secrets.")
                        && let Some(command) = step.commands.get_mut(*at)
                    {
                        command.has_secret_expression = true;
                    }
                }
                // `NAME=value` lines, or `NAME<<X` and a value's lines up to `X`.
                HereInput::GithubEnv(value_end) => match value_end {
                    Some(x) if line == x.as_str() => *value_end = None,
                    Some(_) => {}
                    None => {
                        let name = line.split(['=', '<']).next().unwrap_or_default();
                        if is_var_name(name) && line[name.len()..].starts_with(['=', '<']) {
                            step.github_env.push((name.to_string(), first_line + i));
                            if let Some(x) = line[name.len()..].strip_prefix("<<") {
                                *value_end = Some(x.to_string());
                            }
                        }
                    }
                },
            }
            continue;
        }
        if logical.is_empty() {
            logical_line = first_line + i;
        }
        // A trailing backslash continues the command on the next line.
        if let Some(cont) = line.strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let (commands_before, unread_before) = (step.commands.len(), step.github_env_unread);
        read_line(&logical, logical_line, step, &mut vars);
        if let Some((delimiter, tabs)) = here_document(&logical) {
            if is_cat_to_github_env(&logical) {
                // Read line by line below, not left unread.
                step.github_env_unread = unread_before;
                here = Some((delimiter, tabs, HereInput::GithubEnv(None)));
            } else if let Some(at) =
                (commands_before..step.commands.len()).find(|&i| step.commands[i].here_document)
            {
                // The command reading it, or the one it pipes into when it writes nothing
                // itself (`cat <<EOF | tee .npmrc`).
                let at = match step.commands.get(at + 1) {
                    Some(_) if step.commands[at].writes.is_empty() => at + 1,
                    _ => at,
                };
                here = Some((delimiter, tabs, HereInput::Command(at)));
            }
        }
        logical.clear();
    }
    if !logical.is_empty() {
        read_line(&logical, logical_line, step, &mut vars);
    }
}

/// Where a here-document's lines go.
enum HereInput {
    /// To the command at this index of the step's commands.
    Command(usize),
    /// To `$GITHUB_ENV`; the delimiter of a multi-line value being read, if any.
    GithubEnv(Option<String>),
}

/// `cat >> $GITHUB_ENV <<EOF` (or `cat <<EOF >> "$GITHUB_ENV"`): the here-document's lines
/// are the variables set for the later steps.
fn is_cat_to_github_env(line: &str) -> bool {
    let code = line.split(" #").next().unwrap_or(line).trim();
    let Some((_, target)) = code.split_once(">>") else {
        return false;
    };
    let target = target.split_whitespace().next().unwrap_or_default();
    code.starts_with("cat ")
        && [
            "$GITHUB_ENV",
            "${GITHUB_ENV}",
            "\"$GITHUB_ENV\"",
            "\"${GITHUB_ENV}\"",
        ]
        .contains(&target)
}

/// The delimiter of a here-document the line opens (`<<EOF`, `<<'EOF'`, `<<-"EOF"`) and
/// whether its closing line may be indented with tabs (`<<-`); not a here-string (`<<<`).
fn here_document(line: &str) -> Option<(String, bool)> {
    let code = line.split(" #").next().unwrap_or(line);
    let at = here_operator(code)?;
    let rest = &code[at + 2..];
    let (tabs, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let word: String = rest
        .trim_start()
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '|' | '&' | '>' | '<' | ')'))
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .collect();
    (!word.is_empty()).then_some((word, tabs))
}

/// Where a here-document's `<<` is in `code`: not inside quotes (`echo 'NAME<<EOF'`, GitHub's
/// multi-line `$GITHUB_ENV` form), not in arithmetic (`$((1 << 3))`), not a here-string.
fn here_operator(code: &str) -> Option<usize> {
    let bytes = code.as_bytes();
    let (mut single, mut double, mut arithmetic) = (false, false, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if !single => i += 1,
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'(' if !single && bytes.get(i + 1) == Some(&b'(') => {
                arithmetic += 1;
                i += 1;
            }
            b')' if !single && arithmetic > 0 && bytes.get(i + 1) == Some(&b')') => {
                arithmetic -= 1;
                i += 1;
            }
            b'<' if !single && !double && arithmetic == 0 && bytes.get(i + 1) == Some(&b'<') => {
                return (bytes.get(i + 2) != Some(&b'<')).then_some(i);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The shell variables a script's lines before a command have set.
#[derive(Default)]
struct ScriptVars {
    /// Exported with a value: they reach every command after.
    exported: Vec<String>,
    /// Assigned (`NAME=value` alone on a line) but not exported: a later `export NAME`
    /// exports them.
    assigned: Vec<String>,
    /// Marked by a bare `export NAME` while unset: exporting an unset variable exports
    /// nothing, until a later `NAME=value` gives it a value.
    marked: Vec<String>,
}

impl ScriptVars {
    fn export(&mut self, name: &str) {
        if !self.exported.iter().any(|n| n == name) {
            self.exported.push(name.to_string());
        }
    }
}

/// One logical line of a script; `vars`: what the lines before it set, added to with this
/// line's assignments and `export NAME[=value]`.
fn read_line(line: &str, n: usize, step: &mut Step, vars: &mut ScriptVars) {
    let line = tight_matrix_references(line);
    let code = line.split(" #").next().unwrap_or(&line).trim();
    if code.starts_with('#') || code.is_empty() {
        return;
    }
    for piece in code.split(['&', ';', '|']) {
        if piece.contains("GITHUB_ENV") {
            match github_env_name(piece) {
                Some(name) => step.github_env.push((name, n)),
                None => {
                    step.github_env_unread.get_or_insert(n);
                }
            }
            continue;
        }
        let mut words = piece.split_whitespace().peekable();
        let mut inline_env = Vec::new();
        while let Some(w) = words.peek() {
            match w.split_once('=') {
                Some((name, _)) if is_var_name(name) => {
                    inline_env.push(name.to_string());
                    words.next();
                }
                _ => break,
            }
        }
        // `NAME=value` alone: a shell variable, exported only if marked already.
        if words.peek().is_none() {
            for name in inline_env {
                if vars.marked.contains(&name) {
                    vars.export(&name);
                } else {
                    vars.assigned.push(name);
                }
            }
            continue;
        }
        // `export NAME=value`, `export NAME` after `NAME=value`, `declare -x NAME=value`:
        // the variable reaches every command after it in the script (from a trial:
        // `export NPM_TOKEN=...` then `yarn install` was said to give yarn no NPM_TOKEN).
        // A bare `export NAME` of a variable nothing assigned exports nothing (from a
        // review: it was counted as set, hiding `ci-variable-not-provided`); a name that
        // reaches the step from `env:` is given to the command without it anyway.
        // `export -n` takes the export away.
        if words.peek().is_some_and(|w| *w == "export")
            || (words
                .peek()
                .is_some_and(|w| ["declare", "typeset"].contains(w))
                && piece
                    .split_whitespace()
                    .any(|w| w.starts_with('-') && w.contains('x')))
        {
            let export = words.next() == Some("export");
            let words: Vec<&str> = words.collect();
            let unexport = export
                && words
                    .iter()
                    .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('n'));
            for word in words.into_iter().filter(|w| !w.starts_with('-')) {
                let (name, value) = match word.split_once('=') {
                    Some((name, _)) => (name, true),
                    None => (word, false),
                };
                if !is_var_name(name) {
                    continue;
                }
                if unexport {
                    vars.exported.retain(|n| n != name);
                } else if value || vars.assigned.iter().any(|n| n == name) {
                    vars.export(name);
                } else {
                    vars.marked.push(name.to_string());
                }
            }
            continue;
        }
        inline_env.extend(vars.exported.iter().cloned());
        // `env X=1 yarn`, `exec yarn`: the program is the next word.
        while words
            .peek()
            .is_some_and(|w| ["env", "exec", "time"].contains(w))
        {
            words.next();
        }
        let Some(program) = words.next() else {
            continue;
        };
        let rest: Vec<&str> = words.collect();
        let first_arg = rest.first().map(|w| w.to_string());
        // The key is the first word after `set` that is not a flag (`yarn config set -H k v`).
        let config_set = match rest.as_slice() {
            ["config", "set", args @ ..] if ["npm", "yarn", "pnpm"].contains(&program) => args
                .iter()
                .find(|w| !w.starts_with('-'))
                .map(|key| key.split('=').next().unwrap_or(key).to_string()),
            _ => None,
        };
        let config_user_level = config_set.is_some()
            && rest.iter().any(|w| {
                [
                    "-H",
                    "--home",
                    "-g",
                    "--global",
                    "--location=user",
                    "--location=global",
                ]
                .contains(w)
            });
        step.commands.push(Command {
            program: program.to_string(),
            first_arg,
            inline_env,
            line: n,
            config_set,
            config_user_level,
            writes: written_files(program, &rest),
            has_secret_expression: piece.contains("${{secrets."),
            here_document: here_operator(piece).is_some(),
        });
    }
}

/// The files a command writes by redirection or `tee`: `echo x > .npmrc`, `>> ~/.npmrc`,
/// `tee -a bunfig.toml` (after a `|`, `tee` is a command of its own).
fn written_files(program: &str, rest: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let clean = |w: &str| w.trim_matches(['"', '\'']).to_string();
    if program == "tee" {
        out.extend(
            rest.iter()
                .filter(|w| !w.starts_with('-'))
                .map(|w| clean(w)),
        );
        return out;
    }
    let mut words = std::iter::once(program)
        .chain(rest.iter().copied())
        .peekable();
    while let Some(w) = words.next() {
        let target = match w.trim_start_matches(|c: char| c.is_ascii_digit()) {
            ">" | ">>" => words.next().map(clean),
            t if t.starts_with(">>") => Some(clean(&t[2..])),
            t if t.starts_with('>') && !t.starts_with(">&") => Some(clean(&t[1..])),
            _ => None,
        };
        out.extend(target.filter(|t| !t.is_empty() && t != "/dev/null"));
    }
    out
}

/// setup-bun's `registries:` lines (spec/ci-env.md §2.2): `URL`, `URL|token`,
/// `@scope:URL`, `@scope:URL|token`, `@scope:https://user:pass@host/`. Only the scope, the
/// URL without its user info and the kind of token are kept.
fn bun_registries(value: &str, input_line: usize, lines: &[&str]) -> Vec<BunRegistry> {
    // A block scalar's text starts on the line after `registries: |`.
    let block = lines
        .get(input_line - 1)
        .and_then(|l| l.split_once("registries:"))
        .is_some_and(|(_, rest)| rest.trim_start().starts_with(['|', '>']));
    let first = if block { input_line + 1 } else { input_line };
    let mut out = Vec::new();
    for (i, raw) in value.lines().enumerate() {
        let entry = tight_matrix_references(raw.trim());
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        let (target, token) = match entry.split_once('|') {
            Some((t, k)) => (t.trim(), Some(k.trim())),
            None => (entry.as_str(), None),
        };
        let (scope, url) = match target.strip_prefix('@').and_then(|t| t.split_once(':')) {
            Some((scope, url)) if !url.starts_with("//") => (Some(scope.to_ascii_lowercase()), url),
            _ => (None, target),
        };
        let (url, userinfo) = match url.split_once("://") {
            Some((scheme, rest)) => match rest.split_once('@') {
                Some((info, host)) if !info.contains('/') => (format!("{scheme}://{host}"), true),
                _ => (url.to_string(), false),
            },
            None => (url.to_string(), false),
        };
        let token = match token {
            None | Some("") if userinfo => BunToken::Literal,
            None | Some("") => BunToken::None,
            Some(t) => {
                if let Some(name) = t
                    .strip_prefix("${{secrets.")
                    .and_then(|n| n.strip_suffix("}}"))
                {
                    BunToken::Secret(name.to_string())
                } else if t.starts_with("${{") {
                    BunToken::Expression
                } else if let Some(name) = t
                    .strip_prefix("${")
                    .and_then(|n| n.strip_suffix('}'))
                    .or_else(|| t.strip_prefix('$'))
                    .filter(|n| is_var_name(n))
                {
                    BunToken::Variable(name.to_string())
                } else {
                    BunToken::Literal
                }
            }
        };
        out.push(BunRegistry {
            line: first + i,
            scope,
            url,
            token,
        });
    }
    out
}

/// `${{ matrix.pm }}` → `${{matrix.pm}}`, so that a reference is one word of the command.
fn tight_matrix_references(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            rest = &rest[start..];
            break;
        };
        let inner = rest[start + 3..start + end].trim();
        out.push_str(&format!("${{{{{inner}}}}}"));
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// The matrix key a program word stands for: `${{matrix.pm}}` → `pm`.
pub fn matrix_key(word: &str) -> Option<&str> {
    word.strip_prefix("${{matrix.")?.strip_suffix("}}")
}

/// `echo "NAME=value" >> $GITHUB_ENV` (quoted or not, `printf` too, or `NAME<<EOF` for a
/// multi-line value): the name.
fn github_env_name(code: &str) -> Option<String> {
    let (command, target) = code.split_once(">>")?;
    let target = target.trim().trim_matches('"');
    if !["$GITHUB_ENV", "${GITHUB_ENV}"].contains(&target) {
        return None;
    }
    let rest = command
        .trim()
        .strip_prefix("echo ")
        .or_else(|| command.trim().strip_prefix("printf "))?
        .trim_start()
        .trim_start_matches(['"', '\'']);
    let name = match (rest.find('='), rest.find("<<")) {
        (Some(eq), Some(heredoc)) => &rest[..eq.min(heredoc)],
        (Some(i), None) | (None, Some(i)) => &rest[..i],
        (None, None) => return None,
    };
    is_var_name(name).then(|| name.to_string())
}

/// Whether `name` is a shell identifier (`[A-Za-z_][A-Za-z0-9_]*`): the only names a POSIX
/// shell can hold, and the only ones dash passes on to the commands it starts.
pub fn is_var_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `v7`, `v7.0.1`, `7` → 7.
fn major_of(reference: &str) -> Option<u32> {
    let digits: String = reference
        .trim()
        .strip_prefix('v')?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn line_of(at: &serde_saphyr::Location) -> usize {
    usize::try_from(at.line()).unwrap_or(1).max(1)
}

fn env_of(env: Option<&Spanned<RawEnv>>) -> Env {
    let Some(env) = env else {
        return Env::default();
    };
    match &env.value {
        RawEnv::Vars(vars) => Env {
            vars: vars
                .iter()
                .map(|(name, v)| Var {
                    name: name.clone(),
                    line: line_of(&v.referenced),
                    secret: v.value.0.clone(),
                })
                .collect(),
            expression: None,
        },
        RawEnv::Expression => Env {
            vars: Vec::new(),
            expression: Some(line_of(&env.referenced)),
        },
    }
}

fn matrix_values(matrix: &serde_json::Value) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let Some(map) = matrix.as_object() else {
        return out;
    };
    for (key, values) in map
        .iter()
        .filter(|(k, _)| !["include", "exclude"].contains(&k.as_str()))
    {
        let list = out.entry(key.clone()).or_default();
        list.extend(values.as_array().into_iter().flatten().filter_map(scalar));
    }
    // `include` adds combinations (and keys) of its own.
    for entry in map
        .get("include")
        .and_then(|i| i.as_array())
        .into_iter()
        .flatten()
    {
        for (k, v) in entry.as_object().into_iter().flatten() {
            out.entry(k.clone()).or_default().extend(scalar(v));
        }
    }
    for list in out.values_mut() {
        let mut seen = rustc_hash::FxHashSet::default();
        list.retain(|v| seen.insert(v.clone()));
    }
    out
}

// ---- the serde read model ----

#[derive(Deserialize, Default)]
struct RawWorkflow {
    #[serde(default)]
    env: Option<Spanned<RawEnv>>,
    #[serde(default)]
    defaults: Option<RawDefaults>,
    #[serde(default)]
    jobs: BTreeMap<String, Spanned<RawJob>>,
}

/// An `action.yml`, as far as a composite action's steps go.
#[derive(Deserialize, Default)]
struct RawAction {
    #[serde(default)]
    inputs: BTreeMap<String, RawActionInput>,
    #[serde(default)]
    runs: Option<RawRuns>,
}

#[derive(Deserialize, Default)]
struct RawActionInput {
    #[serde(default)]
    default: Option<Scalar>,
}

#[derive(Deserialize)]
struct RawRuns {
    #[serde(default)]
    using: Option<String>,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
struct RawJob {
    #[serde(default)]
    env: Option<Spanned<RawEnv>>,
    #[serde(default)]
    defaults: Option<RawDefaults>,
    #[serde(default)]
    strategy: Option<RawStrategy>,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
    #[serde(default)]
    container: Option<Spanned<serde_json::Value>>,
    #[serde(default, rename = "runs-on")]
    runs_on: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawDefaults {
    #[serde(default)]
    run: Option<RawRunDefaults>,
}

#[derive(Deserialize)]
struct RawRunDefaults {
    #[serde(default, rename = "working-directory")]
    working_directory: Option<String>,
    #[serde(default)]
    shell: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawStrategy {
    #[serde(default)]
    matrix: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawStep {
    #[serde(default)]
    uses: Option<Spanned<String>>,
    #[serde(default)]
    with: Option<BTreeMap<String, Spanned<Scalar>>>,
    #[serde(default)]
    env: Option<Spanned<RawEnv>>,
    #[serde(default)]
    run: Option<Spanned<String>>,
    #[serde(default, rename = "working-directory")]
    working_directory: Option<String>,
    #[serde(default)]
    shell: Option<Spanned<String>>,
}

/// An `env:` map, or an expression standing for one.
enum RawEnv {
    Vars(BTreeMap<String, Spanned<SecretName>>),
    Expression,
}

impl<'de> Deserialize<'de> for RawEnv {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawEnv;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of variables or an expression")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEnv, A::Error> {
                let mut vars = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<Scalar, Spanned<SecretName>>()? {
                    vars.insert(k.0, v);
                }
                Ok(RawEnv::Vars(vars))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<RawEnv, E> {
                Ok(RawEnv::Expression)
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawEnv, E> {
                Ok(RawEnv::Vars(BTreeMap::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A variable's value, of which only the secret's name in `${{ secrets.NAME }}` is kept.
struct SecretName(Option<String>);

impl<'de> Deserialize<'de> for SecretName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Scalar::deserialize(d)?.0;
        let name = value
            .trim()
            .strip_prefix("${{")
            .and_then(|v| v.strip_suffix("}}"))
            .and_then(|v| v.trim().strip_prefix("secrets."))
            .filter(|n| is_var_name(n))
            .map(str::to_string);
        Ok(SecretName(name))
    }
}

/// Any scalar as text (`node-version: 20`, `always-auth: true`).
#[derive(Clone)]
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn here_documents_are_told_from_here_strings() {
        let opened = |l: &str| here_document(l);
        assert_eq!(opened("cat > .npmrc <<EOF"), Some(("EOF".into(), false)));
        assert_eq!(
            opened("cat <<'END' >> ~/.npmrc"),
            Some(("END".into(), false))
        );
        assert_eq!(
            opened("cat <<-\"X\" | tee .npmrc"),
            Some(("X".into(), true))
        );
        assert_eq!(opened("tr a b <<< \"$X\" > f"), None);
        assert_eq!(opened("echo '//h/:_authToken=${T}' >> .npmrc"), None);
        assert_eq!(opened("echo 'NOTES<<EOF'"), None);
        assert_eq!(opened("echo \"NOTES<<EOF\" >> $GITHUB_ENV"), None);
        assert_eq!(opened("n=$((1 << 3))"), None);
        assert!(is_cat_to_github_env("cat >> \"$GITHUB_ENV\" <<EOF"));
        assert!(is_cat_to_github_env("cat <<EOF >> $GITHUB_ENV"));
        assert!(!is_cat_to_github_env("cat > .npmrc <<EOF"));
    }

    const WORKFLOW: &str = "\
name: ci
on: [push]
env:
  GLOBAL: 1
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        pm: [npm, yarn]
        include:
          - pm: pnpm
    env:
      NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
      LITERAL: not-a-secret-name
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@0a44ba7841725637a19e28fa30b79a866c81b0a6 # v7.0.1
        with:
          node-version: 22
          registry-url: https://npm.pkg.github.com
          token: never-kept
      - run: |
          # install
          echo \"NPM_TOKEN=${{ secrets.X }}\" >> \"$GITHUB_ENV\"
          cat vars >> $GITHUB_ENV
          CI=1 yarn install && ${{ matrix.pm }} test
        env:
          STEP: x
";

    #[test]
    fn reads_jobs_steps_lines_and_names() {
        let w = parse(WORKFLOW).unwrap();
        assert_eq!(w.env.vars[0].name, "GLOBAL");
        let job = &w.jobs[0];
        assert_eq!((job.id.as_str(), job.line), ("build", 6));
        assert_eq!(job.matrix["pm"], ["npm", "yarn", "pnpm"]);
        let token = &job
            .env
            .vars
            .iter()
            .find(|v| v.name == "NODE_AUTH_TOKEN")
            .unwrap();
        assert_eq!(
            (token.line, token.secret.as_deref()),
            (14, Some("NPM_TOKEN"))
        );
        assert!(
            job.env
                .vars
                .iter()
                .all(|v| v.name != "LITERAL" || v.secret.is_none())
        );
        let setup = &job.steps[1];
        assert_eq!(setup.line, 18);
        let uses = setup.uses.as_ref().unwrap();
        assert_eq!(
            (uses.action.as_str(), uses.major),
            ("actions/setup-node", Some(7))
        );
        assert_eq!(setup.inputs["registry-url"].line, 21);
        assert!(!setup.inputs.contains_key("token"));
        let run = &job.steps[2];
        assert_eq!(run.github_env, [("NPM_TOKEN".to_string(), 25)]);
        assert_eq!(run.github_env_unread, Some(26));
        let programs: Vec<_> = run
            .commands
            .iter()
            .map(|c| (c.program.as_str(), c.line))
            .collect();
        assert_eq!(programs, [("yarn", 27), ("${{matrix.pm}}", 27)]);
        assert_eq!(matrix_key(&run.commands[1].program), Some("pm"));
        assert_eq!(run.commands[0].inline_env, ["CI"]);
        assert_eq!(run.env.vars[0].name, "STEP");
        assert_eq!(run.dir.as_deref(), Some(""));
    }

    #[test]
    fn reads_writes_after_commands_and_working_directories() {
        let w = parse("defaults:\n  run:\n    working-directory: ./app/\njobs:\n  a:\n    steps:\n      - run: yarn install && echo \"A=1\" >> $GITHUB_ENV\n      - run: echo \"B<<EOF\" >> \"$GITHUB_ENV\"\n        working-directory: ${{ inputs.dir }}\n").unwrap();
        let steps = &w.jobs[0].steps;
        assert_eq!(steps[0].commands[0].program, "yarn");
        assert_eq!(steps[0].github_env, [("A".to_string(), 7)]);
        assert_eq!(steps[0].dir.as_deref(), Some("app"));
        assert_eq!(steps[1].github_env, [("B".to_string(), 8)]);
        assert_eq!(steps[1].dir, None);
    }

    /// setup-bun's `registries` lines keep scope, URL and the kind of token, never a token;
    /// `run:` lines keep the files they write and a `config set` key, never a value.
    #[test]
    fn reads_bun_registries_and_config_writes_without_values() {
        let w = parse("jobs:\n  a:\n    steps:\n      - uses: oven-sh/setup-bun@v2\n        with:\n          registries: |\n            https://registry.npmjs.org/\n            @Acme:https://npm.acme.example/|${{ secrets.ACME }}\n            @b:https://bot:pw-FAKE@b.example/\n            @c:https://c.example/|$C_TOKEN\n      - run: |\n          echo \"//r/:_authToken=${{ secrets.T }}\" >> .npmrc 2>/dev/null\n          yarn config set -H npmAuthToken=tok-FAKE\n          printf x | tee -a ~/.npmrc\n").unwrap();
        let step = &w.jobs[0].steps[0];
        let r = &step.bun_registries;
        assert_eq!(r.len(), 4);
        assert_eq!(
            (
                r[0].line,
                r[0].scope.as_deref(),
                r[0].token == BunToken::None
            ),
            (7, None, true)
        );
        assert_eq!(r[1].scope.as_deref(), Some("acme"));
        assert_eq!(r[1].token, BunToken::Secret("ACME".into()));
        assert_eq!(
            (r[2].url.as_str(), &r[2].token),
            ("https://b.example/", &BunToken::Literal)
        );
        assert_eq!(r[3].token, BunToken::Variable("C_TOKEN".into()));
        let c = &w.jobs[0].steps[1].commands;
        assert_eq!(c[0].writes, [".npmrc"]);
        assert!(c[0].has_secret_expression);
        assert_eq!(c[1].config_set.as_deref(), Some("npmAuthToken"));
        assert!(c[1].config_user_level);
        assert_eq!(c[3].program, "tee");
        assert_eq!(c[3].writes, ["~/.npmrc"]);
        assert!(!format!("{w:?}").contains("FAKE"), "{w:?}");
    }
}
