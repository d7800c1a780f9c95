using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Status499.ArcGisErrors;
using Status499.ClientClosed;
using Status499.Diagnostics;
using Status499.Tokens;

namespace Status499.ArcGisServer;

// The ArcGIS generateToken operation: checks the parameters, asks the ITokenIssuer, answers
// {"token","expires","ssl"} or an ArcGIS error. Every answer is HTTP 200 (ArcGIS clients read the body) and no-store.
// Never logs the password or the token; a username only once it signed in (at Debug), an attempted one by a keyed digest.
// Parameters: https://developers.arcgis.com/rest/services-reference/enterprise/generate-token
internal sealed class ArcGisGenerateTokenEndpoint
{
    private const string UnableToGenerate = "Unable to generate token.";
    private const string InvalidCredentials = "Invalid username or password.";

    // The largest generateToken form read. Its fields are a username, a password, a referer or IP and a few short
    // options, far below this; without a cap only Kestrel's 30 MB limit would apply to an anonymous endpoint, so ten
    // concurrent requests could hold hundreds of megabytes. The field caps bound a body that is already being read
    // (MaxRequestBodySize can no longer be lowered then).
    internal const int MaxFormLength = 64 * 1024;

    private static readonly FormOptions s_formOptions = new()
    {
        ValueCountLimit = 64,
        KeyLengthLimit = 256,
        ValueLengthLimit = 16 * 1024,
        BufferBody = false,
    };

    private readonly TimeSpan _defaultExpiration;
    private readonly TimeSpan _maxExpiration;
    private readonly bool _allowGet;
    private readonly bool _requireHttps;
    private readonly ILogger _logger;
    private readonly ClientAbort _clientAbort;
    private readonly GenerateTokenThrottle _throttle;
    private readonly GenerateTokenLockout _lockout;

