using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Status499.ClientClosed;
using Status499.ContinueAfterClientAbort;
using Status499.Tokens;

namespace Status499.Pipeline;

// Everything the middleware keeps about one request it serves, from the moment the request reaches UseStatus499()
// until the response has completed. Pooled (Status499RequestContextPool); each part is owned by its feature folder:
// the app-facing feature (Status499Feature), the client-left clock and the response body wrapper (ClientClosed/),
// the ContinueAfterClientAbort record, and the token check's reusable objects (Tokens/).
internal sealed class Status499RequestContext
{
    private HttpContext? _httpContext;

    // Owners of the current rental (Status499RequestContextPool).
    internal int Owners;

    public Status499RequestContext()
    {
        Feature = new Status499Feature(this);
    }

    public HttpContext HttpContext => _httpContext!;

    public Status499Feature Feature { get; }

    public Status499Meaning Meaning => Feature.Meaning;

    // The middleware serving the request, for the continuation after an awaited handler (Status499Middleware.AwaitNext).
    public Status499Middleware Middleware { get; private set; } = null!;

    // Stopwatch timestamp of the moment the request reached UseStatus499().
    public long StartTimestamp { get; private set; }

    public ClientLeftClock ClientLeft { get; } = new();

    // Wrapped only on ClientClosedRequest routes.
    public ClientClosedResponseBody ResponseBody { get; } = new();

    public ContinuedWork ContinuedWork { get; } = new();

    // The handler's task while Status499Middleware.AwaitNext waits for it.
    public Task? PendingNext { get; set; }

    // The response completed while the pipeline was still running (see Status499RequestContextPool): the middleware
    // then records nothing on a context the server may already have reset for the connection's next request.
    public bool ResponseCompleted { get; private set; }

    // Kept for the feature's readers.
    public TokenOutcome TokenOutcome
    {
        get => Feature.TokenOutcome;
        set => Feature.TokenOutcome = value;
    }

    public TokenSource TokenSource
    {
        get => Feature.TokenSource;
        set => Feature.TokenSource = value;
    }

    internal void Begin(HttpContext context, Status499Meaning meaning, Status499Middleware middleware)
    {
        _httpContext = context;
        Middleware = middleware;
        ResponseCompleted = false;
        StartTimestamp = Stopwatch.GetTimestamp();
        Feature.Reset(meaning);
        ContinuedWork.Reset();
        context.Features.Set<IStatus499Feature>(Feature);
    }

    // OnCompleted: take the context off the request, so that nothing reaches it once it serves another.
    internal void OnResponseCompleted()
    {
        ResponseCompleted = true;
        var features = HttpContext.Features;
        if (ReferenceEquals(features.Get<IStatus499Feature>(), Feature))
        {
            features.Set<IStatus499Feature>(null);
        }

        ResponseBody.Unwrap();
    }

    // Back to the pool: drop every reference to the finished request, which an idle pooled context must not keep alive.
    internal void Clear()
    {
        ClientLeft.Stop();
        ResponseBody.Clear();

        // Kept: the header and its token string (reused only for an identical header, so nothing leaks to another
        // client).
        _validatorContext?.Reuse(null!, string.Empty, TokenSource.None, default);
        _httpContext = null;
        PendingNext = null;
        Middleware = null!;
    }

    private CancellationTokenSource? _validationCancellation;

    // One source per pooled state, reset after each validation, so the timeout costs no allocation per request.
    public CancellationTokenSource RentValidationCancellation() => _validationCancellation ??= new CancellationTokenSource();

    // The validator did not finish: cancel its token and forget the source, which it may still be registered on.
    public void AbandonValidationCancellation()
    {
        if (_validationCancellation is { } cts)
        {
            _validationCancellation = null;
            cts.Cancel();
        }
    }

    public void ReturnValidationCancellation()
    {
        if (_validationCancellation is { } cts && !cts.TryReset())
        {
            cts.Dispose();
            _validationCancellation = null;
        }
    }

    private string? _tokenHeader;
    private string? _headerToken;

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

    private TokenValidatorContext? _validatorContext;

    // One context per pooled state: a synchronous validator costs no allocation per request.
    public TokenValidatorContext RentValidatorContext(HttpContext context, string token, TokenSource source, CancellationToken cancellationToken)
    {
        if (_validatorContext is { } reused)
        {
            reused.Reuse(context, token, source, cancellationToken);
            return reused;
        }

        return _validatorContext = new TokenValidatorContext { HttpContext = context, Token = token, Source = source, CancellationToken = cancellationToken };
    }

    // A validator that threw or timed out may still read its context: the next request gets a new one, never this one
    // with another client's token in it.
    public void AbandonValidatorContext() => _validatorContext = null;
}
