//! `Chunked`: a long JSON array read into fixed-size chunks.
//!
//! A `Vec` read from a JSON array grows by doubling, so a 100,000-element
//! array of observations is copied about twice over and touches twice its
//! final memory before it settles. Chunks of [`CHUNK`] elements are
//! allocated once and never moved (the first grows as a vector does, so a
//! small array costs no more than one), and they can be dropped one by one
//! as the loader consumes them.

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};
use std::marker::PhantomData;

/// Elements per chunk.
const CHUNK: usize = 4096;

/// The elements of a JSON array, in order, in chunks of [`CHUNK`].
pub(super) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    /// The number of elements.
    pub(super) fn len(&self) -> usize {
        self.len
    }
}

impl<T> IntoIterator for Chunked<T> {
    type Item = T;
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<Vec<T>>>;
    fn into_iter(self) -> Self::IntoIter {
        self.chunks.into_iter().flatten()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Chunked<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Chunked<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Chunked<T>, A::Error> {
                let mut out = Chunked::default();
                // The first chunk grows as a vector does, so a small
                // bundle reserves no more than it holds; later ones are
                // allocated whole.
                let mut chunk = Vec::new();
                while let Some(x) = seq.next_element()? {
                    if chunk.capacity() == 0 && !out.chunks.is_empty() {
                        chunk.reserve_exact(CHUNK);
                    }
                    chunk.push(x);
                    out.len += 1;
                    if chunk.len() == CHUNK {
                        out.chunks.push(std::mem::take(&mut chunk));
                    }
                }
                if !chunk.is_empty() {
                    out.chunks.push(chunk);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Order and count survive chunk boundaries, for lengths around them.
    #[test]
    fn keeps_every_element_in_order() {
        for n in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7] {
            let v: Vec<usize> = (0..n).collect();
            let text = serde_json::to_string(&v).expect("json");
            let c: Chunked<usize> = serde_json::from_str(&text).expect("chunked");
            assert_eq!(c.len(), n);
            assert_eq!(c.into_iter().collect::<Vec<_>>(), v);
        }
    }

    /// A non-array, or an element of the wrong type, is refused, as a
    /// `Vec` would refuse it.
    #[test]
    fn refuses_what_a_vec_refuses() {
        assert!(serde_json::from_str::<Chunked<usize>>("{}").is_err());
        assert!(serde_json::from_str::<Chunked<usize>>("[1, \"x\"]").is_err());
    }
}
