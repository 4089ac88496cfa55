/* Stand-in for Microsoft's MicrosoftEdgeWebview2Setup.exe (tests only): the installer runs
 * the bootstrapper IT put beside it when the WebView2 runtime is missing. This records the
 * arguments it was given in webview2-setup-args.txt beside itself and registers a runtime
 * version for the current user, as the real per-user install does.
 *
 *   x86_64-w64-mingw32-gcc -O2 -municode -o MicrosoftEdgeWebview2Setup.exe fake-webview2-setup.c
 */
#include <windows.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv)
{
    wchar_t path[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH);
    while (n > 0 && path[n - 1] != L'\\')
        n--;
    wcscpy(path + n, L"webview2-setup-args.txt");
    FILE *f = _wfopen(path, L"w");
    if (!f)
        return 1;
    for (int i = 1; i < argc; i++)
        fwprintf(f, L"%ls%ls", i > 1 ? L" " : L"", argv[i]);
    fclose(f);
    const wchar_t *key = L"Software\\Microsoft\\EdgeUpdate\\Clients\\"
                         L"{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}";
    const wchar_t *version = L"131.0.2903.70";
    HKEY h;
    if (RegCreateKeyExW(HKEY_CURRENT_USER, key, 0, NULL, 0, KEY_WRITE, NULL, &h, NULL))
        return 1;
    LONG r = RegSetValueExW(h, L"pv", 0, REG_SZ, (const BYTE *)version,
                            (DWORD)((wcslen(version) + 1) * sizeof(wchar_t)));
    RegCloseKey(h);
    return r ? 1 : 0;
}
