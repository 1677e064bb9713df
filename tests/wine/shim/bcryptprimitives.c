/* Minimal bcryptprimitives.dll for Wine 8.0 (Debian bookworm's), which lacks it.
 *
 * Why it exists: Rust's std (>= 1.78) imports ProcessPrng from
 * bcryptprimitives.dll; without that DLL every Rust exe dies under Wine 8.0
 * before main (loader status c0000135, Wine exit status 53, no output).
 * .ci/wine-e2e builds this with mingw-w64 and puts it next to the fixtures.
 * ProcessPrng is implemented with RtlGenRandom (advapi32!SystemFunction036),
 * which Wine has. Not needed on Windows 10+ or newer Wine. */
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buf, ULONG len);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk; len -= chunk;
    }
    return TRUE;
}
BOOL WINAPI DllMain(HINSTANCE h, DWORD r, LPVOID p) { (void)h; (void)r; (void)p; return TRUE; }
