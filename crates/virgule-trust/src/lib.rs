//! Advogato's attack-resistant trust metric for Virgule: certifications in, a level per member
//! out, and diary ratings propagated through those certifications ([`interest`]). Pure
//! computation (no I/O) so the site, the worker and `virgule trust compute` share one
//! implementation; the algorithm and its tie-breaking are specified in docs/trust.md.

mod capacity;
mod graph;
pub mod interest;
mod level;
mod metric;
mod parse;
mod report;

pub use capacity::{AttackBound, Capacities, CapacityMode, GROWTH_HEADROOM, UnknownMode};
pub use graph::{Graph, GraphBuilder, GraphError};
pub use level::{Level, UnknownLevel};
pub use metric::{Ranking, compute, diagnose};
pub use parse::{ParseError, parse_graph};
pub use report::{Bottleneck, LevelReport, Limit, Report, Usage};

/// mod_virgule's shipped capacities, one per distance from ROOT (the last repeats).
pub const DEFAULT_CAPS: [u32; 7] = [800, 200, 50, 12, 4, 2, 1];