    public ArcGisGenerateTokenEndpoint(
        IOptions<ArcGisTokenOptions> options, ClientAbort clientAbort, ILoggerFactory loggerFactory, GenerateTokenThrottle throttle, GenerateTokenLockout lockout)
    {
        _clientAbort = clientAbort;
        _throttle = throttle;
        _lockout = lockout;
        var value = options.Value;
        _maxExpiration = value.MaxExpiration;
        _defaultExpiration = value.DefaultExpiration < _maxExpiration ? value.DefaultExpiration : _maxExpiration;
        _allowGet = value.AllowGet;
        _requireHttps = value.RequireHttps;
        _logger = loggerFactory.CreateLogger("Status499.ArcGisTokens");
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;

        // Brute-force protection, part 1: a client address that sends too many requests is refused before anything is read.
        if (!await _throttle.TryAcquireAsync(context, Pretty(request, null)))
        {
            return;
        }

        var isGet = HttpMethods.IsGet(request.Method);
        IFormCollection? form = null;
        // Only urlencoded forms, as ArcGIS: an anonymous endpoint has no reason to parse multipart uploads.
        if (!isGet && FormReader.IsUrlEncoded(request))
        {
            if (request.ContentLength > MaxFormLength)
            {
                await RefuseTooLargeAsync(context);
                return;
            }

            // A body without Content-Length (chunked) is held to the same cap by Kestrel, whose 413 is answered below.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize
                && (bodySize.MaxRequestBodySize is null || bodySize.MaxRequestBodySize > MaxFormLength))
            {
                bodySize.MaxRequestBodySize = MaxFormLength;
            }

            var read = await FormReader.ReadAsync(context, _clientAbort, s_formOptions);
            if (read.Status == FormReadStatus.BodyRejected && context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
            {
                await RefuseTooLargeAsync(context);
                return;
            }

            if (FormReader.EndedTheRequest(context, read))
            {
                return;
            }

            if (read.Status == FormReadStatus.Unreadable)
            {
                await RefuseAsync(context, Pretty(request, null), "UnreadableForm", 400, "The form body could not be read.");
                return;
            }

            form = read.Form;
        }

        // Credentials come only from the body of a POST, or from the query of a GET when AllowGet is on.
        var parameters = isGet ? (_allowGet ? new Parameters(request.Query) : default) : new Parameters(form);
        var pretty = Pretty(request, form);

        if (isGet && !_allowGet)
        {
            await RefuseAsync(context, pretty, "GetNotAllowed", 405, "Use POST: generateToken does not accept GET, which would put the password into the URL.");
            return;
        }

        if (_requireHttps && !request.IsHttps)
        {
            Status499Log.TokenNotIssued(_logger, "HttpsRequired");
            await ArcGisJsonResponse.WriteErrorAsync(context, pretty, 403, "SSL Required");
            return;
        }

        var username = parameters["username"];
        var password = parameters["password"];
        if (string.IsNullOrEmpty(username) && (!string.IsNullOrEmpty(parameters["serverUrl"]) || !string.IsNullOrEmpty(parameters["token"])))
        {
            // arcgis-rest-js asks a portal to exchange its token for a federated server's (serverUrl + token); this
            // server is not federated with a portal.
            await RefuseAsync(context, pretty, "PortalTokenExchange", 400,
                "Exchanging a portal token (serverUrl, token) for a server token is not supported: this server is not federated with a portal. Send username and password.");
            return;
        }

        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
        {
            await RefuseAsync(context, pretty, "MissingCredentials", 400, string.IsNullOrEmpty(username)
                ? (string.IsNullOrEmpty(password) ? ["'username' must be specified.", "'password' must be specified."] : ["'username' must be specified."])
                : ["'password' must be specified."]);
            return;
        }

        if (!TryReadBinding(context, parameters, out var binding, out var bindingValue, out var bindingError))
        {
            await RefuseAsync(context, pretty, "InvalidClient", 400, bindingError);
            return;
        }

        if (!TryReadLifetime(parameters["expiration"], out var lifetime))
        {
            await RefuseAsync(context, pretty, "InvalidExpiration", 400, "'expiration' must be a whole number of minutes.");
            return;
        }

        // Brute-force protection, part 2: a locked-out username gets the wrong-password answer without a password check.
        var attempt = await _lockout.BeginAsync(context, username);
        if (attempt.Verdict != GenerateTokenAttemptVerdict.Allowed)
        {
            await RefuseLockedOutAsync(context, pretty, attempt.Verdict);
            return;
        }

        var issuer = context.RequestServices.GetRequiredService<ITokenIssuer>();
        IssuedToken? issued;
        try
        {
            issued = await issuer.IssueAsync(new TokenIssueRequest
            {
                HttpContext = context,
                Username = username,
                Password = password,
                Binding = binding,
                BindingValue = bindingValue,
                Lifetime = lifetime,
                CancellationToken = context.RequestAborted,
            });
        }
        catch (Exception ex)
        {
            if (await _clientAbort.IsClientGoneAsync(ex, context))
            {
                if (!context.Response.HasStarted)
                {
                    context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
                }

                return;
            }

            Status499Log.TokenIssuerFailed(_logger, SecretRedaction.LoggableException(ex, password), issuer.GetType().Name, ex.GetType().FullName);
            await ArcGisJsonResponse.WriteErrorAsync(context, pretty, 500, UnableToGenerate);
            return;
        }

        await _lockout.CompleteAsync(context, attempt, succeeded: issued is not null);
        if (issued is null)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                // Guarded above; the analyzer does not see the guard.
#pragma warning disable CA1873
                Status499Log.InvalidCredentials(_logger, _lockout.LoggedUsername(attempt, username));
#pragma warning restore CA1873
            }

