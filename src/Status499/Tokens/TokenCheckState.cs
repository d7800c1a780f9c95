using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Status499.Tokens;

// The token check's part of one request: the outcome and source that IStatus499Feature shows, and what the check
// reuses from the previous request so that a valid token costs no allocation (the last header token, the validation
// timeout's source, the validator context). The pooled request state holds one, created on the first token route it
// serves and pooled with it; a state that only serves ClientClosedRequest routes never creates one.
internal sealed class TokenCheckState
{
    private string? _tokenHeader;
    private string? _headerToken;
    private CancellationTokenSource? _validationCancellation;
    private TokenValidatorContext? _validatorContext;

    // NotChecked until the check refuses the request or lets it in.
    public TokenOutcome Outcome { get; set; }

    public TokenSource Source { get; set; }

    // The token cut out of a header value. Kestrel allocates a new string for each request's header, so the last value
    // and its token are kept: when the next request sends the same value, its token string is reused. Compared in
    // fixed time, since the kept value may be another request's secret.
    public string HeaderToken(string header, ReadOnlySpan<char> token)
    {
        var last = _tokenHeader;
        if (last is not null && (ReferenceEquals(last, header)
            || (last.Length == header.Length
                && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(last.AsSpan()), MemoryMarshal.AsBytes(header.AsSpan())))))
        {
            return _headerToken!;
        }

        var created = token.ToString();
        _headerToken = created;
        _tokenHeader = header;
        return created;
    }

    // One source per state, reset after each validation, so the timeout costs no allocation per request.
    public CancellationTokenSource RentValidationCancellation() => _validationCancellation ??= new CancellationTokenSource();

    public void ReturnValidationCancellation()
    {
        if (_validationCancellation is { } cts && !cts.TryReset())
        {
            cts.Dispose();
            _validationCancellation = null;
        }
    }

    // One context per state: a synchronous validator costs no allocation per request.
    public TokenValidatorContext RentValidatorContext(HttpContext context, string token, TokenSource source, CancellationToken cancellationToken)
    {
        if (_validatorContext is { } reused)
        {
            reused.Reuse(context, token, source, cancellationToken);
            return reused;
        }

        return _validatorContext = new TokenValidatorContext { HttpContext = context, Token = token, Source = source, CancellationToken = cancellationToken };
    }

    // The validator did not finish: cancel its token and forget the source, which it may still be registered on.
    public void AbandonValidationCancellation()
    {
        if (_validationCancellation is { } cts)
        {
            _validationCancellation = null;
            cts.Cancel();
        }
    }

    // A validator that threw or did not finish may still read its context: the next request gets a new one, never this
    // one with another client's token in it.
    public void AbandonValidatorContext() => _validatorContext = null;

    // The request is over (the pooled state goes back to its pool): the next one starts NotChecked, and an idle state
    // keeps no reference to the finished request. Kept: the header and its token string, reused only for an identical
    // header, so nothing leaks to another client.
    public void Clear()
    {
        Outcome = TokenOutcome.NotChecked;
        Source = TokenSource.None;
        _validatorContext?.Reuse(null!, string.Empty, TokenSource.None, default);
    }
}
