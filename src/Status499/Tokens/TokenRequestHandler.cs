using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Status499.ArcGisErrors;
using Status499.ClientClosed;
using Status499.Diagnostics;

namespace Status499.Tokens;

// Every log call here is on a refusal path, where building the path string is cheap next to writing the error.
#pragma warning disable CA1873

// Reads and validates the token of a TokenRequired request and answers the ArcGIS way when it fails. HandleAsync says
// how the check ended (TokenCheckResult): Passed when the request may continue to the endpoint. It fails closed: any
// exception, timeout or missing validator refuses the request.
internal sealed class TokenRequestHandler
{
    private readonly TokenReader _reader;
    private readonly ArcGisErrorWriter _writer;
    private readonly Status499Metrics _metrics;
    private readonly ClientAbort _clientAbort;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private readonly TokenValidatorResolver _validators;

    public TokenRequestHandler(
        IOptions<Status499Options> options, Status499Metrics metrics, ClientAbort clientAbort, TokenValidatorResolver validators, ILoggerFactory loggerFactory)
    {
        _validators = validators;
        var tokenOptions = options.Value.Token;
        _reader = new TokenReader(tokenOptions, clientAbort);
        _writer = CreateErrorWriter(tokenOptions);
        _timeout = tokenOptions.ValidationTimeout;
        _metrics = metrics;
        _clientAbort = clientAbort;
        _logger = loggerFactory.CreateLogger("Status499.TokenValidation");
    }

    // The error writer knows ArcGIS, not this library's options: the settings it needs are copied from them here.
    public static ArcGisErrorWriter CreateErrorWriter(TokenRequiredOptions options) => new(new ArcGisErrorSettings(
        options.Dialect,
        options.StatusMode,
        options.TokenRequiredMessage,
        options.InvalidTokenMessage,
        options.ForbiddenMessage,
        options.MaxTokenLength,
        options.EnableJsonp,
        options.PreferProblemDetails));

    // check: this request's token check (the pooled request state's), where the outcome and source are recorded.
    public ValueTask<TokenCheckResult> HandleAsync(HttpContext context, TokenCheckState check)
    {
        // CORS preflights are not exempt: a preflight that reaches this point was not answered by UseCors(), so letting
        // it through would run the endpoint without a token. Put UseCors() before UseStatus499() (docs/tokens.md, "Token sources").
        // The reader decides through ClientAbort whether a failed form read means the client left; it does not throw for it.
        var read = _reader.ReadAsync(context, check);
        return read.IsCompletedSuccessfully ? Validate(context, check, read.Result) : AwaitReadAsync(read, context, check);
    }

    private async ValueTask<TokenCheckResult> AwaitReadAsync(ValueTask<TokenRead> pending, HttpContext context, TokenCheckState check)
        => await Validate(context, check, await pending);

    private ValueTask<TokenCheckResult> Validate(HttpContext context, TokenCheckState check, TokenRead read)
    {
        switch (read.Status)
        {
            case TokenReadStatus.Found:
                break;
            case TokenReadStatus.Missing:
                Status499Log.TokenMissing(_logger, context.Request.Method, PathOf(context));
                return RefuseAsync(context, check, TokenOutcome.Missing, ArcGisError.TokenRequired);

            // Not token outcomes: nothing is refused or counted, and the outcome stays NotChecked.
            case TokenReadStatus.BodyRejected:
                return new(TokenCheckResult.BodyRejected);
            case TokenReadStatus.ClientLeftReadingBody:
                return new(TokenCheckResult.ClientLeftReadingBody);

            default:
                Status499Log.TokenMalformed(_logger, context.Request.Method, PathOf(context), read.Status.ToString());
                return RefuseAsync(context, check, TokenOutcome.Malformed, MalformedError(read.Status));
        }

        var token = read.Token!;
        check.Source = read.Source;
        ITokenValidator? validator;
        try
        {
            validator = _validators.Resolve(context);
        }
        catch (Exception ex)
        {
            // A validator whose construction fails is a failing validator: refuse, do not 500.
            Status499Log.TokenValidatorFailed(_logger, ex, nameof(ITokenValidator), ex.GetType().FullName, context.Request.Method, PathOf(context));
            return RefuseAsync(context, check, TokenOutcome.ValidatorFailed, ArcGisError.InvalidToken);
        }

        if (validator is null)
        {
            Status499Log.NoTokenValidator(_logger, context.Request.Method, PathOf(context));
            return RefuseAsync(context, check, TokenOutcome.ValidatorFailed, ArcGisError.InvalidToken);
        }

        var cancellation = check.RentValidationCancellation();
        ValueTask<TokenValidatorResult> validation;
        try
        {
            validation = validator.ValidateAsync(check.RentValidatorContext(context, token, read.Source, cancellation.Token));
        }
        catch (Exception ex)
        {
            check.ReturnValidationCancellation();
            check.AbandonValidatorContext();
            return ValidatorFailedAsync(context, check, validator, token, ex);
        }

        if (validation.IsCompletedSuccessfully)
        {
            check.ReturnValidationCancellation();
            return Apply(context, check, validation.Result);
        }

        cancellation.CancelAfter(_timeout);
        return AwaitValidationAsync(validation, context, check, validator, token, cancellation);
    }

