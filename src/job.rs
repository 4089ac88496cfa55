//! A signing job as data: what `kyso sign`, the agent and the desktop app ask for
//! (input, output, role, stamp options), turned into a stamp plan and a signature.
