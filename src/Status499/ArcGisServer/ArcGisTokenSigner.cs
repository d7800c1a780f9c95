using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Status499.ArcGisServer;

// Signed token format: base64url(payload) "." base64url(HMAC-SHA256(key, payload)).
// Payload: version (1 byte) | expiry, unix ms (8 bytes, big-endian) | binding kind (1 byte)
//          | username length (2 bytes) | username (UTF-8) | binding value length (2 bytes) | binding value (UTF-8).
// Only the MAC is secret-dependent; the payload is readable by anyone holding the token, so it carries nothing secret.
internal sealed class ArcGisTokenSigner
{
    public const int MaxUsernameBytes = 512;
    public const int MaxBindingBytes = 1024;

    private const byte Version = 1;
    private const int MacLength = 32;
    private const int HeaderLength = 1 + 8 + 1 + 2;
    private const int MaxPayloadLength = HeaderLength + MaxUsernameBytes + 2 + MaxBindingBytes;

    // Longest possible token: base64url of both parts plus the dot. Anything longer is not ours.
    private const int MaxTokenLength = ((MaxPayloadLength + 2) / 3 * 4) + 1 + 43;

    private readonly byte[] _key;

    public ArcGisTokenSigner(IOptions<ArcGisTokenOptions> options, ILoggerFactory loggerFactory)
    {
        if (options.Value.SigningKey is { Length: > 0 } configured)
        {
            _key = DecodeKey(configured) ?? throw new InvalidOperationException("ArcGisTokenOptions.SigningKey is not valid base64.");
        }
        else
        {
            _key = RandomNumberGenerator.GetBytes(ArcGisTokenOptions.MinSigningKeyBytes);
            Status499Log.SigningKeyGenerated(loggerFactory.CreateLogger("Status499.ArcGisTokens"));
        }
    }

    public static byte[]? DecodeKey(string key)
    {
        try
        {
            return Convert.FromBase64String(key);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public string Sign(string username, DateTimeOffset expiresAt, TokenBindingKind binding, string? bindingValue)
    {
        var usernameLength = Encoding.UTF8.GetByteCount(username);
        var bindingLength = bindingValue is null ? 0 : Encoding.UTF8.GetByteCount(bindingValue);
        if (usernameLength > MaxUsernameBytes || bindingLength > MaxBindingBytes)
        {
            throw new ArgumentException("The username or the binding value is too long to be signed.");
        }

        var payload = new byte[HeaderLength + usernameLength + 2 + bindingLength];
        payload[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(1), expiresAt.ToUnixTimeMilliseconds());
        payload[9] = (byte)binding;
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(10), (ushort)usernameLength);
        var offset = HeaderLength + Encoding.UTF8.GetBytes(username, payload.AsSpan(HeaderLength));
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(offset), (ushort)bindingLength);
        if (bindingValue is not null)
        {
            Encoding.UTF8.GetBytes(bindingValue, payload.AsSpan(offset + 2));
        }

        var mac = HMACSHA256.HashData(_key, payload);
        return WebEncoders.Base64UrlEncode(payload) + "." + WebEncoders.Base64UrlEncode(mac);
    }

    // True only for a token this key signed, whatever its expiry; the caller checks expiry and binding.
    public bool TryRead(string token, out SignedToken signed)
    {
        signed = default;
        if (token.Length > MaxTokenLength || !IsWellFormed(token, out var dot))
        {
            return false;
        }

        byte[] payload;
        byte[] mac;
        try
        {
            payload = WebEncoders.Base64UrlDecode(token, 0, dot);
            mac = WebEncoders.Base64UrlDecode(token, dot + 1, token.Length - dot - 1);
        }
        catch (FormatException)
        {
            return false;
        }

        if (mac.Length != MacLength)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacLength];
        HMACSHA256.HashData(_key, payload, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac))
        {
            return false;
        }

        return TryParse(payload, out signed);
    }

    private static bool TryParse(ReadOnlySpan<byte> payload, out SignedToken signed)
    {
        signed = default;
        if (payload.Length < HeaderLength + 2 || payload[0] != Version || payload[9] > (byte)TokenBindingKind.Ip)
        {
            return false;
        }

        var usernameLength = BinaryPrimitives.ReadUInt16BigEndian(payload[10..]);
        var rest = payload[HeaderLength..];
        if (rest.Length < usernameLength + 2)
        {
            return false;
        }

        var bindingLength = BinaryPrimitives.ReadUInt16BigEndian(rest[usernameLength..]);
        if (rest.Length != usernameLength + 2 + bindingLength)
        {
            return false;
        }

        var binding = (TokenBindingKind)payload[9];
        signed = new SignedToken(
            Encoding.UTF8.GetString(rest[..usernameLength]),
            BinaryPrimitives.ReadInt64BigEndian(payload[1..]),
            binding,
            binding == TokenBindingKind.None ? null : Encoding.UTF8.GetString(rest.Slice(usernameLength + 2, bindingLength)));
        return true;
    }

    // Exactly one dot between two non-empty base64url runs; checked first so that foreign tokens (static keys, JWTs)
    // are turned away without an exception.
    private static bool IsWellFormed(string token, out int dot)
    {
        dot = -1;
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (c == '.')
            {
                if (dot >= 0)
                {
                    return false;
                }

                dot = i;
            }
            else if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_'))
            {
                return false;
            }
        }

        return dot > 0 && dot < token.Length - 1;
    }

    internal readonly record struct SignedToken(string Username, long ExpiresUnixMilliseconds, TokenBindingKind Binding, string? BindingValue);
}
