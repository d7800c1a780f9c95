using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Status499.ArcGisServer;

// Issues signed tokens to users accepted by ArcGisTokenOptions.ValidateCredentials or by the AddUser list.
internal sealed class ArcGisSignedTokenIssuer : ITokenIssuer
{
    private readonly ArcGisTokenProtector _protector;
    private readonly TimeProvider _timeProvider;
    private readonly Func<TokenIssueRequest, ValueTask<bool>>? _validateCredentials;
    private readonly FixedUsers _users;

    public ArcGisSignedTokenIssuer(ArcGisTokenProtector protector, IOptions<ArcGisTokenOptions> options, TimeProvider timeProvider)
    {
        _protector = protector;
        _timeProvider = timeProvider;
        _validateCredentials = options.Value.ValidateCredentials;
        _users = new FixedUsers(options.Value.Users);
    }

    public ValueTask<IssuedToken?> IssueAsync(TokenIssueRequest request)
    {
        if (Encoding.UTF8.GetByteCount(request.Username) > ArcGisTokenPayload.MaxUsernameBytes)
        {
            return new((IssuedToken?)null);
        }

        if (_validateCredentials is null)
        {
            return new(_users.Check(request.Username, request.Password) ? Issue(request) : null);
        }

        var pending = _validateCredentials(request);
        return pending.IsCompletedSuccessfully ? new(pending.Result ? Issue(request) : null) : AwaitAsync(pending, request);
    }

    private async ValueTask<IssuedToken?> AwaitAsync(ValueTask<bool> pending, TokenIssueRequest request)
        => await pending ? Issue(request) : null;

    private IssuedToken Issue(TokenIssueRequest request)
    {
        // Whole milliseconds, so that "expires" is exactly what the token says.
        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds((_timeProvider.GetUtcNow() + request.Lifetime).ToUnixTimeMilliseconds());
        var payload = new ArcGisTokenPayload(request.Username, expiresAt.ToUnixTimeMilliseconds(), request.Binding, request.BindingValue);
        return new IssuedToken(_protector.Protect(payload), expiresAt);
    }

    // Passwords are kept as HMAC-SHA256 under a per-process random key and compared in fixed time; an unknown user is
    // compared against a dummy hash, so neither the answer nor its timing tells whether the user exists.
    private sealed class FixedUsers
    {
        private const int HashLength = 32;
        private readonly byte[] _key = RandomNumberGenerator.GetBytes(HashLength);
        private readonly Dictionary<string, byte[]> _hashes = new(StringComparer.Ordinal);
        private readonly byte[] _dummy = RandomNumberGenerator.GetBytes(HashLength);

        public FixedUsers(List<KeyValuePair<string, string>> users)
        {
            foreach (var (username, password) in users)
            {
                _hashes[username] = Hash(password);
            }
        }

        public bool Check(string username, string password)
        {
            var known = _hashes.TryGetValue(username, out var expected);
            var matches = CryptographicOperations.FixedTimeEquals(Hash(password), expected ?? _dummy);
            return known & matches;
        }

        private byte[] Hash(string password) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(password));
    }
}
