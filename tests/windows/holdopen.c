/* holdopen.exe FILE: keep FILE open the way a PDF reader does while the user looks at it
 * (read access, others may read but not write, rename or delete it), print "open" and wait
 * until standard input closes. Tests that kyso refuses, clearly and without damage, to
 * replace an output another program holds open (tests/windows_wine.rs).
 *
 *   x86_64-w64-mingw32-gcc -O2 -municode -o holdopen.exe holdopen.c
 */
#include <windows.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc != 2) {
        fputs("usage: holdopen FILE\n", stderr);
        return 2;
    }
    HANDLE h = CreateFileW(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "holdopen: cannot open (error %lu)\n", GetLastError());
        return 1;
    }
    puts("open");
    fflush(stdout);
    char buf[64];
    while (fread(buf, 1, sizeof buf, stdin) > 0) {
    }
    CloseHandle(h);
    return 0;
}
