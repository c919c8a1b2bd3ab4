//! Values that may hold environment references, kept symbolic in one neutral form and
//! parsed from / rendered to each manager's interpolation dialect. Never expands anything.

use std::sync::Arc;

use serde::Serialize;

/// What a reference yields when its variable is unset (the part that differs per dialect).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum Unset {
    /// `${X}`: npm leaves the text as written, Yarn Berry refuses to start.
    Strict,
    /// npm `${X?}`, Yarn `${X:-}`: the empty string.
    Empty,
    /// Yarn `${X:-d}`: `d` when unset or empty.
    Default(String),
    /// Yarn `${X-d}`: `d` when unset, empty stays empty.
    DefaultIfUnset(String),
}

/// One run of a value: literal text or a reference to an environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Piece {
    Text {
        text: String,
    },
    Env {
        name: String,
        unset: Unset,
    },
    /// Text a variable gives inside a structured value (a token in pnpm's
    /// `pnpm_config__auth` JSON): sent as `text`, but a credential from the environment is
    /// printed nowhere, `--show-secrets` included, so every rendering says where it comes
    /// from instead (`(from $pnpm_config__auth)`). A `${NAME}` alone cannot stand for it:
    /// that means the variable's whole value, the JSON.
    FromVariable {
        name: String,
        #[serde(skip_serializing)]
        text: String,
    },
}

/// Whether `text` (a key or URL as written, in npm's notation) holds a `${…}` reference.
/// A byte search for `$` first: this runs for every key and URL of a large config (issue 20).
pub fn holds_reference(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'$', b).any(|i| b.get(i + 1) == Some(&b'{'))
}

/// A setting's value with its environment references kept as references.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    /// Shared, never edited in place: a value is cloned into every route, credential and
    /// finding that names it, thousands of times in a large config (issue 20).
    pub pieces: Arc<[Piece]>,
}

/// In JSON a value is one string in Yarn's notation, the one dialect that can spell every
/// kind of reference (`${X}`, `${X:-}`, `${X:-default}`, `${X-default}`).
impl Serialize for Template {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.render(Dialect::Yarn).0)
    }
}

/// The interpolation rules of one file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// npm / pnpm / Yarn 1 `.npmrc`: `${X}` and `${X?}`, backslash parity escapes.
    Npm,
    /// Yarn Berry `.yarnrc.yml`: `${X}`, `${X:-d}`, `${X-d}`, `\$` escapes.
    Yarn,
    /// pnpm 10 reading `.npmrc`: npm's syntax, but a file holding `${X?}` (or `${X:-…}`) is
    /// ignored as a whole, so only `${X}` can be written.
    Pnpm10,
    /// pnpm reading its user-level `.npmrc`/`auth.ini`: npm's syntax, and `${X:-d}` / `${X-d}`
    /// with a default of its own (an empty one is no form of pnpm's: pnpm 10 drops the file).
    PnpmUser,
    /// Yarn 1 reading `.npmrc`: `${X}` only, and an unset variable is fatal.
    YarnClassic,
    /// Bun's `bunfig.toml`: only a whole value `$X` is expanded (unset: empty).
    Bun,
    /// Deno reading `.npmrc`: `${X}` only (unset: left as written); `\` escapes any
    /// character, and `${X?}` is literal text.
    Deno,
    /// `.github/dependabot.yml`: a whole value `${{ secrets.X }}` names a Dependabot secret;
    /// nothing else is expanded.
    Dependabot,
}

/// Why a value cannot be written in a dialect without changing what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    pub what: String,
}

/// How a whole-value dialect spells a variable, reads text back, and says what it loses.
struct WholeValue {
    spell: fn(&str) -> String,
    parse: fn(&str) -> Template,
    no_default: &'static str,
    reads_as: &'static str,
    only: &'static str,
}

impl Unset {
    /// A default's own value (`d` of `${X:-d}`): Yarn reads references in it too,
    /// `${R:-${S}}` taking S when R is unset (spec/yarn.md, nesting); pnpm's defaults hold
    /// none.
    pub fn default_value(&self) -> Option<Template> {
        match self {
            Unset::Default(d) | Unset::DefaultIfUnset(d) => Some(Template::parse(d, Dialect::Yarn)),
            Unset::Strict | Unset::Empty => None,
        }
    }
}

impl Template {
    /// The references a manager meets reading this value where `is_set` says which
    /// variables are set: its own, and where one is unset and has a default, the default's
    /// (`${R:-${S}}` meets S when R is unset).
    pub fn references_met(&self, is_set: &dyn Fn(&str) -> bool) -> Vec<(String, Unset)> {
        let mut out = Vec::new();
        for piece in self.pieces.iter() {
            let Piece::Env { name, unset } = piece else {
                continue;
            };
            out.push((name.clone(), unset.clone()));
            if !is_set(name)
                && let Some(default) = unset.default_value()
            {
                out.extend(default.references_met(is_set));
            }
        }
        out
    }

    /// A template of `pieces`, with adjacent text merged and empty text dropped, so that
    /// two templates meaning the same value compare equal however they were built.
    pub fn from_pieces(pieces: impl IntoIterator<Item = Piece>) -> Self {
        let mut out: Vec<Piece> = Vec::new();
        for piece in pieces {
            match (piece, out.last_mut()) {
                (Piece::Text { text }, _) if text.is_empty() => {}
                (Piece::Text { text }, Some(Piece::Text { text: last })) => last.push_str(&text),
                (piece, _) => out.push(piece),
            }
        }
        Template { pieces: out.into() }
    }

