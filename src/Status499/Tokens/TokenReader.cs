using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Status499.ClientClosed;

namespace Status499.Tokens;

// Reads the token from the enabled sources, in order. Every enabled source is read, so that two different tokens
// in two places are refused instead of one silently winning.
internal sealed class TokenReader
{
    private const string EsriAuthorizationHeaderName = "X-Esri-Authorization";
    private const string TokenParameter = "token";

    private readonly TokenSource[] _sources;
    private readonly string? _cookieName;
    private readonly int _maxLength;
    private readonly long _maxFormLength;
    private readonly ClientAbort _clientAbort;

    public TokenReader(TokenRequiredOptions options, ClientAbort clientAbort)
    {
        _clientAbort = clientAbort;
        var sources = new List<TokenSource>(options.Sources);
        if (options.CookieName is not null && !sources.Contains(TokenSource.Cookie))
        {
            sources.Add(TokenSource.Cookie);
        }

        _sources = sources.Distinct().ToArray();
        _cookieName = options.CookieName;
        _maxLength = options.MaxTokenLength;
        _maxFormLength = options.MaxFormLength;
    }

    // check keeps the last header token, so a connection that repeats its token allocates no string for it.
    public ValueTask<TokenRead> ReadAsync(HttpContext context, TokenCheckState check)
    {
        var found = TokenRead.Missing;
        for (var i = 0; i < _sources.Length; i++)
        {
            var source = _sources[i];
            if (source == TokenSource.Form && IsUrlEncodedFormPost(context.Request))
            {
                return ReadWithFormAsync(context, check, found, i);
            }

            var read = ReadSource(context, check, source);
            if (!Merge(ref found, read))
            {
                return new(found);
            }
        }

        return new(found);
    }

    private async ValueTask<TokenRead> ReadWithFormAsync(HttpContext context, TokenCheckState check, TokenRead found, int formIndex)
    {
        var read = await ReadFormAsync(context);
        if (!Merge(ref found, read))
        {
            return found;
        }

        for (var i = formIndex + 1; i < _sources.Length; i++)
        {
            if (!Merge(ref found, ReadSource(context, check, _sources[i])))
            {
                break;
            }
        }

        return found;
    }

    // Folds one source's result into the running result; returns false when reading stops (a refusal, or the body is gone).
    private static bool Merge(ref TokenRead found, TokenRead read)
    {
        switch (read.Status)
        {
            case TokenReadStatus.Missing:
                return true;
            case TokenReadStatus.Found when found.Status == TokenReadStatus.Missing:
                found = read;
                return true;
            case TokenReadStatus.Found when string.Equals(found.Token, read.Token, StringComparison.Ordinal):
                return true;
            case TokenReadStatus.Found:
                found = TokenRead.Ended(TokenReadStatus.ConflictingSources);
                return false;
            default:
                found = read;
                return false;
        }
    }

    private TokenRead ReadSource(HttpContext context, TokenCheckState check, TokenSource source)
    {
        var request = context.Request;
        return source switch
        {
            TokenSource.EsriAuthorizationHeader => ReadBearerHeader(check, request.Headers[EsriAuthorizationHeaderName], TokenSource.EsriAuthorizationHeader, requireBearer: true),
            TokenSource.AuthorizationHeader => ReadBearerHeader(check, request.Headers.Authorization, TokenSource.AuthorizationHeader, requireBearer: false),
            // Request.Query creates and caches a QueryFeature on first use (an allocation per request on Kestrel);
            // without a query string there is nothing to parse.
            TokenSource.Query => request.QueryString.HasValue ? ReadValues(request.Query[TokenParameter], TokenSource.Query) : TokenRead.Missing,
            TokenSource.Cookie when _cookieName is not null => ReadValue(request.Cookies[_cookieName], TokenSource.Cookie),
            _ => TokenRead.Missing,
        };
    }

    private TokenRead ReadBearerHeader(TokenCheckState check, StringValues values, TokenSource source, bool requireBearer)
    {
        if (values.Count == 0)
        {
            return TokenRead.Missing;
        }

        if (values.Count > 1)
        {
            return TokenRead.Ended(TokenReadStatus.MultipleValues);
        }

        var header = values[0]!;
        var value = header.AsSpan().Trim();
        if (value.IsEmpty)
        {
            return TokenRead.Missing;
        }

        const string Bearer = "Bearer";
        if (!value.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || (value.Length > Bearer.Length && value[Bearer.Length] != ' '))
        {
            // Authorization may carry another scheme (Basic, Negotiate) meant for other middleware: not ours to refuse.
            return requireBearer ? TokenRead.Ended(TokenReadStatus.MalformedHeader) : TokenRead.Missing;
        }

        var token = value[Bearer.Length..].Trim();
        if (token.IsEmpty)
        {
            return TokenRead.Missing;
        }

        if (token.ContainsAny(' ', '\t', ','))
        {
            return TokenRead.Ended(TokenReadStatus.MalformedHeader);
        }

        return token.Length > _maxLength ? TokenRead.Ended(TokenReadStatus.TooLong) : TokenRead.Found(check.HeaderToken(header, token), source);
    }

    private TokenRead ReadValues(StringValues values, TokenSource source)
    {
        if (values.Count > 1)
        {
            return TokenRead.Ended(TokenReadStatus.MultipleValues);
        }

        return ReadValue(values.Count == 1 ? values[0] : null, source);
    }

    private TokenRead ReadValue(string? value, TokenSource source)
        => string.IsNullOrWhiteSpace(value) ? TokenRead.Missing : Checked(value.Trim(), source);

    private TokenRead Checked(string token, TokenSource source)
        => token.Length > _maxLength ? TokenRead.Ended(TokenReadStatus.TooLong) : TokenRead.Found(token, source);

    private async ValueTask<TokenRead> ReadFormAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > _maxFormLength)
        {
            return TokenRead.Ended(TokenReadStatus.UnreadableForm);
        }

        // Buffer the body (bounded) so the endpoint can still read it raw after us; ReadFormAsync also caches the
        // parsed form in IFormFeature, so Request.Form and [FromForm] binding reuse it.
        request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: _maxFormLength);
        var form = await FormReader.ReadAsync(context, _clientAbort);
        switch (form.Status)
        {
            case FormReadStatus.Read:
                request.Body.Position = 0;
                return ReadValues(form.Form![TokenParameter], TokenSource.Form);
            case FormReadStatus.Unreadable:
                return TokenRead.Ended(TokenReadStatus.UnreadableForm);
            // The body is gone or rejected: nobody reads it after us, so there is no position to restore.
            case FormReadStatus.BodyRejected:
                return TokenRead.Ended(TokenReadStatus.BodyRejected);
            default:
                return TokenRead.Ended(TokenReadStatus.ClientLeftReadingBody);
        }
    }

    private static bool IsUrlEncodedFormPost(HttpRequest request)
        => HttpMethods.IsPost(request.Method) && FormReader.IsUrlEncoded(request);
}
