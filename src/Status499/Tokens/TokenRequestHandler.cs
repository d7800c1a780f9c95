using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Status499.ArcGisErrors;
using Status499.ClientClosed;
using Status499.Diagnostics;
using Status499.Pipeline;

namespace Status499.Tokens;

// Every log call here is on a refusal path, where building the path string is cheap next to writing the error.
#pragma warning disable CA1873

// Reads and validates the token of a TokenRequired request and answers the ArcGIS way when it fails.
// HandleAsync returns Passed when the request may continue to the endpoint. It fails closed: any exception, timeout or
// missing validator refuses the request.
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
        _writer = new ArcGisErrorWriter(tokenOptions);
        _timeout = tokenOptions.ValidationTimeout;
        _metrics = metrics;
        _clientAbort = clientAbort;
        _logger = loggerFactory.CreateLogger("Status499.TokenValidation");
    }

    public ValueTask<TokenCheck> HandleAsync(HttpContext context, Status499RequestContext state)
    {
        // CORS preflights are not exempt: a preflight that reaches this point was not answered by UseCors(), so letting
        // it through would run the endpoint without a token. Put UseCors() before UseStatus499() (docs/tokens.md, "Token sources").
        // The reader decides through ClientAbort whether a failed form read means the client left; it does not throw for it.
        var read = _reader.ReadAsync(context, state);
        return read.IsCompletedSuccessfully ? Validate(context, state, read.Result) : AwaitReadAsync(read, context, state);
    }

    private async ValueTask<TokenCheck> AwaitReadAsync(ValueTask<TokenRead> pending, HttpContext context, Status499RequestContext state)
        => await Validate(context, state, await pending);

    private ValueTask<TokenCheck> Validate(HttpContext context, Status499RequestContext state, TokenRead read)
    {
        switch (read.Body)
        {
            // Not a token outcome: no rejection is counted and the token check stays NotChecked.
            case FormReadStatus.ClientGone:
                return new(TokenCheck.RequestBodyLost);
            case FormReadStatus.Rejected:
                return new(TokenCheck.Answered);
        }

        if (read.Malformed != MalformedTokenReason.None)
        {
            Status499Log.TokenMalformed(_logger, context.Request.Method, PathOf(context), read.Malformed.ToString());
            return RejectAsync(context, state, TokenOutcome.Malformed, ToError(read.Malformed));
        }

        if (read.Token is null)
        {
            Status499Log.TokenMissing(_logger, context.Request.Method, PathOf(context));
            return RejectAsync(context, state, TokenOutcome.Missing, ArcGisError.TokenRequired);
        }

        state.TokenSource = read.Source;
        ITokenValidator? validator;
        try
        {
            validator = _validators.Resolve(context);
        }
        catch (Exception ex)
        {
            // A validator whose construction fails is a failing validator: refuse, do not 500.
            Status499Log.TokenValidatorFailed(_logger, ex, nameof(ITokenValidator), ex.GetType().FullName, context.Request.Method, PathOf(context));
            return RejectAsync(context, state, TokenOutcome.ValidatorFailed, ArcGisError.InvalidToken);
        }

        if (validator is null)
        {
            Status499Log.NoTokenValidator(_logger, context.Request.Method, PathOf(context));
            return RejectAsync(context, state, TokenOutcome.ValidatorFailed, ArcGisError.InvalidToken);
        }

        var cancellation = state.RentValidationCancellation();
        ValueTask<TokenValidatorResult> validation;
        try
        {
            validation = validator.ValidateAsync(state.RentValidatorContext(context, read.Token, read.Source, cancellation.Token));
        }
        catch (Exception ex)
        {
            state.ReturnValidationCancellation();
            state.AbandonValidatorContext();
            return ValidatorFailedAsync(context, state, validator, read.Token, ex);
        }

        if (validation.IsCompletedSuccessfully)
        {
            state.ReturnValidationCancellation();
            return Apply(context, state, validation.Result);
        }

        cancellation.CancelAfter(_timeout);
        return AwaitValidationAsync(validation, context, state, validator, read.Token, cancellation);
    }

    private async ValueTask<TokenCheck> AwaitValidationAsync(
        ValueTask<TokenValidatorResult> pending, HttpContext context, Status499RequestContext state, ITokenValidator validator, string token, CancellationTokenSource cancellation)
    {
        // The validator's token fires on the timeout and when the client leaves; WaitAsync bounds validators that ignore it.
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
                state.AbandonValidationCancellation();
                state.AbandonValidatorContext();
                if (context.RequestAborted.IsCancellationRequested)
                {
                    return TokenCheck.ClientLeftDuringValidation;
                }

                Status499Log.TokenValidatorTimedOut(_logger, validator.GetType().Name, context.Request.Method, PathOf(context), _timeout.TotalMilliseconds);
                return await RejectAsync(context, state, TokenOutcome.ValidatorFailed, ArcGisError.InvalidToken);
            }
            catch (Exception ex)
            {
                state.AbandonValidationCancellation();
                state.AbandonValidatorContext();
                return await ValidatorFailedAsync(context, state, validator, token, ex);
            }
        }

        state.ReturnValidationCancellation();
        return await Apply(context, state, result);
    }

    private ValueTask<TokenCheck> ValidatorFailedAsync(HttpContext context, Status499RequestContext state, ITokenValidator validator, string token, Exception ex)
    {
        Status499Log.TokenValidatorFailed(_logger, SecretRedaction.LoggableException(ex, token), validator.GetType().Name, ex.GetType().FullName, context.Request.Method, PathOf(context));
        return RejectAsync(context, state, TokenOutcome.ValidatorFailed, ArcGisError.InvalidToken);
    }

    private ValueTask<TokenCheck> Apply(HttpContext context, Status499RequestContext state, TokenValidatorResult result)
    {
        switch (result.Status)
        {
            // Only an explicit Valid lets the request in; Invalid is the zero value.
            case TokenValidatorStatus.Valid:
                if (result.User is not null)
                {
                    context.User = result.User;
                }

                state.TokenOutcome = TokenOutcome.Accepted;
                return new(TokenCheck.Passed);
            case TokenValidatorStatus.Expired:
                Status499Log.TokenExpired(_logger, state.TokenSource.ToString(), context.Request.Method, PathOf(context));
                return RejectAsync(context, state, TokenOutcome.Expired, ArcGisError.InvalidToken);
            case TokenValidatorStatus.Forbidden:
                Status499Log.TokenForbidden(_logger, state.TokenSource.ToString(), context.Request.Method, PathOf(context));
                return RejectAsync(context, state, TokenOutcome.Forbidden, ArcGisError.Forbidden);
            default:
                Status499Log.TokenInvalid(_logger, state.TokenSource.ToString(), context.Request.Method, PathOf(context));
                return RejectAsync(context, state, TokenOutcome.Invalid, ArcGisError.InvalidToken);
        }
    }

    // ASP.NET Core authorization (a policy, a role, [Authorize]) refused a request whose token this handler accepted:
    // the token is valid but not enough, which ArcGIS answers 403, as a validator's Forbidden.
    public ValueTask<TokenCheck> RefuseAuthorizedTokenAsync(HttpContext context, Status499RequestContext state, string authorizationResult)
    {
        Status499Log.TokenAuthorizationRefused(_logger, state.TokenSource.ToString(), context.Request.Method, PathOf(context), authorizationResult);
        return RejectAsync(context, state, TokenOutcome.Forbidden, ArcGisError.Forbidden);
    }

    private async ValueTask<TokenCheck> RejectAsync(HttpContext context, Status499RequestContext state, TokenOutcome outcome, ArcGisError error)
    {
        state.TokenOutcome = outcome;
        _metrics.TokenRejected(context, RequestDescription.RouteOf(context), outcome);
        Activity.Current?.SetTag("status499.token_outcome", Status499Names.ReasonOf(outcome));
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

        return TokenCheck.Answered;
    }

    private static ArcGisError ToError(MalformedTokenReason reason) => reason switch
    {
        MalformedTokenReason.ConflictingSources => ArcGisError.ConflictingTokens,
        MalformedTokenReason.MultipleValues => ArcGisError.MultipleTokens,
        MalformedTokenReason.TooLong => ArcGisError.TokenTooLong,
        MalformedTokenReason.UnreadableForm => ArcGisError.UnreadableForm,
        _ => ArcGisError.MalformedHeader,
    };

    private static string PathOf(HttpContext context) => RequestDescription.PathOf(context);
}
