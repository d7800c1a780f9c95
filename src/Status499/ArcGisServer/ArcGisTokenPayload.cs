using System.Buffers.Binary;
using System.Text;

namespace Status499.ArcGisServer;

// What a signed token says, and its binary form (the plaintext that ArcGisTokenProtector hands to Data Protection):
// version (1 byte) | expiry, unix ms (8 bytes, big-endian) | binding kind (1 byte)
// | username length (2 bytes) | username (UTF-8) | binding value length (2 bytes) | binding value (UTF-8).
// The expiry lives here, not in ITimeLimitedDataProtector, so that an expired token can be told from a forged one.
internal readonly record struct ArcGisTokenPayload(string Username, long ExpiresUnixMilliseconds, TokenBindingKind Binding, string? BindingValue)
{
    public const int MaxUsernameBytes = 512;
    public const int MaxBindingBytes = 1024;

    // Bump when the layout changes; a token of another version is refused, never misread.
    public const byte Version = 1;

    private const int HeaderLength = 1 + 8 + 1 + 2;

    public const int MaxLength = HeaderLength + MaxUsernameBytes + 2 + MaxBindingBytes;

    public byte[] ToBytes()
    {
        var usernameLength = Encoding.UTF8.GetByteCount(Username);
        var bindingLength = BindingValue is null ? 0 : Encoding.UTF8.GetByteCount(BindingValue);
        if (usernameLength > MaxUsernameBytes || bindingLength > MaxBindingBytes)
        {
            throw new ArgumentException("The username or the binding value is too long for a token.");
        }

        if ((Binding == TokenBindingKind.None) != (bindingLength == 0))
        {
            throw new ArgumentException("A bound token needs a binding value, and an unbound one none.");
        }

        var payload = new byte[HeaderLength + usernameLength + 2 + bindingLength];
        payload[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(1), ExpiresUnixMilliseconds);
        payload[9] = (byte)Binding;
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(10), (ushort)usernameLength);
        var offset = HeaderLength + Encoding.UTF8.GetBytes(Username, payload.AsSpan(HeaderLength));
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(offset), (ushort)bindingLength);
        if (BindingValue is not null)
        {
            Encoding.UTF8.GetBytes(BindingValue, payload.AsSpan(offset + 2));
        }

        return payload;
    }

    // False for anything that is not exactly one payload of this version; reads only inside the span, never throws.
    public static bool TryRead(ReadOnlySpan<byte> payload, out ArcGisTokenPayload token)
    {
        token = default;
        if (payload.Length < HeaderLength + 2 || payload.Length > MaxLength
            || payload[0] != Version || payload[9] > (byte)TokenBindingKind.Ip)
        {
            return false;
        }

        var usernameLength = BinaryPrimitives.ReadUInt16BigEndian(payload[10..]);
        var rest = payload[HeaderLength..];
        if (usernameLength > MaxUsernameBytes || rest.Length < usernameLength + 2)
        {
            return false;
        }

        var bindingLength = BinaryPrimitives.ReadUInt16BigEndian(rest[usernameLength..]);
        if (bindingLength > MaxBindingBytes || rest.Length != usernameLength + 2 + bindingLength)
        {
            return false;
        }

        var binding = (TokenBindingKind)payload[9];
        if ((binding == TokenBindingKind.None) != (bindingLength == 0))
        {
            return false;
        }

        token = new ArcGisTokenPayload(
            Encoding.UTF8.GetString(rest[..usernameLength]),
            BinaryPrimitives.ReadInt64BigEndian(payload[1..]),
            binding,
            binding == TokenBindingKind.None ? null : Encoding.UTF8.GetString(rest.Slice(usernameLength + 2, bindingLength)));
        return true;
    }
}
