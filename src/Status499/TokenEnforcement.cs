using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Status499;

// Fail closed when the pipeline is misordered: UseStatus499() placed before UseRouting() sees no endpoint metadata and
// would let a RequireToken() endpoint run without a token. Like the framework's EndpointMiddleware check for
// authorization metadata, the endpoint itself refuses to run unless Status499 accepted a token for this request.
internal static class TokenEnforcement
{
    private static readonly object s_marker = new();

    public const string MisorderedPipelineMessage =
        "This endpoint requires a token, but Status499 did not validate one for this request. " +
        "Call app.UseStatus499() after app.UseRouting() (or leave UseRouting() out with minimal hosting), so it sees the endpoint.";

    public static void Apply(EndpointBuilder builder)
    {
        if (builder.RequestDelegate is not { } inner || builder.Metadata.Contains(s_marker) || !IsTokenRequired(builder.Metadata))
        {
            return;
        }

        builder.Metadata.Add(s_marker);
        builder.RequestDelegate = context => HasAcceptedToken(context) ? inner(context) : throw new InvalidOperationException(MisorderedPipelineMessage);
    }

    public static bool HasAcceptedToken(HttpContext context)
        => context.Features.Get<IStatus499Feature>() is { Meaning: Status499Meaning.TokenRequired, TokenOutcome: TokenOutcome.Accepted };

    // The final meaning is the last one in the metadata, as MeaningResolver reads it.
    private static bool IsTokenRequired(IList<object> metadata)
    {
        for (var i = metadata.Count - 1; i >= 0; i--)
        {
            if (metadata[i] is IStatus499MeaningMetadata meaning)
            {
                return meaning.Meaning == Status499Meaning.TokenRequired;
            }
        }

        return false;
    }
}
