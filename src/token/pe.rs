//! The processor a Windows driver DLL is built for, read from its PE header.
//!
//! A 64-bit program cannot load a 32-bit DLL (Windows answers with error 193, "not a
//! valid Win32 application"). Token vendors install the 32-bit driver in `SysWOW64`
//! and, when they ship one, the 64-bit driver in `System32`; some older kits install
//! only the 32-bit one. Reading the header first lets discovery prefer the usable copy
//! and lets the error say which driver to install.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The processor a PE image (EXE or DLL) runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    /// 32-bit x86 (`IMAGE_FILE_MACHINE_I386`).
    X86,
    /// 64-bit x86 (`IMAGE_FILE_MACHINE_AMD64`).
    X64,
    /// 64-bit ARM (`IMAGE_FILE_MACHINE_ARM64`).
    Arm64,
    /// Any other machine code.
    Other(u16),
}

impl Arch {
    /// From the COFF header's `Machine` field.
    pub fn from_machine(machine: u16) -> Arch {
        match machine {
            0x014c => Arch::X86,
            0x8664 => Arch::X64,
            0xaa64 => Arch::Arm64,
            other => Arch::Other(other),
        }
    }

    /// The architecture this program was built for.
    pub fn of_this_program() -> Arch {
        if cfg!(target_arch = "x86_64") {
            Arch::X64
        } else if cfg!(target_arch = "x86") {
            Arch::X86
        } else if cfg!(target_arch = "aarch64") {
            Arch::Arm64
        } else {
            Arch::Other(0)
        }
    }

    /// How users and vendors name it: `32-bit (x86)`, `64-bit (x64)`, `ARM64`.
    pub fn label(self) -> String {
        match self {
            Arch::X86 => "32-bit (x86)".to_owned(),
            Arch::X64 => "64-bit (x64)".to_owned(),
            Arch::Arm64 => "ARM64".to_owned(),
            Arch::Other(m) => format!("machine 0x{m:04x}"),
        }
    }
}

/// Where the PE header may start at most (`e_lfanew`); real files use a few hundred bytes.
const MAX_HEADER_OFFSET: u32 = 1 << 20;

/// The machine of a PE image given its first bytes (`MZ` header, `PE\0\0` signature at
/// `e_lfanew`, then the COFF `Machine`); `None` if `head` is not (enough of) a PE file.
pub fn machine_of(head: &[u8]) -> Option<Arch> {
    if head.get(0..2)? != b"MZ" {
        return None;
    }
    let at = usize::try_from(u32::from_le_bytes(head.get(0x3c..0x40)?.try_into().ok()?)).ok()?;
    if head.get(at..at.checked_add(4)?)? != b"PE\0\0" {
        return None;
    }
    let m = head.get(at + 4..at + 6)?;
    Some(Arch::from_machine(u16::from_le_bytes([m[0], m[1]])))
}

/// The machine of the PE file at `path`: `None` when it cannot be read or is not a PE
/// file (a Linux `.so`, say) — the loader then gives its own answer.
pub fn machine_of_file(path: &Path) -> Option<Arch> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut dos = [0u8; 0x40];
    f.read_exact(&mut dos).ok()?;
    if &dos[0..2] != b"MZ" {
        return None;
    }
    let at = u32::from_le_bytes([dos[0x3c], dos[0x3d], dos[0x3e], dos[0x3f]]);
    if at > MAX_HEADER_OFFSET {
        return None;
    }
    f.seek(SeekFrom::Start(u64::from(at))).ok()?;
    let mut pe = [0u8; 6];
    f.read_exact(&mut pe).ok()?;
    if &pe[0..4] != b"PE\0\0" {
        return None;
    }
    Some(Arch::from_machine(u16::from_le_bytes([pe[4], pe[5]])))
}

/// A minimal PE header for `machine` (tests: fake drivers in a fake `System32`).
#[cfg(test)]
pub(crate) fn fake_pe_header(machine: u16) -> Vec<u8> {
    let mut v = vec![0u8; 0x80 + 6];
    v[0..2].copy_from_slice(b"MZ");
    v[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
    v[0x80..0x84].copy_from_slice(b"PE\0\0");
    v[0x84..0x86].copy_from_slice(&machine.to_le_bytes());
    v
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_machine_of_x86_and_x64_headers() {
        assert_eq!(machine_of(&fake_pe_header(0x014c)), Some(Arch::X86));
        assert_eq!(machine_of(&fake_pe_header(0x8664)), Some(Arch::X64));
        assert_eq!(machine_of(&fake_pe_header(0xaa64)), Some(Arch::Arm64));
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("BkavCA.dll");
        std::fs::write(&f, fake_pe_header(0x014c)).unwrap();
        assert_eq!(machine_of_file(&f), Some(Arch::X86));
        assert_eq!(Arch::X86.label(), "32-bit (x86)");
    }

    #[test]
    fn rejects_what_is_not_a_pe_file() {
        assert_eq!(machine_of(b""), None);
        assert_eq!(machine_of(b"\x7fELF\x02\x01\x01"), None);
        let mut bad = fake_pe_header(0x8664);
        bad[0x3c..0x40].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(machine_of(&bad), None, "e_lfanew past the end");
        let mut sig = fake_pe_header(0x8664);
        sig[0x80] = b'X';
        assert_eq!(machine_of(&sig), None);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("libsofthsm2.so");
        std::fs::write(&f, b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0").unwrap();
        assert_eq!(machine_of_file(&f), None);
        let far = dir.path().join("far.dll");
        std::fs::write(&far, &bad).unwrap();
        assert_eq!(machine_of_file(&far), None);
        assert_eq!(machine_of_file(&dir.path().join("missing.dll")), None);
    }
}
