//! The sign/verify queue and the archive (R12, R16, R17): one SQLite file in the
//! user's data dir, with migrations, each document's history, and the released and
//! registered files kept in their original bytes.