    private async ValueTask<TokenCheckResult> AwaitValidationAsync(
        ValueTask<TokenValidatorResult> pending, HttpContext context, TokenCheckState check, ITokenValidator validator, string token, CancellationTokenSource cancellation)
    {
        // The validator's token fires on the timeout and when RequestAborted does; WaitAsync bounds validators that ignore it.
        TokenValidatorResult result;
        using (context.RequestAborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), cancellation))
        {
            try
            {
                result = await pending.AsTask().WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                // The validator may still hold the source and the context: never hand them to another request.
                check.AbandonValidationCancellation();
                check.AbandonValidatorContext();
                if (context.RequestAborted.IsCancellationRequested)
                {
                    if (_clientAbort.IsClientAbort(context))
                    {
                        return TokenCheckResult.ClientLeftDuringValidation;
                    }

                    // A cancellation the client did not cause (UseRequestTimeouts(), shutdown): the framework answers
                    // it (504 for a request timeout), as when the form read is cancelled that way (FormReader).
                    throw;
                }

                Status499Log.TokenValidatorTimedOut(_logger, validator.GetType().Name, context.Request.Method, PathOf(context), _timeout.TotalMilliseconds);
                return await RefuseAsync(context, check, TokenOutcome.ValidatorFailed, ArcGisError.InvalidToken);
            }
            catch (Exception ex)
            {
                check.AbandonValidationCancellation();
                check.AbandonValidatorContext();
                return await ValidatorFailedAsync(context, check, validator, token, ex);
            }
        }

        check.ReturnValidationCancellation();
        return await Apply(context, check, result);
    }

    private ValueTask<TokenCheckResult> ValidatorFailedAsync(HttpContext context, TokenCheckState check, ITokenValidator validator, string token, Exception ex)
    {
        Status499Log.TokenValidatorFailed(_logger, SecretRedaction.LoggableException(ex, token), validator.GetType().Name, ex.GetType().FullName, context.Request.Method, PathOf(context));
        return RefuseAsync(context, check, TokenOutcome.ValidatorFailed, ArcGisError.InvalidToken);
    }

    private ValueTask<TokenCheckResult> Apply(HttpContext context, TokenCheckState check, TokenValidatorResult result)
    {
        switch (result.Status)
        {
            // Only an explicit Valid lets the request in; Invalid is the zero value.
            case TokenValidatorStatus.Valid:
                if (result.User is not null)
                {
                    context.User = result.User;
                }

                check.Outcome = TokenOutcome.Accepted;
                return new(TokenCheckResult.Passed);
            case TokenValidatorStatus.Expired:
                Status499Log.TokenExpired(_logger, check.Source.ToString(), context.Request.Method, PathOf(context));
                return RefuseAsync(context, check, TokenOutcome.Expired, ArcGisError.InvalidToken);
            case TokenValidatorStatus.Forbidden:
                Status499Log.TokenForbidden(_logger, check.Source.ToString(), context.Request.Method, PathOf(context));
                return RefuseAsync(context, check, TokenOutcome.Forbidden, ArcGisError.Forbidden);
            default:
                Status499Log.TokenInvalid(_logger, check.Source.ToString(), context.Request.Method, PathOf(context));
                return RefuseAsync(context, check, TokenOutcome.Invalid, ArcGisError.InvalidToken);
        }
    }

    // ASP.NET Core authorization (a policy, a role, [Authorize]) refused a request whose token this handler accepted:
    // the token is valid but not enough, which ArcGIS answers 403, as a validator's Forbidden.
    public Task RefuseAuthorizedTokenAsync(HttpContext context, TokenCheckState check, string authorizationResult)
    {
        Status499Log.TokenAuthorizationRefused(_logger, check.Source.ToString(), context.Request.Method, PathOf(context), authorizationResult);
        return RefuseAsync(context, check, TokenOutcome.Forbidden, ArcGisError.Forbidden).AsTask();
    }

    // Answers the refusal the ArcGIS way; outcome says why, on the feature, the metric and the trace.
    private async ValueTask<TokenCheckResult> RefuseAsync(HttpContext context, TokenCheckState check, TokenOutcome outcome, ArcGisError error)
    {
        check.Outcome = outcome;
        var reason = TokenOutcomeNames.Of(outcome);
        _metrics.TokenRejected(context, RequestDescription.RouteOf(context), reason);
        Activity.Current?.SetTag("status499.token_outcome", reason);
        try
        {
            await _writer.WriteAsync(context, error);
        }
        catch (Exception ex) when (ClientAbort.IsAbortException(ex))
        {
            if (!await _clientAbort.IsClientGoneAsync(ex, context))
            {
                throw;
            }
        }

        return TokenCheckResult.Refused;
    }

    private static ArcGisError MalformedError(TokenReadStatus status) => status switch
    {
        TokenReadStatus.ConflictingSources => ArcGisError.ConflictingTokens,
        TokenReadStatus.MultipleValues => ArcGisError.MultipleTokens,
        TokenReadStatus.TooLong => ArcGisError.TokenTooLong,
        TokenReadStatus.UnreadableForm => ArcGisError.UnreadableForm,
        _ => ArcGisError.MalformedHeader,
    };

    private static string PathOf(HttpContext context) => RequestDescription.PathOf(context);
}
