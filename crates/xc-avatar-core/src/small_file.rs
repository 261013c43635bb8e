//! Reading a small file the user points to (an API certificate, vesctl's profile): a regular
//! file only, its size checked before a byte is read, and never more than the ceiling read.

use std::io::Read as _;
use std::path::Path;

/// Why a small file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    NotFound,
    /// A folder, FIFO, device or socket.
    NotAFile,
    TooLarge {
        max_bytes: u64,
    },
    Io(String),
}

/// The bytes of the file at `path`, at most `max_bytes` of them.
pub fn read(path: &Path, max_bytes: u64) -> Result<Vec<u8>, Problem> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(Problem::NotFound),
        Err(err) => return Err(Problem::Io(err.to_string())),
    };
    if !metadata.is_file() {
        return Err(Problem::NotAFile);
    }
    if metadata.len() > max_bytes {
        return Err(Problem::TooLarge { max_bytes });
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(max_bytes).read_to_end(&mut bytes))
        .map_err(|err| Problem::Io(err.to_string()))?;
    Ok(bytes)
}
