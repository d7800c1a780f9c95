using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Status499.ArcGisServer;

// Names a username without storing or logging it: SHA-256 over its lower-cased UTF-8 bytes, in lower-case hex. The
// cache key holds the whole digest (a fixed length whatever the username's); logs show its first 12 digits, which an
// operator can reproduce with `printf %s alice | sha256sum | cut -c1-12`. Lower-casing makes "Alice" and "ALICE" one
// account for the lockout, so a case-insensitive user store cannot be guessed around it.
internal static class UsernameDigest
{
    public const int LoggedHexDigits = 12;
    private const int StackLimit = 256;

    public static string CacheKey(string prefix, string username, out byte firstByte)
    {
        var lower = username.ToLowerInvariant();
        var length = Encoding.UTF8.GetByteCount(lower);
        byte[]? rented = null;
        Span<byte> utf8 = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        try
        {
            SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(lower, utf8)], hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        firstByte = hash[0];
        Span<char> hex = stackalloc char[hash.Length * 2];
        for (var i = 0; i < hash.Length; i++)
        {
            hex[i * 2] = ToHex(hash[i] >> 4);
            hex[(i * 2) + 1] = ToHex(hash[i] & 0xF);
        }

        return string.Concat(prefix, hex);
    }

    // The digits a log shows, taken back from a key made by CacheKey.
    public static string Logged(string prefix, string cacheKey) => cacheKey.Substring(prefix.Length, LoggedHexDigits);

    private static char ToHex(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
