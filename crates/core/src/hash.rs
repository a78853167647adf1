//! The hash maps of the core, with the hasher each target does best.
//!
//! Natively, `foldhash` (seeded per map, so hostile keys cannot be chosen
//! to collide): it is several times faster than SipHash on the loader's
//! short string keys. On 32-bit WebAssembly it would emulate its 64×64→128
//! multiplication, so the viewer keeps the standard library's SipHash.

/// The hasher of the core's maps on this target.
#[cfg(target_pointer_width = "64")]
pub type State = foldhash::fast::RandomState;
/// The hasher of the core's maps on this target.
#[cfg(not(target_pointer_width = "64"))]
pub type State = std::hash::RandomState;

/// A hash map with [`State`].
pub type HashMap<K, V> = std::collections::HashMap<K, V, State>;
/// A hash set with [`State`].
pub type HashSet<K> = std::collections::HashSet<K, State>;
