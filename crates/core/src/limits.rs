//! Limits that keep a browser tab alive on hostile or oversized input.
//!
//! A bundle is untrusted. Each limit bounds memory or time; exceeding one is
//! an error diagnostic that names it. They hold for a bundle and its
//! included libraries together.
//!
//! # The cost bound
//!
//! **Any bundle within [`Limits::default`] goes through load (validation),
//! evaluation and verdicts in at most 2 s and 400 MB natively**, on one core
//! of the 2-core CI machine (release build, 2026-11). The input limits bound
//! the data; four limits bound the work itself: [`Limits::max_regexes`]
//! and [`Limits::max_regex_bytes`] (compilations and their size), [`Limits::max_matches`] (each match
//! costs a trace) and [`Limits::max_work`] (index hits and condition parts
//! confirmed, about 0.1 µs a unit). `make bench` prints the adversarial
//! shapes that come closest (`benches/adversarial.rs`); they take
//! 0.4–1.8 s (varying between runs) and 140–260 MB each (2026-11-23). The viewer runs the same core in
//! WebAssembly, a few times slower. See `docs/bundle-format.md`.

/// Upper bounds applied while loading a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of arrays and objects in the JSON text.
    pub max_depth: usize,
    /// Most entries in `meta.sources`.
    pub max_sources: usize,
    /// Most categories.
    pub max_categories: usize,
    /// Most entities.
    pub max_entities: usize,
    /// Most observations.
    pub max_observations: usize,
    /// Most range sets.
    pub max_ranges: usize,
    /// Most prefixes over all range sets.
    pub max_prefixes: usize,
    /// Most rules.
    pub max_rules: usize,
    /// Most claims.
    pub max_claims: usize,
    /// Most examples per rule (match and no-match together).
    pub max_examples: usize,
    /// Deepest nesting of `all` / `any` / `not`.
    pub max_condition_depth: usize,
    /// Most parts in one rule's condition.
    pub max_condition_nodes: usize,
    /// Compiled size limit per regex, in bytes (the NFA's size).
    pub regex_size_limit: usize,
    /// Most `regex` conditions over all rules (each costs a compilation).
    pub max_regexes: usize,
    /// Largest compiled size of all regexes together, in bytes.
    pub max_regex_bytes: usize,
    /// Deepest chain of `parent`s (an AWS service -> Amazon is 1).
    pub max_parent_depth: usize,
    /// Longest observation value, in bytes.
    pub max_value_bytes: usize,
    /// Most rule matches (traces) over the whole bundle. Evaluation stops
    /// at this many with an error: rules that broad say nothing.
    pub max_matches: usize,
    /// Most work evaluation may do, in the engine's units (index hits,
    /// and condition parts confirmed times the value's 32-byte blocks;
    /// see [`crate::engine`]). It stops at this much with an error.
    pub max_work: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 32 * 1024 * 1024,
            max_depth: 64,
            max_sources: 10_000,
            max_categories: 100,
            max_entities: 20_000,
            max_observations: 200_000,
            max_ranges: 1_000,
            max_prefixes: 500_000,
            max_rules: 10_000,
            max_claims: 20_000,
            max_examples: 100,
            max_condition_depth: 16,
            max_condition_nodes: 256,
            regex_size_limit: 256 * 1024,
            max_regexes: 10_000,
            max_regex_bytes: 64 * 1024 * 1024,
            max_parent_depth: 8,
            max_value_bytes: 16 * 1024,
            max_matches: 500_000,
            max_work: 10_000_000,
        }
    }
}

impl Limits {
    /// Limits for trusted, generated input such as benchmarks: counts and
    /// sizes unbounded, structural limits kept.
    pub fn generous() -> Self {
        Limits {
            max_bytes: usize::MAX,
            max_sources: usize::MAX,
            max_categories: usize::MAX,
            max_entities: usize::MAX,
            max_observations: usize::MAX,
            max_ranges: usize::MAX,
            max_prefixes: usize::MAX,
            max_rules: usize::MAX,
            max_claims: usize::MAX,
            max_matches: usize::MAX,
            max_regexes: usize::MAX,
            max_regex_bytes: usize::MAX,
            max_work: u64::MAX,
            ..Limits::default()
        }
    }
}