            await RefuseAsync(context, pretty, "InvalidCredentials", 400, InvalidCredentials);
            return;
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            // Guarded above; the analyzer does not see the guard.
#pragma warning disable CA1873
            Status499Log.TokenIssued(_logger, username, binding.ToString(), issued.ExpiresAt);
#pragma warning restore CA1873
        }

        await ArcGisJsonResponse.WriteAsync(context, pretty, (issued, _requireHttps), static (writer, answer) =>
        {
            writer.WriteStartObject();
            writer.WriteString("token", answer.issued.Token);
            writer.WriteNumber("expires", answer.issued.ExpiresAt.ToUnixTimeMilliseconds());

            // ssl:true makes ArcGIS clients switch every later request to https; say it only when HTTPS is required.
            writer.WriteBoolean("ssl", answer._requireHttps);
            writer.WriteEndObject();
        });
    }

    private Task RefuseAsync(HttpContext context, bool pretty, string reason, int code, params string[] details)
    {
        Status499Log.TokenNotIssued(_logger, reason);
        return ArcGisJsonResponse.WriteErrorAsync(context, pretty, code, UnableToGenerate, details);
    }

    // A real 413, as the 429 of the rate limit: proxies and clients honour it, and ArcGIS clients read the body of a non-2xx answer.
    private Task RefuseTooLargeAsync(HttpContext context)
    {
        Status499Log.TokenNotIssued(_logger, "FormTooLarge");
        return ArcGisJsonResponse.WriteErrorWithStatusAsync(context, Pretty(context.Request, null), StatusCodes.Status413PayloadTooLarge,
            StatusCodes.Status413PayloadTooLarge, UnableToGenerate, $"The form must not be larger than {MaxFormLength} bytes.");
    }

    private Task RefuseLockedOutAsync(HttpContext context, bool pretty, GenerateTokenAttemptVerdict verdict) => verdict switch
    {
        GenerateTokenAttemptVerdict.LockedOut => RefuseAsync(context, pretty, "LockedOut", 400, InvalidCredentials),
        GenerateTokenAttemptVerdict.StoreFailed => ArcGisJsonResponse.WriteErrorAsync(context, pretty, 500, UnableToGenerate),
        _ => Task.CompletedTask,
    };

    private static bool TryReadBinding(HttpContext context, Parameters parameters, out TokenBindingKind binding, out string? value, out string error)
    {
        binding = TokenBindingKind.None;
        value = null;
        error = string.Empty;
        var client = parameters["client"];
        if (string.IsNullOrEmpty(client))
        {
            // The ArcGIS Maps SDK sends no client: an unbound token.
            return true;
        }

        if (client.Equals("referer", StringComparison.OrdinalIgnoreCase))
        {
            value = parameters["referer"];
            if (string.IsNullOrEmpty(value))
            {
                error = "'referer' must be specified.";
                return false;
            }

            if (Encoding.UTF8.GetByteCount(value) > ArcGisTokenPayload.MaxBindingBytes)
            {
                error = $"'referer' must not be longer than {ArcGisTokenPayload.MaxBindingBytes} bytes.";
                return false;
            }

            binding = TokenBindingKind.Referer;
            return true;
        }

        IPAddress? address;
        if (client.Equals("ip", StringComparison.OrdinalIgnoreCase))
        {
            var ip = parameters["ip"];
            if (string.IsNullOrEmpty(ip))
            {
                error = "'ip' must be specified.";
                return false;
            }

            if (!IPAddress.TryParse(ip, out address))
            {
                error = "'ip' is not an IP address.";
                return false;
            }
        }
        else if (client.Equals("requestip", StringComparison.OrdinalIgnoreCase))
        {
            address = context.Connection.RemoteIpAddress;
            if (address is null)
            {
                error = "The address of this request is unknown; use client=referer or client=ip.";
                return false;
            }
        }
        else
        {
            error = "'client' must be referer, ip or requestip.";
            return false;
        }

        binding = TokenBindingKind.Ip;
        value = ArcGisSignedTokenValidator.Canonical(address).ToString();
        return true;
    }

    // expiration is in minutes; missing means the default, longer than the maximum is capped (clients ask for long ones).
    private bool TryReadLifetime(string? expiration, out TimeSpan lifetime)
    {
        lifetime = _defaultExpiration;
        if (string.IsNullOrWhiteSpace(expiration))
        {
            return true;
        }

        if (!long.TryParse(expiration, NumberStyles.Integer, CultureInfo.InvariantCulture, out var minutes) || minutes <= 0)
        {
            return false;
        }

        lifetime = minutes > _maxExpiration.TotalMinutes ? _maxExpiration : TimeSpan.FromMinutes(minutes);

        return true;
    }

    private static bool Pretty(HttpRequest request, IFormCollection? form)
    {
        return ArcGisJson.IsPretty(ArcGisRequestParameters.Read(request.HttpContext, "f", form));
    }

    // The parameters of one request: the form of a POST or the query of a GET; empty when neither applies.
    private readonly struct Parameters
    {
        private readonly IFormCollection? _form;
        private readonly IQueryCollection? _query;

        public Parameters(IFormCollection? form) => _form = form;

        public Parameters(IQueryCollection query) => _query = query;

        public string? this[string name]
        {
            get
            {
                var values = _form is not null ? _form[name] : _query is not null ? _query[name] : StringValues.Empty;
                return values.Count > 0 ? values[0] : null;
            }
        }
    }
}
