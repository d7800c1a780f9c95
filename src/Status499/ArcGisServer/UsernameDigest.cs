using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Status499.ArcGisServer;

// Names a username without storing or logging it, in two ways:
//   - the lockout's cache key: SHA-256 over the UTF-8 of the folded username (the app's store normaliser, if any, then
//     UsernameFolding), in lower-case hex. Unkeyed, so that every instance of a farm finds the same record in a shared
//     Redis; whoever can read that Redis can test guesses against its keys, so secure it like the user store.
//   - the digest in logs: the first 12 hex digits of HMAC-SHA256 over that cache key, under a random key made when the
//     app starts. Logs travel further than the app's secrets (aggregators, support tickets, screenshots) and a username
//     field sometimes holds a password typed in the wrong box: an unkeyed hash of it could be tested offline against
//     guesses, this one cannot. The key is per process on purpose: a stable one would need a secret the library does
//     not have (an app with its own issuer may have no Data Protection key ring); within one run the digest still tells
//     lockouts of one account from another. 48 bits make a collision among the accounts of one run unlikely.
internal sealed class UsernameDigest
{
    public const int LoggedHexDigits = 12;
    private const int StackLimit = 256;

    private readonly Func<string, string>? _storeNormalizer;
    private readonly byte[] _logKey = RandomNumberGenerator.GetBytes(32);

    // storeNormalizer: how the app's user store matches names (ArcGisTokenLockoutOptions.NormalizeUsername, or
    // Identity's ILookupNormalizer), applied before the library's own folding.
    public UsernameDigest(Func<string, string>? storeNormalizer) => _storeNormalizer = storeNormalizer;

    public string CacheKey(string prefix, string username, out byte firstByte)
    {
        var folded = UsernameFolding.Fold(_storeNormalizer is null ? username : _storeNormalizer(username) ?? string.Empty);
        var length = Encoding.UTF8.GetByteCount(folded);
        byte[]? rented = null;
        Span<byte> utf8 = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        try
        {
            SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(folded, utf8)], hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        firstByte = hash[0];
        return string.Concat(prefix, Hex(hash));
    }

    // The digits a log shows for a key made by CacheKey.
    public string Logged(string cacheKey)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_logKey, Encoding.ASCII.GetBytes(cacheKey), mac);
        return Hex(mac[..(LoggedHexDigits / 2)]);
    }

    // The digits a log shows for a username, the same as Logged(CacheKey(...)) of the lockout.
    public string LoggedFor(string prefix, string username) => Logged(CacheKey(prefix, username, out _));

    private static string Hex(ReadOnlySpan<byte> bytes)
    {
        Span<char> hex = stackalloc char[bytes.Length * 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            hex[i * 2] = ToHex(bytes[i] >> 4);
            hex[(i * 2) + 1] = ToHex(bytes[i] & 0xF);
        }

        return new string(hex);
    }

    private static char ToHex(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