    /// The value as it is with every referenced variable set (and not empty): `${X}`,
    /// `${X?}`, `${X:-d}` (or Bun's `$X`) then mean the same. What happens when one is
    /// unset is reported where a default is lost (`lossy-env-reference`) or moved
    /// (`default-as-parent-key`).
    /// Literal text holding `${`: in an `.npmrc`, an escaped reference (`\${X}`), which
    /// pmrc reads as npm does (ini unescapes `\\` first); Bun counts the backslashes in
    /// the raw line, and Yarn 1 keeps an odd run, so their reading of it is not this one.
    pub fn holds_escaped_reference(&self) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Text { text } if text.contains("${")))
    }

    pub fn when_set(&self) -> Template {
        let pieces = self.pieces.iter().map(|p| match p {
            Piece::Env {
                name,
                unset: Unset::Empty | Unset::Default(_) | Unset::DefaultIfUnset(_),
            } => Piece::Env {
                name: name.clone(),
                unset: Unset::Strict,
            },
            other => other.clone(),
        });
        Template::from_pieces(pieces)
    }

    pub fn literal(text: impl Into<String>) -> Self {
        let text = text.into();
        if text.is_empty() {
            return Template::default();
        }
        Template {
            pieces: Arc::new([Piece::Text { text }]),
        }
    }

    pub fn env(name: impl Into<String>, unset: Unset) -> Self {
        Template {
            pieces: Arc::new([Piece::Env {
                name: name.into(),
                unset,
            }]),
        }
    }

    pub fn has_env(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Env { .. }))
    }

    /// A literal value (no references), as plain text.
    pub fn as_literal(&self) -> Option<String> {
        if self.has_env() {
            return None;
        }
        Some(self.literal_text())
    }

    fn literal_text(&self) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text { text } | Piece::FromVariable { text, .. } => text.as_str(),
                Piece::Env { .. } => "",
            })
            .collect()
    }

    /// True when some of the value is written out literally (a secret there is in plain text).
    pub fn has_literal_text(&self) -> bool {
        self.pieces.iter().any(|p| match p {
            Piece::Text { text } | Piece::FromVariable { text, .. } => !text.trim().is_empty(),
            Piece::Env { .. } => false,
        })
    }

    /// True when any literal part of the value, a default included, would be printed: what
    /// a secret field must mask.
    pub fn has_literal_secret(&self) -> bool {
        self.has_literal_secret_by(&is_secret_text)
    }

    /// [`Self::has_literal_secret`] for a value read from a file in `dialect`: text there
    /// that spells a reference only escaped (`\${X}` in an `.npmrc` or `.yarnrc.yml`, sent as
    /// the text `${X}`) is a literal written out on purpose, masked in previews as in `show`.
    pub fn has_literal_secret_in(&self, dialect: Dialect) -> bool {
        self.has_literal_secret_by(&|text: &str| is_secret_text_in(text, dialect))
    }

    fn has_literal_secret_by(&self, secret: &dyn Fn(&str) -> bool) -> bool {
        self.pieces.iter().enumerate().any(|(i, p)| match p {
            Piece::Text { text } => {
                let after_reference = i > 0;
                let before_reference = i + 1 < self.pieces.len();
                secret(around_a_reference_removed(
                    text,
                    after_reference,
                    before_reference,
                ))
            }
            // A default that is a reference alone (`${R:-${S}}`) holds no text of its own.
            Piece::Env { unset, .. } => unset
                .default_value()
                .is_some_and(|d| d.has_literal_secret_by(secret)),
            Piece::FromVariable { text, .. } => !text.trim().is_empty(),
        })
    }

    /// Whether the value is `user:` followed by references alone (`alice:${PASS}`): as a
    /// basic-auth pair, its only literal text is the user name, which is no secret.
    pub fn literal_is_a_user_name_only(&self) -> bool {
        match self.pieces.split_first() {
            Some((Piece::Text { text }, rest)) if !rest.is_empty() => {
                text.strip_suffix(':')
                    .is_some_and(|user| !user.contains(':'))
                    && rest.iter().all(|p| match p {
                        Piece::Env { unset, .. } => {
                            unset.default_value().is_none_or(|d| !d.has_literal_text())
                        }
                        Piece::Text { .. } | Piece::FromVariable { .. } => false,
                    })
            }
            _ => false,
        }
    }

    /// The same value with its literal text masked (references stay readable).
    pub fn redacted(&self) -> Template {
        self.redacted_by(is_secret_text)
    }

    /// [`Self::redacted`] as printed in `dialect`: literal text that spells a reference
    /// there only escaped (`\${X}` in an `.npmrc`, which npm sends as `${X}`) is a secret
    /// written out on purpose, masked too; Bun's `${X}`, sent as written, is not.
    pub fn redacted_in(&self, dialect: Dialect) -> Template {
        self.redacted_by(|text| is_secret_text_in(text, dialect))
    }

    /// A secret value as `show` and `explain` print it with `--show-secrets`: a literal as the
    /// manager sends it (`${X}` for an `.npmrc`'s `\${X}`), anything else in `dialect`'s
    /// notation, its references as written.
    pub fn shown_as_sent(&self, dialect: Dialect) -> String {
        let literal = self.pieces.iter().all(|p| matches!(p, Piece::Text { .. }));
        if literal && self.holds_escaped_reference() {
            return self.literal_text();
        }
        self.render(dialect).0
    }

    fn redacted_by(&self, secret: impl Fn(&str) -> bool) -> Template {
        Template {
            pieces: self
                .pieces
                .iter()
                .map(|p| match p {
                    Piece::Text { text } if secret(text) => Piece::Text {
                        text: crate::redact::MASK.into(),
                    },
                    // A default is a literal that is sent when the variable is unset; the
                    // references in it stay readable.
                    Piece::Env {
                        name,
                        unset: Unset::Default(d),
                    } if !d.is_empty() => Piece::Env {
                        name: name.clone(),
                        unset: Unset::Default(redacted_default(d)),
                    },
                    Piece::Env {
                        name,
                        unset: Unset::DefaultIfUnset(d),
                    } if !d.is_empty() => Piece::Env {
                        name: name.clone(),
                        unset: Unset::DefaultIfUnset(redacted_default(d)),
                    },
                    other => other.clone(),
                })
                .collect(),
        }
    }

    /// Whether Bun would read this literal value as a variable (`$NAME` as a whole value):
    /// Bun has no way to write such a literal.
    pub fn bun_reads_as_variable(&self) -> bool {
        matches!(&self.pieces[..], [Piece::Text { text }] if parse_bun(text).has_env())
    }

    /// The same value with its URLs' credentials masked: a password and every secret query
    /// value.
    pub fn url_redacted(&self) -> Template {
        // Most values hold no URL credentials: shared as they are (a `show` row each).
        let has_credentials = self.pieces.iter().any(
            |p| matches!(p, Piece::Text { text } if !crate::redact::url_secret_spans(text).is_empty()),
        );
        if !has_credentials {
            return self.clone();
        }
        Template {
            pieces: self
                .pieces
                .iter()
                .map(|p| match p {
                    Piece::Text { text } => Piece::Text {
                        text: crate::redact::url(text).into_owned(),
                    },
                    other => other.clone(),
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    pub fn env_names(&self) -> Vec<&str> {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Env { name, .. } => Some(name.as_str()),
                // Already read from its variable: nothing left for a manager to expand.
                Piece::Text { .. } | Piece::FromVariable { .. } => None,
            })
            .collect()
    }

    pub fn parse(raw: &str, dialect: Dialect) -> Template {
        // Every dialect's references start with `$` and its escapes with `\`: text with
        // neither is literal, and most values are (a run parses thousands).
        if !raw.bytes().any(|b| b == b'$' || b == b'\\') {
            return Template::literal(raw);
        }
        // `${NAME}` alone, the usual way a token is written, means the same in npm's and
        // Yarn's syntax: no need for the general scanner.
        if matches!(
            dialect,
            Dialect::Npm
                | Dialect::Pnpm10
                | Dialect::PnpmUser
                | Dialect::YarnClassic
                | Dialect::Yarn
        ) && let Some(name) = whole_reference(raw)
        {
            return Template::env(name, Unset::Strict);
        }
        match dialect {
            Dialect::Npm | Dialect::Pnpm10 => parse_npm(raw),
            Dialect::YarnClassic => parse_npm_like(raw, Backslashes::YarnClassic),
            Dialect::PnpmUser => {
                Template::from_pieces(parse_npm(raw).pieces.iter().flat_map(|p| match p {
                    Piece::Text { text } => pnpm_defaults(text),
                    other => vec![other.clone()],
                }))
            }
            Dialect::Yarn => parse_yarn(raw),
            Dialect::Bun => parse_bun(raw),
            Dialect::Deno => parse_deno(raw),
            Dialect::Dependabot => parse_dependabot(raw),
        }
    }

    /// Renders in `dialect`; the losses say what the dialect could not keep.
    pub fn render(&self, dialect: Dialect) -> (String, Vec<Loss>) {
        if dialect == Dialect::Bun {
            return self.render_bun();
        }
        if dialect == Dialect::Dependabot {
            return self.render_dependabot();
        }
        // A plain literal, the usual registry URL (thousands of routes render one): written as
        // it is, and it reads back as itself.
        if let [Piece::Text { text }] = &*self.pieces
            && !text.is_empty()
            && !text
                .bytes()
                .any(|b| matches!(b, b'$' | b'\\' | b'{' | b'}'))
        {
            return (text.clone(), Vec::new());
        }
        // Room for the usual spellings, so a value is written without growing.
        let room = self.pieces.iter().map(|p| match p {
            Piece::Text { text } => text.len(),
            Piece::Env { name, .. } | Piece::FromVariable { name, .. } => name.len() + 4,
        });
        let mut out = String::with_capacity(room.sum());
        let mut losses = Vec::new();
        for (i, piece) in self.pieces.iter().enumerate() {
            match piece {
                Piece::Text { text } => {
                    let before_reference =
                        matches!(self.pieces.get(i + 1), Some(Piece::Env { .. }));
                    push_escaped(&mut out, text, dialect, before_reference)
                }
                // Never the text, whatever the caller: this rendering is what `show`,
                // `explain` and JSON print, `--show-secrets` included.
                Piece::FromVariable { name, .. } => {
                    push_fmt(&mut out, format_args!("{}", from_variable(name)));
                    losses.push(Loss {
                        what: format!(
                            "the credential ${name} gives (a value from the environment is not written out)"
                        ),
                    });
                }
                Piece::Env { name, unset } => match (dialect, unset) {
                    // The common case, thousands of times in a large config: no formatting.
                    (_, Unset::Strict) => {
                        out.push_str("${");
                        out.push_str(name);
                        out.push('}');
                    }
                    (Dialect::Npm | Dialect::PnpmUser, Unset::Empty) => {
                        push_fmt(&mut out, format_args!("${{{name}?}}"))
                    }
                    (Dialect::Deno, Unset::Empty) => {
                        losses.push(Loss {
                            what: format!(
                                "the optional form of ${{{name}}} (Deno has none: `${{{name}?}}` is sent as literal text, and an unset {name} leaves `${{{name}}}` as written)"
                            ),
                        });
                        push_fmt(&mut out, format_args!("${{{name}}}"));
                    }
                    (Dialect::Yarn, Unset::Empty) => {
                        push_fmt(&mut out, format_args!("${{{name}:-}}"))
                    }
                    (Dialect::Yarn, Unset::Default(d)) => {
                        push_fmt(&mut out, format_args!("${{{name}:-{d}}}"))
                    }
                    (Dialect::Yarn, Unset::DefaultIfUnset(d)) => {
                        push_fmt(&mut out, format_args!("${{{name}-{d}}}"))
                    }
                    (Dialect::PnpmUser, Unset::Default(d)) => {
                        push_fmt(&mut out, format_args!("${{{name}:-{d}}}"))
                    }
                    (Dialect::PnpmUser, Unset::DefaultIfUnset(d)) => {
                        push_fmt(&mut out, format_args!("${{{name}-{d}}}"))
                    }
                    (Dialect::Pnpm10, Unset::Empty) => {
                        losses.push(Loss {
                            what: format!(
                                "the optional form of ${{{name}}} (pnpm 10 ignores a whole .npmrc that holds ${{{name}?}}, and one whose ${{{name}}} is unset)"
                            ),
                        });
                        push_fmt(&mut out, format_args!("${{{name}}}"));
                    }
                    (Dialect::YarnClassic, Unset::Empty) => {
                        losses.push(Loss {
                            what: format!(
                                "the optional form of ${{{name}}} (Yarn 1 has none: it stops with \"Failed to replace env in config\" when {name} is unset)"
                            ),
                        });
                        push_fmt(&mut out, format_args!("${{{name}}}"));
                    }
                    (_, Unset::Default(d) | Unset::DefaultIfUnset(d)) => {
                        losses.push(Loss {
                            what: format!(
                                "the default `{d}` of ${{{name}}} (no default syntax; an unset {name} is not replaced by it)"
                            ),
                        });
                        push_fmt(&mut out, format_args!("${{{name}}}"));
                    }
                    (Dialect::Bun | Dialect::Dependabot, _) => unreachable!("rendered above"),
                },
            }
        }
        if losses.is_empty()
            && !self.reads_back_plainly()
            && Template::parse(&out, dialect) != *self
        {
            losses.push(Loss {
                what: format!(
                    "the exact text of this value (it reads back differently as `{out}`)"
                ),
            });
        }
        (out, losses)
    }

    /// Whether this template, rendered in any dialect with `${NAME}` references, surely
    /// reads back as itself: text pieces with none of `$ \\ { }`, never two in a row, between
    /// `${NAME}` references whose names every dialect accepts. Most values are; the read-back
    /// check of [`Self::render`] is skipped for them (thousands a run).
    fn reads_back_plainly(&self) -> bool {
        let mut after_text = false;
        !self.pieces.is_empty()
            && self.pieces.iter().all(|piece| match piece {
                Piece::Text { text } => {
                    let plain =
                        !after_text && !text.is_empty() && !text.contains(['$', '\\', '{', '}']);
                    after_text = true;
                    plain
                }
                Piece::Env {
                    name,
                    unset: Unset::Strict,
                } => {
                    after_text = false;
                    name.starts_with(|c: char| c.is_ascii_alphabetic())
                        && is_portable_env_name(name)
                }
                Piece::Env { .. } | Piece::FromVariable { .. } => false,
            })
    }

    /// Bun expands a whole-value `$X` and nothing else.
    fn render_bun(&self) -> (String, Vec<Loss>) {
        self.render_whole_value(&WholeValue {
            spell: |name| format!("${name}"),
            parse: parse_bun,
            no_default: "Bun has no default syntax",
            reads_as: "Bun would expand it as a variable",
            only: "Bun expands only a value that is exactly `$VARIABLE`, so it would send this text as it is",
        })
    }

    /// Dependabot expands a whole-value `${{ secrets.X }}` and nothing else; a default or an
    /// optional form has no spelling there.
    fn render_dependabot(&self) -> (String, Vec<Loss>) {
        self.render_whole_value(&WholeValue {
            spell: |name| format!("${{{{secrets.{name}}}}}"),
            parse: parse_dependabot,
            no_default: "a Dependabot secret has no default",
            reads_as: "Dependabot would read it as a secret reference",
            only: "Dependabot expands only a value that is exactly `${{secrets.NAME}}`",
        })
    }

    /// A dialect that expands a value only when it is exactly one variable.
    fn render_whole_value(&self, dialect: &WholeValue) -> (String, Vec<Loss>) {
        match &self.pieces[..] {
            [] => (String::new(), Vec::new()),
            [Piece::Env { name, unset }] => {
                let losses = match unset {
                    Unset::Default(d) | Unset::DefaultIfUnset(d) => vec![Loss {
                        what: format!("the default `{d}` of ${{{name}}} ({})", dialect.no_default),
                    }],
                    Unset::Strict | Unset::Empty => Vec::new(),
                };
                ((dialect.spell)(name), losses)
            }
            [Piece::Text { text }] if (dialect.parse)(text).has_env() => (
                text.clone(),
                vec![Loss {
                    what: format!("the literal text `{text}` ({})", dialect.reads_as),
                }],
            ),
            [Piece::Text { text }] => (text.clone(), Vec::new()),
            _ => {
                let (text, _) = self.render(Dialect::Yarn);
                let what = format!("`{text}`: {}", dialect.only);
                (text, vec![Loss { what }])
            }
        }
    }

    /// The value for display: literal text masked when it is secret, references as written.
    pub fn display(&self, dialect: Dialect, secret: bool, show_secrets: bool) -> String {
        let secret_text = self
            .pieces
            .iter()
            .any(|p| matches!(p, Piece::Text { text } if is_secret_text_in(text, dialect)));
        if secret && !show_secrets && secret_text {
            return crate::redact::MASK.to_string();
        }
        if secret && !show_secrets {
            return self.redacted_in(dialect).render(dialect).0;
        }
        if secret {
            return self.shown_as_sent(dialect);
        }
        self.render(dialect).0
    }
}

/// [`is_secret_text`], and text that spells references which `dialect` reads as references
/// unless escaped: written in such a file, it was escaped, a literal on purpose.
fn is_secret_text_in(text: &str, dialect: Dialect) -> bool {
    is_secret_text(text) || (text.contains("${") && escape_literal(text, dialect, false) != text)
}

/// How a credential a variable gives is printed: where it comes from, not what it is.
pub fn from_variable(name: &str) -> String {
    format!("(from ${name})")
}

/// Literal text that may be a secret: not blank, and not text that only spells references
/// (`${NAME}`, which Bun sends from `bunfig.toml` as it is written: no secret, and masking it
/// would hide what the finding about it says).
fn is_secret_text(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty() && !crate::redact::only_references(text)
}

/// Escapes literal text only where the dialect would otherwise read a reference or eat a
/// backslash, so ordinary values are written exactly as they are. `before_reference`: a
/// reference follows the text, so a backslash the text ends with would escape it.
fn escape_literal(text: &str, dialect: Dialect, before_reference: bool) -> String {
    let ends_in_backslash = before_reference && text.ends_with('\\');
    if !ends_in_backslash
        && (!text.contains(['$', '\\'])
            || Template::parse(text, dialect) == Template::literal(text))
    {
        return text.to_string();
    }
    match dialect {
        Dialect::Npm | Dialect::Pnpm10 | Dialect::PnpmUser => escape_npm(text, before_reference),
        // Yarn 1 keeps a `${…}` after an odd run of backslashes with the backslashes, and
        // drops an even run before a reference: neither a literal `${` nor a backslash before
        // a reference can be written exactly. A literal `${` gets one backslash, so it is
        // never looked up (a written `${GITHUB_TOKEN}` would send that secret); a backslash
        // before a reference stays, and the read-back reports the loss.
        Dialect::YarnClassic => text.replace("${", "\\${"),
        Dialect::Yarn => escape_yarn(text, before_reference),
        Dialect::Bun | Dialect::Dependabot => text.to_string(),
        Dialect::Deno => text.replace('\\', "\\\\").replace("${", "\\${"),
    }
}

/// npm's notation: a run of n backslashes before a `${NAME}` it reads is read as n/2 of them
/// and a reference when n is even, as text when odd; so a literal run there is written 2n+1
/// long, and one before a reference 2n long. Backslashes elsewhere are text as they are.
fn escape_npm(text: &str, before_reference: bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    let mut rest = text;
    while !rest.is_empty() {
        let run = rest.bytes().take_while(|&b| b == b'\\').count();
        let after = &rest[run..];
        if after.starts_with("${") && npm_reads_reference(after) {
            out.extend(std::iter::repeat_n('\\', 2 * run + 1));
            out.push_str("${");
            rest = &after[2..];
        } else if after.is_empty() && before_reference {
            out.extend(std::iter::repeat_n('\\', 2 * run));
            rest = after;
        } else {
            out.push_str(&rest[..run]);
            let mut chars = after.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
    }
    out
}

/// Text without the syntax of a default form around a reference, which npm's notation
/// reads as text (`${A:-${B}}` is `${A:-`, the reference `${B}`, and `}`): the opening
/// `${NAME:-` / `${NAME-` where a reference follows, the `}` where one precedes. What is
/// left is text the file holds of its own; `${A:-FAKE}` and `${A-}` alone are all text.
fn around_a_reference_removed(text: &str, after_reference: bool, before_reference: bool) -> &str {
    let mut text = text;
    if after_reference {
        text = text.strip_prefix('}').unwrap_or(text);
    }
    if before_reference && let Some(at) = text.rfind("${") {
        let inside = &text[at + 2..];
        let name = inside
            .strip_suffix(":-")
            .or_else(|| inside.strip_suffix('-'));
        if name.is_some_and(is_portable_env_name) {
            text = &text[..at];
        }
    }
    text
}

/// Whether npm reads the `${` that `text` starts with as a reference: a name a shell can set,
/// maybe `?`, and `}` before any other `$ { }` ([`parse_npm`]).
fn npm_reads_reference(text: &str) -> bool {
    let inner = &text[2..];
    inner
        .find(['$', '{', '}'])
        .filter(|&close| inner.as_bytes()[close] == b'}')
        .is_some_and(|close| {
            let inner = &inner[..close];
            is_portable_env_name(inner.strip_suffix('?').unwrap_or(inner))
        })
}

/// Yarn Berry's escapes, only where its reader would see something else: `\$` for a `$`
/// that opens `${`, and `\\` for a backslash before `$`, `}` or `\`, or before a reference.
/// A `}` alone is text to Yarn: `\${H}` is the literal `${H}`, as in npm's notation, so
/// routes read from either compare alike.
fn escape_yarn(text: &str, before_reference: bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let escapes_next = match next {
            Some(n) => matches!(n, '$' | '}' | '\\'),
            None => before_reference,
        };
        match c {
            '\\' if escapes_next => out.push_str("\\\\"),
            '$' if next == Some('{') => out.push_str("\\$"),
            _ => out.push(c),
        }
    }
    out
}

/// [`escape_literal`] onto `out`; text with nothing to escape (most) is copied as it is.
fn push_escaped(out: &mut String, text: &str, dialect: Dialect, before_reference: bool) {
    if text.contains(['$', '\\']) {
        out.push_str(&escape_literal(text, dialect, before_reference));
    } else {
        out.push_str(text);
    }
}

/// A default's text with its literal parts masked and its references (Yarn's nesting) kept.
fn redacted_default(default: &str) -> String {
    let parsed = Template::parse(default, Dialect::Yarn);
    if parsed.has_env() {
        parsed.redacted().render(Dialect::Yarn).0
    } else {
        crate::redact::MASK.into()
    }
}

/// `format!` onto `out`, without a `String` in between.
fn push_fmt(out: &mut String, args: std::fmt::Arguments) {
    use std::fmt::Write as _;
    out.write_fmt(args)
        .expect("writing to a String cannot fail");
}

/// The name in `${NAME}` when that is the whole text and the name is one both npm's and
/// Yarn's references accept (Yarn's start with a letter).
fn whole_reference(raw: &str) -> Option<&str> {
    let name = raw.strip_prefix("${")?.strip_suffix('}')?;
    (is_portable_env_name(name) && !name.starts_with('_')).then_some(name)
}

fn push_text(pieces: &mut Vec<Piece>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Piece::Text { text }) = pieces.last_mut() {
        text.push_str(s);
    } else {
        pieces.push(Piece::Text {
            text: s.to_string(),
        });
    }
}

