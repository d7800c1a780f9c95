using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Status499.Tokens;

namespace Status499.Validators;

// A fixed set of tokens, for development, tests and simple service-to-service keys. Tokens are kept only as SHA-256
// hashes and compared with CryptographicOperations.FixedTimeEquals against every entry, so neither the comparison
// time nor the loop exit reveals which bytes or which token matched.
internal sealed class StaticTokenValidator : ITokenValidator
{
    private const int HashLength = 32;
    private readonly byte[] _hashes;

    public StaticTokenValidator(IEnumerable<string> tokens)
    {
        var list = tokens.Where(t => !string.IsNullOrEmpty(t)).ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one non-empty token is required.", nameof(tokens));
        }

        _hashes = new byte[list.Count * HashLength];
        for (var i = 0; i < list.Count; i++)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(list[i]), _hashes.AsSpan(i * HashLength, HashLength));
        }
    }

    public ValueTask<TokenValidatorResult> ValidateAsync(TokenValidatorContext context)
        => new(Matches(context.Token) ? TokenValidatorResult.Valid() : TokenValidatorResult.Invalid());

    private bool Matches(string token)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = null;
        var buffer = maxBytes <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            var length = Encoding.UTF8.GetBytes(token, buffer);
            Span<byte> hash = stackalloc byte[HashLength];
            SHA256.HashData(buffer[..length], hash);

            var matched = 0;
            for (var offset = 0; offset < _hashes.Length; offset += HashLength)
            {
                matched |= CryptographicOperations.FixedTimeEquals(hash, _hashes.AsSpan(offset, HashLength)) ? 1 : 0;
            }

            return matched != 0;
        }
        finally
        {
            if (rented is not null)
            {
                CryptographicOperations.ZeroMemory(rented);
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
