//! Agent mode: token access in a separate process, spoken to over stdin/stdout
//! (one JSON object per line), so a crashing or hanging vendor driver costs an
//! error message, never the caller.