/// npm's env-replace: `${NAME}` / `${NAME?}` where NAME has no `$ { } ?`; an odd number of
/// backslashes before `${` makes it literal, and half of them (rounded down) remain.
fn parse_npm(raw: &str) -> Template {
    parse_npm_like(raw, Backslashes::Npm)
}

/// What a run of backslashes before a `${NAME}` does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Backslashes {
    /// npm halves the run, and an odd one makes the `${…}` text.
    Npm,
    /// Yarn 1's envReplace keeps an odd run and its `${…}` as written, and drops an even run
    /// with the reference (from a review: real Yarn 1.22.22 sent `Bearer \${X}` for an
    /// `.npmrc`'s `\${X}`, where npm sent `Bearer ${X}`).
    YarnClassic,
}

fn parse_npm_like(raw: &str, backslashes: Backslashes) -> Template {
    let mut pieces = Vec::new();
    let bytes = raw.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
            let close = raw[i + 2..]
                .find(['$', '{', '}'])
                .map(|n| i + 2 + n)
                .filter(|&j| bytes[j] == b'}');
            if let Some(close) = close {
                let inner = &raw[i + 2..close];
                let (name, optional) = match inner.strip_suffix('?') {
                    Some(n) => (n, true),
                    None => (inner, false),
                };
                // npm accepts any name; one that no shell can set (`FOO:-d`, ` FOO `) is
                // never set in practice, so npm sends the text as written: a literal.
                if is_portable_env_name(name) {
                    let mut slashes = 0;
                    while slashes < i - text_start && bytes[i - 1 - slashes] == b'\\' {
                        slashes += 1;
                    }
                    push_text(&mut pieces, &raw[text_start..i - slashes]);
                    let kept = match (backslashes, slashes % 2) {
                        (Backslashes::Npm, _) => slashes / 2,
                        (Backslashes::YarnClassic, 1) => slashes,
                        (Backslashes::YarnClassic, _) => 0,
                    };
                    push_text(&mut pieces, &"\\".repeat(kept));
                    if slashes % 2 == 1 {
                        push_text(&mut pieces, &raw[i..=close]);
                    } else {
                        pieces.push(Piece::Env {
                            name: name.to_string(),
                            unset: if optional {
                                Unset::Empty
                            } else {
                                Unset::Strict
                            },
                        });
                    }
                    i = close + 1;
                    text_start = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    push_text(&mut pieces, &raw[text_start..]);
    Template {
        pieces: pieces.into(),
    }
}

/// `text` with each `${NAME:-default}` / `${NAME-default}` in it (not after a backslash, no
/// `$`, `{` or `}` inside, as pnpm's env-replace matches them) made a reference.
pub fn pnpm_defaults(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("${") {
        let inner_start = open + 2;
        let Some(len) = rest[inner_start..].find(['$', '{', '}']) else {
            break;
        };
        let close = inner_start + len;
        let inner = &rest[inner_start..close];
        let escaped = rest[..open].ends_with('\\');
        let reference = (rest.as_bytes()[close] == b'}' && !escaped)
            .then(|| inner.split_once('-'))
            .flatten()
            .and_then(|(name, default)| {
                let (name, unset) = match name.strip_suffix(':') {
                    Some(n) => (n, Unset::Default(default.to_string())),
                    None => (name, Unset::DefaultIfUnset(default.to_string())),
                };
                (!default.is_empty() && is_portable_env_name(name))
                    .then(|| (name.to_string(), unset))
            });
        let Some((name, unset)) = reference else {
            out.push(Piece::Text {
                text: rest[..inner_start].to_string(),
            });
            rest = &rest[inner_start..];
            continue;
        };
        out.push(Piece::Text {
            text: rest[..open].to_string(),
        });
        out.push(Piece::Env { name, unset });
        rest = &rest[close + 1..];
    }
    out.push(Piece::Text {
        text: rest.to_string(),
    });
    out
}

/// A name a shell can set: a letter or `_`, then letters, digits and `_`.
pub(crate) fn is_portable_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Deno's `expand_vars` (deno_npmrc): a backslash makes the next character literal;
/// `${NAME}` with no `$ { \` inside is a reference, and one whose name no shell can set
/// (`X?`, `X:-d`) is never set, so it is sent as written: literal text.
fn parse_deno(raw: &str) -> Template {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if c == '\\' {
            let mut chars = rest[1..].chars();
            if let Some(next) = chars.next() {
                text.push(next);
                rest = chars.as_str();
            } else {
                text.push('\\');
                rest = "";
            }
            continue;
        }
        if let Some(after) = rest.strip_prefix("${")
            && let Some(close) = after.find('}')
            && !after[..close].contains(['$', '{', '\\'])
        {
            let name = &after[..close];
            if is_portable_env_name(name) {
                push_text(&mut pieces, &std::mem::take(&mut text));
                pieces.push(Piece::Env {
                    name: name.to_string(),
                    unset: Unset::Strict,
                });
            } else {
                text.push_str(&rest[..close + 3]);
            }
            rest = &after[close + 1..];
            continue;
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    push_text(&mut pieces, &text);
    Template {
        pieces: pieces.into(),
    }
}

/// Bun: a whole value `$NAME` is a reference (unset gives the empty string).
/// `${{ secrets.NAME }}` (spaces inside the braces optional) as the whole value.
fn parse_dependabot(raw: &str) -> Template {
    let name = raw
        .trim()
        .strip_prefix("${{")
        .and_then(|r| r.strip_suffix("}}"))
        .map(str::trim)
        .and_then(|r| r.strip_prefix("secrets."))
        .filter(|n| is_portable_env_name(n));
    match name {
        Some(name) => Template::env(name, Unset::Strict),
        None => Template::literal(raw),
    }
}

fn parse_bun(raw: &str) -> Template {
    match raw.strip_prefix('$') {
        Some(name) if is_portable_env_name(name) => Template::env(name, Unset::Empty),
        _ => Template::literal(raw),
    }
}

/// Yarn Berry's replaceEnvVariables: `\` escapes `$`, `}` and `\`; names are
/// `[a-zA-Z]\w*`; `${X:-d}` / `${X-d}` defaults (kept as written, nested ones included).
fn parse_yarn(raw: &str) -> Template {
    let mut pieces = Vec::new();
    let chars: Vec<char> = raw.chars().collect();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && matches!(chars.get(i + 1), Some('$' | '}' | '\\')) {
            text.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '$'
            && chars.get(i + 1) == Some(&'{')
            && let Some((name, unset, end)) = yarn_reference(&chars, i + 2)
        {
            push_text(&mut pieces, &std::mem::take(&mut text));
            pieces.push(Piece::Env { name, unset });
            i = end;
            continue;
        }
        text.push(c);
        i += 1;
    }
    push_text(&mut pieces, &text);
    Template {
        pieces: pieces.into(),
    }
}

/// Parses the inside of `${...}` from `start`; returns the name, unset rule and the index
/// after the closing brace.
fn yarn_reference(chars: &[char], start: usize) -> Option<(String, Unset, usize)> {
    let mut i = start;
    if !chars.get(i)?.is_ascii_alphabetic() {
        return None;
    }
    while chars
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
    {
        i += 1;
    }
    let name: String = chars[start..i].iter().collect();
    match chars.get(i)? {
        '}' => Some((name, Unset::Strict, i + 1)),
        ':' | '-' => {
            let if_empty_too = chars[i] == ':';
            if if_empty_too {
                if chars.get(i + 1) != Some(&'-') {
                    return None;
                }
                i += 1;
            }
            i += 1;
            let default_start = i;
            let mut depth = 0;
            while let Some(&c) = chars.get(i) {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            chars.get(i)?;
            let default: String = chars[default_start..i].iter().collect();
            let unset = match (default.is_empty(), if_empty_too) {
                (true, _) => Unset::Empty,
                (false, true) => Unset::Default(default),
                (false, false) => Unset::DefaultIfUnset(default),
            };
            Some((name, unset, i + 1))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bun sends `${NPM_TOKEN}` in `bunfig.toml` as it is written: literal text, but no
    /// secret, shown as written so the `bun-braced-env-reference` finding beside it reads
    /// (it was masked, counted as a plain-text secret and given `chmod 600` advice).
    #[test]
    fn text_that_only_spells_references_is_no_secret() {
        let bun = Template::parse("${NPM_TOKEN}", Dialect::Bun);
        assert!(bun.has_literal_text());
        assert!(!bun.has_literal_secret());
        assert_eq!(bun.redacted(), bun);
        assert_eq!(bun.display(Dialect::Bun, true, false), "${NPM_TOKEN}");
        let secret = Template::parse("abc${NPM_TOKEN}", Dialect::Bun);
        assert!(secret.has_literal_secret());
        assert_eq!(secret.display(Dialect::Bun, true, false), "***");
    }

    /// An `.npmrc`'s `\${X}` is the literal `${X}`, which npm sends: a secret written out on
    /// purpose, masked, and shown as sent; Bun's `${X}` (above) stays readable.
    #[test]
    fn an_escaped_reference_is_a_literal_secret_where_it_was_escaped() {
        let escaped = Template::parse("\\${FAKE_ESCAPED}", Dialect::Npm);
        assert_eq!(escaped.as_literal().unwrap(), "${FAKE_ESCAPED}");
        assert_eq!(escaped.display(Dialect::Npm, true, false), "***");
        assert_eq!(
            escaped.redacted_in(Dialect::Npm).render(Dialect::Npm).0,
            "***"
        );
        assert_eq!(escaped.display(Dialect::Npm, true, true), "${FAKE_ESCAPED}");
        assert_eq!(escaped.shown_as_sent(Dialect::Npm), "${FAKE_ESCAPED}");
        let bun = Template::parse("${NPM_TOKEN}", Dialect::Bun);
        assert_eq!(bun.redacted_in(Dialect::Bun), bun);
        // A reference stays as written.
        let reference = Template::parse("${NPM_TOKEN}", Dialect::Npm);
        assert_eq!(reference.display(Dialect::Npm, true, true), "${NPM_TOKEN}");
        assert_eq!(reference.display(Dialect::Npm, true, false), "${NPM_TOKEN}");
    }

    #[test]
    fn pnpm_reads_a_default_of_its_own_in_its_user_files() {
        let env = |name: &str, unset| Piece::Env {
            name: name.into(),
            unset,
        };
        let text = |t: &str| Piece::Text { text: t.into() };
        let read = |t: &str| Template::parse(t, Dialect::PnpmUser).pieces.to_vec();
        assert_eq!(
            read("https://${HOST:-r.example.test}/npm/"),
            [
                text("https://"),
                env("HOST", Unset::Default("r.example.test".into())),
                text("/npm/"),
            ]
        );
        assert_eq!(
            read("${REG-https://a-b.example.test/}"),
            [env(
                "REG",
                Unset::DefaultIfUnset("https://a-b.example.test/".into())
            )]
        );
        assert_eq!(read("${T?}"), [env("T", Unset::Empty)]);
        // No default of its own, escaped, or not closed: text, as npm's notation has it.
        for kept in [
            "${REG:-}",
            "\\${REG:-x}",
            "${REG:-x",
            "${A B:-x}",
            "${R:-a{b}",
        ] {
            assert_eq!(read(kept), [text(kept)], "{kept}");
        }
        for written in ["${REG:-https://r.example.test/}", "a${B-c}d", "${T?}"] {
            let (shown, losses) =
                Template::parse(written, Dialect::PnpmUser).render(Dialect::PnpmUser);
            assert_eq!((shown.as_str(), losses), (written, Vec::new()));
        }
    }

    /// The shortcut for a whole `${NAME}` gives what each dialect's own parser gives.
    #[test]
    fn a_whole_reference_parses_as_the_dialects_own_parser_reads_it() {
        for raw in [
            "${T}",
            "${NPM_TOKEN_2}",
            "${_x9}",
            "${1R}",
            "${é}",
            "${}",
            "${A-B}",
            "${T?}",
            "${T:-}",
            "x${T}",
            "${T}}",
        ] {
            assert_eq!(Template::parse(raw, Dialect::Npm), parse_npm(raw), "{raw}");
            assert_eq!(
                Template::parse(raw, Dialect::YarnClassic),
                parse_npm(raw),
                "{raw}"
            );
            assert_eq!(
                Template::parse(raw, Dialect::Pnpm10),
                parse_npm(raw),
                "{raw}"
            );
            assert_eq!(
                Template::parse(raw, Dialect::Yarn),
                parse_yarn(raw),
                "{raw}"
            );
        }
        assert_eq!(whole_reference("${T}"), Some("T"));
        assert_eq!(whole_reference("${T?}"), None);
    }

    fn env(name: &str, unset: Unset) -> Piece {
        Piece::Env {
            name: name.into(),
            unset,
        }
    }

    #[test]
    fn npm_plain_and_optional_references() {
        assert_eq!(
            Template::parse("${NPM_TOKEN}", Dialect::Npm)
                .pieces
                .to_vec(),
            vec![env("NPM_TOKEN", Unset::Strict)]
        );
        assert_eq!(
            Template::parse("${NPM_TOKEN?}", Dialect::Npm)
                .pieces
                .to_vec(),
            vec![env("NPM_TOKEN", Unset::Empty)]
        );
    }

    #[test]
    fn npm_leaves_other_shapes_literal() {
        // spec/npm.md §9 #25
        for raw in ["$FOO", "${FOO:-d}"] {
            let t = Template::parse(raw, Dialect::Npm);
            assert!(!t.has_env(), "{raw}");
            assert_eq!(t.as_literal().unwrap(), raw);
        }
    }

    #[test]
    fn npm_backslash_parity() {
        // spec/npm.md §3: `\${FOO}` -> `${FOO}`; `\\${FOO}` -> `\` + value.
        assert_eq!(
            Template::parse("\\${FOO}", Dialect::Npm)
                .as_literal()
                .unwrap(),
            "${FOO}"
        );
        assert_eq!(
            Template::parse("\\\\${FOO}", Dialect::Npm).pieces.to_vec(),
            vec![Piece::Text { text: "\\".into() }, env("FOO", Unset::Strict)]
        );
    }

    #[test]
    fn npm_nested_reference_uses_inner_name() {
        // spec/npm.md §9 #27: `${${FOO}}` -> `${` + value + `}`
        assert_eq!(
            Template::parse("${${FOO}}", Dialect::Npm).pieces.to_vec(),
            vec![
                Piece::Text { text: "${".into() },
                env("FOO", Unset::Strict),
                Piece::Text { text: "}".into() }
            ]
        );
    }

    #[test]
    fn yarn_defaults() {
        assert_eq!(
            Template::parse("${T:-}", Dialect::Yarn).pieces.to_vec(),
            vec![env("T", Unset::Empty)]
        );
        assert_eq!(
            Template::parse("${T:-x}", Dialect::Yarn).pieces.to_vec(),
            vec![env("T", Unset::Default("x".into()))]
        );
        assert_eq!(
            Template::parse("${R-https://def.example}", Dialect::Yarn)
                .pieces
                .to_vec(),
            vec![env(
                "R",
                Unset::DefaultIfUnset("https://def.example".into())
            )]
        );
        assert_eq!(
            Template::parse("${R:-${S:-in}}", Dialect::Yarn)
                .pieces
                .to_vec(),
            vec![env("R", Unset::Default("${S:-in}".into()))]
        );
    }

    #[test]
    fn yarn_escapes_and_literals() {
        assert_eq!(
            Template::parse("\\${R}", Dialect::Yarn)
                .as_literal()
                .unwrap(),
            "${R}"
        );
        assert_eq!(
            Template::parse("$NAME", Dialect::Yarn)
                .as_literal()
                .unwrap(),
            "$NAME"
        );
        assert!(!Template::parse("${1R}", Dialect::Yarn).has_env());
    }

    /// dependabot.yml names a Dependabot secret as the whole value, nothing else.
    #[test]
    fn dependabot_reads_only_whole_secret_references() {
        assert_eq!(
            Template::parse("${{ secrets.NPM_TOKEN }}", Dialect::Dependabot),
            Template::env("NPM_TOKEN", Unset::Strict)
        );
        assert_eq!(
            Template::env("NPM_TOKEN", Unset::Strict)
                .render(Dialect::Dependabot)
                .0,
            "${{secrets.NPM_TOKEN}}"
        );
        assert!(!Template::parse("${NPM_TOKEN}", Dialect::Dependabot).has_env());
        let (_, losses) = Template::from_pieces([
            Piece::Text {
                text: "Bearer ".into(),
            },
            Piece::Env {
                name: "T".into(),
                unset: Unset::Strict,
            },
        ])
        .render(Dialect::Dependabot);
        assert_eq!(losses.len(), 1);
    }

    #[test]
    fn bun_expands_only_whole_dollar_values() {
        // spec/pnpm-bun-deno.md §3.1: `$VAR` whole value only; `${VAR}` and `pre-$VAR` literal.
        assert_eq!(
            Template::parse("$NPM_TOKEN", Dialect::Bun).pieces.to_vec(),
            vec![env("NPM_TOKEN", Unset::Empty)]
        );
        assert!(!Template::parse("${NPM_TOKEN}", Dialect::Bun).has_env());
        assert!(!Template::parse("pre-$NPM_TOKEN", Dialect::Bun).has_env());
        let npm = Template::parse("${NPM_TOKEN}", Dialect::Npm);
        assert_eq!(npm.render(Dialect::Bun), ("$NPM_TOKEN".to_string(), vec![]));
        let mixed = Template::parse("pre-${T}", Dialect::Npm);
        assert_eq!(mixed.render(Dialect::Bun).1.len(), 1);
        assert_eq!(Template::literal("$HOME").render(Dialect::Bun).1.len(), 1);
    }

    #[test]
    fn yarn_classic_has_no_optional_references() {
        let t = Template::parse("${T?}", Dialect::Npm);
        let (text, losses) = t.render(Dialect::YarnClassic);
        assert_eq!(text, "${T}");
        assert_eq!(losses.len(), 1);
    }

    /// Deno's `expand_vars`: `${X}` only, `${X?}` is text, a backslash escapes any character.
    #[test]
    fn deno_reads_only_plain_references() {
        assert_eq!(
            Template::parse("${T}", Dialect::Deno),
            Template::env("T", Unset::Strict)
        );
        assert_eq!(
            Template::parse("${T?}", Dialect::Deno),
            Template::literal("${T?}")
        );
        assert_eq!(
            Template::parse("a\\b\\${T}", Dialect::Deno),
            Template::literal("ab${T}")
        );
        let (text, losses) = Template::parse("${T?}", Dialect::Npm).render(Dialect::Deno);
        assert_eq!(text, "${T}");
        assert_eq!(losses.len(), 1);
        let literal = Template::literal("a\\${b}");
        let (text, losses) = literal.render(Dialect::Deno);
        assert!(losses.is_empty(), "{losses:?}");
        assert_eq!(Template::parse(&text, Dialect::Deno), literal);
    }

    #[test]
    fn renders_across_dialects() {
        let t = Template::parse("${NPM_TOKEN?}", Dialect::Npm);
        assert_eq!(t.render(Dialect::Yarn).0, "${NPM_TOKEN:-}");
        let t = Template::parse("${NPM_TOKEN:-}", Dialect::Yarn);
        assert_eq!(t.render(Dialect::Npm).0, "${NPM_TOKEN?}");
        let t = Template::parse("${T:-fallback}", Dialect::Yarn);
        let (text, losses) = t.render(Dialect::Npm);
        assert_eq!(text, "${T}");
        assert_eq!(losses.len(), 1);
        let t = Template::literal("a${b}");
        assert_eq!(t.render(Dialect::Npm), ("a\\${b}".to_string(), vec![]));
        assert_eq!(t.render(Dialect::Yarn), ("a\\${b}".to_string(), vec![]));
        // Not a reference in npm, so no escape is needed (or wanted).
        assert_eq!(Template::literal("a${b").render(Dialect::Npm).0, "a${b");
    }

    proptest::proptest! {
        /// The read-back check `render` skips for plain templates would have found nothing:
        /// they read back as themselves in every dialect that spells `${NAME}`.
        #[test]
        fn plain_templates_read_back_in_every_dialect(
            parts in proptest::collection::vec(
                ("[ -~]{0,6}", proptest::option::of("[A-Za-z_][A-Za-z0-9_]{0,4}")),
                1..4,
            )
        ) {
            let mut pieces = Vec::new();
            for (text, name) in parts {
                push_text(&mut pieces, &text);
                if let Some(name) = name {
                    pieces.push(env(&name, Unset::Strict));
                }
            }
            let t = Template {
                pieces: pieces.into(),
            };
            if t.reads_back_plainly() {
                for d in [Dialect::Npm, Dialect::Yarn, Dialect::Pnpm10, Dialect::YarnClassic, Dialect::Deno] {
                    let (out, losses) = t.render(d);
                    proptest::prop_assert!(losses.is_empty());
                    proptest::prop_assert_eq!(Template::parse(&out, d), t.clone(), "{:?} {}", d, out);
                }
            }
        }
    }

    proptest::proptest! {
        /// Text with `$`, `{`, `}` and backslashes, before and after references, is escaped
        /// so that it reads back as itself: nothing lost in npm's, Yarn's or Deno's notation.
        #[test]
        fn escaped_text_reads_back_as_itself(
            parts in proptest::collection::vec(
                ("[a$\\\\{}]{0,5}", proptest::option::of("[A-Z][A-Z0-9_]{0,3}")),
                1..4,
            )
        ) {
            let mut pieces = Vec::new();
            for (text, name) in parts {
                push_text(&mut pieces, &text);
                if let Some(name) = name {
                    pieces.push(env(&name, Unset::Strict));
                }
            }
            let t = Template { pieces: pieces.into() };
            for d in [Dialect::Npm, Dialect::Yarn, Dialect::Deno] {
                let (out, losses) = t.render(d);
                proptest::prop_assert!(losses.is_empty(), "{:?} {} {:?}", d, out, losses);
                proptest::prop_assert_eq!(Template::parse(&out, d), t.clone(), "{:?} {}", d, out);
            }
        }
    }

    /// Yarn 1 never looks up a literal `${NAME}` written for it: it keeps the backslash.
    #[test]
    fn a_literal_reference_is_never_live_for_yarn_classic() {
        let t = Template::literal("${GITHUB_TOKEN}");
        assert_eq!(t.render(Dialect::YarnClassic).0, "\\${GITHUB_TOKEN}");
    }

    /// The openings and closings of a default form are reference syntax, not a secret.
    #[test]
    fn a_default_forms_syntax_is_no_literal_secret() {
        assert!(!Template::parse("${A:-${B}}", Dialect::Npm).has_literal_secret());
        assert!(!Template::parse("${A-${B}}", Dialect::Npm).has_literal_secret());
        assert!(Template::parse("${A:-FAKE}", Dialect::Npm).has_literal_secret());
        assert!(Template::parse("FAKE}", Dialect::Npm).has_literal_secret());
        assert!(Template::parse("${1:-${B}}", Dialect::Npm).has_literal_secret());
        // Only around a reference: a literal that looks like an opening is text.
        assert!(Template::literal("${FAKE-}").has_literal_secret());
        assert!(Template::parse("${A:-${B}}x", Dialect::Npm).has_literal_secret());
    }

    /// Yarn reads `\${H}` as the literal `${H}`, as npm does: a literal reference is written
    /// so in both (the route of a `.yarnrc` `registry "https://${H}/"` compares alike).
    #[test]
    fn a_literal_reference_is_escaped_alike_in_npm_and_yarn() {
        let t = Template::literal("https://${H}/");
        assert_eq!(t.render(Dialect::Npm).0, "https://\\${H}/");
        assert_eq!(t.render(Dialect::Yarn).0, "https://\\${H}/");
        // A backslash before a reference is doubled, so it does not escape it.
        let t =
            Template::from_pieces([Piece::Text { text: "a\\".into() }, env("X", Unset::Strict)]);
        assert_eq!(t.render(Dialect::Yarn).0, "a\\\\${X}");
        assert_eq!(t.render(Dialect::Npm).0, "a\\\\${X}");
    }

    /// Registry URLs and other plain text are written as they are, with nothing lost.
    #[test]
    fn a_plain_literal_renders_as_written_in_every_dialect() {
        for text in ["https://r.example/npm/", "caf\u{e9} au lait", "a:b@c"] {
            let t = Template::literal(text);
            assert!(t.reads_back_plainly(), "{text}");
            for d in [
                Dialect::Npm,
                Dialect::Yarn,
                Dialect::Pnpm10,
                Dialect::YarnClassic,
                Dialect::Deno,
            ] {
                assert_eq!(t.render(d), (text.to_string(), vec![]), "{d:?}");
            }
        }
    }

    #[test]
    fn plainness_is_what_the_read_back_check_may_skip() {
        for plain in ["Bearer ${TOKEN} for ${USER_1}", "${A}${B}", "text"] {
            assert!(
                Template::parse(plain, Dialect::Npm).reads_back_plainly(),
                "{plain}"
            );
        }
        // An optional reference, an escape, a name Yarn does not read, braces in the text.
        for not_plain in ["a${B?}", "a\\${B}", "${_B}", "a{b}"] {
            let t = Template::parse(not_plain, Dialect::Npm);
            assert!(!t.reads_back_plainly(), "{not_plain}");
        }
        assert!(!Template::default().reads_back_plainly());
    }
}
