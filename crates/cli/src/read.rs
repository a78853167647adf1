//! Reading bundle files, bounded.
//!
//! A bundle names the files it includes, so a hostile bundle chooses what
//! the CLI opens. Only regular files are read, and only up to the size
//! limit: the size is checked before reading and the read itself stops one
//! byte past the limit. Devices (`/dev/zero`, `/dev/stdin`), FIFOs,
//! sockets and directories are refused before they are opened, so nothing
//! streams forever; what was opened is checked again. (A path swapped for a
//! FIFO between the check and the open could still block the open.)

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file could not be read as text.
pub enum ReadError {
    /// The file could not be opened or read, or is not a regular file.
    Io(String),
    /// The bytes are not UTF-8.
    NotText(String),
}

/// Reads `file` as UTF-8 text if it is a regular file of at most `max_bytes`.
pub fn read_bundle_file(file: &Path, max_bytes: usize) -> Result<String, ReadError> {
    let shown = file.display();
    let meta =
        std::fs::metadata(file).map_err(|e| ReadError::Io(format!("cannot read {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(ReadError::Io(format!(
            "cannot read {shown}: not a regular file (only regular files are read, never devices, pipes or directories)"
        )));
    }
    if meta.len() > max_bytes as u64 {
        return Err(ReadError::Io(format!(
            "cannot read {shown}: it is {} bytes, more than the limit of {max_bytes} bytes",
            meta.len()
        )));
    }
    let f = File::open(file).map_err(|e| ReadError::Io(format!("cannot read {shown}: {e}")))?;
    // The file may have changed since: check what was opened, and never
    // read more than one byte past the limit.
    let opened = f
        .metadata()
        .map_err(|e| ReadError::Io(format!("cannot read {shown}: {e}")))?;
    if !opened.is_file() {
        return Err(ReadError::Io(format!(
            "cannot read {shown}: not a regular file"
        )));
    }
    let mut bytes = Vec::with_capacity(opened.len().min(max_bytes as u64) as usize);
    f.take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(format!("cannot read {shown}: {e}")))?;
    if bytes.len() > max_bytes {
        return Err(ReadError::Io(format!(
            "cannot read {shown}: it grew past the limit of {max_bytes} bytes while being read"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        ReadError::NotText(format!(
            "{shown} is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io_message(r: Result<String, ReadError>) -> String {
        match r {
            Err(ReadError::Io(m)) => m,
            Err(ReadError::NotText(m)) => panic!("expected an I/O refusal, got: {m}"),
            Ok(_) => panic!("expected a refusal"),
        }
    }

    #[test]
    fn devices_and_directories_are_refused_unread() {
        for dev in ["/dev/zero", "/dev/stdin", "/dev/null", "/"] {
            let m = io_message(read_bundle_file(Path::new(dev), 1024));
            assert!(m.contains("not a regular file"), "{dev}: {m}");
        }
    }

    #[test]
    fn size_is_checked_before_reading() {
        let dir = std::env::temp_dir().join(format!("whoserves-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.json");
        std::fs::write(&big, vec![b' '; 2048]).unwrap();
        let m = io_message(read_bundle_file(&big, 1024));
        assert!(m.contains("more than the limit of 1024 bytes"), "{m}");
        assert_eq!(
            read_bundle_file(&big, 4096).ok().map(|s| s.len()),
            Some(2048)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
