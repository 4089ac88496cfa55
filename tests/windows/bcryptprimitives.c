/* bcryptprimitives.dll for running KýSố's Windows build under Wine 8 (tests only, never shipped).
 *
 * Rust's standard library (>= 1.78) takes its random numbers from ProcessPrng in
 * bcryptprimitives.dll, which Windows 10 and 11 have and Wine 8.0 does not: without this
 * DLL beside kyso.exe, Wine refuses to start it. This one function fills the buffer from
 * RtlGenRandom (advapi32's SystemFunction036), which Wine implements.
 *
 * Built at test time by tests/windows/run.sh:
 *   x86_64-w64-mingw32-gcc -O2 -shared -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
