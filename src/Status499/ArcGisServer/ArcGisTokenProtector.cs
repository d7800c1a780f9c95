using System.Buffers.Binary;
#if NET9_0_OR_GREATER
using System.Buffers;
using System.Buffers.Text;
#endif
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Status499.ArcGisServer;

// Signed tokens are base64url(IDataProtector.Protect(payload)): ASP.NET Core Data Protection encrypts and authenticates
// the payload under the key ring's default key and records that key's id, so keys rotate (every 90 days by default)
// while tokens protected by an older key keep validating, and instances that share the key ring (PersistKeysTo...)
// accept each other's tokens. Base64url keeps the token usable in a query string without escaping.
internal sealed class ArcGisTokenProtector
{
    // Versioned: a new payload layout gets a new purpose, so old and new tokens can never be confused.
    public const string Purpose = "Status499.ArcGisSignedTokens.v1";

    // A Data Protection payload starts with this header and a 16-byte key id, then the encryptor's output. See
    // https://learn.microsoft.com/aspnet/core/security/data-protection/implementation/authenticated-encryption-details
    private const uint MagicHeader = 0x09F0C9F0;
    private const int HeaderAndKeyIdLength = 4 + 16;

    // Generous room for the encryptor's own output around the payload (the default AES-256-CBC + HMAC-SHA256 adds a
    // 16-byte key modifier, a 16-byte IV, up to 16 bytes of padding and a 32-byte tag).
    private const int MaxProtectedLength = HeaderAndKeyIdLength + ArcGisTokenPayload.MaxLength + 256;
    private const int MaxTokenLength = (MaxProtectedLength + 2) / 3 * 4;

    private readonly IDataProtector _protector;

    // audience (ArcGisTokenOptions.Audience, by default the app's name) is a second purpose: two apps that share a key
    // ring and Data Protection's application discriminator (the content root by default, /app in every container built
    // from the usual Dockerfile) still refuse each other's tokens.
    public ArcGisTokenProtector(IDataProtectionProvider provider, string? audience = null)
        => _protector = string.IsNullOrEmpty(audience) ? provider.CreateProtector(Purpose) : provider.CreateProtector(Purpose, audience);

    public string Protect(in ArcGisTokenPayload payload) => WebEncoders.Base64UrlEncode(_protector.Protect(payload.ToBytes()));

    // True only for a token this key ring protected for this purpose, whatever its expiry; the caller checks expiry and
    // binding. Never throws for a bad token.
    public bool TryUnprotect(string token, out ArcGisTokenPayload payload)
    {
        payload = default;

        // Cheap checks first, so that foreign tokens (static keys, JWTs, guesses) are turned away without the exception
        // Data Protection throws for anything it cannot authenticate.
        if (token.Length > MaxTokenLength || token.Length % 4 == 1 || !IsBase64Url(token))
        {
            return false;
        }

        if (!TryDecode(token, out var protectedBytes)
            || protectedBytes.Length <= HeaderAndKeyIdLength || BinaryPrimitives.ReadUInt32BigEndian(protectedBytes) != MagicHeader)
        {
            return false;
        }

        byte[] plaintext;
        try
        {
            plaintext = _protector.Unprotect(protectedBytes);
        }
        catch (CryptographicException)
        {
            // Tampered, truncated, another key ring or purpose, or a revoked key: all the same to the caller. Data
            // Protection turns every failure of its own into this exception; anything else (a key store that cannot be
            // read) is left to the token check, which logs it and refuses the request.
            return false;
        }

        return ArcGisTokenPayload.TryRead(plaintext, out payload);
    }

    // Strict decoders refuse non-zero bits after the last byte; that is a malformed token, not an error.
    private static bool TryDecode(string token, out byte[] bytes)
    {
#if NET9_0_OR_GREATER
        // The OperationStatus overload: TryDecodeFromChars throws on invalid data.
        bytes = new byte[Base64Url.GetMaxDecodedLength(token.Length)];
        if (Base64Url.DecodeFromChars(token, bytes, out _, out var written) != OperationStatus.Done)
        {
            return false;
        }

        if (written != bytes.Length)
        {
            bytes = bytes[..written];
        }

        return true;
#else
        try
        {
            bytes = WebEncoders.Base64UrlDecode(token);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
#endif
    }

    private static bool IsBase64Url(string token)
    {
        if (token.Length == 0)
        {
            return false;
        }

        foreach (var c in token)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
